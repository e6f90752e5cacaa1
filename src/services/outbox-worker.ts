import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import type { Db } from '../store/db';
import { claim, complete, fail, type OutboxJob, releaseAllLeases } from '../store/outbox';

/**
 * Start-up recovery for the embedded store. PGlite's data directory is opened by one process at
 * a time, so a job still "running" when this process opened it was held by a predecessor that
 * died (kill -9, power loss) and will never finish it: take it over now instead of after the
 * lease. On PostgreSQL the holders may be other live instances, so their leases are left to
 * run out. Call only before this process's own worker starts.
 */
export async function releaseDeadPredecessorLeases(db: Db, logger: Logger): Promise<number[]> {
  if (db.kind !== 'pglite') return [];
  const released = await releaseAllLeases(db);
  if (released.length > 0) logger.warn({ jobIds: released }, 'outbox jobs of a process that did not stop cleanly released for retry');
  return released;
}

export type JobHandler = (job: OutboxJob) => Promise<void>;

export interface OutboxWorkerOptions {
  db: Db;
  logger: Logger;
  handlers: Partial<Record<string, JobHandler>>;
  pollMs: number;
  batchSize?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  workerId?: string;
}

/**
 * Takes jobs from the outbox and runs them. Safe to run in several instances against one
 * PostgreSQL: each claim is `FOR UPDATE SKIP LOCKED`, a dead instance's lease expires, and
 * handlers are idempotent, so "at least once" never becomes "twice in effect".
 */
export class OutboxWorker {
  readonly workerId: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.workerId = o.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      const worked = await this.runOnce().catch((err) => {
        this.o.logger.error({ err }, 'outbox poll failed');
        return 0;
      });
      if (!this.stopped) this.timer = setTimeout(loop, worked > 0 ? 0 : this.o.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and runs one batch; returns how many jobs it took. Tests call this to step the worker. */
  async runOnce(): Promise<number> {
    const run = this.batch();
    this.running = run.then(() => undefined);
    return run;
  }

  /** Runs batches until nothing is ready (jobs waiting for a later retry are left waiting). */
  async drain(maxBatches = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runOnce();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  private async batch(): Promise<number> {
    const jobs = await claim(this.o.db, this.workerId, this.o.batchSize ?? 10, this.o.leaseSeconds ?? 120);
    await Promise.all(jobs.map((job) => this.runJob(job)));
    return jobs.length;
  }

  private async runJob(job: OutboxJob): Promise<void> {
    const log = this.o.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const handler = this.o.handlers[job.kind];
    if (!handler) {
      log.error('no handler for this kind of job');
      await fail(this.o.db, job, this.workerId, `no handler for ${job.kind}`, 60_000, 1);
      return;
    }
    try {
      await handler(job);
      await complete(this.o.db, job.id, this.workerId);
      log.debug('job done');
    } catch (err) {
      const throttled = err instanceof DomainError && err.retryAfterSeconds !== undefined;
      const delayMs = throttled ? (err.retryAfterSeconds as number) * 1000 : Math.min(60_000, 500 * 2 ** Math.min(job.attempts, 7));
      log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delayMs }, 'job failed; will retry');
      await fail(this.o.db, job, this.workerId, err instanceof Error ? err.message : String(err), delayMs, this.o.maxAttempts ?? 12, !throttled);
    }
  }
}
