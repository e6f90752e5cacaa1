import { createServer, type Server } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { startCaseRoom } from '../../src/app';
import { definePart } from '../../src/app-part';
import { recordingPart } from '../support/recording-part';
import { loadConfig } from '../../src/config';
import { OutboxWorker, releaseDeadPredecessorLeases } from '../../src/services/outbox-worker';
import { type Db, openDb } from '../../src/store/db';
import { migrate } from '../../src/store/migrations';
import { claim } from '../../src/store/outbox';
import { tmpDir } from '../integration/harness';
import { enqueueProbe, probeHandlers } from '../support/outbox';
import { createScratchDatabase } from '../stress/support/scratch-db';

/**
 * A process killed while it holds outbox jobs: on the embedded store (PGlite, one process per
 * data directory) the next process takes them over at start-up instead of after the lease; on
 * PostgreSQL the holder may be another live instance, so its lease is respected.
 */
const silent = pino({ level: 'silent' });
const LONG_LEASE = 3600;

async function holdJobs(db: Db, n: number): Promise<number[]> {
  for (let i = 0; i < n; i++) await enqueueProbe(db, { firmId: null, kind: 'probe', payload: { i }, dedupeKey: i === 0 ? 'probe-key' : undefined });
  // The predecessor claims with an hour's lease and dies before completing anything.
  return (await claim(db, 'dead-process', 10, LONG_LEASE)).map((j) => j.id);
}

describe('outbox leases after a crash', () => {
  it("PGlite: a restarted process runs the dead process's leased jobs at once", async () => {
    const dataDir = path.join(await tmpDir('caseroom-outbox-restart-'), 'pglite');
    const before = await openDb({ kind: 'pglite', dataDir });
    await migrate(before);
    const held = await holdJobs(before, 3);
    expect(held).toHaveLength(3);
    // What survives a kill -9 is what was written: close without completing the jobs.
    await before.close();

    const after = await openDb({ kind: 'pglite', dataDir });
    try {
      expect(await claim(after, 'too-early', 10, 60)).toEqual([]);
      const logs: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
      expect((await releaseDeadPredecessorLeases(after, logger)).sort()).toEqual([...held].sort());
      expect(logs.some((l) => l.level === 40 && Array.isArray(l.jobIds) && (l.jobIds as unknown[]).length === 3)).toBe(true);

      const ran: number[] = [];
      const worker = new OutboxWorker({ db: after, logger: silent, handlers: probeHandlers({ probe: async (job) => void ran.push(job.id) }), pollMs: 10, leaseSeconds: 60, workerId: 'successor' });
      const started = Date.now();
      expect(await worker.drain()).toBe(3);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(ran.sort()).toEqual([...held].sort());
      const rows = await after.query<{ status: string; attempts: number }>('SELECT status, attempts FROM outbox ORDER BY id');
      expect(rows).toEqual(held.map(() => ({ status: 'done', attempts: 2 })));
    } finally {
      await after.close();
    }
  });

  it("PostgreSQL: another instance's leases are not released early", async () => {
    // A database of its own: store.test.ts recreates the shared one's schema, maybe meanwhile.
    const scratch = await createScratchDatabase('caseroom_outbox_restart');
    const db = await scratch.open();
    const other = await scratch.open();
    try {
      const held = await holdJobs(db, 2);
      expect(held).toHaveLength(2);
      // A second instance starting up beside the (possibly alive) holder.
      expect(await releaseDeadPredecessorLeases(other, silent)).toEqual([]);
      const worker = new OutboxWorker({ db: other, logger: silent, handlers: probeHandlers({ probe: async () => undefined }), pollMs: 10, leaseSeconds: 60, workerId: 'second-instance' });
      expect(await worker.drain()).toBe(0);
      const rows = await other.query<{ locked_by: string; status: string }>('SELECT locked_by, status FROM outbox ORDER BY id');
      expect(rows).toEqual(held.map(() => ({ locked_by: 'dead-process', status: 'running' })));
    } finally {
      await other.close();
      await db.close();
      await scratch.drop();
    }
  });

  it('takes the lease length from OUTBOX_LEASE_SECONDS (default 120)', () => {
    const base = { SIMULATOR_URL: 'https://simulator.invalid', NODE_ENV: 'test' };
    expect(loadConfig(base).outboxLeaseSeconds).toBe(120);
    expect(loadConfig({ ...base, OUTBOX_LEASE_SECONDS: '15' }).outboxLeaseSeconds).toBe(15);
    expect(() => loadConfig({ ...base, OUTBOX_LEASE_SECONDS: '0' })).toThrow(/OUTBOX_LEASE_SECONDS/);
  });
});

describe('start-up', () => {
  let blocker: Server;
  afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it('fails with a clear error when the port is taken', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    const dataDir = await tmpDir('caseroom-port-taken-');
    const config = loadConfig({ SIMULATOR_URL: 'https://simulator.invalid', PORT: String(port), DATA_DIR: dataDir, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test' });
    const db = await openDb(config.store);
    try {
      await expect(startCaseRoom({ config, db, parts: [definePart({ name: 'recording', build: () => recordingPart() })], startWorker: false })).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      await db.close();
    }
  });
});
