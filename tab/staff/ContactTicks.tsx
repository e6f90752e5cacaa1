import { Badge, Button, Caption1, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { CaseSharing, Contact, Section } from '../api';
import { ErrorBar } from '../components/Feedback';
import { useAction, useStaffApi } from '../shell/hooks';
import { shareable } from './caseData';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { useStrings } from '../strings';
import { SECTION_OF_KIND, SectionOffNote, useSectionOff } from './guestPolicy';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalM, border: 'none', padding: 0, margin: 0, minWidth: 0 },
  hint: { color: tokens.colorNeutralForeground3 },
});

/**
 * Controlled ticks for something not created yet ("share with … when it is created/uploaded").
 * With `section`: when the firm's policy switched that section off for guests, a note says so in
 * place of the ticks (a share would show them nothing).
 */
export function ContactTicks({ contacts, selected, onChange, label, section }: { contacts: Contact[]; selected: ReadonlySet<string>; onChange: (next: Set<string>) => void; label?: string; section?: Section }) {
  const t = useStrings().staff;
  const s = useStyles();
  const eligible = shareable(contacts);
  const off = useSectionOff(section);
  useEffect(() => {
    if (off && selected.size > 0) onChange(new Set());
  }, [off, selected.size]);
  if (off && section) return <SectionOffNote section={section} />;
  return (
    <fieldset className={s.row} data-testid="contact-ticks">
      <legend>
        <Caption1>{label ?? t.shareWithLabel}</Caption1>
      </legend>
      {eligible.length === 0 && <Caption1 className={s.hint}>{t.noPortalContactsYet}</Caption1>}
      {eligible.map((c) => (
        <Checkbox
          key={c.id}
          label={c.name}
          checked={selected.has(c.id)}
          onChange={(_e, d) => {
            const next = new Set(selected);
            if (d.checked) next.add(c.id);
            else next.delete(c.id);
            onChange(next);
          }}
        />
      ))}
    </fieldset>
  );
}

/** Live per-contact ticks on an existing item: tick shares it, untick stops sharing it. */
export function ShareTicks({ itemId, itemTitle, sharing, onChanged }: { itemId: string; itemTitle: string; sharing: CaseSharing; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const [note, setNote] = useState<string | null>(null);
  // The tick moves at once; the server's answer (a reload of the case) confirms it, or the error undoes it.
  const [wanted, setWanted] = useState<Record<string, boolean>>({});
  // Ticks whose request has not been answered yet: a reload for some other change of the case (the
  // live stream) must not flip them back meanwhile.
  const inFlight = useRef(new Set<string>());
  useEffect(() => setWanted((w) => Object.fromEntries(Object.entries(w).filter(([contactId]) => inFlight.current.has(contactId)))), [sharing]);
  // A share the server asks to confirm (a privileged item, opposing counsel, a warned domain) waits
  // in a dialog for the reason; cancelling it leaves the tick as it was.
  const target = useRef('');
  const confirmable = useConfirmable(async (confirm) => {
    await api.share([target.current], [itemId], null, confirm);
  });
  const toggle = useAction(async (contactId: string, on: boolean) => {
    setNote(null);
    setWanted((w) => ({ ...w, [contactId]: on }));
    inFlight.current.add(contactId);
    try {
      if (on) {
        target.current = contactId;
        // False: the server asked for a confirmation, which the dialog below now shows (the tick waits for it).
        if (!(await confirmable.attempt())) return;
      } else {
        const result = await api.unshare([contactId], [itemId]);
        if (result.stillVisible.length) setNote(t.stillSeeIt);
      }
      inFlight.current.delete(contactId);
    } catch (err) {
      inFlight.current.delete(contactId);
      throw err;
    }
    onChanged();
  });
  const confirmShare = useAction(async () => {
    if (!(await confirmable.attempt())) return;
    inFlight.current.delete(target.current);
    onChanged();
  });
  const cancelConfirmation = () => {
    confirmable.reset();
    confirmShare.clear();
    inFlight.current.clear();
    setWanted({});
  };
  useEffect(() => {
    if (toggle.error) setWanted({});
  }, [toggle.error]);
  const kind = sharing.items.find((i) => i.id === itemId)?.kind;
  const section = kind ? SECTION_OF_KIND[kind] : undefined;
  const off = useSectionOff(section);
  if (off && section) return <SectionOffNote section={section} />;
  const askedName = sharing.contacts.find((c) => c.id === target.current)?.name ?? '';
  const entries = sharing.sharedWith[itemId] ?? [];
  const eligible = shareable(sharing.contacts);
  return (
    <div>
      <fieldset className={s.row} data-testid="share-ticks" aria-label={t.shareWith(itemTitle)}>
        <legend>
          <Caption1>{t.sharedWith}</Caption1>
        </legend>
        {eligible.length === 0 && <Caption1 className={s.hint}>{t.noPortalContacts}</Caption1>}
        {eligible.map((c) => {
          const entry = entries.find((e) => e.contactId === c.id);
          const broad = entry && entry.via !== 'item';
          return (
            <span key={c.id} className={s.row}>
              <Checkbox label={broad ? t.throughAccess(c.name, entry.via) : c.name} checked={wanted[c.id] ?? Boolean(entry)} disabled={toggle.busy || broad} onChange={(_e, d) => void toggle.run(c.id, Boolean(d.checked))} />
              {entry?.state === 'pending' && (
                <Badge appearance="outline" color="warning" size="small">
                  {t.pendingInvitation}
                </Badge>
              )}
            </span>
          );
        })}
      </fieldset>
      {note && <Caption1>{note}</Caption1>}
      <ErrorBar error={toggle.error} />
      {confirmable.confirmation && (
        <Dialog open onOpenChange={(_e, d) => !d.open && !confirmShare.busy && cancelConfirmation()}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t.shareItemWith(itemTitle, askedName)}</DialogTitle>
              <DialogContent>
                <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />
                <ErrorBar error={confirmShare.error} />
              </DialogContent>
              <DialogActions>
                <Button onClick={cancelConfirmation} disabled={confirmShare.busy}>
                  {t.cancel}
                </Button>
                <Button appearance="primary" disabled={!confirmable.ready || confirmShare.busy} onClick={() => void confirmShare.run()} data-testid="confirm-share">
                  {t.confirmAndShare}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </div>
  );
}
