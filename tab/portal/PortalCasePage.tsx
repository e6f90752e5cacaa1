import { Badge, Caption1, Tab, TabList, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError, type PortalCase } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useLoad, usePortalApi } from '../shell/hooks';
import { useLiveReload } from '../shell/live';
import { NotFoundPage } from './NotFoundPage';
import { GuestDocuments } from './GuestDocuments';
import { GuestThreads } from './GuestThreads';
import { EventsSection, InvoicesSection, NotesSection, OverviewSection } from './GuestSections';
import { useStrings } from '../strings';
import { useScreen } from './screen';

type View = 'overview' | 'documents' | 'notes' | 'events' | 'invoices' | 'messages';
const VIEWS: readonly View[] = ['overview', 'documents', 'notes', 'events', 'invoices', 'messages'];

const useStyles = makeStyles({
  head: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  tabs: { overflowX: 'auto', margin: `${tokens.spacingVerticalM} 0` },
});

/** Only the views the API returned: a section the guest may not see is null and gets no tab. */
function viewsOf(c: PortalCase): View[] {
  const views: View[] = [];
  if (c.status || c.team || c.budget) views.push('overview');
  if (c.documents) views.push('documents');
  if (c.notes) views.push('notes');
  if (c.events) views.push('events');
  if (c.invoices) views.push('invoices');
  views.push('messages');
  return views;
}

export function PortalCasePage({ caseId }: { caseId: string }) {
  const s = useStyles();
  const t = useStrings().portal;
  const VIEW_LABEL: Record<View, string> = t.view;
  const portal = usePortalApi();
  const view = useLoad(() => portal.caseView(caseId), [caseId]);
  useLiveReload('portal', (change) => change.caseId === caseId, view.reload);
  // An e-mail digest links straight to a section: /tab/portal/cases/{id}?view=documents.
  const [chosen, setChosen] = useState<View | null>(() => {
    const asked = new URLSearchParams(window.location.search).get('view');
    return VIEWS.find((v) => v === asked) ?? null;
  });
  const data = view.data;
  const views = data ? viewsOf(data) : [];
  const current: View = chosen && views.includes(chosen) ? chosen : (views[0] ?? 'messages');
  useScreen(data ? caseId : null, data ? `${data.case.number} · ${VIEW_LABEL[current]}` : t.case);

  if (view.error instanceof ApiError && view.error.status === 404) return <NotFoundPage />;
  if (!data) return view.error ? <ErrorBar error={view.error} onRetry={() => void view.reload()} /> : <Loading label={t.openingCase} />;

  return (
    <article aria-labelledby="case-title">
      <div className={s.head}>
        <Title2 block as="h1" id="case-title">
          {data.case.title}
        </Title2>
        {data.status && (
          <Badge appearance="tint" data-testid="case-status">
            {data.status.status}
          </Badge>
        )}
      </div>
      <Caption1>{data.case.number}</Caption1>
      {data.closedReadOnlyUntil && (
        <Caption1 block data-testid="case-closed">
          {t.closedReadOnly(dateTime(data.closedReadOnlyUntil))}
        </Caption1>
      )}
      <ErrorBar error={view.error} onRetry={() => void view.reload()} />
      <div className={s.tabs}>
        <TabList selectedValue={current} onTabSelect={(_e, d) => setChosen(d.value as View)} aria-label={t.caseSections}>
          {views.map((v) => (
            <Tab key={v} value={v}>
              {VIEW_LABEL[v]}
            </Tab>
          ))}
        </TabList>
      </div>
      <div role="tabpanel" aria-label={VIEW_LABEL[current]}>
        {current === 'overview' && <OverviewSection data={data} />}
        {current === 'documents' && <GuestDocuments data={data} onChanged={() => void view.reload()} />}
        {current === 'notes' && <NotesSection items={data.notes ?? []} />}
        {current === 'events' && <EventsSection items={data.events ?? []} />}
        {current === 'invoices' && <InvoicesSection items={data.invoices ?? []} currency={data.currency} />}
        {current === 'messages' && <GuestThreads data={data} screen={`${data.case.number} · ${VIEW_LABEL.messages}`} onSent={() => void view.reload()} />}
      </div>
    </article>
  );
}
