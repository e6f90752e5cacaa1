import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import { isJobKind, isLongJob, type JobKind, JobPayloadError, LANES, type Lane, LONG_JOB_LIMIT_MS, parseJobPayload } from '../domain/jobs';
import type { Db } from '../store/db';
import { claim, type ClaimedJob, type ClaimKinds, complete, fail, type OutboxJob, releaseAllLeases, renewLease } from '../store/outbox';
import { traceJob } from '../telemetry';
import { DEFAULT_LANE_SLOTS, kindFilterOf } from './outbox-lanes';

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

/**
 * Runs one job. `signal` (always given by the worker; a test calling a handler directly may
 * leave it out) fires when the job is cut at its time limit: the worker has then already put
 * the job back for a retry, so a handler that sees it should stop at once.
 */
export type JobHandler<K extends JobKind = JobKind> = (job: OutboxJob<K>, signal?: AbortSignal) => Promise<void>;

/** Handlers by kind, each receiving its own kind's payload; a part handles some kinds, the worker gets them all. */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export interface OutboxWorkerOptions {
  db: Db;
  logger: Logger;
  handlers: JobHandlers;
  pollMs: number;
  /** Jobs running at once per lane: one number for every lane, or per lane (default DEFAULT_LANE_SLOTS). */
  slots?: number | Partial<Record<Lane, number>>;
  leaseSeconds?: number;
  /**
   * A job still running after this long is cut and retried with backoff. Default: three
   * quarters of the lease, so a slow job is handed back before another instance could take it.
   */
  jobTimeoutMs?: number;
  /**
   * The limit of long kinds (JobSpec.long in src/domain/jobs.ts), whose leases the worker renews.
   * Default LONG_JOB_LIMIT_MS, unless `jobTimeoutMs` is given alone: then that one limit holds for every kind.
   */
  longJobTimeoutMs?: number;
  maxAttempts?: number;
  workerId?: string;
}

/** Why a job was cut: given to its handler's AbortSignal and written as the job's last error. */
export class JobTimeoutError extends Error {
  constructor(
    readonly kind: string,
    readonly limitMs: number,
  ) {
    super(`${kind} job ran past its ${limitMs} ms time limit and was cut`);
    this.name = 'JobTimeoutError';
  }
}

/** A job still running when its worker stopped (after the grace period): handed back to run again at once. */
export class WorkerStoppedError extends Error {
  constructor(readonly kind: string) {
    super(`${kind} job was still running when its worker stopped; handed back`);
    this.name = 'WorkerStoppedError';
  }
}

/** How long stop() lets running jobs finish before it cuts them and hands them back. */
export const STOP_GRACE_MS = 10_000;

type JobOutcome = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'cut'; error: JobTimeoutError | WorkerStoppedError };

interface LaneState {
  name: Lane;
  slots: number;
  kinds: ClaimKinds;
  busy: number;
  /** The claim in progress, if any: one per lane at a time, so a lane never takes more than its free slots. */
  claiming: Promise<number> | null;
  /** A slot freed during the claim: claim again once it returns. */
  again: boolean;
  poll: NodeJS.Timeout | null;
}

const retryDelayMs = (attempts: number) => Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));

/**
 * Takes jobs from the outbox and runs them. Safe to run in several instances against one
 * PostgreSQL: each claim is `FOR UPDATE SKIP LOCKED`, a dead instance's lease expires, and
 * handlers are idempotent, so "at least once" never becomes "twice in effect".
 *
 * Each lane (outbox-lanes.ts) keeps its slots filled: as soon as a job ends, the lane claims
 * more, so one slow job holds one slot, not every other job. Every job has a time limit; a job
 * past it is failed for a retry with backoff and its slot freed. Its handler is told through
 * the AbortSignal; one that ignores it runs on in the background, but its outcome is no longer
 * recorded (the job is already back in the queue).
 */
export class OutboxWorker {
  readonly workerId: string;
  private readonly lanes: LaneState[];
  private readonly inFlight = new Set<Promise<void>>();
  /** Cuts a running job now (stop() after its grace period). */
  private readonly cutters = new Set<() => void>();
  private jobEnded: Array<() => void> = [];
  private started = false;
  private stopped = false;
  private readonly jobTimeoutMs: number;
  private readonly longJobTimeoutMs: number;
  private readonly leaseSeconds: number;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.workerId = o.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.leaseSeconds = o.leaseSeconds ?? 120;
    this.jobTimeoutMs = o.jobTimeoutMs ?? Math.floor(this.leaseSeconds * 750);
    this.longJobTimeoutMs = o.longJobTimeoutMs ?? (o.jobTimeoutMs !== undefined ? o.jobTimeoutMs : Math.max(this.jobTimeoutMs, LONG_JOB_LIMIT_MS));
    const slotsOf = (lane: Lane) => (typeof o.slots === 'number' ? o.slots : (o.slots?.[lane] ?? DEFAULT_LANE_SLOTS[lane]));
    this.lanes = LANES.map((name) => ({ name, slots: Math.max(1, slotsOf(name)), kinds: kindFilterOf(name), busy: 0, claiming: null, again: false, poll: null }));
  }

  /** Runs jobs in the background until stop(): every lane refills as its jobs end, and polls every `pollMs` while idle. */
  start(): void {
    this.started = true;
    this.stopped = false;
    for (const lane of this.lanes) this.armPoll(lane, 0);
  }

  /**
   * Claims nothing more and lets the jobs in hand finish for `graceMs`; those still running then
   * are cut and handed back at once (not counted as an attempt), so another instance, or this
   * one after a restart, takes them now instead of after their lease.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopped = true;
    this.started = false;
    for (const lane of this.lanes) {
      if (lane.poll) clearTimeout(lane.poll);
      lane.poll = null;
    }
    await Promise.allSettled(this.lanes.map((l) => l.claiming));
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
    clearTimeout(grace);
    for (const cut of [...this.cutters]) cut();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Fills every lane's free slots once and waits for those jobs; returns how many it took. Tests call this to step the worker. */
  async runOnce(): Promise<number> {
    const before = new Set(this.inFlight);
    const taken = await this.fillAll();
    await Promise.allSettled([...this.inFlight].filter((p) => !before.has(p)));
    return taken;
  }

  /**
   * Runs jobs until nothing is ready and none is running (jobs waiting for a later retry are
   * left waiting); returns how many it took. Slots refill as jobs end, as in the background.
   */
  async drain(maxJobs = 100_000): Promise<number> {
    let total = 0;
    while (!this.stopped && total < maxJobs) {
      const ended = this.nextJobEnd();
      const taken = await this.fillAll();
      total += taken;
      if (this.inFlight.size === 0) {
        if (taken === 0) break;
        continue;
      }
      await ended;
    }
    return total;
  }

  private nextJobEnd(): Promise<void> {
    return new Promise((resolve) => this.jobEnded.push(resolve));
  }

  /** The access lane (revocations) claims first, then the others together. */
  private async fillAll(): Promise<number> {
    const [first, ...others] = this.lanes;
    const taken = [await this.fill(first), ...(await Promise.all(others.map((lane) => this.fill(lane))))];
    return taken.reduce((a, b) => a + b, 0);
  }

  /** Claims jobs for the lane's free slots and starts them; returns how many it started. */
  private async fill(lane: LaneState): Promise<number> {
    if (lane.claiming) {
      lane.again = true;
      await lane.claiming.catch(() => undefined);
      return 0;
    }
    const claiming = (async () => {
      let taken = 0;
      do {
        lane.again = false;
        const free = lane.slots - lane.busy;
        if (free <= 0 || this.stopped) break;
        const jobs = await claim(this.o.db, this.workerId, free, this.leaseSeconds, lane.kinds);
        for (const job of jobs) this.launch(lane, job);
        taken += jobs.length;
      } while (lane.again);
      return taken;
    })();
    lane.claiming = claiming;
    try {
      return await claiming;
    } finally {
      lane.claiming = null;
      this.armPoll(lane, this.o.pollMs);
    }
  }

  /** In the background, a lane with free slots looks again after `delayMs`. */
  private armPoll(lane: LaneState, delayMs: number): void {
    if (!this.started || this.stopped || lane.poll || lane.busy >= lane.slots) return;
    lane.poll = setTimeout(() => {
      lane.poll = null;
      this.fill(lane).catch((err: unknown) => this.o.logger.error({ err, lane: lane.name }, 'outbox poll failed'));
    }, delayMs);
  }

  private launch(lane: LaneState, job: ClaimedJob): void {
    lane.busy++;
    const run: Promise<void> = this.runJob(job)
      .catch((err: unknown) => this.o.logger.error({ err, jobId: job.id, kind: job.kind }, 'outbox could not record the end of a job'))
      .finally(() => {
        lane.busy--;
        this.inFlight.delete(run);
        const waiting = this.jobEnded;
        this.jobEnded = [];
        for (const resolve of waiting) resolve();
        if (this.started && !this.stopped) {
          if (lane.poll) clearTimeout(lane.poll);
          lane.poll = null;
          this.fill(lane).catch((err: unknown) => this.o.logger.error({ err, lane: lane.name }, 'outbox poll failed'));
        }
      });
    this.inFlight.add(run);
  }

  private async runJob(job: ClaimedJob): Promise<void> {
    const log = this.o.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const maxAttempts = this.o.maxAttempts ?? 12;
    const run = this.prepare(job);
    if ('refused' in run) {
      log.error({ err: run.refused }, run.refused instanceof JobPayloadError ? 'job payload does not fit its kind; failed for good' : 'no handler for this kind of job');
      await fail(this.o.db, job, this.workerId, run.refused.message, 60_000, 1);
      return;
    }
    const outcome = await traceJob(job.kind, job.attempts, () => this.withinTimeLimit(job, run.start));
    if (outcome.kind === 'done') {
      await complete(this.o.db, job.id, this.workerId);
      log.debug('job done');
      return;
    }
    if (outcome.kind === 'cut' && outcome.error instanceof WorkerStoppedError) {
      log.warn('worker stopping: running job cut and handed back');
      await fail(this.o.db, job, this.workerId, outcome.error.message, 0, maxAttempts, false);
      return;
    }
    if (outcome.kind === 'cut') {
      const delayMs = retryDelayMs(job.attempts);
      log.warn({ limitMs: this.jobTimeoutMs, retryInMs: delayMs }, 'job ran past its time limit; cut and queued for a retry');
      await fail(this.o.db, job, this.workerId, outcome.error.message, delayMs, maxAttempts);
      return;
    }
    const err = outcome.error;
    const throttled = err instanceof DomainError && err.retryAfterSeconds !== undefined;
    const delayMs = throttled ? (err.retryAfterSeconds as number) * 1000 : retryDelayMs(job.attempts);
    log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delayMs }, 'job failed; will retry');
    await fail(this.o.db, job, this.workerId, err instanceof Error ? err.message : String(err), delayMs, maxAttempts, !throttled);
  }

  /**
   * The job's handler bound to its payload, checked here where the job comes back from the
   * database: a payload an older version wrote in another shape fails now, naming the field,
   * not as an undefined deep inside the handler. Kinds outside CaseRoom's table (tests' probe
   * jobs) are handed their payload as read.
   */
  private prepare(job: ClaimedJob): { start: (signal: AbortSignal) => Promise<void> } | { refused: Error } {
    if (!isJobKind(job.kind)) {
      // Only a test's probe handler can be here (it was put in the map with a cast, tests/support/outbox.ts).
      const handler = (this.o.handlers as Partial<Record<string, (job: ClaimedJob, signal: AbortSignal) => Promise<void>>>)[job.kind];
      return handler ? { start: (signal) => handler(job, signal) } : { refused: new Error(`no handler for ${job.kind}`) };
    }
    return this.bind(job.kind, job);
  }

  private bind<K extends JobKind>(kind: K, job: ClaimedJob): { start: (signal: AbortSignal) => Promise<void> } | { refused: Error } {
    const handler: JobHandler<K> | undefined = this.o.handlers[kind];
    if (!handler) return { refused: new Error(`no handler for ${kind}`) };
    try {
      const typed: OutboxJob<K> = { ...job, kind, payload: parseJobPayload(kind, job.payload) };
      return { start: (signal) => handler(typed, signal) };
    } catch (err) {
      if (err instanceof JobPayloadError) return { refused: err };
      throw err;
    }
  }

  /** The handler's outcome, or `cut` once the job's time is up or its worker stops (the handler is then aborted and left behind). */
  private async withinTimeLimit(job: ClaimedJob, start: (signal: AbortSignal) => Promise<void>): Promise<JobOutcome> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let cutter: () => void = () => undefined;
    // A long job keeps its lease while it runs, so no other instance takes it; its limit is longer.
    const long = isLongJob(job.kind);
    const limitMs = long ? this.longJobTimeoutMs : this.jobTimeoutMs;
    const renewal = long
      ? setInterval(() => {
          renewLease(this.o.db, job.id, this.workerId, this.leaseSeconds).catch((err: unknown) => this.o.logger.warn({ err, jobId: job.id }, 'could not renew a long job lease'));
        }, this.leaseSeconds * 250)
      : undefined;
    renewal?.unref();
    const limit = new Promise<JobOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'cut', error: new JobTimeoutError(job.kind, limitMs) }), limitMs);
      // A job left hung by a test or a dying process must not keep the process alive by itself.
      timer.unref();
      cutter = () => resolve({ kind: 'cut', error: new WorkerStoppedError(job.kind) });
    });
    this.cutters.add(cutter);
    const work = Promise.resolve()
      .then(() => start(abort.signal))
      .then(
        () => ({ kind: 'done' as const }),
        (error: unknown) => ({ kind: 'failed' as const, error }),
      );
    try {
      const outcome = await Promise.race([work, limit]);
      if (outcome.kind === 'cut') abort.abort(outcome.error);
      return outcome;
    } finally {
      clearTimeout(timer);
      clearInterval(renewal);
      this.cutters.delete(cutter);
    }
  }
}
