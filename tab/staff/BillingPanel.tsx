import {
  Button, Card, Dropdown, Field, Input, Option, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { CaseDetail, CaseSharing, LedgerKind } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { date, money, parseCents } from '../components/format';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { ItemsPanel } from './ItemsPanel';

const LEDGER_LABEL: Record<LedgerKind, string> = { retainer_deposit: 'Retainer deposit', expense: 'Expense', invoice: 'Invoice', payment: 'Payment' };

const useStyles = makeStyles({
  figures: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))', gap: tokens.spacingHorizontalM, margin: `${tokens.spacingVerticalM} 0` },
  figure: { display: 'flex', flexDirection: 'column', padding: tokens.spacingHorizontalM },
  big: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  form: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', margin: `${tokens.spacingVerticalM} 0` },
  scroll: { overflowX: 'auto' },
  section: { marginTop: tokens.spacingVerticalXL },
});

function Figure({ label, cents }: { label: string; cents: number | null }) {
  const s = useStyles();
  return (
    <Card className={s.figure}>
      <Text>{label}</Text>
      <Text className={s.big}>{money(cents)}</Text>
    </Card>
  );
}

/** Budget, retainer and balance; the ledger with new entries; invoices with share ticks. */
export function BillingPanel({ caseId, detail, sharing, onChanged }: { caseId: string; detail: CaseDetail; sharing: CaseSharing; onChanged: () => void }) {
  const s = useStyles();
  const api = useStaffApi();
  const ledger = useLoad(() => api.ledger(caseId), [caseId, sharing]);
  const [kind, setKind] = useState<LedgerKind>('expense');
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [occurredOn, setOccurredOn] = useState(new Date().toISOString().slice(0, 10));
  const [problem, setProblem] = useState<string | null>(null);
  const add = useAction(async () => {
    const cents = parseCents(amount);
    if (!cents) return setProblem('Enter an amount above zero, like 150.00.');
    if (!description.trim()) return setProblem('Describe the entry.');
    setProblem(null);
    await api.addLedger(caseId, { kind, amountCents: cents, description: description.trim(), occurredOn });
    setAmount('');
    setDescription('');
    await ledger.reload();
  });
  const sum = ledger.data?.summary;
  return (
    <section aria-label="Invoices and ledger">
      <Subtitle2 block as="h2">Balance</Subtitle2>
      {sum ? (
        <div className={s.figures}>
          <Figure label="Budget" cents={detail.budgetCents} />
          <Figure label="Retainer balance" cents={sum.retainerBalanceCents} />
          <Figure label="Invoiced" cents={sum.invoicedCents} />
          <Figure label="Expenses" cents={sum.expensesCents} />
          <Figure label="Budget remaining" cents={sum.budgetRemainingCents} />
        </div>
      ) : (
        !ledger.error && <Loading />
      )}
      <ErrorBar error={ledger.error} onRetry={() => void ledger.reload()} />

      <div className={s.section}>
        <Subtitle2 block as="h2">Ledger</Subtitle2>
        <div className={s.form}>
          <Field label="Kind">
            <Dropdown value={LEDGER_LABEL[kind]} selectedOptions={[kind]} onOptionSelect={(_e, d) => setKind((d.optionValue as LedgerKind) ?? 'expense')}>
              {(['retainer_deposit', 'expense', 'payment'] as LedgerKind[]).map((k) => (
                <Option key={k} value={k}>
                  {LEDGER_LABEL[k]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Amount (USD)">
            <Input value={amount} onChange={(_e, d) => setAmount(d.value)} inputMode="decimal" />
          </Field>
          <Field label="Description">
            <Input value={description} onChange={(_e, d) => setDescription(d.value)} />
          </Field>
          <Field label="Date">
            <Input type="date" value={occurredOn} onChange={(_e, d) => setOccurredOn(d.value)} />
          </Field>
          <Button appearance="primary" disabled={add.busy} onClick={() => void add.run()}>
            Add entry
          </Button>
        </div>
        {problem && <Text role="alert">{problem}</Text>}
        <ErrorBar error={add.error} />
        <div className={s.scroll}>
          <Table aria-label="Ledger entries" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Date</TableHeaderCell>
                <TableHeaderCell>Kind</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
                <TableHeaderCell>Amount</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {(ledger.data?.entries ?? []).map((e) => (
                <TableRow key={e.id}>
                  <TableCell>{date(e.occurredOn)}</TableCell>
                  <TableCell>{LEDGER_LABEL[e.kind]}</TableCell>
                  <TableCell>{e.description}</TableCell>
                  <TableCell>{money(e.amountCents)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </div>

      <div className={s.section}>
        <Subtitle2 block as="h2">Invoices</Subtitle2>
        <ItemsPanel kind="invoice" caseId={caseId} sharing={sharing} onChanged={onChanged} />
      </div>
    </section>
  );
}
