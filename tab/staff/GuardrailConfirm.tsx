import { Caption1, Field, MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError, type Confirmation, type ConfirmationRequired, type GuardrailReason, type ScopeChangePreview } from '../api';
import { date } from '../components/format';
import { PreviewList } from './PreviewList';
import { currentStrings, useStrings } from '../strings';

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { margin: `${tokens.spacingVerticalXS} 0`, paddingLeft: tokens.spacingHorizontalL },
});

/** One sentence a person can weigh, per reason the server named. */
export function reasonSentence(r: GuardrailReason): string {
  const say = currentStrings().staff.reason;
  switch (r.kind) {
    case 'opposing-party':
      return say.opposingParty(r.contactName, r.caseNumber);
    case 'opposing-counsel':
      return say.opposingCounsel(r.contactName, r.caseNumber);
    case 'warned-domain':
      return say.warnedDomain(r.email, r.domain);
    case 'blocked-domain':
      return say.blockedDomain(r.email, r.domain);
    case 'scope-change':
      return say.scopeChange(r.contactName);
    case 'privileged':
      return say.privileged(r.itemTitle, r.contactName);
  }
}

const expiryText = (at: string | null) => (at ? currentStrings().staff.untilDay(date(at)) : currentStrings().staff.noExpiryWords);

/** "Rights: can view → can view and upload. Expiry: no expiry → until 3 Dec 2026.", or '' when neither changes. */
export function rightsAndExpiryChange(change: ScopeChangePreview): string {
  const t = currentStrings().staff;
  const rights = change.before.rights !== change.after.rights ? t.rightsChange(t.rightsWords[change.before.rights], t.rightsWords[change.after.rights]) : '';
  const expiry = change.before.expiresAt !== change.after.expiresAt ? t.expiryChange(expiryText(change.before.expiresAt), expiryText(change.after.expiresAt)) : '';
  return [rights, expiry].filter(Boolean).join(' ');
}

function ScopeChange({ change }: { change: ScopeChangePreview }) {
  const t = useStrings().staff;
  const rightsAndExpiry = rightsAndExpiryChange(change);
  return (
    <div data-testid="scope-change">
      <Subtitle2 block as="h3">
        {t.whatChangesFor(change.contactName)}
      </Subtitle2>
      {rightsAndExpiry && <Caption1 as="p">{rightsAndExpiry}</Caption1>}
      <PreviewList preview={change} />
    </div>
  );
}

/** The server's confirmation_required answer: why, what would change, and the reason the person must give (it goes to the audit log). */
export function ConfirmationPanel({ confirmation, reason, onReason }: { confirmation: ConfirmationRequired; reason: string; onReason: (value: string) => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const warnings = confirmation.reasons.filter((r) => r.kind !== 'scope-change');
  return (
    <div className={s.box} data-testid="guardrail-confirmation">
      {warnings.length > 0 && (
        <MessageBar intent="warning" role="alert" data-testid="guardrail-warning">
          <MessageBarBody>
            <MessageBarTitle>{t.checkBeforeYouShare}</MessageBarTitle>
            <ul className={s.list}>
              {warnings.map((r, i) => (
                <li key={i}>{reasonSentence(r)}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      {confirmation.scopeChanges.map((c) => (
        <ScopeChange key={`${c.contactId}${c.grantId}`} change={c} />
      ))}
      <Field label={t.reasonForAudit} required validationMessage={reason.trim() ? undefined : t.reasonNeeded} validationState={reason.trim() ? 'none' : 'warning'}>
        <Textarea value={reason} onChange={(_e, d) => onReason(d.value)} data-testid="confirm-reason" />
      </Field>
    </div>
  );
}

/**
 * Runs a change that the server may answer with confirmation_required. The first attempt goes
 * without `confirm`; if the server asks, the panel shows why and the same change is sent again
 * with the reason the person gave.
 */
export function useConfirmable(send: (confirm?: Confirmation) => Promise<void>) {
  const [confirmation, setConfirmation] = useState<ConfirmationRequired | null>(null);
  const [reason, setReason] = useState('');
  /** True once the change went through; false when the server asked for a confirmation (now shown). */
  const attempt = async (): Promise<boolean> => {
    try {
      await send(confirmation ? { reason: reason.trim() } : undefined);
      setConfirmation(null);
      setReason('');
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.confirmationRequired && !confirmation) {
        setConfirmation(err.confirmationRequired);
        return false;
      }
      throw err;
    }
  };
  const reset = () => {
    setConfirmation(null);
    setReason('');
  };
  return { confirmation, reason, setReason, attempt, reset, ready: !confirmation || reason.trim().length > 0 };
}
