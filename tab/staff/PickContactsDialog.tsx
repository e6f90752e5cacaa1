import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, ProgressBar, Text } from '@fluentui/react-components';
import { useState } from 'react';
import type { Contact } from '../api';
import { ErrorBar } from '../components/Feedback';
import { ContactTicks } from './ContactTicks';

/**
 * Pick people, then run a (possibly long) bulk action with a progress bar. The action reports
 * progress as it goes, chunk by chunk.
 */
export function PickContactsDialog({
  title,
  summary,
  confirm,
  contacts,
  initial,
  run,
  onClose,
}: {
  title: string;
  summary: string;
  confirm: string;
  contacts: Contact[];
  initial?: string[];
  run: (contactIds: string[], progress: (done: number) => void) => Promise<string | void>;
  onClose: () => void;
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set(initial ?? []));
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<string | null>(null);
  const go = async () => {
    setError(undefined);
    setProgress(0);
    try {
      const message = await run([...selected], setProgress);
      setProgress(1);
      if (message) setResult(message);
      else onClose();
    } catch (err) {
      setError(err);
      setProgress(null);
    }
  };
  const running = progress !== null && progress < 1;
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !running && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            <Text as="p">{summary}</Text>
            <ContactTicks contacts={contacts} selected={selected} onChange={setSelected} label="People" />
            {progress !== null && <ProgressBar value={progress} aria-label="Progress" />}
            {result && (
              <Text as="p" role="status">
                {result}
              </Text>
            )}
            <ErrorBar error={error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={running}>
              {result ? 'Close' : 'Cancel'}
            </Button>
            {!result && (
              <Button appearance="primary" disabled={selected.size === 0 || running} onClick={() => void go()}>
                {running ? 'Working…' : confirm}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
