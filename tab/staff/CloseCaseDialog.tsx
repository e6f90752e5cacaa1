import { Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { CaseClosePreview, CaseDetail, CaseReopenPreview, ClosureGuestChange } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { currentStrings, useStrings } from '../strings';

const useStyles = makeStyles({
  guests: { margin: `${tokens.spacingVerticalS} 0`, paddingLeft: tokens.spacingHorizontalL, maxHeight: '320px', overflowY: 'auto' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** What one guest saw of the case, in words: sections, then the items by name. */
function accessWords(access: ClosureGuestChange['access']): string {
  const t = currentStrings();
  const sections = access.sections.map((x) => t.common.section[x.section] ?? x.section).join(', ');
  const items = access.items.map((i) => i.title).join(', ');
  return [sections, items && t.staff.accessItems(items), access.upload.length > 0 && t.staff.uploadingWord].filter(Boolean).join(' · ') || t.staff.theCase;
}

/**
 * Close (or reopen) the case, after showing who will lose (or get back) what: the preview is the
 * server's own plan, the one the confirmation applies.
 */
export function CloseCaseDialog({ detail, onClose, onChanged }: { detail: CaseDetail; onClose: () => void; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const reopening = detail.closedAt !== null;
  const preview = useLoad<CaseClosePreview | CaseReopenPreview>(() => (reopening ? api.reopenCasePreview(detail.id) : api.closeCasePreview(detail.id)), [detail.id, reopening]);
  const [reason, setReason] = useState('');
  const apply = useAction(async () => {
    const why = reason.trim() || null;
    await (reopening ? api.reopenCase(detail.id, why) : api.closeCase(detail.id, why));
    onChanged();
    onClose();
  });
  const plan = preview.data;
  const readUntil = plan && 'guestReadUntil' in plan ? plan.guestReadUntil : null;
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !apply.busy && onClose()}>
      <DialogSurface aria-describedby="close-case-summary">
        <DialogBody>
          <DialogTitle>{reopening ? t.reopenCaseNumbered(detail.number) : t.closeCaseNumbered(detail.number)}</DialogTitle>
          <DialogContent className={s.form}>
            <ErrorBar error={preview.error} onRetry={() => void preview.reload()} />
            {!plan && !preview.error && <Loading label={t.workingOutWhoIsAffected} />}
            {plan && (
              <div data-testid="close-case-preview">
                <Text as="p" id="close-case-summary">
                  {reopening
                    ? plan.guests.length === 0
                      ? t.nobodyGetsAccessBack
                      : t.guestsGetBack(plan.guests.length)
                    : plan.guests.length === 0
                      ? t.closingAffectsNobody
                      : readUntil
                        ? t.guestsKeepReadOnly(plan.guests.length, dateTime(readUntil))
                        : t.guestsLoseAccess(plan.guests.length)}
                </Text>
                {plan.guests.length > 0 && (
                  <ul className={s.guests} aria-label={reopening ? t.whoGetsAccessBack : t.whoLosesAccess}>
                    {plan.guests.map((g) => (
                      <li key={g.contactId} data-testid="close-case-guest">
                        <Text weight="semibold">{g.name}</Text> <Caption1>({g.kind})</Caption1>: {accessWords(g.access)}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            <Field label={t.reasonForAudit}>
              <Input value={reason} onChange={(_e, d) => setReason(d.value)} maxLength={1000} />
            </Field>
            <ErrorBar error={apply.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={apply.busy}>
              {t.cancel}
            </Button>
            <Button appearance="primary" disabled={!plan || apply.busy} onClick={() => void apply.run()} data-testid="close-case-confirm">
              {reopening ? t.reopenCase : t.closeCase}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
