import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, MessageBar, MessageBarBody, Option, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { CaseRecord, CaseSetup, Client } from '../api';
import { ErrorBar } from '../components/Feedback';
import { InAppLink } from '../components/InAppLink';
import { useAction, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { formError, refusedUnder } from './fieldErrors';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

const FIELDS = ['clientId', 'number', 'title'] as const;
/** How often the dialog asks whether the case's folder and channel are set up (the outbox does it in the background). */
const SETUP_POLL_MS = 1500;

/** Reads the case's setup until it is no longer under way (or the dialog closes). */
function useCaseSetup(caseId: string | null): { setup: CaseSetup | null; error: unknown } {
  const api = useStaffApi();
  const [setup, setSetup] = useState<CaseSetup | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!caseId) return;
    let stopped = false;
    let timer: number | undefined;
    const look = async () => {
      try {
        const detail = await api.caseDetail(caseId);
        if (stopped) return;
        setSetup(detail.setup);
        setError(undefined);
        if (detail.setup.state === 'ready' || detail.setup.state === 'failed') return;
      } catch (err) {
        if (stopped) return;
        setError(err);
      }
      timer = window.setTimeout(() => void look(), SETUP_POLL_MS);
    };
    void look();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [caseId]);
  return { setup, error };
}

/**
 * A case just opened, on the page that opened it: its folder and channel being set up, then ready
 * (or why not), and the way to its tab.
 */
export function NewCaseProgress({ created }: { created: CaseRecord }) {
  const t = useStrings().firmPages;
  const { setup, error } = useCaseSetup(created.id);
  const underWay = !setup || setup.state === 'setting-up';
  const intent = setup?.state === 'ready' ? 'success' : underWay ? 'info' : 'warning';
  return (
    <div data-testid="new-case-result" data-setup={setup?.state ?? 'unknown'}>
      <MessageBar intent={intent} role="status" layout="multiline">
        <MessageBarBody>
          {t.caseOpened(created.number)} {setup?.state === 'ready' ? t.setupReady : setup && !underWay ? `${t.setupProblem} ${setup.message}` : ''}{' '}
          <InAppLink href={`/tab/case?caseId=${encodeURIComponent(created.id)}`}>{t.openCaseTab(created.number)}</InAppLink>
        </MessageBarBody>
      </MessageBar>
      {underWay && <Spinner size="small" label={t.settingUp} />}
      <ErrorBar error={error} />
    </div>
  );
}

/**
 * Opens a case for a client: number, title, client. The server saves it and queues its SharePoint
 * folder and Teams channel; the dialog closes and the page follows that setup (NewCaseProgress). A refusal
 * (a number in use: 409) is shown in the server's words and keeps what was typed.
 */
export function NewCaseDialog({ clients, clientId, onClose, onCreated }: { clients: readonly Client[]; clientId: string | null; onClose: () => void; onCreated: (c: CaseRecord) => void }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const api = useStaffApi();
  const [form, setForm] = useState({ clientId: clientId ?? clients[0]?.id ?? '', number: '', title: '' });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const open = useAction(async () => {
    onCreated(await api.createCase({ clientId: form.clientId, number: form.number.trim(), title: form.title }));
  });
  const client = clients.find((c) => c.id === form.clientId);
  const under = (field: (typeof FIELDS)[number]) => refusedUnder(open.error, field);
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{client ? t.newCaseFor(client.name) : t.newCaseTitle}</DialogTitle>
          <DialogContent className={s.form}>
            <ErrorBar error={formError(open.error, FIELDS)} />
            <Field label={t.caseClient} required {...under('clientId')}>
              <Dropdown value={client?.name ?? ''} selectedOptions={form.clientId ? [form.clientId] : []} onOptionSelect={(_e, d) => d.optionValue && set({ clientId: d.optionValue })}>
                {clients.map((c) => (
                  <Option key={c.id} value={c.id}>
                    {c.name}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label={t.caseNumber} hint={t.caseNumberHint} required {...under('number')}>
              <Input value={form.number} onChange={(_e, d) => set({ number: d.value })} />
            </Field>
            <Field label={t.caseTitle} required {...under('title')}>
              <Input value={form.title} onChange={(_e, d) => set({ title: d.value })} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{t.cancel}</Button>
            <Button appearance="primary" disabled={open.busy || !form.clientId || !form.number.trim() || !form.title.trim()} onClick={() => void open.run()}>
              {open.busy ? t.opening : t.openCase}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
