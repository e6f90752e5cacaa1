import { Button, Caption1, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { CaseDetail, CaseWall, Staff, StaffMe } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  people: { display: 'flex', flexDirection: 'column', maxHeight: '320px', overflowY: 'auto', border: 'none', margin: 0, padding: 0 },
});

/**
 * "Restrict to named staff" (an ethical wall): tick who may see the case. Everyone else on the
 * staff, admins included, no longer finds it anywhere in CaseRoom. You stay ticked: a restriction
 * you are not inside would lock you out (the server refuses it too).
 */
export function WallDialog({ detail, onClose, onChanged }: { detail: CaseDetail; onClose: () => void; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const loaded = useLoad<{ staff: Staff[]; me: StaffMe; wall: CaseWall }>(async () => {
    const [staff, me, wall] = await Promise.all([api.staff(), api.me(), api.caseWall(detail.id)]);
    return { staff, me, wall };
  }, [detail.id]);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const data = loaded.data;
  useEffect(() => {
    if (data) setTicked(new Set([...data.wall.staffIds, data.me.id]));
  }, [data]);
  const done = () => {
    onChanged();
    onClose();
  };
  const save = useAction(async () => {
    await api.setCaseWall(detail.id, [...ticked], reason.trim() || null);
    done();
  });
  const remove = useAction(async () => {
    await api.removeCaseWall(detail.id);
    done();
  });
  const busy = save.busy || remove.busy;
  const toggle = (id: string, on: boolean) =>
    setTicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !busy && onClose()}>
      <DialogSurface aria-describedby="wall-summary">
        <DialogBody>
          <DialogTitle>{t.restrictToNamedStaffTitle(detail.number)}</DialogTitle>
          <DialogContent className={s.form}>
            <Text as="p" id="wall-summary">
              {t.wallExplained}
            </Text>
            <ErrorBar error={loaded.error} onRetry={() => void loaded.reload()} />
            {!data && !loaded.error && <Loading label={t.findingStaff} />}
            {data && (
              <fieldset className={s.people} aria-label={t.staffWhoMaySee} data-testid="wall-staff">
                {data.staff.map((p) => {
                  const self = p.id === data.me.id;
                  return (
                    <Checkbox
                      key={p.id}
                      checked={ticked.has(p.id)}
                      disabled={self || busy}
                      onChange={(_e, v) => toggle(p.id, v.checked === true)}
                      label={t.wallMember(t.nameWithTitle(p.name, p.title), self)}
                      data-testid="wall-staff-member"
                      data-name={p.name}
                    />
                  );
                })}
              </fieldset>
            )}
            {data?.wall.restricted && <Caption1>{t.restrictedNowTo(data.wall.staffIds.length)}</Caption1>}
            <Field label={t.reasonForAudit}>
              <Input value={reason} onChange={(_e, d) => setReason(d.value)} maxLength={1000} />
            </Field>
            <ErrorBar error={save.error ?? remove.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={busy}>
              {t.cancel}
            </Button>
            {data?.wall.restricted && (
              <Button onClick={() => void remove.run()} disabled={busy} data-testid="wall-remove">
                {t.removeRestriction}
              </Button>
            )}
            <Button appearance="primary" disabled={!data || busy} onClick={() => void save.run()} data-testid="wall-save">
              {t.restrict}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
