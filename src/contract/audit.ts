import { z } from 'zod';
import { AUDIT_EXPORT_FORMATS } from './enums';
import { id, isoDate } from './fields';

// ---- requests (query strings) ----

const seqNumber = z
  .string()
  .regex(/^\d{1,9}$/, { message: 'must be a whole number' })
  .transform(Number);
/** Filters shared by the audit page and its export. Dates are whole days in UTC, both ends included. */
const auditFilters = {
  caseId: id.optional(),
  personId: id.optional(),
  action: z
    .string()
    .max(60)
    .regex(/^[a-z][a-z_.-]*$/, { message: 'letters, dots, dashes and underscores only' })
    .optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
};
/** The audit filters a page or an export is asked for. */
export type AuditFilters = Partial<Record<keyof typeof auditFilters, string>>;
const datesInOrder = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
/** Strict: an unknown or repeated parameter is refused (a repeated one arrives as an array, not a string). */
export const auditQuery = z
  .strictObject({
    ...auditFilters,
    afterSeq: seqNumber.optional(),
    beforeSeq: seqNumber.optional(),
    limit: z
      .string()
      .regex(/^\d{1,7}$/, { message: 'must be a whole number' })
      .transform(Number)
      .pipe(z.number().int().min(1).max(1000))
      .default(200),
    target: z.string().max(100).optional(),
  })
  .refine(datesInOrder, { message: 'must not be before from', path: ['to'] });
export const auditExportQuery = z.strictObject({ ...auditFilters, format: z.enum(AUDIT_EXPORT_FORMATS) }).refine(datesInOrder, { message: 'must not be before from', path: ['to'] });

// ---- answers ----

/** What the audit log records of one change (src/domain/audit-chain.ts hashes it with the firm id). */
export interface AuditFields {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  data: unknown;
}

/** GET /audit: an entry as people read it, the ids the log holds and the names they stand for now. */
export interface AuditEntry extends AuditFields {
  hash: string;
  prevHash: string;
  actorName: string;
  targetName: string;
  /** Parts of `data` naming a case walled off from the reader were left out: the hash covers the data as written, so it does not recompute from what is shown. */
  withheld?: true;
}

/**
 * GET /audit/verify: the chain intact, or the first entry that no longer fits. The server checks
 * the whole chain; for a reader some cases are walled off from, `entries` and `headHash` are those
 * of the entries they can read (the newest one's hash) and `includesHidden` is set, so neither the
 * count nor the head tells how many entries they cannot see.
 */
export type AuditVerdict = ({ ok: true; entries: number; headHash: string } | { ok: false; entries: number; brokenAtSeq: number; problem: string }) & { includesHidden?: true };
