import { Button, Caption1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { ShieldCheckmarkRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { AuditEntry, AuditVerdict } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';

const useStyles = makeStyles({
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap', margin: `${tokens.spacingVerticalM} 0` },
  scroll: { overflowX: 'auto' },
  data: { maxWidth: '360px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', display: 'block' },
});

const PAGE = 200;

/** The append-only audit log, newest last, with a check of its hash chain. */
export function AuditPage() {
  const s = useStyles();
  const api = useStaffApi();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(true);
  const first = useLoad(async () => {
    const page = await api.audit(0, PAGE);
    setEntries(page);
    setMore(page.length === PAGE);
    return page.length;
  }, []);
  const next = useAction(async () => {
    const page = await api.audit(entries.at(-1)?.seq ?? 0, PAGE);
    setEntries((old) => [...old, ...page]);
    setMore(page.length === PAGE);
  });
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const verify = useAction(async () => setVerdict(await api.verifyAudit()));
  return (
    <section aria-labelledby="audit-title">
      <Title2 block as="h1" id="audit-title">Audit log</Title2>
      <div className={s.bar}>
        <Button icon={<ShieldCheckmarkRegular />} onClick={() => void verify.run()} disabled={verify.busy} data-testid="verify-chain">
          {verify.busy ? 'Checking…' : 'Verify chain'}
        </Button>
        <Caption1>Each entry carries the hash of the one before it; any edit or gap breaks the chain.</Caption1>
      </div>
      {verdict?.ok && <Notice>The chain is intact: {verdict.entries} entries, head {verdict.headHash.slice(0, 16)}…</Notice>}
      {verdict && !verdict.ok && <Notice intent="warning">The chain is broken at entry {verdict.brokenAtSeq}: {verdict.problem}.</Notice>}
      <ErrorBar error={verify.error ?? first.error ?? next.error} onRetry={() => void first.reload()} />
      {first.loading && entries.length === 0 && <Loading />}
      <div className={s.scroll}>
        <Table aria-label="Audit entries" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>#</TableHeaderCell>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Who</TableHeaderCell>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>Target</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {entries.map((e) => (
              <TableRow key={e.seq} data-testid="audit-row">
                <TableCell>{e.seq}</TableCell>
                <TableCell>{dateTime(e.at)}</TableCell>
                <TableCell>{e.actor}</TableCell>
                <TableCell>
                  {e.action}
                  <Caption1 className={s.data} title={JSON.stringify(e.data)}>{JSON.stringify(e.data)}</Caption1>
                </TableCell>
                <TableCell>{e.target}</TableCell>
                <TableCell>{e.reason ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {more && entries.length > 0 && (
        <Button onClick={() => void next.run()} disabled={next.busy}>
          Load more
        </Button>
      )}
    </section>
  );
}
