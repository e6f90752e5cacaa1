import { Badge, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, Option, Switch, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { PARTY_ROLES, type CaseDetail, type Contact, type ContactKind, type PartyRole } from '../api';
import { Empty, ErrorBar, Notice } from '../components/Feedback';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { ScrollingTable } from '../components/ScrollingTable';
import { optionsOf, SearchField } from '../components/options';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { usePortalOffDialog } from './PortalOffDialog';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  bar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', marginBottom: tokens.spacingVerticalM },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  cell: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

const INVITATION_COLOR = { none: 'informative', pending: 'warning', accepted: 'success' } as const;
/** A contact's kind follows their first role; the other side of a case is "other" everywhere else. */
const kindOfRole = (role: PartyRole): ContactKind => (role === 'opposing-party' || role === 'opposing-counsel' ? 'other' : role);
type LinkedContact = CaseDetail['linkedContacts'][number];

function RolePicker({ label, value, onChange, disabled }: { label: string; value: PartyRole; onChange: (role: PartyRole) => void; disabled?: boolean }) {
  const ROLE_LABEL: Record<PartyRole, string> = useStrings().staff.partyRole;
  return (
    <Dropdown aria-label={label} value={ROLE_LABEL[value]} selectedOptions={[value]} disabled={disabled} onOptionSelect={(_e, d) => d.optionValue && onChange(d.optionValue as PartyRole)}>
      {optionsOf(
        PARTY_ROLES,
        (r) => r,
        (r) => ROLE_LABEL[r],
      )}
    </Dropdown>
  );
}

function NewContactDialog({ clientId, onCreated, onClose }: { clientId: string; onCreated: (c: Contact, role: PartyRole) => Promise<void>; onClose: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<PartyRole>('client');
  const [phone, setPhone] = useState('');
  const create = useAction(async () => {
    const kind = kindOfRole(role);
    const c = await api.createContact({ name: name.trim(), email: email.trim(), kind, phone: phone.trim() || null, clientId: kind === 'client' ? clientId : null });
    await onCreated(c, role);
    onClose();
  });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.newContact}</DialogTitle>
          <DialogContent className={s.form}>
            <Field label={t.name} required>
              <Input value={name} onChange={(_e, d) => setName(d.value)} />
            </Field>
            <Field label={t.email} required>
              <Input type="email" value={email} onChange={(_e, d) => setEmail(d.value)} />
            </Field>
            <Field label={t.roleInThisCase}>
              <RolePicker label={t.roleInThisCase} value={role} onChange={setRole} />
            </Field>
            <Field label={t.phone}>
              <Input type="tel" value={phone} onChange={(_e, d) => setPhone(d.value)} />
            </Field>
            <ErrorBar error={create.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{t.cancel}</Button>
            <Button appearance="primary" disabled={!name.trim() || !email.trim() || create.busy} onClick={() => void create.run()}>
              {t.createAndLink}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function PartyRow({ caseId, contact, onChanged }: { caseId: string; contact: LinkedContact; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const [confirmUnlink, setConfirmUnlink] = useState(false);
  const [sent, setSent] = useState(false);
  const portalOff = usePortalOffDialog(onChanged);
  const act = useAction(async (work: () => Promise<unknown>) => {
    await work();
    onChanged();
  });
  // Turning portal access on invites them: opposing parties and warned domains need a reason first.
  const invite = useConfirmable(async (confirm) => void (await api.setPortalAccess(contact.id, true, null, confirm)));
  const turnOn = useAction(async () => {
    if (await invite.attempt()) onChanged();
  });
  const [label, color] = [t.invitation[contact.invitation], INVITATION_COLOR[contact.invitation]];
  return (
    <TableRow data-testid="party-row" data-name={contact.name}>
      <TableCell>
        <div>
          <Text weight="semibold">{contact.name}</Text>
          <br />
          <Caption1>{contact.email}</Caption1>
        </div>
        <ErrorBar error={act.error ?? turnOn.error} />
      </TableCell>
      <TableCell>
        <RolePicker label={t.roleOf(contact.name)} value={contact.role} disabled={act.busy} onChange={(role) => void act.run(() => api.setPartyRole(caseId, contact.id, role))} />
      </TableCell>
      <TableCell>
        <Switch
          label={contact.portalAccess ? t.on : t.off}
          checked={contact.portalAccess}
          disabled={act.busy || turnOn.busy || invite.confirmation !== null || portalOff.asking}
          aria-label={t.portalAccessFor(contact.name)}
          onChange={(_e, d) => (d.checked ? void turnOn.run() : portalOff.ask(contact))}
        />
        {invite.confirmation && (
          <div className={s.form}>
            <ConfirmationPanel confirmation={invite.confirmation} reason={invite.reason} onReason={invite.setReason} />
            <div className={s.cell}>
              <Button size="small" appearance="primary" disabled={!invite.ready || turnOn.busy} onClick={() => void turnOn.run()}>
                {t.confirmAndInvite}
              </Button>
              <Button size="small" onClick={invite.reset}>
                {t.cancel}
              </Button>
            </div>
          </div>
        )}
        {portalOff.dialog}
      </TableCell>
      <TableCell>
        <div className={s.cell}>
          <Badge appearance="tint" color={color}>
            {label}
          </Badge>
          {contact.invitation === 'pending' && contact.portalAccess && (
            <Button
              size="small"
              disabled={act.busy || sent}
              onClick={() =>
                void act.run(async () => {
                  await api.resendInvitation(contact.id);
                  setSent(true);
                })
              }
            >
              {sent ? t.sentAgain : t.resend}
            </Button>
          )}
        </div>
      </TableCell>
      <TableCell>
        {confirmUnlink ? (
          <div className={s.cell}>
            <Caption1>{t.unlinkWarning}</Caption1>
            <Button size="small" appearance="primary" onClick={() => void act.run(() => api.unlink(caseId, contact.id))}>
              {t.unlink}
            </Button>
            <Button size="small" onClick={() => setConfirmUnlink(false)}>
              {t.keep}
            </Button>
          </div>
        ) : (
          <Button size="small" onClick={() => setConfirmUnlink(true)} aria-label={t.unlinkName(contact.name)}>
            {t.unlinkMenu}
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}

/** Contacts linked to the case: link/unlink, portal access, invitation state with resend. */
export function PartiesPanel({ detail, onChanged }: { detail: CaseDetail; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const all = useLoad(() => api.contacts(), []);
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<string | null>(null);
  const [pickedRole, setPickedRole] = useState<PartyRole>('client');
  const [creating, setCreating] = useState(false);
  const linkedIds = new Set(detail.linkedContacts.map((c) => c.id));
  const candidates = (all.data ?? []).filter((c) => !linkedIds.has(c.id) && `${c.name} ${c.email}`.toLowerCase().includes(query.toLowerCase()));
  const link = useAction(async (contactId: string, role: PartyRole) => {
    await api.link(detail.id, contactId, role);
    setPicked(null);
    setQuery('');
    onChanged();
    await all.reload();
  });
  return (
    <section aria-label={t.parties}>
      <div className={s.bar}>
        <SearchField
          label={t.linkAContact}
          placeholder={t.searchContacts}
          query={query}
          onQuery={setQuery}
          onPick={(id) => {
            setPicked(id);
            // Their usual part, to start from; the other side of a case is chosen here.
            const kind = id ? all.data?.find((c) => c.id === id)?.kind : undefined;
            if (kind) setPickedRole(kind);
          }}
        >
          {candidates.map((c) => (
            <Option key={c.id} value={c.id} text={c.name}>
              {c.name} ({c.email})
            </Option>
          ))}
        </SearchField>
        <Field label={t.roleInThisCase}>
          <RolePicker label={t.roleInThisCase} value={pickedRole} onChange={setPickedRole} />
        </Field>
        <Button appearance="primary" disabled={!picked || link.busy} onClick={() => picked && void link.run(picked, pickedRole)}>
          {t.link}
        </Button>
        <Button onClick={() => setCreating(true)}>{t.newContactMenu}</Button>
      </div>
      <ErrorBar error={link.error ?? all.error} />
      <Notice intent="info">{t.linkingExplained}</Notice>
      {detail.linkedContacts.length === 0 ? (
        <Empty>{t.nobodyLinked}</Empty>
      ) : (
        <ScrollingTable label={t.linkedContacts} columns={t.partyColumns} size="medium">
          {detail.linkedContacts.map((c) => (
            <PartyRow key={c.id} caseId={detail.id} contact={c} onChanged={onChanged} />
          ))}
        </ScrollingTable>
      )}
      {creating && <NewContactDialog clientId={detail.clientId} onClose={() => setCreating(false)} onCreated={async (c, role) => link.run(c.id, role).then(() => undefined)} />}
    </section>
  );
}
