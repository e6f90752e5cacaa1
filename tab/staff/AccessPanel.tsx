import { Button, Caption1, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowSyncRegular, CheckmarkCircleRegular, WarningRegular } from '@fluentui/react-icons';
import type { SharePointAccessRow, SharePointAccessStatus, SharePointRole } from '../../src/contract';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { ScrollingTable } from '../components/ScrollingTable';
import { dateTime } from '../components/format';
import { useState } from 'react';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  bar: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalS },
  drift: { backgroundColor: tokens.colorStatusWarningBackground1 },
  status: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS },
  sub: { display: 'block', color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  // Five columns of names and words: on a phone the table scrolls sideways rather than squeezing them.
  wide: { '& table': { minWidth: '860px' } },
});

function AccessRow({ row }: { row: SharePointAccessRow }) {
  const t = useStrings().staff;
  const roleInWords = (role: SharePointRole | null) => (role ? t.sharePointRole[role] : t.noAccess);
  // The status in words, so drift is never told by colour alone.
  const STATUS_WORDS: Record<SharePointAccessStatus, string> = t.driftStatus;
  const s = useStyles();
  const drifted = row.status !== 'in-sync';
  return (
    <TableRow className={drifted ? s.drift : undefined} data-testid="sharepoint-access-row" data-status={row.status}>
      <TableCell>
        {row.guestName}
        <Caption1 className={s.sub}>{row.guestEmail}</Caption1>
      </TableCell>
      <TableCell>
        {row.title}
        <Caption1 className={s.sub}>{row.target === 'case' ? t.caseFolder : t.item}</Caption1>
      </TableCell>
      <TableCell>{roleInWords(row.intended)}</TableCell>
      <TableCell>{roleInWords(row.held)}</TableCell>
      <TableCell>
        <span className={s.status}>
          {drifted ? <WarningRegular aria-hidden /> : <CheckmarkCircleRegular aria-hidden />}
          <Text weight={drifted ? 'semibold' : 'regular'}>{STATUS_WORDS[row.status]}</Text>
        </span>
      </TableCell>
    </TableRow>
  );
}

/**
 * The case Access page: per guest and SharePoint target, what CaseRoom intends beside what
 * SharePoint holds right now, drift highlighted and labelled; Repair queues the guests' sync.
 */
export function AccessPanel({ caseId }: { caseId: string }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const access = useLoad(() => api.sharePointAccess(caseId), [caseId]);
  const [queued, setQueued] = useState<number | null>(null);
  const repair = useAction(async () => {
    const answer = await api.repairAccess(caseId);
    setQueued(answer.queued);
    await access.reload();
    return answer;
  });
  const reload = () => void access.reload();
  const data = access.data;
  return (
    <section aria-labelledby="sharepoint-access-heading">
      <h2 id="sharepoint-access-heading">{t.accessInSharepoint}</h2>
      <div className={s.bar}>
        <Text role="status" data-testid="sharepoint-access-summary">
          {data ? (data.drift === 0 ? t.sharePointMatches(dateTime(data.readAt)) : t.differences(data.drift, dateTime(data.readAt))) : ''}
        </Text>
        <Button icon={<ArrowSyncRegular />} onClick={reload} disabled={access.loading}>
          {t.checkAgain}
        </Button>
        <Button appearance="primary" onClick={() => void repair.run()} disabled={repair.busy || !data || data.drift === 0}>
          {repair.busy ? t.repairing : t.repair}
        </Button>
      </div>
      {queued !== null && <Notice intent="info">{t.repairQueued(queued)}</Notice>}
      <ErrorBar error={repair.error ?? access.error} onRetry={reload} />
      {!data && !access.error && <Loading label={t.readingSharepoint} />}
      {data && data.rows.length === 0 && <Empty>{t.noGuestAccessAtAll}</Empty>}
      {data && data.rows.length > 0 && (
        <ScrollingTable className={s.wide} label={t.accessTableLabel} columns={t.accessColumns}>
          {data.rows.map((row) => (
            <AccessRow key={`${row.contactId}|${row.driveItemId}`} row={row} />
          ))}
        </ScrollingTable>
      )}
    </section>
  );
}
