import {
  Badge,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Divider,
  Dropdown,
  Field,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Option,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { MoreVerticalRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { AccessEntry, FirmSettings, GrantPreview } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { dayInDays, ExpiryField, expiryInWords, expiryIso, useExpiry } from '../components/ExpiryField';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { shareable, type CaseData } from './caseData';
import { PreviewList, previewIsEmpty } from './PreviewList';
import { draftOf, ScopeEditor, scopeOf, type ScopeDraft } from './ScopeEditor';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { useExpiryDialog } from './ExpiryDialog';

const useStyles = makeStyles({
  surface: { maxWidth: '720px', width: '100%' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalXS} 0`, flexWrap: 'wrap' },
  who: { flexGrow: 1, minWidth: '160px' },
  list: { listStyle: 'none', padding: 0, margin: 0 },
});

const STATE_COLOR = { active: 'success', pending: 'warning', expired: 'danger', withdrawn: 'informative' } as const;

export function scopeLabel(e: AccessEntry): string {
  if (e.grant.scope.kind === 'item') return e.label;
  return `${e.label}${e.grant.rights === 'upload' ? ', can upload' : ''}`;
}

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'change'; entry: AccessEntry; lockKind: boolean } | { kind: 'remove'; entry: AccessEntry };

function AccessRow({ entry, onChange, onExpiry, onRemove }: { entry: AccessEntry; onChange: (lockKind: boolean) => void; onExpiry: () => void; onRemove: () => void }) {
  const s = useStyles();
  const isBroad = entry.grant.scope.kind !== 'item';
  return (
    <li className={s.row} data-testid="access-row" data-name={entry.contact.name}>
      <div className={s.who}>
        <Text weight="semibold">{entry.contact.name}</Text>
        <br />
        <Caption1>
          {scopeLabel(entry)}
          {` · ${expiryInWords(entry.grant.expiresAt)}`}
        </Caption1>
      </div>
      <Badge appearance="tint" color={STATE_COLOR[entry.state]}>
        {entry.state}
      </Badge>
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <Button appearance="subtle" icon={<MoreVerticalRegular />} aria-label={`More for ${entry.contact.name}: ${scopeLabel(entry)}`} />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem onClick={() => onChange(false)}>Change scope…</MenuItem>
            {isBroad && <MenuItem onClick={() => onChange(true)}>Configure view and threads…</MenuItem>}
            <MenuItem onClick={onExpiry}>Change expiry…</MenuItem>
            <MenuItem onClick={onRemove}>Remove access…</MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
    </li>
  );
}

/** Edit → Preview (POST /grants/:id/preview) → Apply (PUT /grants/:id). Nothing changes without the preview. */
/** A step's foot: its error, a way back, and the step's one action (disabled while it runs; `busyAction` says it is working). */
function StepActions(p: { error: unknown; back: string; onBack: () => void; action: string; busyAction?: string; busy: boolean; disabled?: boolean; onAction: () => void; testId?: string }) {
  return (
    <>
      <ErrorBar error={p.error} />
      <DialogActions>
        <Button onClick={p.onBack}>{p.back}</Button>
        <Button appearance="primary" disabled={p.disabled || p.busy} onClick={p.onAction} data-testid={p.testId}>
          {p.busy ? (p.busyAction ?? p.action) : p.action}
        </Button>
      </DialogActions>
    </>
  );
}

function ChangeScope({ entry, lockKind, data, onDone }: { entry: AccessEntry; lockKind: boolean; data: CaseData; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const [draft, setDraft] = useState<ScopeDraft>(() => draftOf(entry.grant.scope, entry.grant.rights));
  const [preview, setPreview] = useState<GrantPreview | null>(null);
  const scope = scopeOf(draft, data.detail.id, data.detail.clientId);
  const load = useAction(async () => setPreview(await api.previewGrant(entry.grant.id, scope, draft.rights)));
  const confirmable = useConfirmable(async (confirm) => void (await api.changeGrant(entry.grant.id, scope, draft.rights, null, confirm)));
  const apply = useAction(async () => {
    if (await confirmable.attempt()) onDone(`Access for ${entry.contact.name} was changed.`);
  });
  return (
    <>
      <Subtitle2 block as="h2">
        {lockKind ? 'Configure view and threads' : 'Change scope'} for {entry.contact.name}
      </Subtitle2>
      <Caption1>Now: {scopeLabel(entry)}</Caption1>
      {preview ? (
        <>
          {previewIsEmpty(preview) ? <Notice intent="info">Nothing changes for {entry.contact.name}.</Notice> : <PreviewList preview={preview} />}
          {confirmable.confirmation && <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />}
          <StepActions
            error={apply.error}
            back="Back"
            onBack={() => {
              confirmable.reset();
              setPreview(null);
            }}
            action={confirmable.confirmation ? 'Confirm and apply' : 'Apply'}
            busyAction="Applying…"
            busy={apply.busy}
            disabled={!confirmable.ready}
            onAction={() => void apply.run()}
            testId="apply-scope"
          />
        </>
      ) : (
        <>
          <ScopeEditor value={draft} onChange={setDraft} clientName={data.detail.client?.name ?? 'the client'} threads={data.threads} lockKind={lockKind} />
          <StepActions error={load.error} back="Cancel" onBack={() => onDone(null)} action="Preview changes" busyAction="Working out the changes…" busy={load.busy} onAction={() => void load.run()} testId="preview-scope" />
        </>
      )}
    </>
  );
}

/** "Add a guest" starts from the firm's guest defaults (chosen at set-up), so they are read first. */
function AddGuest({ data, onDone }: { data: CaseData; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const settings = useLoad(() => api.firmSettings(), []);
  if (!settings.data) return settings.error ? <ErrorBar error={settings.error} onRetry={() => void settings.reload()} /> : <Loading label="Reading the firm's guest defaults…" />;
  return <AddGuestForm data={data} defaults={settings.data.guestDefaults} onDone={onDone} />;
}

function AddGuestForm({ data, defaults, onDone }: { data: CaseData; defaults: FirmSettings['guestDefaults']; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const candidates = shareable(data.detail.linkedContacts);
  const [contactId, setContactId] = useState<string | null>(candidates[0]?.id ?? null);
  const [draft, setDraft] = useState<ScopeDraft>(() => draftOf(null, 'read', defaults.sections));
  const expiry = useExpiry(defaults.expiryDays === null ? null : expiryIso(dayInDays(defaults.expiryDays)));
  const confirmable = useConfirmable(async (confirm) => {
    if (contactId) await api.grant({ contactId, scope: scopeOf(draft, data.detail.id, data.detail.clientId), rights: draft.rights, expiresAt: expiry.expiresAt, confirm });
  });
  const add = useAction(async () => {
    if (contactId && (await confirmable.attempt())) onDone(`${candidates.find((c) => c.id === contactId)?.name ?? 'The guest'} was given access.`);
  });
  const chosen = candidates.find((c) => c.id === contactId);
  if (confirmable.confirmation) {
    // The server named what needs confirming (a guardrail, or access they already hold on other terms): show it and ask why.
    return (
      <>
        <Subtitle2 block as="h2">
          Confirm access for {chosen?.name ?? 'the guest'}
        </Subtitle2>
        <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />
        <StepActions error={add.error} back="Back" onBack={confirmable.reset} action="Confirm and give access" busy={add.busy} disabled={!confirmable.ready} onAction={() => void add.run()} testId="confirm-access" />
      </>
    );
  }
  return (
    <>
      <Subtitle2 block as="h2">
        Add a guest
      </Subtitle2>
      {candidates.length === 0 ? (
        <Empty>No linked contact has portal access. Link a contact and turn portal access on under Parties.</Empty>
      ) : (
        <>
          <Field label="Guest (from the case's linked contacts)">
            <Dropdown value={chosen ? `${chosen.name} (${chosen.email})` : ''} selectedOptions={contactId ? [contactId] : []} onOptionSelect={(_e, d) => setContactId(d.optionValue ?? null)}>
              {candidates.map((c) => (
                <Option key={c.id} value={c.id} text={`${c.name} (${c.email})`}>
                  {c.name} ({c.email}){c.invitation !== 'accepted' ? ' · invitation pending' : ''}
                </Option>
              ))}
            </Dropdown>
          </Field>
          {chosen && chosen.invitation !== 'accepted' && <Notice intent="warning">{chosen.name} has not accepted the invitation yet; access starts when they do.</Notice>}
          <ScopeEditor value={draft} onChange={setDraft} clientName={data.detail.client?.name ?? 'the client'} threads={data.threads} />
          <ExpiryField expiry={expiry} />
        </>
      )}
      <StepActions error={add.error} back="Cancel" onBack={() => onDone(null)} action="Give access" busy={add.busy} disabled={!contactId || Boolean(expiry.problem)} onAction={() => void add.run()} />
    </>
  );
}

function RemoveAccess({ entry, onDone }: { entry: AccessEntry; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const remove = useAction(async () => {
    await api.revokeGrant(entry.grant.id);
    onDone(`${entry.contact.name} no longer has “${scopeLabel(entry)}”.`);
  });
  return (
    <>
      <Subtitle2 block as="h2">
        Remove access
      </Subtitle2>
      <Text as="p">
        {entry.contact.name} will lose “{scopeLabel(entry)}”. SharePoint permissions are withdrawn at once; anything they already downloaded stays with them.
      </Text>
      <StepActions error={remove.error} back="Cancel" onBack={() => onDone(null)} action="Remove access" busy={remove.busy} onAction={() => void remove.run()} />
    </>
  );
}

/** The header's Share dialog: people with access, add a guest, change scope with preview, remove. */
export function ShareDialog({ data, onClose, onChanged }: { data: CaseData; onClose: () => void; onChanged: () => void }) {
  const s = useStyles();
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [message, setMessage] = useState<string | null>(null);
  const done = (msg: string | null) => {
    setMode({ kind: 'list' });
    setMessage(msg);
    if (msg) onChanged();
  };
  const expiry = useExpiryDialog(done);
  const entries = [...data.access].sort((a, b) => a.contact.name.localeCompare(b.contact.name));
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface className={s.surface}>
        <DialogBody>
          <DialogTitle>Share {data.detail.number}</DialogTitle>
          <DialogContent className={s.content}>
            {mode.kind === 'list' && (
              <>
                {message && <Notice>{message}</Notice>}
                <Subtitle2 block as="h2">
                  People with access
                </Subtitle2>
                {entries.length === 0 ? (
                  <Empty>Nobody outside the firm has access to this case.</Empty>
                ) : (
                  <ul className={s.list} aria-label="People with access">
                    {entries.map((e) => (
                      <AccessRow key={e.grant.id} entry={e} onChange={(lockKind) => setMode({ kind: 'change', entry: e, lockKind })} onExpiry={() => expiry.open(e)} onRemove={() => setMode({ kind: 'remove', entry: e })} />
                    ))}
                  </ul>
                )}
                <Divider />
                <DialogActions>
                  <Button onClick={onClose}>Close</Button>
                  <Button appearance="primary" onClick={() => setMode({ kind: 'add' })}>
                    Add a guest…
                  </Button>
                </DialogActions>
              </>
            )}
            {mode.kind === 'add' && <AddGuest data={data} onDone={done} />}
            {mode.kind === 'change' && <ChangeScope entry={mode.entry} lockKind={mode.lockKind} data={data} onDone={done} />}
            {mode.kind === 'remove' && <RemoveAccess entry={mode.entry} onDone={done} />}
            {expiry.dialog}
          </DialogContent>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
