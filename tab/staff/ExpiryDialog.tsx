import { Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import type { AccessEntry } from '../api';
import { ExpiryField, expiryInWords, useExpiry } from '../components/ExpiryField';
import { ErrorBar } from '../components/Feedback';
import { useAction, useStaffApi } from '../shell/hooks';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { useStrings } from '../strings';

const useStyles = makeStyles({ content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

/**
 * Change or remove the expiry of one grant (PATCH /grants/{id}/expiry). Should the server ask
 * for a confirmation, it is shown and the change is sent again with the reason given, as in
 * every other share path.
 */
export function ExpiryDialog({ entry, what, onClose, onChanged }: { entry: AccessEntry; what: string; onClose: () => void; onChanged: (message: string) => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const expiry = useExpiry(entry.grant.expiresAt);
  // Which expiry the save or the remove sent: a confirmation re-sends that one.
  const target = useRef<string | null>(null);
  const confirmable = useConfirmable(async (confirm) => void (await api.setGrantExpiry(entry.grant.id, target.current, confirm?.reason ?? null)));
  const save = useAction(async (expiresAt: string | null) => {
    target.current = expiresAt;
    if (await confirmable.attempt()) onChanged(t.expirySet(entry.contact.name, what, expiryInWords(expiresAt)));
  });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !save.busy && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.expiryFor(entry.contact.name)}</DialogTitle>
          <DialogContent className={s.content}>
            <Caption1>{t.expiryNow(what, expiryInWords(entry.grant.expiresAt))}</Caption1>
            {confirmable.confirmation ? <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} /> : <ExpiryField expiry={expiry} label={t.newExpiry} />}
            <ErrorBar error={save.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={save.busy}>
              {t.cancel}
            </Button>
            {entry.grant.expiresAt && !confirmable.confirmation && (
              <Button onClick={() => void save.run(null)} disabled={save.busy} data-testid="remove-expiry">
                {t.removeExpiry}
              </Button>
            )}
            <Button
              appearance="primary"
              disabled={save.busy || (!confirmable.confirmation && Boolean(expiry.problem)) || !confirmable.ready}
              onClick={() => void save.run(confirmable.confirmation ? target.current : expiry.expiresAt)}
              data-testid="save-expiry"
            >
              {confirmable.confirmation ? t.confirmAndSave : t.saveExpiry}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** One grant's expiry dialog at a time: `open(entry)` shows it; `dialog` goes in the page. */
export function useExpiryDialog(onChanged: (message: string) => void) {
  const [entry, setEntry] = useState<AccessEntry | null>(null);
  const done = (message: string) => {
    setEntry(null);
    onChanged(message);
  };
  const dialog = entry ? <ExpiryDialog entry={entry} what={entry.label} onClose={() => setEntry(null)} onChanged={done} /> : null;
  return { open: setEntry, dialog };
}
