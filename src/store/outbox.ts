import type { JobKind, JobPayloads } from '../domain/jobs';
import type { Db, Queryable } from './db';

/**
 * Work for Microsoft 365, written in the same transaction as the change that caused it, so a
 * crash can never leave a grant without its SharePoint permission job. Several app instances
 * share the table: `FOR UPDATE SKIP LOCKED` hands each job to one of them, and a job whose
 * lease runs out (its instance died) is handed out again. Jobs with the same dedupe key never
 * run at the same time, and at most one of them waits, since each run reads the latest state.
 */
/** A job as claimed: its kind and payload as the database holds them, not yet checked (the worker parses them). */
export interface ClaimedJob {
  id: number;
  firmId: string | null;
  kind: string;
  payload: unknown;
  dedupeKey: string | null;
  attempts: number;
}

/** A claimed job whose payload has been checked against its kind (src/domain/jobs.ts). */
export interface OutboxJob<K extends JobKind = JobKind> extends ClaimedJob {
  kind: K;
  payload: JobPayloads[K];
}

/** What `enqueue` writes: the payload's type follows from the kind. */
export interface JobRequest<K extends JobKind> {
  firmId: string | null;
  kind: K;
  payload: JobPayloads[K];
  /** Jobs with one key never run at once, and at most one of them waits (each run reads the latest state). */
  dedupeKey?: string;
  runAfter?: Date;
}

export async function enqueue<K extends JobKind>(q: Queryable, job: JobRequest<K>): Promise<void> {
  await q.query(
    `INSERT INTO outbox (firm_id, kind, payload, dedupe_key, run_after) VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))
     ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL DO NOTHING`,
    [job.firmId, job.kind, JSON.stringify(job.payload), job.dedupeKey ?? null, job.runAfter?.toISOString() ?? null],
  );
}

/** Brings a pending job of this key that waits for a later time forward to now (no job: nothing to do). */
export async function hasten(q: Queryable, dedupeKey: string): Promise<void> {
  await q.query(`UPDATE outbox SET run_after = now() WHERE dedupe_key = $1 AND status = 'pending' AND run_after > now()`, [dedupeKey]);
}

/** Whether a job of this key waits or runs now (not yet done). */
export async function isOutstanding(q: Queryable, dedupeKey: string): Promise<boolean> {
  const rows = await q.query(`SELECT 1 FROM outbox WHERE dedupe_key = $1 AND status IN ('pending', 'running') LIMIT 1`, [dedupeKey]);
  return rows.length > 0;
}

/** Restricts a claim to some kinds (`only`) or to every kind but some (`except`): one lane's jobs. */
export type ClaimKinds = { only: readonly string[] } | { except: readonly string[] };

export async function claim(db: Db, workerId: string, limit: number, leaseSeconds: number, kinds?: ClaimKinds): Promise<ClaimedJob[]> {
  const only = kinds && 'only' in kinds ? [...kinds.only] : null;
  const except = kinds && 'except' in kinds ? [...kinds.except] : null;
  return db.transaction(async (tx) => {
    const rows = await tx.query<Record<string, unknown>>(
      `UPDATE outbox SET status = 'running', locked_by = $1, locked_until = now() + make_interval(secs => $3), attempts = attempts + 1
       WHERE id IN (
         SELECT o.id FROM outbox o
         WHERE ((o.status = 'pending' AND o.run_after <= now()) OR (o.status = 'running' AND o.locked_until < now()))
           AND ($4::text[] IS NULL OR o.kind = ANY($4::text[]))
           AND ($5::text[] IS NULL OR o.kind <> ALL($5::text[]))
           -- A pending job waits behind any running job of its key, even one whose lease ran out:
           -- that one is reclaimed first, so two jobs of one key never run at once.
           AND (o.dedupe_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM outbox r WHERE r.dedupe_key = o.dedupe_key AND r.id <> o.id AND r.status = 'running'
               AND (r.locked_until >= now() OR o.status = 'pending')))
         ORDER BY o.id
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, firm_id, kind, payload, dedupe_key, attempts`,
      [workerId, limit, leaseSeconds, only, except],
    );
    // Two pending jobs with one key can be picked in the same batch; keep the oldest, release the rest.
    const seen = new Set<string>();
    const jobs: ClaimedJob[] = [];
    for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      const key = (r.dedupe_key as string | null) ?? null;
      if (key && seen.has(key)) {
        await tx.query(`UPDATE outbox SET status = 'pending', locked_by = NULL, locked_until = NULL, attempts = attempts - 1 WHERE id = $1`, [r.id]);
        continue;
      }
      if (key) seen.add(key);
      jobs.push({ id: Number(r.id), firmId: (r.firm_id as string | null) ?? null, kind: r.kind as string, payload: r.payload, dedupeKey: key, attempts: Number(r.attempts) });
    }
    return jobs;
  });
}

/**
 * Hands every running job back at once, whoever holds it. Only for a store no other process can
 * have open (PGlite's data directory): then any lease found at start-up is a dead predecessor's,
 * and waiting it out would only delay its work. Never on a shared PostgreSQL, where the holders
 * may be alive. Returns the ids released.
 */
export async function releaseAllLeases(q: Queryable): Promise<number[]> {
  const rows = await q.query<{ id: number }>(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE status = 'running' RETURNING id`);
  return rows.map((r) => Number(r.id));
}

/** Keeps a long job's lease from running out while its worker is alive (the worker renews it); false once the job is no longer this worker's. */
export async function renewLease(q: Queryable, jobId: number, workerId: string, leaseSeconds: number): Promise<boolean> {
  const rows = await q.query(`UPDATE outbox SET locked_until = now() + make_interval(secs => $3) WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`, [jobId, workerId, leaseSeconds]);
  return rows.length > 0;
}

export async function complete(q: Queryable, jobId: number, workerId: string): Promise<boolean> {
  const rows = await q.query(`UPDATE outbox SET status = 'done', done_at = now(), locked_until = NULL WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`, [jobId, workerId]);
  return rows.length > 0;
}

/**
 * Puts the job back with a delay, or marks it failed for good after `maxAttempts`. A wait the
 * other side asked for (throttling, another job holding what this one needs) is not a failed
 * attempt: with `countsAsAttempt` false it neither uses up an attempt nor can end the job.
 */
export async function fail(q: Queryable, job: Pick<ClaimedJob, 'id' | 'attempts'>, workerId: string, error: string, retryAfterMs: number, maxAttempts: number, countsAsAttempt = true): Promise<void> {
  const final = countsAsAttempt && job.attempts >= maxAttempts;
  if (!countsAsAttempt) await q.query(`UPDATE outbox SET attempts = attempts - 1 WHERE id = $1 AND locked_by = $2 AND status = 'running'`, [job.id, workerId]);
  await q.query(
    // A newer pending job with the same key will read the latest state anyway: this one is superseded.
    `UPDATE outbox SET
       status = CASE WHEN $3 = 'pending' AND dedupe_key IS NOT NULL AND EXISTS (
                  SELECT 1 FROM outbox p WHERE p.dedupe_key = outbox.dedupe_key AND p.status = 'pending') THEN 'done' ELSE $3 END,
       last_error = $4, locked_until = NULL, run_after = now() + make_interval(secs => $5)
     WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [job.id, workerId, final ? 'failed' : 'pending', error.slice(0, 2000), retryAfterMs / 1000],
  );
}

export async function outboxCounts(q: Queryable): Promise<Record<string, number>> {
  const rows = await q.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM outbox GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
