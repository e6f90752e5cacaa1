import { performance } from 'node:perf_hooks';
import type { Db } from '../src/store/db';
import { createFirm, HOME_TENANT, startTestApp } from '../tests/support/app';
import { type FirmShape, generateFirm, guestGroups, guestModel } from '../tests/stress/support/firm-generator';
import { percentile } from '../tests/stress/support/load-driver';
import { log, onEachStore, round, type Scenario, type ScenarioResult } from './lib/common';

/**
 * P2: the guest portal at scale. 10k cases, 200k items, ~500k grants generated in the store
 * (INSERT … SELECT generate_series), then "my cases" and "case detail" over HTTP, one request at
 * a time, for guests with item, case and client scopes, on PGlite (data directory on disk) and on
 * a throwaway PostgreSQL. BENCH_P2_SCALE (default 1) shrinks the firm for a quick look.
 */
const SCALE = Number(process.env.BENCH_P2_SCALE ?? 1);
const REQUESTS_PER_KIND = Number(process.env.BENCH_P2_REQUESTS ?? 150);

export function p2Shape(scale: number): FirmShape {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    seed: 'bench',
    clients: s(2000),
    cases: s(2000) * 5,
    itemsPerCase: 20,
    itemGuests: s(4000),
    itemGuestCases: 6,
    itemGrantsPerCase: 20,
    caseGuests: s(1000),
    caseGuestCases: 15,
    clientGuests: s(1000),
    clientGuestClients: 5,
    pendingGuests: s(50),
    portalOffGuests: s(50),
    expiredEvery: 10,
    uploadEvery: 3,
  };
}

async function measure(store: 'pglite' | 'postgres', db: Db) {
  const shape = p2Shape(SCALE);
  const t0 = performance.now();
  const { firm, staff } = await createFirm(db, HOME_TENANT, 'Bench Firm');
  const generated = await generateFirm(db, firm.id, staff.id, shape);
  const generateSeconds = (performance.now() - t0) / 1000;
  log(`P2 ${store}: generated ${JSON.stringify(generated.counts)} in ${round(generateSeconds)} s`);
  const app = await startTestApp({ db });
  const groups = guestGroups(shape);
  const out: Record<string, unknown> = { generated: generated.counts, generateSeconds: round(generateSeconds) };
  try {
    for (const scope of ['item', 'case', 'client'] as const) {
      const range = groups[scope];
      const myCases: number[] = [];
      const detail: number[] = [];
      let casesSeen = 0;
      let itemsSeen = 0;
      for (let r = 0; r < REQUESTS_PER_KIND; r++) {
        const model = guestModel(firm.id, shape, range.from + ((r * 7919) % range.count));
        const token = await app.identity.token({ tid: HOME_TENANT, oid: model.userId, guest: true });
        let t = performance.now();
        const list = await app.call('GET', '/api/portal/cases', token);
        myCases.push(performance.now() - t);
        if (list.status !== 200) throw new Error(`my cases answered ${list.status}`);
        casesSeen += list.body.length;
        if (list.body.length === 0) continue;
        t = performance.now();
        const view = await app.call('GET', `/api/portal/cases/${list.body[r % list.body.length].id}`, token);
        detail.push(performance.now() - t);
        if (view.status !== 200) throw new Error(`case detail answered ${view.status}`);
        itemsSeen += ['documents', 'notes', 'events', 'invoices'].reduce((n, k) => n + (view.body[k]?.length ?? 0), 0);
      }
      const stats = (v: number[]) => ({ requests: v.length, p50: round(percentile(v, 50)), p95: round(percentile(v, 95)), p99: round(percentile(v, 99)) });
      out[`${scope}Scope`] = { myCasesMs: stats(myCases), caseDetailMs: stats(detail), avgCasesListed: round(casesSeen / REQUESTS_PER_KIND), avgItemsInDetail: round(itemsSeen / Math.max(1, detail.length)) };
    }
  } finally {
    await app.close();
  }
  return out;
}

export const p2: Scenario = {
  key: 'P2',
  title: 'guest portal at scale (PGlite and PostgreSQL)',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const result: Record<string, unknown> = { scale: SCALE, requestsPerScopeAndOp: REQUESTS_PER_KIND, target: 'p95 < 50 ms' };
    Object.assign(result, await onEachStore('p2', measure));
    return { status: 'ok', seconds: round((performance.now() - started) / 1000), ...result };
  },
};
