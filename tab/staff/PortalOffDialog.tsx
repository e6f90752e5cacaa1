import { useState, type ReactNode } from 'react';
import { Body1, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorBar, Loading } from '../components/Feedback';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { chipDetail, chipText } from '../firm/AccessChip';
import { useFirmLookup } from '../firm/useFirmLookup';
import { useStrings } from '../strings';

/** Beyond this many, the list names the first few and counts the rest, so the buttons stay on screen. */
const LISTED = 8;

const useStyles = makeStyles({ list: { margin: 0, paddingLeft: tokens.spacingHorizontalL } });

/**
 * Switching a guest's portal access off withdraws everything shared with them, in SharePoint too,
 * so the switch asks first and says exactly what goes: one slip must not silently cut a client off.
 */
function PortalOffDialog({ contact, onCancel, onDone }: { contact: { id: string; name: string }; onCancel: () => void; onDone: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const access = useLoad(() => api.contactAccess(contact.id), [contact.id]);
  const lookup = useFirmLookup();
  const turnOff = useAction(async () => {
    await api.setPortalAccess(contact.id, false);
    onDone();
  });
  const entries = access.data ?? [];
  const describe = (e: (typeof entries)[number]) => (lookup.data ? chipDetail(e, lookup.data.cases, lookup.data.clientNames) : chipText(e));
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onCancel()}>
      <DialogSurface aria-describedby="portal-off-what">
        <DialogBody>
          <DialogTitle>{t.switchOffPortalFor(contact.name)}</DialogTitle>
          <DialogContent>
            <ErrorBar error={access.error ?? turnOff.error} onRetry={access.error ? () => void access.reload() : undefined} />
            {!access.data && !access.error && <Loading label={t.findingGuestAccess} />}
            {access.data && (
              <div id="portal-off-what" data-testid="portal-off-what">
                <Body1 as="p">{entries.length === 0 ? t.portalOffNothingShared(contact.name) : t.portalOffWithdrawn(contact.name, entries.length)}</Body1>
                {entries.length > 0 && (
                  <ul className={s.list}>
                    {entries.slice(0, LISTED).map((e) => (
                      <li key={e.grant.id}>{describe(e)}</li>
                    ))}
                    {entries.length > LISTED && <li>{t.andMore(entries.length - LISTED)}</li>}
                  </ul>
                )}
                <Body1 as="p">{t.portalOffIsFinal}</Body1>
              </div>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel}>{t.keepAccess}</Button>
            <Button appearance="primary" disabled={!access.data || turnOff.busy} onClick={() => void turnOff.run()}>
              {entries.length === 0 ? t.switchOff : t.switchOffWithdraw(entries.length)}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** The switch's side of it: `ask(contact)` opens the dialog; `dialog` goes in the page; `onDone` runs once access is off. */
export function usePortalOffDialog(onDone: (contact: { id: string; name: string }) => void): { ask: (contact: { id: string; name: string }) => void; asking: boolean; dialog: ReactNode } {
  const [contact, setContact] = useState<{ id: string; name: string } | null>(null);
  const dialog = contact && (
    <PortalOffDialog
      contact={contact}
      onCancel={() => setContact(null)}
      onDone={() => {
        setContact(null);
        onDone(contact);
      }}
    />
  );
  return { ask: setContact, asking: contact !== null, dialog };
}
