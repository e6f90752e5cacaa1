import { Button, Card, Dropdown, Field, Input, Option, Subtitle2, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { CaseDetail, CaseSharing, InvoiceStatus, LedgerInvoice, LedgerKind } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { date, money, parseCents } from '../components/format';
import { ScrollingTable } from '../components/ScrollingTable';
import { optionsOf } from '../components/options';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { ItemsPanel } from './ItemsPanel';
import { type Catalogue, useStrings } from '../strings';

type StaffStrings = Catalogue['staff'];

type MoneyKind = Exclude<LedgerKind, 'invoice'>;
const MONEY_KINDS: MoneyKind[] = ['retainer_deposit', 'expense', 'payment'];
/** Paid into the retainer rather than against an invoice. */
const NO_INVOICE = 'retainer';

/** The state changes staff make by hand; a payment that covers an invoice marks it paid by itself. */
const nextStates = (t: StaffStrings): Record<LedgerInvoice['state'], Array<{ to: InvoiceStatus; label: string }>> => ({
  draft: [
    { to: 'sent', label: t.markSent },
    { to: 'void', label: t.voidInvoice },
  ],
  sent: [
    { to: 'paid', label: t.paidFromRetainer },
    { to: 'void', label: t.voidInvoice },
  ],
  partly_paid: [{ to: 'paid', label: t.restFromRetainer }],
  paid: [],
  void: [],
});

const useStyles = makeStyles({
  figures: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))', gap: tokens.spacingHorizontalM, margin: `${tokens.spacingVerticalM} 0` },
  figure: { display: 'flex', flexDirection: 'column', padding: tokens.spacingHorizontalM },
  big: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  form: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', margin: `${tokens.spacingVerticalM} 0` },
  section: { marginTop: tokens.spacingVerticalXL },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
});

function Figure({ label, cents, currency, hint }: { label: string; cents: number | null; currency: string; hint: string }) {
  const s = useStyles();
  return (
    <Card className={s.figure} data-testid="ledger-figure" data-label={label} title={hint}>
      <Text>{label}</Text>
      <Text className={s.big}>{money(cents, currency)}</Text>
    </Card>
  );
}

/** Budget, retainer and what is owed; deposits, expenses and payments; invoices with their state and share ticks. */
export function BillingPanel({ caseId, detail, sharing, onChanged }: { caseId: string; detail: CaseDetail; sharing: CaseSharing; onChanged: () => void }) {
  const t = useStrings().staff;
  const LEDGER_LABEL: Record<LedgerKind, string> = t.ledgerKind;
  const NEXT_STATES = nextStates(t);
  const s = useStyles();
  const api = useStaffApi();
  const ledger = useLoad(() => api.ledger(caseId), [caseId, sharing]);
  const [kind, setKind] = useState<MoneyKind>('expense');
  const [invoiceId, setInvoiceId] = useState(NO_INVOICE);
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [occurredOn, setOccurredOn] = useState(new Date().toISOString().slice(0, 10));
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The firm's currency comes with the ledger: until it has loaded no amount is shown, never one in a guessed currency.
  const currency = ledger.data?.currency ?? null;
  const inCurrency = (cents: number | null | undefined) => (currency ? money(cents, currency) : '—');
  const payable = (ledger.data?.invoices ?? []).filter((i) => i.state === 'sent' || i.state === 'partly_paid');
  const add = useAction(async () => {
    const cents = parseCents(amount);
    if (!cents) return setProblem('Enter an amount above zero, like 150.00.');
    if (!description.trim()) return setProblem(t.describeEntry);
    setProblem(null);
    const against = kind === 'payment' && invoiceId !== NO_INVOICE ? invoiceId : null;
    await api.addLedger(caseId, { kind, amountCents: cents, description: description.trim(), occurredOn, invoiceItemId: against });
    setDone(t.recorded(LEDGER_LABEL[kind], inCurrency(cents)));
    setAmount('');
    setDescription('');
    setInvoiceId(NO_INVOICE);
    await ledger.reload();
    if (against) onChanged();
  });
  const changeState = useAction(async (invoice: LedgerInvoice, to: InvoiceStatus, label: string) => {
    await api.updateItem(invoice.id, { invoiceStatus: to });
    setDone(`${invoice.invoiceNumber}: ${label.toLowerCase()}.`);
    await ledger.reload();
    onChanged();
  });
  const sum = ledger.data?.summary;
  return (
    <section aria-label={t.invoicesAndLedger}>
      <Subtitle2 block as="h2">
        {t.balance}
      </Subtitle2>
      {sum && currency ? (
        <div className={s.figures}>
          <Figure label={t.budget} cents={detail.budgetCents} currency={currency} hint={t.budgetExplained} />
          <Figure label={t.retainerBalance} cents={sum.retainerBalanceCents} currency={currency} hint={t.retainerExplained} />
          <Figure label={t.outstanding} cents={sum.outstandingCents} currency={currency} hint={t.outstandingExplained} />
          <Figure label={t.billed} cents={sum.invoicedCents} currency={currency} hint={t.billedExplained} />
          <Figure label={t.expenses} cents={sum.expensesCents} currency={currency} hint={t.expensesExplained} />
          <Figure label={t.budgetRemaining} cents={sum.budgetRemainingCents} currency={currency} hint={t.budgetRemainingExplained} />
        </div>
      ) : (
        !ledger.error && <Loading />
      )}
      <ErrorBar error={ledger.error} onRetry={() => void ledger.reload()} />
      {done && <Notice>{done}</Notice>}

      <div className={s.section}>
        <Subtitle2 block as="h2">
          {t.invoices}
        </Subtitle2>
        <ScrollingTable label={t.invoiceStates} columns={t.invoiceStateColumns}>
          {(ledger.data?.invoices ?? []).map((i) => (
            <TableRow key={i.id} data-testid="staff-invoice" data-number={i.invoiceNumber}>
              <TableCell>
                {i.invoiceNumber} · {i.title}
              </TableCell>
              <TableCell>{date(i.dueOn)}</TableCell>
              <TableCell>{inCurrency(i.amountCents)}</TableCell>
              <TableCell>{inCurrency(i.paidCents)}</TableCell>
              <TableCell>{inCurrency(i.outstandingCents)}</TableCell>
              <TableCell data-testid="invoice-state">{i.stateLabel}</TableCell>
              <TableCell>
                <div className={s.actions}>
                  {NEXT_STATES[i.state].map((n) => (
                    <Button key={n.to} size="small" disabled={changeState.busy} aria-label={`${n.label}: ${i.invoiceNumber}`} onClick={() => void changeState.run(i, n.to, n.label)}>
                      {n.label}
                    </Button>
                  ))}
                </div>
              </TableCell>
            </TableRow>
          ))}
        </ScrollingTable>
        <ErrorBar error={changeState.error} />
      </div>

      <div className={s.section}>
        <Subtitle2 block as="h2">
          {t.ledger}
        </Subtitle2>
        <div className={s.form}>
          <Field label={t.kind}>
            <Dropdown value={LEDGER_LABEL[kind]} selectedOptions={[kind]} onOptionSelect={(_e, d) => setKind((d.optionValue as MoneyKind) ?? 'expense')}>
              {optionsOf(
                MONEY_KINDS,
                (k) => k,
                (k) => LEDGER_LABEL[k],
              )}
            </Dropdown>
          </Field>
          {kind === 'payment' && (
            <Field label={t.against}>
              <Dropdown
                value={invoiceId === NO_INVOICE ? 'Into the retainer' : (payable.find((i) => i.id === invoiceId)?.invoiceNumber ?? '')}
                selectedOptions={[invoiceId]}
                onOptionSelect={(_e, d) => setInvoiceId(d.optionValue ?? NO_INVOICE)}
              >
                <Option value={NO_INVOICE}>{t.intoTheRetainer}</Option>
                {payable.map((i) => (
                  <Option key={i.id} value={i.id} text={i.invoiceNumber ?? i.title}>
                    {t.invoiceOwed(i.invoiceNumber ?? '', inCurrency(i.outstandingCents))}
                  </Option>
                ))}
              </Dropdown>
            </Field>
          )}
          <Field label={currency ? t.amountIn(currency) : t.amountWord}>
            <Input value={amount} onChange={(_e, d) => setAmount(d.value)} inputMode="decimal" />
          </Field>
          <Field label={t.description}>
            <Input value={description} onChange={(_e, d) => setDescription(d.value)} />
          </Field>
          <Field label={t.date}>
            <Input type="date" value={occurredOn} onChange={(_e, d) => setOccurredOn(d.value)} />
          </Field>
          <Button appearance="primary" disabled={add.busy} onClick={() => void add.run()}>
            {t.addEntry}
          </Button>
        </div>
        {problem && <Text role="alert">{problem}</Text>}
        <ErrorBar error={add.error} />
        <ScrollingTable label={t.ledgerEntries} columns={t.ledgerColumns}>
          {(ledger.data?.entries ?? []).map((e) => (
            <TableRow key={e.id} data-testid="ledger-row">
              <TableCell>{date(e.occurredOn)}</TableCell>
              <TableCell>
                {LEDGER_LABEL[e.kind]}
                {e.invoiceItemId ? ` · ${ledger.data?.invoices.find((i) => i.id === e.invoiceItemId)?.invoiceNumber ?? ''}` : ''}
              </TableCell>
              <TableCell>{e.description}</TableCell>
              <TableCell>{inCurrency(e.amountCents)}</TableCell>
            </TableRow>
          ))}
        </ScrollingTable>
      </div>

      <div className={s.section}>
        <Subtitle2 block as="h2">
          {t.invoiceDocumentsHeading}
        </Subtitle2>
        {currency ? <ItemsPanel kind="invoice" caseId={caseId} sharing={sharing} onChanged={onChanged} currency={currency} /> : !ledger.error && <Loading />}
      </div>
    </section>
  );
}
