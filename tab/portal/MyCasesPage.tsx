import { Badge, Body1, Caption1, Card, CardHeader, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { Empty, ErrorBar, Loading } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useLoad, usePortalApi } from '../shell/hooks';
import { useLiveReload } from '../shell/live';
import { useScreen } from './screen';
import { InAppLink } from '../components/InAppLink';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))', gap: tokens.spacingHorizontalM, marginTop: tokens.spacingVerticalM },
});

export function MyCasesPage() {
  const s = useStyles();
  const strings = useStrings();
  const t = strings.portal;
  const portal = usePortalApi();
  const cases = useLoad(() => portal.cases(), []);
  // Any case she can see may have changed its title or status, or be new to her.
  useLiveReload('portal', () => true, cases.reload);
  useScreen(null, t.myCases);
  return (
    <section aria-labelledby="my-cases">
      <Title2 block as="h1" id="my-cases">
        {t.myCases}
      </Title2>
      <ErrorBar error={cases.error} onRetry={() => void cases.reload()} />
      {cases.loading && !cases.data && <Loading />}
      {cases.data?.length === 0 && <Empty>{t.nothingShared}</Empty>}
      <div className={s.grid}>
        {cases.data?.map((c) => (
          <Card key={c.id} data-testid="portal-case-card">
            <CardHeader
              header={
                <InAppLink href={`/tab/portal/cases/${c.id}`}>
                  <Text weight="semibold">{c.title}</Text>
                </InAppLink>
              }
              description={<Caption1>{c.number}</Caption1>}
              action={c.status ? <Badge appearance="tint">{c.status}</Badge> : undefined}
            />
            <Body1>
              {c.sections.length
                ? c.sections
                    .filter((x) => x !== 'messages')
                    .map((x) => strings.common.section[x])
                    .join(' · ')
                : t.sharedItems}
            </Body1>
            {c.canUpload && <Caption1>{t.canUpload}</Caption1>}
            {c.closedReadOnlyUntil && <Caption1 data-testid="case-closed">{t.closedUntil(dateTime(c.closedReadOnlyUntil))}</Caption1>}
          </Card>
        ))}
      </div>
    </section>
  );
}
