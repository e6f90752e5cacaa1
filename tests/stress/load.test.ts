import type { Db } from '../../src/store/db';
import { freshPglite } from '../support/db';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';
import { generateFirm, guestModel, totalGuests } from './support/firm-generator';
import { LOAD_SHAPE } from './support/shapes';
import { type LoadGuest, runGuestLoad, summarize } from './support/load-driver';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db';

/**
 * 200 guests at once on loopback, against the real app (routes, token validation, services,
 * store), for a bounded time on each store: every answer 2xx, every answer exactly what the
 * domain says that guest may see, every message and upload stored once. p50/p95/p99 printed.
 * LOAD_SECONDS (default 12) sets the time per store; the bench runs the same driver for 60 s.
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 12);

describe.each(['postgres', 'pglite'] as const)('200 guests at once on %s', (store) => {
  let scratch: ScratchDatabase | null = null;
  let t: TestApp;
  let firmId: string;
  let guests: LoadGuest[];

  beforeAll(async () => {
    let db: Db;
    if (store === 'postgres') {
      scratch = await createScratchDatabase('caseroom_stress_load');
      db = await scratch.open();
    } else {
      db = await freshPglite();
    }
    t = await startTestApp({ db });
    const { firm, staff } = await createFirm(db, HOME_TENANT, 'Load Firm');
    firmId = firm.id;
    const generated = await generateFirm(db, firm.id, staff.id, LOAD_SHAPE);
    expect(generated.counts).toMatchObject({ cases: 100, items: 2000, contacts: totalGuests(LOAD_SHAPE) });
    const active = Array.from({ length: LOAD_SHAPE.itemGuests + LOAD_SHAPE.caseGuests + LOAD_SHAPE.clientGuests }, (_, n) => guestModel(firm.id, LOAD_SHAPE, n));
    guests = await Promise.all(active.map(async (model) => ({ model, token: await t.identity.token({ tid: HOME_TENANT, oid: model.userId, guest: true, name: `Guest ${model.index}` }) })));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await scratch?.drop();
  });

  it(
    `serves them for ${SECONDS} s without an error, each guest seeing exactly what the domain allows`,
    async () => {
      const before = await t.db.query<{ messages: number; uploads: number }>(`SELECT (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM items WHERE kind = 'document' AND title LIKE 'upload-%') AS uploads`);
      const result = await runGuestLoad({ baseUrl: t.app.url, firmId, shape: LOAD_SHAPE, guests, durationMs: SECONDS * 1000 });
      const summary = summarize(result);
      console.log(`load on ${store}: ${JSON.stringify(summary)}`);
      const serverErrors = t.logs.filter((l) => Number(l.level) >= 50).map((l) => ({ msg: l.msg, err: (l.err as { message?: string } | undefined)?.message, url: (l.req as { url?: string } | undefined)?.url }));
      expect({ errors: result.errors.slice(0, 3), serverErrors: serverErrors.slice(0, 3) }).toEqual({ errors: [], serverErrors: [] });
      expect(result.violations.slice(0, 5)).toEqual([]);
      expect(guests).toHaveLength(200);
      // Every guest group was exercised, and the traffic really happened.
      expect(result.latencyMs.caseDetail.length).toBeGreaterThan(200);
      expect(result.messagesSent).toBeGreaterThan(0);
      const after = await t.db.query<{ messages: number; uploads: number }>(`SELECT (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM items WHERE kind = 'document' AND title LIKE 'upload-%') AS uploads`);
      expect(after[0].messages - before[0].messages).toBe(result.messagesSent);
    },
    (SECONDS + 60) * 1000,
  );
});
