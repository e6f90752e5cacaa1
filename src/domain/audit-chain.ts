import { createHash } from 'node:crypto';
import type { AuditFields, AuditVerdict } from '../contract/audit';

/**
 * The audit log is append-only and hash-chained per firm: each entry's hash covers its own
 * content and the previous entry's hash, so editing or deleting any row breaks every hash
 * after it and `verifyChain` names the first entry that no longer fits.
 */
export interface AuditContent extends AuditFields {
  firmId: string;
}

export interface ChainedAuditEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the same content always hashes the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashAuditEntry(prevHash: string, content: AuditContent): string {
  const { firmId, seq, at, actor, action, target, reason, data } = content;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson({ firmId, seq, at, actor, action, target, reason, data })).digest('hex');
}

export type ChainVerdict = AuditVerdict;

/** Entries must come in seq order, starting at 1. */
export function verifyChain(entries: readonly ChainedAuditEntry[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { ok: false, entries: entries.length, brokenAtSeq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
    if (entry.prevHash !== prevHash) return { ok: false, entries: entries.length, brokenAtSeq: entry.seq, problem: 'previous-hash link does not match' };
    if (hashAuditEntry(prevHash, entry) !== entry.hash) return { ok: false, entries: entries.length, brokenAtSeq: entry.seq, problem: 'content does not match its hash' };
    prevHash = entry.hash;
    expectedSeq++;
  }
  return { ok: true, entries: entries.length, headHash: prevHash };
}
