import type { JobKind, JobPayloads } from '../../src/domain/jobs';
import type { JobHandlers } from '../../src/services/outbox-worker';
import type { Queryable } from '../../src/store/db';
import { type ClaimedJob, enqueue, type JobRequest } from '../../src/store/outbox';

/** For each kind, a payload its handler accepts: tests that queue one job of every kind start from these. */
export const SAMPLE_PAYLOADS: { readonly [K in JobKind]: JobPayloads[K] } = {
  'sync-guest-access': { contactId: 'contact-1' },
  'm365-expiry': {},
  'seal-staff-only': { itemId: 'item-1' },
  'provision-case': { caseId: 'case-1' },
  'invite-guest': { contactId: 'contact-1' },
  'm365-acceptance': {},
  'm365-drift': {},
  'm365-subscriptions': {},
  'm365-delta': { driveId: 'drive-1' },
  'm365-import-file': { driveId: 'drive-1', driveItemId: 'drive-item-1' },
  notify: { event: { type: 'invitation.accepted', firmId: 'firm-1', contactId: 'contact-1', caseIds: ['case-1'] } },
  'bot-deliver': { postKey: 'post-1' },
  'guest-digest': { contactId: 'contact-1' },
  'upload-write': { batchId: 'batch-1' },
};

/**
 * Tests' probe jobs: a kind CaseRoom never queues (`probe`), or a real kind whose payload carries
 * a marker the test reads back (`hang`). They go through the product's own enqueue (its SQL and
 * dedupe rule); only the type is widened, here, so src/ keeps its typed job map.
 */
export interface ProbeRequest {
  firmId: string | null;
  kind: string;
  payload: Record<string, unknown>;
  dedupeKey?: string;
  runAfter?: Date;
}

export async function enqueueProbe(q: Queryable, job: ProbeRequest): Promise<void> {
  await enqueue(q, job as unknown as JobRequest<JobKind>);
}

/** A probe handler sees the job as the database holds it: any kind, the payload as an open record. */
export type ProbeHandler = (job: ClaimedJob & { payload: Record<string, unknown> }, signal?: AbortSignal) => Promise<void>;

/**
 * Handlers for a worker by any kind name. The worker checks a CaseRoom kind's payload before its
 * handler runs (unknown fields are kept, so markers survive) and hands a kind outside the table
 * its payload as read.
 */
export function probeHandlers(handlers: Record<string, ProbeHandler>): JobHandlers {
  return handlers as unknown as JobHandlers;
}
