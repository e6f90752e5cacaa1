import { csvCell, csvRows } from './csv';
import { type InvoiceFacts, invoiceStanding, type MoneyLine, statusAfterPayment, summarizeLedger } from './ledger';

let n = 0;
const line = (kind: MoneyLine['kind'], amountCents: number, invoiceItemId: string | null = null): MoneyLine => ({ id: `l${++n}`, kind, amountCents, description: kind, occurredOn: '2030-01-01', invoiceItemId });
const invoice = (id: string, amountCents: number, status: InvoiceFacts['status']): InvoiceFacts => ({ id, amountCents, status });

describe('case ledger figures', () => {
  it('takes nothing from the retainer for a sent invoice on a case with no deposit', () => {
    const summary = summarizeLedger(null, [], [invoice('i1', 150_000, 'sent')]);
    expect(summary.retainerBalanceCents).toBe(0);
    expect(summary.outstandingCents).toBe(150_000);
    expect(summary.budgetRemainingCents).toBeNull();
  });

  it('counts deposits, expenses, invoices in every state and payments as written down in domain/ledger.ts', () => {
    const invoices = [
      invoice('draft', 90_000, 'draft'),
      invoice('void', 70_000, 'void'),
      invoice('sent', 120_000, 'sent'),
      invoice('partly', 100_000, 'sent'),
      invoice('paidByPayment', 50_000, 'paid'),
      invoice('paidFromRetainer', 80_000, 'paid'),
    ];
    const lines = [
      line('retainer_deposit', 300_000),
      line('retainer_deposit', 20_000),
      line('expense', 5_000),
      line('payment', 40_000, 'partly'),
      line('payment', 50_000, 'paidByPayment'),
      line('payment', 10_000), // unapplied: goes into the retainer
      line('invoice', 999_999), // an old-style invoice line is not money moving: ignored
    ];
    expect(summarizeLedger(1_000_000, lines, invoices)).toEqual({
      budgetCents: 1_000_000,
      depositsCents: 320_000,
      paymentsCents: 100_000,
      expensesCents: 5_000,
      // sent 1,200 + partly 1,000 + paid 500 + paid 800; draft and void never count
      invoicedCents: 350_000,
      // sent 1,200 + partly (1,000 − 400)
      outstandingCents: 180_000,
      // deposits 3,200 + unapplied payment 100 − expense 50 − invoice paid from the retainer 800
      retainerBalanceCents: 245_000,
      budgetRemainingCents: 1_000_000 - 350_000 - 5_000,
    });
  });

  it('shows a payment as partly paid, then paid when it covers the invoice', () => {
    const inv = invoice('i', 100_000, 'sent');
    expect(invoiceStanding(inv, [])).toMatchObject({ state: 'sent', paidCents: 0, outstandingCents: 100_000 });
    const part = [line('payment', 30_000, 'i')];
    expect(invoiceStanding(inv, part)).toMatchObject({ state: 'partly_paid', paidCents: 30_000, outstandingCents: 70_000 });
    expect(statusAfterPayment(inv, part)).toBe('sent');
    const full = [...part, line('payment', 70_000, 'i')];
    expect(invoiceStanding(inv, full)).toMatchObject({ state: 'paid', outstandingCents: 0 });
    expect(statusAfterPayment(inv, full)).toBe('paid');
    expect(invoiceStanding(invoice('i', 100_000, 'void'), full)).toMatchObject({ state: 'void', outstandingCents: 0 });
  });
});

describe('CSV export cells', () => {
  it.each(['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])('defuses %j so a spreadsheet shows it as text', (value) => {
    expect(csvCell(value)).toBe(`"'${value.replace(/"/g, '""')}"`);
  });

  it('quotes commas, quotes and line breaks, and writes objects as JSON', () => {
    expect(
      csvRows(
        ['a', 'b'],
        [
          ['x, "y"\nz', { k: 1 }],
          [null, 5],
        ],
      ),
    ).toBe('"a","b"\r\n"x, ""y""\nz","{""k"":1}"\r\n"","5"\r\n');
  });
});
