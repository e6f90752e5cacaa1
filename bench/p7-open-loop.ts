import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/store/db';
import { createFirm, HOME_TENANT, startRecordingApp } from '../tests/support/app';
import { createTestIdentity, type TestIdentity } from '../tests/support/tokens';
import { generateFirm, guestGroups, guestModel } from '../tests/stress/support/firm-generator';
import { p2Shape } from './p2-portal-scale';
import { log, onEachStore, round, type Scenario, type ScenarioResult } from './lib/common';
import { type LoadRequest, LoadClient, ownCpuMs, type RateStep } from './lib/open-loop';
import { treeCpuMs } from './lib/proc';
import { productionLikeLogger } from './lib/app-worker';
import { startAppWorkers } from './lib/app-workers';

/**
 * P7: open-loop mixed reads. Requests arrive at a fixed rate whatever the server's speed (a slow
 * answer does not hold the next request back, as in a busy firm), each timed from when it was
 * due, so queueing shows in the percentiles. Mix: guests' my cases 35 %, case detail (with the
 * document list) 35 %, guest profile 10 %; staff case list 10 %, a case's items with sharing 10 %.
 * Rates step up until p99 passes 2 s; reported: p50/p95/p99 per rate and the highest rate with
 * p99 under 250 ms. BENCH_P7_SCALE (default 0.1 of P2's firm), BENCH_P7_RATES, BENCH_P7_SECONDS.
 *
 * The load comes from a child process (bench/lib/open-loop.ts). On PGlite the app runs in the
 * bench's process with the event loop to itself; on PostgreSQL in one worker process per core
 * (bench/lib/app-workers.ts, as WEB_CONCURRENCY runs production). Each step reports the server's
 * CPU (this process, the workers, PostgreSQL's processes) with PostgreSQL's part apart, the
 * client's, and the load average: the machine is shared, and on 2 cores the client's CPU is taken
 * from the server.
 */
const SCALE = Number(process.env.BENCH_P7_SCALE ?? 0.1);
const RATES = (process.env.BENCH_P7_RATES ?? '25,50,100,200,300,400,500,600,700,800').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_P7_SECONDS ?? 10);
/** App processes on PostgreSQL (one per core, as a production server runs): BENCH_P7_APP_WORKERS. PGlite's app is always one. */
const APP_WORKERS = Number(process.env.BENCH_P7_APP_WORKERS ?? os.cpus().length);
const TARGET_P99_MS = 250;
const GIVE_UP_P99_MS = 2000;

/** Tokens and paths made before the clock starts: the load measures the server, not the client. */
async function requestPool(identity: TestIdentity, firmId: string, staffUserId: string, caseIds: string[]): Promise<LoadRequest[]> {
  const shape = p2Shape(SCALE);
  const groups = guestGroups(shape);
  const pool: LoadRequest[] = [];
  const staffToken = await identity.token({ tid: HOME_TENANT, oid: staffUserId });
  for (let n = 0; n < 60; n++) {
    const scope = (['item', 'case', 'client'] as const)[n % 3];
    const model = guestModel(firmId, shape, groups[scope].from + ((n * 7919) % groups[scope].count));
    const token = await identity.token({ tid: HOME_TENANT, oid: model.userId, guest: true });
    const linked = [...model.linkedCaseIds];
    const caseId = linked[n % Math.max(1, linked.length)];
    const staffCase = caseIds[(n * 31) % caseIds.length];
    // Twenty slots per guest, in the mix's proportions.
    for (let k = 0; k < 7; k++) pool.push({ path: '/api/portal/cases', token });
    for (let k = 0; k < 7; k++) pool.push({ path: caseId ? `/api/portal/cases/${caseId}` : '/api/portal/cases', token });
    for (let k = 0; k < 2; k++) pool.push({ path: '/api/portal/me', token });
    for (let k = 0; k < 2; k++) pool.push({ path: '/api/cases?limit=100', token: staffToken }); // the tab's page (tab/api.ts allCasePages)
    for (let k = 0; k < 2; k++) pool.push({ path: `/api/cases/${staffCase}/items`, token: staffToken });
  }
  return pool;
}

/** PostgreSQL's own CPU (postmaster and backends), read through its pid file; 0 where that is not readable. */
async function postgresCpu(db: Db): Promise<() => number> {
  try {
    const [{ setting }] = await db.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
    const postmaster = Number(fs.readFileSync(path.join(setting, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return () => treeCpuMs(postmaster);
  } catch {
    return () => 0;
  }
}

/** The app under load: in this process (PGlite is one process's store), or `APP_WORKERS` processes on PostgreSQL. */
async function startServer(db: Db, postgresUrl: string | undefined, identity: TestIdentity): Promise<{ url: string; cpuMs: () => number; close: () => Promise<void> }> {
  const env = { API_RATE_LIMIT_PER_MINUTE: '1000000' };
  if (postgresUrl && APP_WORKERS > 1) return startAppWorkers(APP_WORKERS, { url: postgresUrl, homeTenantId: HOME_TENANT, publicJwk: identity.publicJwk, env });
  const { app } = await startRecordingApp(db, identity.verify, productionLikeLogger(), { env });
  return { url: app.url, cpuMs: () => 0, close: () => app.close() };
}

async function measure(store: 'pglite' | 'postgres', db: Db, postgresUrl: string | undefined, client: LoadClient) {
  const { firm, staff } = await createFirm(db, HOME_TENANT, 'Bench Firm');
  const generated = await generateFirm(db, firm.id, staff.id, p2Shape(SCALE));
  await db.exec('ANALYZE');
  const identity = await createTestIdentity(HOME_TENANT);
  const server = await startServer(db, postgresUrl, identity);
  const databaseCpu = store === 'postgres' ? await postgresCpu(db) : undefined;
  const serverCpuMs = () => ownCpuMs() + server.cpuMs() + (databaseCpu?.() ?? 0);
  try {
    const caseIds = (await db.query<{ id: string }>('SELECT id FROM cases WHERE firm_id = $1 LIMIT 200', [firm.id])).map((r) => r.id);
    const pool = await requestPool(identity, firm.id, staff.userId, caseIds);
    await client.atRate(server.url, pool, 20, SECONDS, serverCpuMs); // warm-up: JIT, caches, connections
    const steps: RateStep[] = [];
    for (const rate of RATES) {
      const step = await client.atRate(server.url, pool, rate, SECONDS, serverCpuMs, databaseCpu);
      log(`P7 ${store} ${rate}/s: ${JSON.stringify(step)}`);
      steps.push(step);
      if (step.p99 > GIVE_UP_P99_MS) break;
    }
    return { appProcesses: store === 'postgres' ? APP_WORKERS : 1, generated: generated.counts, steps, highestRateWithP99Under250Ms: highestSustained(steps) };
  } finally {
    await server.close();
    await db.close();
  }
}

/** The highest rate whose p99 stayed under the target with no failed request. */
export const highestSustained = (steps: RateStep[]): number => Math.max(0, ...steps.filter((s) => s.p99 < TARGET_P99_MS && s.failed === 0).map((s) => s.rate));

export const p7: Scenario = {
  key: 'P7',
  title: 'open-loop mixed guest and staff reads at fixed arrival rates (PGlite and PostgreSQL)',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const result: Record<string, unknown> = {
      scale: SCALE,
      loadGenerator: 'a child process (bench/lib/open-loop-client.mjs)',
      secondsPerRate: SECONDS,
      target: 'PostgreSQL p99 < 100 ms at 200/s and ≥ 500/s under 250 ms; PGlite p99 < 250 ms at 50/s',
      loadAverage: os.loadavg().map((v) => round(v, 2)),
    };
    const client = new LoadClient();
    try {
      Object.assign(result, await onEachStore('p7', (store, db, postgresUrl) => measure(store, db, postgresUrl, client)));
    } finally {
      await client.close();
    }
    result.loadAverageAfter = os.loadavg().map((v) => round(v, 2));
    return { status: 'ok', seconds: round((performance.now() - started) / 1000), ...result };
  },
};
