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
import { allowedSections, DEFAULT_VIEW, draftOf, ScopeEditor, scopeOf, type ScopeDraft } from './ScopeEditor';
import { ConfirmationPanel, useConfirmable } from './GuardrailConfirm';
import { useExpiryDialog } from './ExpiryDialog';
import { EN, useStrings } from '../strings';
import { useFirmViews, useGuestPolicy } from './guestPolicy';

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
  return e.grant.rights === 'upload' ? EN.views.share.scopeCanUpload(e.label) : e.label;
}

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'change'; entry: AccessEntry; lockKind: boolean } | { kind: 'remove'; entry: AccessEntry };

function AccessRow({ entry, onChange, onExpiry, onRemove }: { entry: AccessEntry; onChange: (lockKind: boolean) => void; onExpiry: () => void; onRemove: () => void }) {
  const s = useStyles();
  const t = useStrings().views.share;
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
          <Button appearance="subtle" icon={<MoreVerticalRegular />} aria-label={t.moreFor(entry.contact.name, scopeLabel(entry))} />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem onClick={() => onChange(false)}>{t.changeScopeMenu}</MenuItem>
            {isBroad && <MenuItem onClick={() => onChange(true)}>{t.configureMenu}</MenuItem>}
            <MenuItem onClick={onExpiry}>{t.changeExpiryMenu}</MenuItem>
            <MenuItem onClick={onRemove}>{t.removeMenu}</MenuItem>
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
  const t = useStrings().views.share;
  const [draft, setDraft] = useState<ScopeDraft>(() => draftOf(entry.grant.scope, entry.grant.rights));
  const [preview, setPreview] = useState<GrantPreview | null>(null);
  const scope = scopeOf(draft, data.detail.id, data.detail.clientId);
  const load = useAction(async () => setPreview(await api.previewGrant(entry.grant.id, scope, draft.rights)));
  const confirmable = useConfirmable(async (confirm) => void (await api.changeGrant(entry.grant.id, scope, draft.rights, null, confirm)));
  const apply = useAction(async () => {
    if (await confirmable.attempt()) onDone(t.changed(entry.contact.name));
  });
  return (
    <>
      <Subtitle2 block as="h2">
        {lockKind ? t.configureTitle(entry.contact.name) : t.changeScopeTitle(entry.contact.name)}
      </Subtitle2>
      <Caption1>{t.now(scopeLabel(entry))}</Caption1>
      {preview ? (
        <>
          {previewIsEmpty(preview) ? <Notice intent="info">{t.nothingChanges(entry.contact.name)}</Notice> : <PreviewList preview={preview} />}
          {confirmable.confirmation && <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />}
          <StepActions
            error={apply.error}
            back={t.back}
            onBack={() => {
              confirmable.reset();
              setPreview(null);
            }}
            action={confirmable.confirmation ? t.confirmAndApply : t.apply}
            busyAction={t.applying}
            busy={apply.busy}
            disabled={!confirmable.ready}
            onAction={() => void apply.run()}
            testId="apply-scope"
          />
        </>
      ) : (
        <>
          <ScopeEditor value={draft} onChange={setDraft} clientName={data.detail.client?.name ?? t.theClient} caseNumber={data.detail.number} threads={data.threads} lockKind={lockKind} />
          <StepActions error={load.error} back={t.cancel} onBack={() => onDone(null)} action={t.previewChanges} busyAction={t.workingOut} busy={load.busy} onAction={() => void load.run()} testId="preview-scope" />
        </>
      )}
    </>
  );
}

/**
 * "Add a guest" starts from the firm's guest defaults (chosen at set-up), less the sections the
 * firm's policy switched off (a grant made now must not widen by itself when the policy is lifted),
 * so those and the saved views are read first.
 */
function AddGuest({ data, onDone }: { data: CaseData; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().views.share;
  const settings = useLoad(() => api.firmSettings(), []);
  const policy = useGuestPolicy();
  const views = useFirmViews();
  const error = settings.error ?? policy.error ?? views.error;
  if (!settings.data || !policy.loaded || !views.loaded) return error ? <ErrorBar error={error} onRetry={() => void Promise.all([settings.reload(), policy.reload()])} /> : <Loading label={t.readingDefaults} />;
  const sections = settings.data.guestDefaults.sections;
  const defaults = { ...settings.data.guestDefaults, sections: allowedSections(sections ?? DEFAULT_VIEW, policy.disabled) };
  return <AddGuestForm data={data} defaults={defaults} onDone={onDone} />;
}

function AddGuestForm({ data, defaults, onDone }: { data: CaseData; defaults: FirmSettings['guestDefaults']; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().views.share;
  const candidates = shareable(data.detail.linkedContacts);
  const [contactId, setContactId] = useState<string | null>(candidates[0]?.id ?? null);
  const [draft, setDraft] = useState<ScopeDraft>(() => draftOf(null, 'read', defaults.sections));
  const expiry = useExpiry(defaults.expiryDays === null ? null : expiryIso(dayInDays(defaults.expiryDays)));
  const confirmable = useConfirmable(async (confirm) => {
    if (contactId) await api.grant({ contactId, scope: scopeOf(draft, data.detail.id, data.detail.clientId), rights: draft.rights, expiresAt: expiry.expiresAt, confirm });
  });
  const add = useAction(async () => {
    if (contactId && (await confirmable.attempt())) onDone(t.given(candidates.find((c) => c.id === contactId)?.name ?? t.theGuestCapital));
  });
  const chosen = candidates.find((c) => c.id === contactId);
  if (confirmable.confirmation) {
    // The server named what needs confirming (a guardrail, or access they already hold on other terms): show it and ask why.
    return (
      <>
        <Subtitle2 block as="h2">
          {t.confirmTitle(chosen?.name ?? t.theGuest)}
        </Subtitle2>
        <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />
        <StepActions error={add.error} back={t.back} onBack={confirmable.reset} action={t.confirmAndGive} busy={add.busy} disabled={!confirmable.ready} onAction={() => void add.run()} testId="confirm-access" />
      </>
    );
  }
  return (
    <>
      <Subtitle2 block as="h2">
        {t.addGuestTitle}
      </Subtitle2>
      {candidates.length === 0 ? (
        <Empty>{t.noCandidates}</Empty>
      ) : (
        <>
          <Field label={t.guestField}>
            <Dropdown value={chosen ? t.guestOption(chosen.name, chosen.email) : ''} selectedOptions={contactId ? [contactId] : []} onOptionSelect={(_e, d) => setContactId(d.optionValue ?? null)}>
              {candidates.map((c) => (
                <Option key={c.id} value={c.id} text={t.guestOption(c.name, c.email)}>
                  {c.invitation !== 'accepted' ? t.guestOptionPending(c.name, c.email) : t.guestOption(c.name, c.email)}
                </Option>
              ))}
            </Dropdown>
          </Field>
          {chosen && chosen.invitation !== 'accepted' && <Notice intent="warning">{t.notAccepted(chosen.name)}</Notice>}
          <ScopeEditor value={draft} onChange={setDraft} clientName={data.detail.client?.name ?? t.theClient} caseNumber={data.detail.number} threads={data.threads} />
          <ExpiryField expiry={expiry} />
        </>
      )}
      <StepActions error={add.error} back={t.cancel} onBack={() => onDone(null)} action={t.giveAccess} busy={add.busy} disabled={!contactId || Boolean(expiry.problem)} onAction={() => void add.run()} />
    </>
  );
}

function RemoveAccess({ entry, onDone }: { entry: AccessEntry; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().views.share;
  const remove = useAction(async () => {
    await api.revokeGrant(entry.grant.id);
    onDone(t.removed(entry.contact.name, scopeLabel(entry)));
  });
  return (
    <>
      <Subtitle2 block as="h2">
        {t.removeTitle}
      </Subtitle2>
      <Text as="p">{t.willLose(entry.contact.name, scopeLabel(entry))}</Text>
      <StepActions error={remove.error} back={t.cancel} onBack={() => onDone(null)} action={t.removeButton} busy={remove.busy} onAction={() => void remove.run()} />
    </>
  );
}

/** The header's Share dialog: people with access, add a guest, change scope with preview, remove. */
export function ShareDialog({ data, onClose, onChanged }: { data: CaseData; onClose: () => void; onChanged: () => void }) {
  const s = useStyles();
  const t = useStrings().views.share;
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
          <DialogTitle>{t.title(data.detail.number)}</DialogTitle>
          <DialogContent className={s.content}>
            {mode.kind === 'list' && (
              <>
                {message && <Notice>{message}</Notice>}
                <Subtitle2 block as="h2">
                  {t.peopleWithAccess}
                </Subtitle2>
                {entries.length === 0 ? (
                  <Empty>{t.nobody}</Empty>
                ) : (
                  <ul className={s.list} aria-label={t.peopleWithAccess}>
                    {entries.map((e) => (
                      <AccessRow key={e.grant.id} entry={e} onChange={(lockKind) => setMode({ kind: 'change', entry: e, lockKind })} onExpiry={() => expiry.open(e)} onRemove={() => setMode({ kind: 'remove', entry: e })} />
                    ))}
                  </ul>
                )}
                <Divider />
                <DialogActions>
                  <Button onClick={onClose}>{t.close}</Button>
                  <Button appearance="primary" onClick={() => setMode({ kind: 'add' })}>
                    {t.addGuestButton}
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
