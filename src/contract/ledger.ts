import { z } from 'zod';
import { MANUAL_LEDGER_KINDS, type InvoiceState, type LedgerKind } from './enums';
import { cents, isoDate, optionalId, text } from './fields';
import type { Item } from './cases';

// ---- requests ----

export const ledgerBody = z.strictObject({
  // Invoices are items (POST /cases/:id/items); the ledger records money moving.
  kind: z.enum(MANUAL_LEDGER_KINDS),
  amountCents: cents.refine((v) => v > 0, { message: 'must be more than zero' }),
  description: text(500),
  occurredOn: isoDate,
  invoiceItemId: optionalId,
});
/** What the tab sends to record money moving (POST /cases/{id}/ledger). */
export type NewLedgerEntry = z.input<typeof ledgerBody>;

// ---- answers ----

/** POST /cases/{id}/ledger, and each line of GET /cases/{id}/ledger. */
export interface LedgerEntry {
  id: string;
  kind: LedgerKind;
  amountCents: number;
  description: string;
  occurredOn: string;
  /** For a payment: the invoice (item id) it settles; null = paid into the retainer. */
  invoiceItemId: string | null;
  createdBy: string;
}

/** A case's money figures; what each means is written in src/domain/ledger.ts, which computes them. */
export interface LedgerSummary {
  budgetCents: number | null;
  depositsCents: number;
  paymentsCents: number;
  expensesCents: number;
  /** Sent and paid invoices, whole amounts. */
  invoicedCents: number;
  /** What the client still owes on sent invoices. */
  outstandingCents: number;
  retainerBalanceCents: number;
  budgetRemainingCents: number | null;
}

/** An invoice item with its standing: a sent invoice with some payment applied is partly paid. */
export interface LedgerInvoice extends Item {
  state: InvoiceState;
  stateLabel: string;
  paidCents: number;
  outstandingCents: number;
}

/** GET /cases/{id}/ledger. */
export interface CaseLedger {
  currency: string;
  entries: LedgerEntry[];
  invoices: LedgerInvoice[];
  summary: LedgerSummary;
}
