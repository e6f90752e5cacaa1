import { Badge, Button, Caption1, Card, CardHeader, Popover, PopoverSurface, PopoverTrigger, Subtitle1, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular, PeopleRegular, PersonAddRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { AccessEntry, CaseRecord, Client } from '../api';
import { Empty, ErrorBar, Loading } from '../components/Feedback';
import { SingleFieldForm } from '../components/SingleFieldForm';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { chipText } from './AccessChip';
import { distinctGuests, live, reachesCase, reachesClient } from './firmData';
import { InAppLink } from '../components/InAppLink';
import { ListOrEmpty } from '../components/ListOrEmpty';
import { useStrings } from '../strings';
import { NewCaseDialog, NewCaseProgress } from './NewCaseDialog';
import { NewContactDialog } from './NewContactDialog';

const useStyles = makeStyles({
  clients: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalM },
  cases: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: tokens.spacingHorizontalM },
  head: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  pop: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '320px' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  badge: { whiteSpace: 'nowrap', flexShrink: 0 },
});

function GuestsPopover({ client, entries }: { client: Client; entries: AccessEntry[] }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const guests = distinctGuests(entries);
  const label = t.guestsHaveAccess(guests.length);
  return (
    <Popover withArrow>
      <PopoverTrigger disableButtonEnhancement>
        <Button size="small" icon={<PeopleRegular />} data-testid="client-guests" aria-label={t.guestsHaveAccessTo(label, client.name)}>
          {label}
        </Button>
      </PopoverTrigger>
      <PopoverSurface aria-label={t.guestsWithAccessTo(client.name)}>
        <div className={s.pop}>
          {guests.length === 0 && <Text>{t.nobodyOutside}</Text>}
          <ul className={s.list}>
            {guests.map((g) => (
              <li key={g.id}>
                <InAppLink href={`/tab/firm/guests/${g.id}`}>{g.name}</InAppLink>
                <br />
                <Caption1>{g.entries.map((e) => chipText(e).split(' · ')[1]).join(', ')}</Caption1>
              </li>
            ))}
          </ul>
        </div>
      </PopoverSurface>
    </Popover>
  );
}

function CaseCard({ c, entries }: { c: CaseRecord; entries: AccessEntry[] }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const statusWords = useStrings().common.caseStatus;
  const guests = distinctGuests(entries.filter((e) => reachesCase(e, c)));
  const href = `/tab/case?caseId=${c.id}`;
  return (
    <Card data-testid="case-card">
      <CardHeader
        header={
          <InAppLink href={href}>
            <Text weight="semibold">{c.title}</Text>
          </InAppLink>
        }
        description={
          <Caption1>
            {c.number} · {statusWords[c.status]}
          </Caption1>
        }
        action={
          guests.length || c.restricted ? (
            <span>
              {c.restricted && (
                <Badge className={s.badge} appearance="filled" color="important" data-testid="case-restricted-badge">
                  {t.restricted}
                </Badge>
              )}
              {guests.length > 0 && (
                <Badge className={s.badge} appearance="tint" color="brand" data-testid="case-share-badge" title={guests.map((g) => g.name).join(', ')}>
                  {t.sharedCount(guests.length)}
                </Badge>
              )}
            </span>
          ) : undefined
        }
      />
    </Card>
  );
}

/** Clients with "N guests have access" (a popover lists them) and their cases with share badges. */
export function ClientsPage() {
  const s = useStyles();
  const api = useStaffApi();
  const data = useLoad(async () => {
    const [clients, cases, access] = await Promise.all([api.clients(), api.cases(), api.firmAccess()]);
    return { clients, cases, access: access.filter(live) };
  }, []);
  const t = useStrings().firmPages;
  const [name, setName] = useState('');
  const [dialog, setDialog] = useState<{ kind: 'case' | 'contact'; clientId: string } | null>(null);
  const [opened, setOpened] = useState<CaseRecord | null>(null);
  const create = useAction(async () => {
    await api.createClient(name.trim());
    setName('');
    await data.reload();
  });
  return (
    <section aria-labelledby="clients-title">
      <Title2 block as="h1" id="clients-title">
        {t.clientsTitle}
      </Title2>
      <SingleFieldForm label={t.newClientName} value={name} onChange={setName} action={t.addClient} busy={create.busy} onSubmit={() => void create.run()} />
      {opened && <NewCaseProgress key={opened.id} created={opened} />}
      <ErrorBar error={create.error ?? data.error} onRetry={() => void data.reload()} />
      {!data.data && !data.error && <Loading />}
      {data.data?.clients.length === 0 && <Empty>{t.noClients}</Empty>}
      <div className={s.clients}>
        {data.data?.clients.map((client) => {
          const cases = data.data?.cases.filter((c) => c.clientId === client.id) ?? [];
          const entries = data.data?.access.filter((e) => reachesClient(e, client, cases)) ?? [];
          return (
            <section key={client.id} aria-label={client.name} data-testid="client-section">
              <div className={s.head}>
                <Subtitle1 block as="h2">
                  {client.name}
                </Subtitle1>
                <GuestsPopover client={client} entries={entries} />
                <Button size="small" icon={<AddRegular />} aria-label={t.newCaseFor(client.name)} onClick={() => setDialog({ kind: 'case', clientId: client.id })}>
                  {t.newCase}
                </Button>
                <Button size="small" icon={<PersonAddRegular />} aria-label={t.addContactFor(client.name)} onClick={() => setDialog({ kind: 'contact', clientId: client.id })}>
                  {t.addContact}
                </Button>
              </div>
              <ListOrEmpty items={cases} empty={<Caption1>{t.noCases}</Caption1>} className={s.cases}>
                {(c) => <CaseCard key={c.id} c={c} entries={entries} />}
              </ListOrEmpty>
            </section>
          );
        })}
      </div>
      {dialog?.kind === 'case' && (
        <NewCaseDialog
          clients={data.data?.clients ?? []}
          clientId={dialog.clientId}
          onClose={() => setDialog(null)}
          onCreated={(c) => {
            setDialog(null);
            setOpened(c);
            void data.reload();
          }}
        />
      )}
      {dialog?.kind === 'contact' && <NewContactDialog clients={data.data?.clients ?? []} clientId={dialog.clientId} onClose={() => setDialog(null)} onAdded={() => undefined} />}
    </section>
  );
}
