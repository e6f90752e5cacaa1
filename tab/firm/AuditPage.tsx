import { Button, Caption1, Dropdown, Field, Input, Option, TableCell, TableRow, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular, ShieldCheckmarkRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { AuditEntry, AuditFilters, AuditVerdict } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { saveBlob } from '../components/DocumentPreview';
import { dateTime } from '../components/format';
import { ScrollingTable } from '../components/ScrollingTable';
import { optionsOf } from '../components/options';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap', margin: `${tokens.spacingVerticalM} 0` },
  filters: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', margin: `${tokens.spacingVerticalM} 0` },
  data: { maxWidth: '360px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', display: 'block' },
  id: { display: 'block', color: tokens.colorNeutralForeground3 },
});

const PAGE = 100;
/** The actions the log records, grouped by what they touch; the API matches a group by its prefix. */
const ACTION_GROUP_ORDER = ['', 'grant', 'items', 'portal', 'case', 'contact', 'invitation', 'ledger', 'invoice', 'document', 'documents', 'note', 'message', 'item.seen', 'message.seen', 'firm'] as const;
const ANY = '';

interface Choice {
  id: string;
  label: string;
}

/** A filter picked from a loaded list, "any" first; the closed Dropdown shows the chosen entry's label. */
function ChoiceFilter({ label, anyLabel, choices, value, onPick }: { label: string; anyLabel: string; choices: Choice[] | undefined; value: string | undefined; onPick: (id: string) => void }) {
  const shown = value ? (choices?.find((c) => c.id === value)?.label ?? '') : anyLabel;
  return (
    <Field label={label}>
      <Dropdown value={shown} selectedOptions={[value ?? ANY]} onOptionSelect={(_e, d) => onPick(d.optionValue ?? ANY)}>
        <Option value={ANY}>{anyLabel}</Option>
        {optionsOf(
          choices ?? [],
          (c) => c.id,
          (c) => c.label,
        )}
      </Dropdown>
    </Field>
  );
}

/** Who did what to whom, newest first, with names; filters, paging, export with the chain proof. */
export function AuditPage() {
  const t = useStrings().firm;
  const ACTION_GROUPS = ACTION_GROUP_ORDER.map((group): [string, string] => [group, t.actionGroup[group]]);
  const s = useStyles();
  const api = useStaffApi();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const choices = useLoad(async () => {
    const [cases, staff, contacts] = await Promise.all([api.cases(), api.staff(), api.contacts()]);
    return {
      cases: cases.map((c) => ({ id: c.id, label: `${c.number} ${c.title}` })),
      people: [...staff.map((p) => ({ id: p.id, label: `${p.name} (staff)` })), ...contacts.map((p) => ({ id: p.id, label: `${p.name} (${p.email})` }))],
    };
  }, []);
  const first = useLoad(async () => {
    const page = await api.audit(filters, null, PAGE);
    setEntries(page);
    setMore(page.length === PAGE);
    return page.length;
  }, [filters]);
  const next = useAction(async () => {
    const page = await api.audit(filters, entries.at(-1)?.seq ?? null, PAGE);
    setEntries((old) => [...old, ...page]);
    setMore(page.length === PAGE);
  });
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const verify = useAction(async () => setVerdict(await api.verifyAudit()));
  const exportAs = useAction(async (format: 'csv' | 'json') => saveBlob(await api.auditExport(format, filters), `caseroom-audit.${format}`));
  const reviewReport = useAction(async () => saveBlob(await api.accessReviewReport(), 'caseroom-access-reviews.csv'));
  const set = (key: keyof AuditFilters, value: string) => setFilters((f) => ({ ...f, [key]: value || undefined }));
  return (
    <section aria-labelledby="audit-title">
      <Title2 block as="h1" id="audit-title">
        {t.auditLog}
      </Title2>
      <div className={s.bar}>
        <Button icon={<ShieldCheckmarkRegular />} onClick={() => void verify.run()} disabled={verify.busy} data-testid="verify-chain">
          {verify.busy ? t.checking : t.verifyChain}
        </Button>
        <Button icon={<ArrowDownloadRegular />} onClick={() => void exportAs.run('csv')} disabled={exportAs.busy}>
          {t.exportCsv}
        </Button>
        <Button icon={<ArrowDownloadRegular />} onClick={() => void exportAs.run('json')} disabled={exportAs.busy}>
          {t.exportJson}
        </Button>
        <Button icon={<ArrowDownloadRegular />} onClick={() => void reviewReport.run()} disabled={reviewReport.busy} data-testid="access-review-report">
          {t.accessReviewReportCsv}
        </Button>
        <Caption1>{t.chainExplained}</Caption1>
      </div>
      {verdict?.ok && <Notice>{verdict.includesHidden ? t.chainIntactWithHidden(verdict.headHash.slice(0, 16)) : t.chainIntact(verdict.entries, verdict.headHash.slice(0, 16))}</Notice>}
      {verdict && !verdict.ok && <Notice intent="warning">{t.chainBroken(verdict.brokenAtSeq, verdict.problem)}</Notice>}

      <div className={s.filters} role="search" aria-label={t.auditFilters}>
        <ChoiceFilter label={t.case} anyLabel={t.anyCase} choices={choices.data?.cases} value={filters.caseId} onPick={(id) => set('caseId', id)} />
        <ChoiceFilter label={t.person} anyLabel={t.anyone} choices={choices.data?.people} value={filters.personId} onPick={(id) => set('personId', id)} />
        <Field label={t.action}>
          <Dropdown value={ACTION_GROUPS.find(([v]) => v === (filters.action ?? ANY))?.[1] ?? ''} selectedOptions={[filters.action ?? ANY]} onOptionSelect={(_e, d) => set('action', d.optionValue ?? ANY)}>
            {ACTION_GROUPS.map(([value, label]) => (
              <Option key={value || 'any'} value={value}>
                {label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t.from}>
          <Input type="date" value={filters.from ?? ''} onChange={(_e, d) => set('from', d.value)} />
        </Field>
        <Field label={t.to}>
          <Input type="date" value={filters.to ?? ''} onChange={(_e, d) => set('to', d.value)} />
        </Field>
        <Button appearance="subtle" onClick={() => setFilters({})} disabled={Object.values(filters).every((v) => !v)}>
          {t.clearFilters}
        </Button>
      </div>

      <ErrorBar error={verify.error ?? exportAs.error ?? first.error ?? next.error ?? choices.error} onRetry={() => void first.reload()} />
      {first.loading && entries.length === 0 && <Loading />}
      {!first.loading && !first.error && entries.length === 0 && <Empty>{t.noMatchingEntries}</Empty>}
      <Text role="status" size={200} data-testid="audit-count">
        {entries.length > 0 ? t.showingEntries(entries.length, Boolean(more)) : ''}
      </Text>
      <ScrollingTable label={t.auditEntries} columns={t.auditColumns}>
        {entries.map((e) => (
          <TableRow key={e.seq} data-testid="audit-row" data-action={e.action}>
            <TableCell>{e.seq}</TableCell>
            <TableCell>{dateTime(e.at)}</TableCell>
            <TableCell>
              <span data-testid="audit-who">{e.actorName}</span>
              <Caption1 className={s.id}>{e.actor}</Caption1>
            </TableCell>
            <TableCell>
              {e.action}
              <Caption1 className={s.data} title={JSON.stringify(e.data)}>
                {JSON.stringify(e.data)}
              </Caption1>
              {e.withheld && <Caption1 className={s.id}>{t.withheld}</Caption1>}
            </TableCell>
            <TableCell>
              <span data-testid="audit-target">{e.targetName}</span>
              <Caption1 className={s.id}>{e.target}</Caption1>
            </TableCell>
            <TableCell>{e.reason ?? ''}</TableCell>
          </TableRow>
        ))}
      </ScrollingTable>
      {more && (
        <Button onClick={() => void next.run()} disabled={next.busy}>
          {t.loadOlderEntries}
        </Button>
      )}
    </section>
  );
}
