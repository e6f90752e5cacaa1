import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, ProgressBar, Text } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import type { Confirmation, Contact, Section } from '../api';
import { ExpiryField, useExpiry } from '../components/ExpiryField';
import { ErrorBar } from '../components/Feedback';
import { ContactTicks } from './ContactTicks';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { useStrings } from '../strings';

/**
 * Pick people, then run a (possibly long) bulk action with a progress bar. The action reports
 * progress as it goes, chunk by chunk. When the server asks for a confirmation (opposing
 * counsel, a warned domain, access already held on other terms), the dialog shows why and runs
 * the action again with the reason given.
 */
export function PickContactsDialog({
  title,
  summary,
  confirm,
  confirmChecked,
  contacts,
  initial,
  withExpiry = false,
  section,
  run,
  onClose,
  onDone,
}: {
  title: string;
  summary: ReactNode;
  confirm: string;
  /** The same action once the server asked for a confirmation and the reader gave a reason ("Confirm and share"). */
  confirmChecked: string;
  contacts: Contact[];
  initial?: string[];
  /** Ask for an expiry (sharing); the run gets it as `expiresAt` (null: no expiry). */
  withExpiry?: boolean;
  /** The portal section the items are shown in: when the firm switched it off for guests, nobody can be picked and a note says why. */
  section?: Section;
  /** `progress(fraction, words)`: how far the run is, and optionally the same in words ("40 of 210 done"). */
  run: (contactIds: string[], progress: (done: number, words?: string) => void, confirm?: Confirmation, expiresAt?: string | null) => Promise<string | void>;
  onClose: () => void;
  /** Given: a finished run closes the dialog and hands its message here (to stay on the page) instead of showing it inside. */
  onDone?: (message: string | void) => void;
}) {
  const t = useStrings().staff;
  const [selected, setSelected] = useState<Set<string>>(new Set(initial ?? []));
  const [progress, setProgress] = useState<number | null>(null);
  const [progressWords, setProgressWords] = useState('');
  const report = (done: number, words?: string) => {
    setProgress(done);
    setProgressWords(words ?? '');
  };
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<string | null>(null);
  const expiry = useExpiry();
  let message: string | void = undefined;
  const confirmable = useConfirmable(async (confirmation) => {
    message = await run([...selected], report, confirmation, withExpiry ? expiry.expiresAt : null);
  });
  const go = async () => {
    setError(undefined);
    setProgress(0);
    try {
      if (!(await confirmable.attempt())) {
        setProgress(null);
        return;
      }
      setProgress(1);
      if (onDone) onDone(message);
      else if (message) setResult(message);
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
            {typeof summary === 'string' ? <Text as="p">{summary}</Text> : summary}
            {confirmable.confirmation ? (
              <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />
            ) : (
              <>
                <ContactTicks contacts={contacts} selected={selected} onChange={setSelected} label={t.people} section={section} />
                {withExpiry && <ExpiryField expiry={expiry} />}
              </>
            )}
            {progress !== null && <ProgressBar value={progress} aria-label={t.progress} />}
            {progress !== null && progressWords && (
              <Text as="p" aria-live="polite" data-testid="bulk-progress">
                {progressWords}
              </Text>
            )}
            {result && (
              <Text as="p" role="status">
                {result}
              </Text>
            )}
            <ErrorBar error={error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={running}>
              {result ? t.close : t.cancel}
            </Button>
            {!result && (
              <Button appearance="primary" disabled={selected.size === 0 || running || !confirmable.ready || (withExpiry && Boolean(expiry.problem))} onClick={() => void go()} data-testid="pick-contacts-go">
                {running ? t.working : confirmable.confirmation ? confirmChecked : confirm}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
