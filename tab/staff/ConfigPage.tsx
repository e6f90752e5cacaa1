import { Button, Caption1, Divider, Dropdown, Field, Input, Link, Subtitle2, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { pages } from '@microsoft/teams-js';
import { useEffect, useState } from 'react';
import type { CaseRecord } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { caseLabel, optionsOf, SearchField } from '../components/options';
import { AppShell } from '../shell/AppShell';
import { useAction, useApis, useLoad, useStaffApi } from '../shell/hooks';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '520px' },
});

const contentUrl = (caseId: string) => `${window.location.origin}/tab/case?caseId=${encodeURIComponent(caseId)}`;

/** Tells Teams what the channel tab shows once the user selects Save. */
function useTeamsSave(chosen: CaseRecord | null, hosted: boolean) {
  useEffect(() => {
    if (!hosted) return;
    pages.config.setValidityState(Boolean(chosen));
    if (!chosen) return;
    pages.config.registerOnSaveHandler((save) => {
      pages.config.setConfig({ entityId: `case:${chosen.id}`, contentUrl: contentUrl(chosen.id), websiteUrl: contentUrl(chosen.id), suggestedDisplayName: `${chosen.number} CaseRoom` }).then(
        () => save.notifySuccess(),
        (err: unknown) => save.notifyFailure(err instanceof Error ? err.message : 'could not save the tab'),
      );
    });
  }, [chosen, hosted]);
}

function Config() {
  const s = useStyles();
  const api = useStaffApi();
  const { hosted } = useApis();
  const data = useLoad(async () => {
    const [cases, clients] = await Promise.all([api.cases(), api.clients()]);
    return { cases, clients };
  }, []);
  const [chosen, setChosen] = useState<CaseRecord | null>(null);
  const [query, setQuery] = useState('');
  const [clientId, setClientId] = useState('');
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  useTeamsSave(chosen, hosted);
  const create = useAction(async () => {
    const created = await api.createCase({ clientId, number: number.trim(), title: title.trim() });
    await data.reload();
    setChosen(created);
    setQuery(caseLabel(created));
  });
  if (!data.data) return data.error ? <ErrorBar error={data.error} onRetry={() => void data.reload()} /> : <Loading />;
  const matches = data.data.cases.filter((c) => `${c.number} ${c.title}`.toLowerCase().includes(query.toLowerCase()));
  return (
    <div className={s.form}>
      <Title2 block as="h1">
        Choose the case for this channel tab
      </Title2>
      <SearchField label="Existing case" placeholder="Search by number or title" query={query} onQuery={setQuery} onPick={(id) => setChosen(data.data?.cases.find((c) => c.id === id) ?? null)}>
        {optionsOf(matches, (c) => c.id, caseLabel)}
      </SearchField>
      <Divider />
      <Subtitle2 block as="h2">
        Or open a new case
      </Subtitle2>
      <Field label="Client" required>
        <Dropdown value={data.data.clients.find((c) => c.id === clientId)?.name ?? ''} selectedOptions={clientId ? [clientId] : []} onOptionSelect={(_e, d) => setClientId(d.optionValue ?? '')} placeholder="Choose a client">
          {optionsOf(
            data.data.clients,
            (c) => c.id,
            (c) => c.name,
          )}
        </Dropdown>
      </Field>
      <Field label="Case number" required hint="Letters, digits and . _ / - only, e.g. PI-2026-030">
        <Input value={number} onChange={(_e, d) => setNumber(d.value)} />
      </Field>
      <Field label="Title" required>
        <Input value={title} onChange={(_e, d) => setTitle(d.value)} />
      </Field>
      <Button disabled={!clientId || !number.trim() || !title.trim() || create.busy} onClick={() => void create.run()}>
        {create.busy ? 'Creating…' : 'Create case'}
      </Button>
      <ErrorBar error={create.error} />
      {chosen && (
        <Notice>
          This tab will show {chosen.number} · {chosen.title}. {hosted ? 'Select Save to finish.' : ''}
        </Notice>
      )}
      {chosen && !hosted && <Link href={`/tab/case?caseId=${chosen.id}`}>Open the case tab</Link>}
      {!hosted && <Caption1>Outside Teams this page only previews the choice; in Teams it configures the channel tab.</Caption1>}
    </div>
  );
}

export function ConfigPage() {
  return (
    <AppShell title="Configure tab">
      <Config />
    </AppShell>
  );
}
