import { Body1, Caption1, Link, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { GuestItem, GuestLedgerLine, PortalCase } from '../api';
import { Empty } from '../components/Feedback';
import { date, dateTime, money } from '../components/format';
import { ScrollingTable } from '../components/ScrollingTable';
import { TitledCard } from '../components/TitledCard';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: tokens.spacingHorizontalM },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  body: { whiteSpace: 'pre-wrap' },
  figure: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  wide: { gridColumn: '1 / -1' },
});

export function OverviewSection({ data }: { data: PortalCase }) {
  const s = useStyles();
  const t = useStrings().portal;
  return (
    <div className={s.grid}>
      {data.status && (
        <TitledCard testId="overview-status" title={t.status}>
          <Text className={s.figure}>{data.status.status}</Text>
          {data.status.note && <Body1 className={s.body}>{data.status.note}</Body1>}
        </TitledCard>
      )}
      {data.team && (
        <TitledCard testId="overview-team" title={t.yourContact}>
          <Text weight="semibold">{data.team.name}</Text>
          {data.team.title && <Caption1>{data.team.title}</Caption1>}
          <Link href={`mailto:${data.team.email}`}>{data.team.email}</Link>
          {data.team.phone && <Link href={`tel:${data.team.phone.replace(/\s/g, '')}`}>{data.team.phone}</Link>}
        </TitledCard>
      )}
      {data.budget && (
        <TitledCard testId="overview-budget" title={t.budgetAndRetainer}>
          <Body1>{t.retainerBalance}</Body1>
          <Text className={s.figure} data-testid="guest-retainer">
            {money(data.budget.retainerBalanceCents, data.currency)}
          </Text>
          <Body1 data-testid="guest-outstanding">{t.awaitingPayment(money(data.budget.outstandingCents, data.currency))}</Body1>
          <Body1>{t.budgetSpent(money(data.budget.budgetCents, data.currency), money(data.budget.spentCents, data.currency))}</Body1>
          {data.budget.budgetRemainingCents !== null && <Body1>{t.remaining(money(data.budget.budgetRemainingCents, data.currency))}</Body1>}
        </TitledCard>
      )}
      {data.budget && <StatementCard lines={data.budget.lines} currency={data.currency} />}
    </div>
  );
}

/** Deposits, expenses and payments on the case, newest first. */
function StatementCard({ lines, currency }: { lines: GuestLedgerLine[]; currency: string }) {
  const s = useStyles();
  const t = useStrings().portal;
  const sorted = [...lines].sort((a, b) => b.occurredOn.localeCompare(a.occurredOn));
  return (
    <TitledCard testId="overview-statement" className={s.wide} title={t.statement}>
      {sorted.length === 0 ? (
        <Body1>{t.nothingRecorded}</Body1>
      ) : (
        <ScrollingTable label={t.statement} columns={t.statementColumns}>
          {sorted.map((l) => (
            <TableRow key={l.id} data-testid="guest-ledger-line">
              <TableCell>{date(l.occurredOn)}</TableCell>
              <TableCell>{l.label}</TableCell>
              <TableCell>{l.description}</TableCell>
              <TableCell>{money(l.amountCents, currency)}</TableCell>
            </TableRow>
          ))}
        </ScrollingTable>
      )}
    </TitledCard>
  );
}

export function NotesSection({ items }: { items: GuestItem[] }) {
  const s = useStyles();
  const t = useStrings().portal;
  if (items.length === 0) return <Empty>{t.noNotes}</Empty>;
  return (
    <div className={s.stack}>
      {items.map((n) => (
        <TitledCard key={n.id} testId="guest-note" title={n.title} description={<Caption1>{t.updated(dateTime(n.updatedAt))}</Caption1>}>
          <Body1 className={s.body}>{n.body}</Body1>
        </TitledCard>
      ))}
    </div>
  );
}

export function EventsSection({ items }: { items: GuestItem[] }) {
  const s = useStyles();
  const t = useStrings().portal;
  if (items.length === 0) return <Empty>{t.noEvents}</Empty>;
  const sorted = [...items].sort((a, b) => (a.startsAt ?? '').localeCompare(b.startsAt ?? ''));
  return (
    <div className={s.stack}>
      {sorted.map((e) => (
        <TitledCard
          key={e.id}
          testId="guest-event"
          title={e.title}
          description={
            <Caption1>
              {dateTime(e.startsAt)}
              {e.endsAt ? ` – ${dateTime(e.endsAt)}` : ''}
            </Caption1>
          }
        >
          {e.location && <Body1>{e.location}</Body1>}
        </TitledCard>
      ))}
    </div>
  );
}

export function InvoicesSection({ items, currency }: { items: GuestItem[]; currency: string }) {
  const t = useStrings().portal;
  if (items.length === 0) return <Empty>{t.noInvoices}</Empty>;
  return (
    <ScrollingTable label={t.invoices} columns={t.invoiceColumns}>
      {items.map((i) => (
        <TableRow key={i.id} data-testid="guest-invoice">
          <TableCell>
            {i.invoiceNumber} · {i.title}
          </TableCell>
          <TableCell>{money(i.amountCents, currency)}</TableCell>
          <TableCell>{date(i.dueOn)}</TableCell>
          <TableCell>{money(i.outstandingCents ?? 0, currency)}</TableCell>
          <TableCell data-testid="guest-invoice-status">{i.invoiceStatus}</TableCell>
        </TableRow>
      ))}
    </ScrollingTable>
  );
}
