/**
 * A case's money, in integer cents. Pure: the store loads the ledger lines and the case's
 * invoices, this decides every figure staff and guests see.
 *
 * What the figures mean (the same for staff and guests):
 * - Retainer balance: money the firm holds for the client. Retainer deposits, plus payments
 *   not applied to any invoice, less expenses, less the part of each *paid* invoice that no
 *   payment covers (a paid invoice without payments was settled from the retainer). Sent,
 *   draft and void invoices never touch it.
 * - Outstanding: what the client still owes on sent invoices: each sent invoice's amount less
 *   the payments applied to it. Draft, void and paid invoices owe nothing.
 * - Billed: the amount of every sent or paid invoice (partly paid ones included).
 * - Budget remaining: the case budget less billed less expenses; null when there is no budget.
 * Draft and void invoices never count anywhere.
 */

import type { InvoiceState, InvoiceStatus, LedgerKind } from '../contract/enums';
import type { LedgerSummary } from '../contract/ledger';

export type { InvoiceState, LedgerSummary };
export type StoredInvoiceStatus = InvoiceStatus;
export type MoneyLineKind = LedgerKind;

export interface MoneyLine {
  id: string;
  kind: MoneyLineKind;
  amountCents: number;
  description: string;
  occurredOn: string;
  /** For a payment: the invoice (item id) it settles; null = paid into the retainer. */
  invoiceItemId: string | null;
}

export interface InvoiceFacts {
  id: string;
  amountCents: number;
  status: StoredInvoiceStatus;
}

export interface InvoiceStanding {
  id: string;
  state: InvoiceState;
  amountCents: number;
  /** Payments applied to this invoice (capped at its amount). */
  paidCents: number;
  /** What is still owed: zero unless the invoice is sent. */
  outstandingCents: number;
}

/** Words for the invoice states, as the guest and staff read them. */
export const INVOICE_STATE_LABEL: Record<InvoiceState, string> = {
  draft: 'Draft',
  sent: 'Awaiting payment',
  partly_paid: 'Partly paid',
  paid: 'Paid',
  void: 'Void',
};

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function paymentsApplied(lines: readonly MoneyLine[], invoiceId: string): number {
  return sum(lines.filter((l) => l.kind === 'payment' && l.invoiceItemId === invoiceId).map((l) => l.amountCents));
}

export function invoiceStanding(invoice: InvoiceFacts, lines: readonly MoneyLine[]): InvoiceStanding {
  const paidCents = Math.min(invoice.amountCents, paymentsApplied(lines, invoice.id));
  const base = { id: invoice.id, amountCents: invoice.amountCents, paidCents };
  if (invoice.status === 'draft' || invoice.status === 'void') return { ...base, state: invoice.status, outstandingCents: 0 };
  if (invoice.status === 'paid' || paidCents >= invoice.amountCents) return { ...base, state: 'paid', outstandingCents: 0 };
  return { ...base, state: paidCents > 0 ? 'partly_paid' : 'sent', outstandingCents: invoice.amountCents - paidCents };
}

/**
 * The stored status an invoice should move to after a payment: fully covered → paid;
 * otherwise unchanged (partly paid is derived, not stored).
 */
export function statusAfterPayment(invoice: InvoiceFacts, lines: readonly MoneyLine[]): StoredInvoiceStatus {
  return invoice.status === 'sent' && paymentsApplied(lines, invoice.id) >= invoice.amountCents ? 'paid' : invoice.status;
}

export function summarizeLedger(budgetCents: number | null, lines: readonly MoneyLine[], invoices: readonly InvoiceFacts[]): LedgerSummary {
  const total = (kind: MoneyLineKind) => sum(lines.filter((l) => l.kind === kind).map((l) => l.amountCents));
  const invoiceIds = new Set(invoices.map((i) => i.id));
  const standings = invoices.map((i) => invoiceStanding(i, lines));
  const billed = standings.filter((s) => s.state !== 'draft' && s.state !== 'void');
  const depositsCents = total('retainer_deposit');
  const expensesCents = total('expense');
  // Payments whose invoice no longer exists (deleted) stay money received: they go to the retainer.
  const unappliedPayments = sum(lines.filter((l) => l.kind === 'payment' && (!l.invoiceItemId || !invoiceIds.has(l.invoiceItemId))).map((l) => l.amountCents));
  const settledFromRetainer = sum(standings.filter((s) => s.state === 'paid').map((s) => s.amountCents - s.paidCents));
  const invoicedCents = sum(billed.map((s) => s.amountCents));
  return {
    budgetCents,
    depositsCents,
    paymentsCents: total('payment'),
    expensesCents,
    invoicedCents,
    outstandingCents: sum(billed.map((s) => s.outstandingCents)),
    retainerBalanceCents: depositsCents + unappliedPayments - expensesCents - settledFromRetainer,
    budgetRemainingCents: budgetCents === null ? null : budgetCents - invoicedCents - expensesCents,
  };
}
