import { Body1, Caption1, Card, CardHeader, Link, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { GuestItem, PortalCase } from '../api';
import { Empty } from '../components/Feedback';
import { date, dateTime, money } from '../components/format';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: tokens.spacingHorizontalM },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  body: { whiteSpace: 'pre-wrap' },
  figure: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  scroll: { overflowX: 'auto' },
});

export function OverviewSection({ data }: { data: PortalCase }) {
  const s = useStyles();
  return (
    <div className={s.grid}>
      {data.status && (
        <Card data-testid="overview-status">
          <CardHeader header={<Subtitle2 block as="h2">Status</Subtitle2>} />
          <Text className={s.figure}>{data.status.status}</Text>
          {data.status.note && <Body1 className={s.body}>{data.status.note}</Body1>}
        </Card>
      )}
      {data.team && (
        <Card data-testid="overview-team">
          <CardHeader header={<Subtitle2 block as="h2">Your contact at the firm</Subtitle2>} />
          <Text weight="semibold">{data.team.name}</Text>
          {data.team.title && <Caption1>{data.team.title}</Caption1>}
          <Link href={`mailto:${data.team.email}`}>{data.team.email}</Link>
          {data.team.phone && <Link href={`tel:${data.team.phone.replace(/\s/g, '')}`}>{data.team.phone}</Link>}
        </Card>
      )}
      {data.budget && (
        <Card data-testid="overview-budget">
          <CardHeader header={<Subtitle2 block as="h2">Budget and retainer</Subtitle2>} />
          <Body1>Retainer balance</Body1>
          <Text className={s.figure}>{money(data.budget.retainerBalanceCents)}</Text>
          <Body1>Budget {money(data.budget.budgetCents)} · spent {money(data.budget.spentCents)}</Body1>
          {data.budget.budgetRemainingCents !== null && <Body1>Remaining {money(data.budget.budgetRemainingCents)}</Body1>}
        </Card>
      )}
    </div>
  );
}

export function NotesSection({ items }: { items: GuestItem[] }) {
  const s = useStyles();
  if (items.length === 0) return <Empty>No notes have been shared with you in this case.</Empty>;
  return (
    <div className={s.stack}>
      {items.map((n) => (
        <Card key={n.id} data-testid="guest-note">
          <CardHeader header={<Subtitle2 block as="h2">{n.title}</Subtitle2>} description={<Caption1>Updated {dateTime(n.updatedAt)}</Caption1>} />
          <Body1 className={s.body}>{n.body}</Body1>
        </Card>
      ))}
    </div>
  );
}

export function EventsSection({ items }: { items: GuestItem[] }) {
  const s = useStyles();
  if (items.length === 0) return <Empty>No events have been shared with you in this case.</Empty>;
  const sorted = [...items].sort((a, b) => (a.startsAt ?? '').localeCompare(b.startsAt ?? ''));
  return (
    <div className={s.stack}>
      {sorted.map((e) => (
        <Card key={e.id} data-testid="guest-event">
          <CardHeader header={<Subtitle2 block as="h2">{e.title}</Subtitle2>} description={<Caption1>{dateTime(e.startsAt)}{e.endsAt ? ` – ${dateTime(e.endsAt)}` : ''}</Caption1>} />
          {e.location && <Body1>{e.location}</Body1>}
        </Card>
      ))}
    </div>
  );
}

export function InvoicesSection({ items }: { items: GuestItem[] }) {
  const s = useStyles();
  if (items.length === 0) return <Empty>No invoices have been shared with you in this case.</Empty>;
  return (
    <div className={s.scroll}>
      <Table aria-label="Invoices" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Invoice</TableHeaderCell>
            <TableHeaderCell>Amount</TableHeaderCell>
            <TableHeaderCell>Due</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((i) => (
            <TableRow key={i.id} data-testid="guest-invoice">
              <TableCell>{i.invoiceNumber} · {i.title}</TableCell>
              <TableCell>{money(i.amountCents)}</TableCell>
              <TableCell>{date(i.dueOn)}</TableCell>
              <TableCell>{i.invoiceStatus}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
