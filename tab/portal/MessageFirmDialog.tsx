import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { ErrorBar, Notice } from '../components/Feedback';
import { caseLabel, optionsOf } from '../components/options';
import { useAction, useLoad, usePortalApi } from '../shell/hooks';
import { useStrings } from '../strings';
import type { Screen } from './screen';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

/** "Message the firm", from any screen: the case and the screen are filled in for the guest. */
export function MessageFirmDialog({ open, onClose, screen }: { open: boolean; onClose: () => void; screen: Screen }) {
  const s = useStyles();
  const t = useStrings().portal;
  const portal = usePortalApi();
  const cases = useLoad(() => (open ? portal.cases() : Promise.resolve([])), [open]);
  const [caseId, setCaseId] = useState<string | null>(screen.caseId);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [sent, setSent] = useState(false);
  useEffect(() => {
    if (open) {
      setCaseId(screen.caseId);
      setSent(false);
    }
  }, [open, screen.caseId]);
  const send = useAction(async () => {
    if (!caseId) return;
    await portal.sendMessage(caseId, { body, screen: screen.label, subject: subject.trim() || null });
    setBody('');
    setSubject('');
    setSent(true);
  });
  const list = cases.data ?? [];
  const selected = list.find((c) => c.id === caseId);
  return (
    <Dialog open={open} onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{t.messageTheFirm}</DialogTitle>
          <DialogContent className={s.form}>
            {sent && <Notice>{t.sent}</Notice>}
            <ErrorBar error={send.error ?? cases.error} />
            <Field label={t.aboutCase} required>
              <Dropdown placeholder={cases.loading ? t.loadingCases : t.chooseCase} value={selected ? caseLabel(selected) : ''} selectedOptions={caseId ? [caseId] : []} onOptionSelect={(_e, d) => setCaseId(d.optionValue ?? null)}>
                {optionsOf(list, (c) => c.id, caseLabel)}
              </Dropdown>
            </Field>
            <Field label={t.sentFrom}>
              <Input value={screen.label} readOnly />
            </Field>
            <Field label={t.subjectOptional}>
              <Input value={subject} onChange={(_e, d) => setSubject(d.value)} maxLength={200} />
            </Field>
            <Field label={t.message} required>
              <Textarea value={body} onChange={(_e, d) => setBody(d.value)} resize="vertical" rows={5} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{t.close}</Button>
            <Button appearance="primary" disabled={!caseId || !body.trim() || send.busy} onClick={() => void send.run()}>
              {send.busy ? t.sending : t.send}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
