import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/store/db';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../tests/support/app';
import { generateFirm, guestGroups, guestModel } from '../tests/stress/support/firm-generator';
import { percentile } from '../tests/stress/support/load-driver';
import { p2Shape } from './p2-portal-scale';
import { log, onEachStore, round, type Scenario, type ScenarioResult } from './lib/common';

/**
 * P7: open-loop mixed reads. Requests arrive at a fixed rate whatever the server's speed (a slow
 * answer does not hold the next request back, as in a busy firm), each timed from when it was
 * due, so queueing shows in the percentiles. Mix: guests' my cases 35 %, case detail (with the
 * document list) 35 %, guest profile 10 %; staff case list 10 %, a case's items with sharing 10 %.
 * Rates step up until p99 passes 2 s; reported: p50/p95/p99 per rate and the highest rate with
 * p99 under 250 ms. BENCH_P7_SCALE (default 0.1 of P2's firm), BENCH_P7_RATES, BENCH_P7_SECONDS.
 */
const SCALE = Number(process.env.BENCH_P7_SCALE ?? 0.1);
const RATES = (process.env.BENCH_P7_RATES ?? '25,50,100,200,300,500,700').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_P7_SECONDS ?? 10);
const TARGET_P99_MS = 250;
const GIVE_UP_P99_MS = 2000;

type Request = { path: string; token: string };

/** Tokens and paths made before the clock starts: the load measures the server, not the client. */
async function requestPool(app: TestApp, firmId: string, staffUserId: string, caseIds: string[]): Promise<Request[]> {
  const shape = p2Shape(SCALE);
  const groups = guestGroups(shape);
  const pool: Request[] = [];
  const staffToken = await app.identity.token({ tid: HOME_TENANT, oid: staffUserId });
  for (let n = 0; n < 60; n++) {
    const scope = (['item', 'case', 'client'] as const)[n % 3];
    const model = guestModel(firmId, shape, groups[scope].from + ((n * 7919) % groups[scope].count));
    const token = await app.identity.token({ tid: HOME_TENANT, oid: model.userId, guest: true });
    const linked = [...model.linkedCaseIds];
    const caseId = linked[n % Math.max(1, linked.length)];
    const staffCase = caseIds[(n * 31) % caseIds.length];
    // Twenty slots per guest, in the mix's proportions.
    for (let k = 0; k < 7; k++) pool.push({ path: '/api/portal/cases', token });
    for (let k = 0; k < 7; k++) pool.push({ path: caseId ? `/api/portal/cases/${caseId}` : '/api/portal/cases', token });
    for (let k = 0; k < 2; k++) pool.push({ path: '/api/portal/me', token });
    for (let k = 0; k < 2; k++) pool.push({ path: '/api/cases', token: staffToken });
    for (let k = 0; k < 2; k++) pool.push({ path: `/api/cases/${staffCase}/items`, token: staffToken });
  }
  return pool;
}

async function atRate(url: string, pool: Request[], rate: number) {
  const total = Math.round(rate * SECONDS);
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { path: p, token } = pool[(i * 7) % pool.length];
    inFlight.push(
      fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) failed++;
          latencies.push(performance.now() - due);
        },
        () => {
          failed++;
          latencies.push(performance.now() - due);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { rate, requests: total, failed, p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)) };
}

async function measure(store: 'pglite' | 'postgres', db: Db) {
  const { firm, staff } = await createFirm(db, HOME_TENANT, 'Bench Firm');
  const generated = await generateFirm(db, firm.id, staff.id, p2Shape(SCALE));
  await db.exec('ANALYZE');
  const app = await startTestApp({ db, env: { API_RATE_LIMIT_PER_MINUTE: '1000000' } });
  try {
    const caseIds = (await db.query<{ id: string }>('SELECT id FROM cases WHERE firm_id = $1 LIMIT 200', [firm.id])).map((r) => r.id);
    const pool = await requestPool(app, firm.id, staff.userId, caseIds);
    await atRate(app.app.url, pool, 20); // warm-up: JIT, caches, connections
    const steps = [];
    for (const rate of RATES) {
      const step = await atRate(app.app.url, pool, rate);
      log(`P7 ${store} ${rate}/s: ${JSON.stringify(step)}`);
      steps.push(step);
      if (step.p99 > GIVE_UP_P99_MS) break;
    }
    const sustained = steps.filter((s) => s.p99 < TARGET_P99_MS && s.failed === 0).map((s) => s.rate);
    return { generated: generated.counts, steps, highestRateWithP99Under250Ms: sustained.length ? Math.max(...sustained) : 0 };
  } finally {
    await app.close(); // closes the store too
  }
}

export const p7: Scenario = {
  key: 'P7',
  title: 'open-loop mixed guest and staff reads at fixed arrival rates (PGlite and PostgreSQL)',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const result: Record<string, unknown> = { scale: SCALE, secondsPerRate: SECONDS, target: 'PostgreSQL p99 < 100 ms at 200/s and ≥ 500/s under 250 ms; PGlite p99 < 250 ms at 50/s', loadAverage: os.loadavg().map((v) => round(v, 2)) };
    Object.assign(result, await onEachStore('p7', measure));
    result.loadAverageAfter = os.loadavg().map((v) => round(v, 2));
    return { status: 'ok', seconds: round((performance.now() - started) / 1000), ...result };
  },
};
