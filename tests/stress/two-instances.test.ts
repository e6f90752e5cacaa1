import path from 'node:path';
import pino from 'pino';
import type { Db } from '../../src/store/db';
import { claim, outboxCounts } from '../../src/store/outbox';
import { OutboxWorker } from '../../src/services/outbox-worker';
import { enqueueProbe, probeHandlers } from '../support/outbox';
import { spawnTsx, type Child } from './support/child';
import { overlappingRuns, PROBE_KIND, PROBE_SCHEMA, probeHandler, probeRuns } from './support/outbox-probe';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db';

/**
 * Two app instances (two pools, two workers) and a third in a child process share one
 * PostgreSQL outbox. A few thousand jobs, a fifth of them enqueued under 40 dedupe keys while
 * the workers run; the child is SIGKILLed inside a keyed job, its lease runs out and the others
 * take the job over. Afterwards: every job done exactly once in effect, none lost or failed,
 * runs of one key never overlapped, and every keyed enqueue was followed by a run of its key.
 */
const PLAIN_JOBS = 2400;
const KEYS = 40;
const KEYED_ENQUEUES = 900;
const CHILD_LEASE_SECONDS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two instances on one PostgreSQL', () => {
  let scratch: ScratchDatabase;
  const dbs: Db[] = [];
  const workers: OutboxWorker[] = [];
  let child: Child | null = null;

  beforeAll(async () => {
    scratch = await createScratchDatabase('caseroom_stress_outbox');
  });
  afterAll(async () => {
    await child?.kill();
    for (const w of workers) await w.stop();
    for (const db of dbs) await db.close();
    await scratch?.drop();
  });

  it('takes every job exactly once, keeps dedupe keys apart, and survives a worker killed mid-job', async () => {
    const control = await scratch.open();
    dbs.push(control);
    await control.exec(PROBE_SCHEMA);
    const addPlain = (from: number, count: number) => control.query(`INSERT INTO outbox (kind, payload) SELECT $1, jsonb_build_object('ms', i % 4, 'n', i) FROM generate_series($2::int, $3::int) AS i`, [PROBE_KIND, from, from + count - 1]);
    await addPlain(1, PLAIN_JOBS / 4);

    // The instance that will die: one slot, so exactly one job is in its hands when it is killed.
    child = spawnTsx(path.join(__dirname, 'fixtures/outbox-child.ts'), { DATABASE_URL: scratch.url, TRAP_AFTER: '40', LEASE_SECONDS: String(CHILD_LEASE_SECONDS), WORKER_ID: 'child' });
    await child.waitFor(/^READY$/, 30_000);

    for (const name of ['instance-a', 'instance-b']) {
      const db = await scratch.open();
      dbs.push(db);
      const worker = new OutboxWorker({ db, logger: pino({ level: 'silent' }), handlers: probeHandlers({ [PROBE_KIND]: probeHandler(db, name) }), pollMs: 10, slots: 10, leaseSeconds: 60, workerId: name });
      workers.push(worker);
      worker.start();
    }

    // Keyed and plain work keeps arriving while everything runs; keyed enqueues collapse into the
    // one pending job per key whenever a job of that key is already waiting.
    const lastEnqueueAt = new Map<string, number>();
    const plainPerStep = (PLAIN_JOBS * 3) / 4 / (KEYED_ENQUEUES / 10);
    const producer = (async () => {
      for (let i = 0; i < KEYED_ENQUEUES; i++) {
        if (i % 10 === 0) await addPlain(PLAIN_JOBS / 4 + (i / 10) * plainPerStep + 1, plainPerStep);
        const key = `key-${i % KEYS}`;
        const [{ t }] = await control.query<{ t: string }>('SELECT extract(epoch FROM clock_timestamp()) * 1000 AS t');
        await enqueueProbe(control, { firmId: null, kind: PROBE_KIND, payload: { ms: 5 + (i % 11), i }, dedupeKey: key });
        lastEnqueueAt.set(key, Number(t));
        await sleep(3);
      }
    })();

    const trappedLine = await child.waitFor(/^TRAPPED \d+$/, 60_000);
    const trappedJob = Number(trappedLine.split(' ')[1]);
    await sleep(50 + Math.floor(Math.random() * 300));
    await child.kill('SIGKILL');
    const [{ t: killedAtText }] = await control.query<{ t: string }>('SELECT extract(epoch FROM clock_timestamp()) * 1000 AS t');
    const killedAt = Number(killedAtText);
    await producer;

    const deadline = Date.now() + 90_000;
    let counts = await outboxCounts(control);
    while ((counts.pending ?? 0) + (counts.running ?? 0) > 0 && Date.now() < deadline) {
      await sleep(100);
      counts = await outboxCounts(control);
    }
    for (const w of workers) await w.stop();

    // None lost, none failed.
    expect(counts).toEqual({ done: expect.any(Number) });
    const jobs = await control.query<{ id: string; dedupe_key: string | null; attempts: number }>('SELECT id, dedupe_key, attempts FROM outbox ORDER BY id');
    expect(jobs.length).toBe(counts.done);
    expect(jobs.filter((j) => j.dedupe_key === null).length).toBe(PLAIN_JOBS);

    const runs = await probeRuns(control);
    const finishedByJob = new Map<number, number>();
    for (const r of runs) if (r.finishedAt !== null) finishedByJob.set(r.jobId, (finishedByJob.get(r.jobId) ?? 0) + 1);
    // Exactly once in effect: every job finished exactly one run.
    const twice = jobs.filter((j) => finishedByJob.get(Number(j.id)) !== 1).map((j) => ({ id: j.id, finished: finishedByJob.get(Number(j.id)) ?? 0 }));
    expect(twice).toEqual([]);

    // The only run that never finished is the killed one; another instance took that job over.
    const unfinished = runs.filter((r) => r.finishedAt === null);
    expect(unfinished.map((r) => [r.jobId, r.worker])).toEqual([[trappedJob, 'child']]);
    const takeover = runs.filter((r) => r.jobId === trappedJob && r.finishedAt !== null);
    expect(takeover).toHaveLength(1);
    expect(takeover[0].worker).toMatch(/^instance-/);
    expect(takeover[0].attempt).toBe(2);
    expect(takeover[0].startedAt).toBeGreaterThanOrEqual(unfinished[0].startedAt + CHILD_LEASE_SECONDS * 1000 - 500);

    // Runs of one key never overlapped (the killed run counts as running until the process died).
    const overlaps = overlappingRuns(runs, () => killedAt);
    expect(overlaps.map(([a, b]) => `${a.dedupeKey}: job ${a.jobId} (${a.worker}) and job ${b.jobId} (${b.worker})`)).toEqual([]);

    // Collapsing is safe: after each key's last enqueue, a run of that key started.
    for (const [key, at] of lastEnqueueAt) {
      const latest = Math.max(...runs.filter((r) => r.dedupeKey === key && r.finishedAt !== null).map((r) => r.startedAt));
      expect({ key, ranAfterLastEnqueue: latest >= at }).toEqual({ key, ranAfterLastEnqueue: true });
    }

    // All three instances worked.
    const byWorker = new Map<string, number>();
    for (const r of runs) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
    expect(byWorker.get('child')).toBeGreaterThan(40);
    expect(byWorker.get('instance-a')).toBeGreaterThan(PLAIN_JOBS / 10);
    expect(byWorker.get('instance-b')).toBeGreaterThan(PLAIN_JOBS / 10);
    expect(killedAt).toBeGreaterThan(unfinished[0].startedAt);
    console.log(`two-instances: ${jobs.length} jobs (${jobs.length - PLAIN_JOBS} keyed rows from ${KEYED_ENQUEUES} keyed enqueues), runs by worker ${JSON.stringify(Object.fromEntries(byWorker))}`);
  }, 180_000);

  it("never hands a key to two instances when a dead instance's lease has run out and a newer job of that key waits", async () => {
    // The interleaving, made deterministic: instance A's claim has locked the expired job (its
    // transaction is still open) when instance B claims. B must not take the waiting job of the same key.
    const a = await scratch.open();
    const b = await scratch.open();
    dbs.push(a, b);
    await a.exec('DELETE FROM outbox');
    await a.query(`INSERT INTO outbox (kind, payload, dedupe_key, status, locked_by, locked_until, attempts) VALUES ($1, '{}', 'race', 'running', 'dead', now() - interval '1 second', 1)`, [PROBE_KIND]);
    await enqueueProbe(a, { firmId: null, kind: PROBE_KIND, payload: {}, dedupeKey: 'race' });
    let takenByB: Awaited<ReturnType<typeof claim>> = [];
    await a.transaction(async (tx) => {
      const locked = await tx.query<{ id: string }>(`SELECT id FROM outbox WHERE dedupe_key = 'race' AND status = 'running' FOR UPDATE SKIP LOCKED`);
      expect(locked).toHaveLength(1);
      takenByB = await claim(b, 'instance-b', 10, 60);
      await tx.query(`UPDATE outbox SET locked_by = 'instance-a', locked_until = now() + interval '60 seconds', attempts = attempts + 1 WHERE id = $1`, [locked[0].id]);
    });
    const running = await a.query<{ id: string; locked_by: string }>(`SELECT id, locked_by FROM outbox WHERE dedupe_key = 'race' AND status = 'running' AND locked_until > now()`);
    expect({ takenByB: takenByB.map((j) => j.dedupeKey), runningAtOnce: running.length }).toEqual({ takenByB: [], runningAtOnce: 1 });
  });
});
