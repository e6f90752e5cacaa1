import pino from 'pino';
import { JOB_KINDS, LANES } from '../../src/domain/jobs';
import { laneOf } from '../../src/services/outbox-lanes';
import { JobTimeoutError, OutboxWorker, type OutboxWorkerOptions, WorkerStoppedError } from '../../src/services/outbox-worker';
import type { Db } from '../../src/store/db';
import { enqueue } from '../../src/store/outbox';
import { freshPglite } from '../support/db';
import { enqueueProbe, type ProbeHandler, probeHandlers, SAMPLE_PAYLOADS } from '../support/outbox';
import { createScratchDatabase, type ScratchDatabase } from '../stress/support/scratch-db';

/**
 * The outbox worker keeps each lane's slots filled as jobs end, and cuts a job at its time
 * limit: one hung job (a budget wait, a connector call that never answers) holds one slot of
 * its own lane, never the other kinds, and is retried after the cut. Same SQL on PGlite and
 * PostgreSQL, so both run.
 */
const silent = pino({ level: 'silent' });
const KINDS = JOB_KINDS;
/** The same handler for every kind (its payload's `hang` marker survives the worker's payload check). */
const everyKind = (handler: ProbeHandler) => probeHandlers(Object.fromEntries(KINDS.map((k) => [k, handler])));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the store until `done` holds (generous limit: the machine may be busy), and returns the last look. */
async function until<T>(look: () => Promise<T>, done: (seen: T) => boolean, what: string, maxMs = 60_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const seen = await look();
    if (done(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`${what} within ${maxMs} ms: ${JSON.stringify(seen)}`);
    await sleep(25);
  }
}

interface Row {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  hang: boolean;
}
const rows = async (db: Db): Promise<Row[]> =>
  (await db.query<Row>(`SELECT id::int AS id, kind, status, attempts, last_error, coalesce((payload->>'hang')::boolean, false) AS hang FROM outbox ORDER BY id`)).map((r) => ({ ...r, id: Number(r.id) }));

const backends: Array<[string, () => Promise<{ db: Db; close(): Promise<void> }>]> = [
  [
    'PGlite',
    async () => {
      const db = await freshPglite();
      return { db, close: () => db.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const scratch: ScratchDatabase = await createScratchDatabase('caseroom_outbox_lanes');
      const db = await scratch.open();
      return {
        db,
        close: async () => {
          await db.close();
          await scratch.drop();
        },
      };
    },
  ],
];

describe.each(backends)('outbox worker on %s', (_name, open) => {
  let db: Db;
  let close: () => Promise<void>;
  const workers: OutboxWorker[] = [];
  const worker = (o: Omit<OutboxWorkerOptions, 'db' | 'logger' | 'pollMs'> & { pollMs?: number }) => {
    const w = new OutboxWorker({ db, logger: silent, pollMs: 20, ...o });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    ({ db, close } = await open());
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await db.exec('DELETE FROM outbox');
  });
  afterAll(async () => {
    await close?.();
  });

  it('gives every kind CaseRoom enqueues a lane, and each lane slots of its own', () => {
    expect(new Set(KINDS.map(laneOf))).toEqual(new Set(LANES));
    expect(laneOf('sync-guest-access')).toBe('access');
    expect(laneOf('m365-expiry')).toBe('access');
    expect(laneOf('notify')).toBe('notify');
    expect(laneOf('bot-deliver')).toBe('notify');
    expect(laneOf('m365-delta')).toBe('m365');
  });

  it.each(KINDS)('one hung %s job holds only its own slot: every other job of every kind still runs', async (hungKind) => {
    // More jobs of each kind than any lane has slots: the lane must refill around the hung job.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handler: ProbeHandler = async (job) => {
      if (job.payload.hang) await released;
    };
    await enqueueProbe(db, { firmId: null, kind: hungKind, payload: { ...SAMPLE_PAYLOADS[hungKind], hang: true } });
    for (let round = 0; round < 6; round++) for (const kind of KINDS) await enqueueProbe(db, { firmId: null, kind, payload: { ...SAMPLE_PAYLOADS[kind], round } });
    const w = worker({ handlers: everyKind(handler), leaseSeconds: 120 });
    w.start();

    const seen = await until(
      () => rows(db),
      (r) => r.filter((x) => !x.hang).every((x) => x.status === 'done'),
      'the jobs beside the hung one did not all run',
    );
    expect(seen.filter((x) => x.hang)).toEqual([expect.objectContaining({ kind: hungKind, status: 'running', attempts: 1 })]);
    expect(seen.filter((x) => !x.hang)).toHaveLength(6 * KINDS.length);

    release();
    await until(
      () => rows(db),
      (r) => r.every((x) => x.status === 'done'),
      'the released job did not finish',
    );
  });

  it('an access job runs at once while every notification slot is taken', async () => {
    // The old worker claimed 10 jobs in id order and waited for all of them: here it would never reach the revocation.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    for (let i = 0; i < 30; i++) await enqueue(db, { firmId: null, kind: 'notify', payload: SAMPLE_PAYLOADS.notify });
    await enqueue(db, { firmId: null, kind: 'sync-guest-access', payload: { contactId: 'c-1' }, dedupeKey: 'sync:c-1' });
    const synced: string[] = [];
    const w = worker({
      handlers: {
        notify: async () => released,
        'sync-guest-access': async (job) => void synced.push(job.payload.contactId),
      },
      leaseSeconds: 120,
    });
    w.start();
    const notifying = (r: Row[]) => r.filter((x) => x.kind === 'notify' && x.status === 'running').length;
    await until(
      () => rows(db),
      (r) => notifying(r) === 3,
      'the notification lane did not fill',
    );
    await until(
      async () => synced,
      (s) => s.length === 1,
      'the sync job did not run',
    );
    const notify = (await rows(db)).filter((r) => r.kind === 'notify');
    expect({ running: notifying(notify), done: notify.filter((r) => r.status === 'done').length }).toEqual({ running: 3, done: 0 });
    release();
    await until(
      () => rows(db),
      (r) => r.every((x) => x.status === 'done'),
      'the notifications did not finish',
    );
  });

  it('cuts a job of each kind at its time limit, aborts its handler and retries it', async () => {
    const LIMIT_MS = 400;
    const firstRun = new Map<number, { started: number; aborted: number | null; reason: unknown }>();
    // First run of a `hang` job never ends and ignores its signal (the worst handler); the retry succeeds.
    const handler: ProbeHandler = async (job, signal) => {
      if (!job.payload.hang || firstRun.has(job.id)) return;
      const run: { started: number; aborted: number | null; reason: unknown } = { started: Date.now(), aborted: null, reason: null };
      firstRun.set(job.id, run);
      signal?.addEventListener('abort', () => {
        run.aborted = Date.now();
        run.reason = signal.reason;
      });
      await new Promise<never>(() => undefined);
    };
    for (const kind of KINDS) {
      await enqueueProbe(db, { firmId: null, kind, payload: { ...SAMPLE_PAYLOADS[kind], hang: true } });
      await enqueueProbe(db, { firmId: null, kind, payload: { ...SAMPLE_PAYLOADS[kind], hang: false } });
    }
    const w = worker({ handlers: everyKind(handler), leaseSeconds: 120, jobTimeoutMs: LIMIT_MS });
    w.start();

    const seen = await until(
      () => rows(db),
      (r) => r.every((x) => x.status === 'done'),
      'the cut jobs were not retried to the end',
    );
    expect(seen.filter((x) => x.hang).map((x) => ({ kind: x.kind, attempts: x.attempts, error: x.last_error }))).toEqual(KINDS.map((kind) => ({ kind, attempts: 2, error: expect.stringMatching(/time limit/) })));
    expect(seen.filter((x) => !x.hang).map((x) => x.attempts)).toEqual(KINDS.map(() => 1));
    for (const run of firstRun.values()) {
      expect(run.reason).toBeInstanceOf(JobTimeoutError);
      expect((run.aborted as number) - run.started).toBeGreaterThanOrEqual(LIMIT_MS - 50);
    }
    expect(firstRun.size).toBe(KINDS.length);
  });

  it('a cut job waits out its backoff before it runs again, and its lease is handed back', async () => {
    await enqueue(db, { firmId: null, kind: 'notify', payload: SAMPLE_PAYLOADS.notify });
    const w = worker({ handlers: { notify: () => new Promise<never>(() => undefined) }, leaseSeconds: 120, jobTimeoutMs: 200 });
    w.start();
    const [cut] = await until(
      () => db.query<{ status: string; attempts: number; locked_until: string | null; due_in_ms: number }>(`SELECT status, attempts, locked_until, (extract(epoch FROM run_after - now()) * 1000)::int AS due_in_ms FROM outbox`),
      (r) => r[0]?.status === 'pending' && r[0].attempts === 1,
      'the hung job was not cut',
    );
    expect(cut.locked_until).toBeNull();
    // 500 ms × 2^attempts after the first attempt: about a second, not at once.
    expect(cut.due_in_ms).toBeGreaterThan(300);
  });

  it('stop() hands a job still running after its grace period back at once, without using up an attempt', async () => {
    await enqueue(db, { firmId: null, kind: 'sync-guest-access', payload: SAMPLE_PAYLOADS['sync-guest-access'], dedupeKey: 'sync:stuck' });
    let aborted: unknown = null;
    const w = worker({
      handlers: {
        'sync-guest-access': (_job, signal) => {
          signal?.addEventListener('abort', () => (aborted = signal.reason));
          return new Promise<never>(() => undefined);
        },
      },
      leaseSeconds: 120,
    });
    w.start();
    await until(
      () => rows(db),
      (r) => r[0]?.status === 'running',
      'the job did not start',
    );
    await w.stop(100);
    const [job] = await db.query<{ status: string; attempts: number; locked_until: string | null; due_in_ms: number; last_error: string }>(
      `SELECT status, attempts, locked_until, last_error, (extract(epoch FROM run_after - now()) * 1000)::int AS due_in_ms FROM outbox`,
    );
    expect(job).toEqual({ status: 'pending', attempts: 0, locked_until: null, last_error: expect.stringMatching(/worker stopped/), due_in_ms: expect.any(Number) });
    expect(job.due_in_ms).toBeLessThanOrEqual(0);
    expect(aborted).toBeInstanceOf(WorkerStoppedError);
  });

  it('fails a job whose payload does not fit its kind for good, naming the field, and runs the rest', async () => {
    // As an older version might have left it: a sync job without its guest.
    await enqueueProbe(db, { firmId: null, kind: 'sync-guest-access', payload: { guestId: 'c-old' } });
    await enqueue(db, { firmId: null, kind: 'sync-guest-access', payload: { contactId: 'c-new' } });
    const synced: string[] = [];
    const w = worker({ handlers: { 'sync-guest-access': async (job) => void synced.push(job.payload.contactId) }, leaseSeconds: 120 });
    expect(await w.drain()).toBe(2);
    expect(synced).toEqual(['c-new']);
    expect((await rows(db)).map((r) => ({ status: r.status, attempts: r.attempts, error: r.last_error }))).toEqual([
      { status: 'failed', attempts: 1, error: 'sync-guest-access job payload: payload.contactId is missing' },
      { status: 'done', attempts: 1, error: null },
    ]);
  });

  it('drain() runs work that jobs queue in other lanes, and returns how many jobs it ran', async () => {
    await enqueue(db, { firmId: null, kind: 'notify', payload: SAMPLE_PAYLOADS.notify });
    const w = worker({
      handlers: {
        notify: async () => enqueue(db, { firmId: null, kind: 'sync-guest-access', payload: SAMPLE_PAYLOADS['sync-guest-access'], dedupeKey: 'sync:x' }),
        'sync-guest-access': async () => enqueue(db, { firmId: null, kind: 'bot-deliver', payload: SAMPLE_PAYLOADS['bot-deliver'] }),
        'bot-deliver': async () => undefined,
      },
      leaseSeconds: 120,
    });
    expect(await w.drain()).toBe(3);
    expect((await rows(db)).map((r) => [r.kind, r.status])).toEqual([
      ['notify', 'done'],
      ['sync-guest-access', 'done'],
      ['bot-deliver', 'done'],
    ]);
    expect(await w.drain()).toBe(0);
  });
});
