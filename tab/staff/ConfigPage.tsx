import { Button, Caption1, Divider, Dropdown, Field, Input, Link, Subtitle2, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { pages } from '@microsoft/teams-js';
import { useEffect, useState } from 'react';
import type { CaseRecord } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { caseLabel, optionsOf, SearchField } from '../components/options';
import { AppShell } from '../shell/AppShell';
import { useAction, useApis, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

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
  const t = useStrings().staff;
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
        {t.chooseCaseForTab}
      </Title2>
      <SearchField label={t.existingCase} placeholder={t.searchCases} query={query} onQuery={setQuery} onPick={(id) => setChosen(data.data?.cases.find((c) => c.id === id) ?? null)}>
        {optionsOf(matches, (c) => c.id, caseLabel)}
      </SearchField>
      <Divider />
      <Subtitle2 block as="h2">
        {t.orOpenNewCase}
      </Subtitle2>
      <Field label={t.client} required>
        <Dropdown value={data.data.clients.find((c) => c.id === clientId)?.name ?? ''} selectedOptions={clientId ? [clientId] : []} onOptionSelect={(_e, d) => setClientId(d.optionValue ?? '')} placeholder={t.chooseAClient}>
          {optionsOf(
            data.data.clients,
            (c) => c.id,
            (c) => c.name,
          )}
        </Dropdown>
      </Field>
      <Field label={t.caseNumber} required hint={t.caseNumberHint}>
        <Input value={number} onChange={(_e, d) => setNumber(d.value)} />
      </Field>
      <Field label={t.title} required>
        <Input value={title} onChange={(_e, d) => setTitle(d.value)} />
      </Field>
      <Button disabled={!clientId || !number.trim() || !title.trim() || create.busy} onClick={() => void create.run()}>
        {create.busy ? t.creating : t.createCase}
      </Button>
      <ErrorBar error={create.error} />
      {chosen && (
        <Notice>
          {t.tabWillShow(chosen.number, chosen.title)} {hosted ? t.selectSaveToFinish : ''}
        </Notice>
      )}
      {chosen && !hosted && <Link href={`/tab/case?caseId=${chosen.id}`}>{t.openTheCaseTab}</Link>}
      {!hosted && <Caption1>{t.previewOnlyOutsideTeams}</Caption1>}
    </div>
  );
}

export function ConfigPage() {
  const t = useStrings().staff;
  return (
    <AppShell title={t.configureTab}>
      <Config />
    </AppShell>
  );
}
