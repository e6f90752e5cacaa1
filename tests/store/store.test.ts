import { randomUUID } from 'node:crypto';
import { verifyChain } from '../../src/domain/audit-chain';
import type { Db } from '../../src/store/db';
import { M365Repo } from '../../src/store/m365';
import { migrate, MIGRATIONS } from '../../src/store/migrations';
import { claim, complete, fail, outboxCounts } from '../../src/store/outbox';
import { Repo } from '../../src/store/repo';
import { freshPglite, freshPostgres, postgresUrl } from '../support/db';
import { enqueueProbe } from '../support/outbox';

/**
 * The store's behaviour, run once on PGlite and once on PostgreSQL: the same SQL must mean the
 * same thing on both. `npm test` provides the PostgreSQL (scripts/test.mjs).
 */
const url = postgresUrl();
if (!url) throw new Error('TEST_DATABASE_URL is not set: run the store suite through `npm test` or `npm run jest`, which start a PostgreSQL for it.');

const backends: Array<[string, () => Promise<Db>]> = [
  ['PGlite', freshPglite],
  ['PostgreSQL', () => freshPostgres(url)],
];

describe.each(backends)('store on %s', (_name, open) => {
  let db: Db;
  let repo: Repo;
  beforeEach(async () => {
    db = await open();
    repo = new Repo(db);
  });
  afterEach(() => db.close());

  async function firmWithCase() {
    const firm = await repo.insertFirm({ tenantId: randomUUID(), name: 'F' });
    const client = await repo.insertClient(firm.id, 'C');
    const kase = await repo.insertCase({ firmId: firm.id, clientId: client.id, number: 'N-1', title: 'T', assignedStaffId: null, budgetCents: 9_007_199_254 });
    return { firm, client, kase };
  }

  it('migrates once: a second run applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('round-trips money, calendar days, arrays and json exactly', async () => {
    const { firm, kase } = await firmWithCase();
    expect((await repo.case(firm.id, kase.id))?.budgetCents).toBe(9_007_199_254);
    const entry = await repo.insertLedgerEntry({ firmId: firm.id, caseId: kase.id, kind: 'retainer_deposit', amountCents: 123_456_789_012, description: 'd', occurredOn: '2030-12-31', invoiceItemId: null, createdBy: 't' });
    expect(entry).toMatchObject({ amountCents: 123_456_789_012, occurredOn: '2030-12-31' });
    const invoice = await repo.insertItem({ firmId: firm.id, caseId: kase.id, kind: 'invoice', title: 'I', amountCents: 5, dueOn: '2031-01-01', invoiceNumber: 'X', invoiceStatus: 'sent', createdBy: 't' });
    expect(invoice.dueOn).toBe('2031-01-01');
    await repo.setDisabledSections(firm.id, ['invoices', 'budget']);
    expect((await repo.firm(firm.id))?.disabledSections).toEqual(['invoices', 'budget']);
  });

  it('keeps contact emails unique regardless of case, and guest user ids unique per firm', async () => {
    const { firm } = await firmWithCase();
    await repo.insertContact({ firmId: firm.id, clientId: null, email: 'Jane@X.example', name: 'J', kind: 'client', phone: null });
    await expect(repo.insertContact({ firmId: firm.id, clientId: null, email: 'jane@x.example', name: 'J2', kind: 'client', phone: null })).rejects.toThrow();
    expect((await repo.contactByEmail(firm.id, 'JANE@x.EXAMPLE'))?.name).toBe('J');
  });

  it('stores one grant per contact and target, and deleting an item removes its grants', async () => {
    const { firm, kase } = await firmWithCase();
    const contact = await repo.insertContact({ firmId: firm.id, clientId: null, email: 'g@x.example', name: 'G', kind: 'expert', phone: null });
    const item = await repo.insertItem({ firmId: firm.id, caseId: kase.id, kind: 'note', title: 'N', body: 'b', createdBy: 't' });
    const a = await repo.upsertGrant({ firmId: firm.id, contactId: contact.id, scope: { kind: 'item', caseId: kase.id, itemId: item.id }, rights: 'read', expiresAt: null, createdBy: 't' });
    const b = await repo.upsertGrant({ firmId: firm.id, contactId: contact.id, scope: { kind: 'item', caseId: kase.id, itemId: item.id }, rights: 'read', expiresAt: '2040-01-01T00:00:00.000Z', createdBy: 't' });
    expect(b.id).toBe(a.id);
    expect(b.expiresAt).toBe('2040-01-01T00:00:00.000Z');
    const caseGrant = await repo.upsertGrant({ firmId: firm.id, contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['notes', 'status'], threadIds: [] }, rights: 'upload', expiresAt: null, createdBy: 't' });
    expect(caseGrant.scope).toEqual({ kind: 'case', caseId: kase.id, view: ['notes', 'status'], threadIds: [] });
    expect(await repo.deleteItem(firm.id, item.id)).toBe(true);
    expect((await repo.grantsOfContact(contact.id)).map((g) => g.scope.kind)).toEqual(['case']);
  });

  it('writes a bulk share of many items in a few statements, one grant per item, and a second share only updates them', async () => {
    const { firm, kase } = await firmWithCase();
    const contact = await repo.insertContact({ firmId: firm.id, clientId: null, email: 'bulk@x.example', name: 'B', kind: 'co-counsel', phone: null });
    const items = [];
    for (let i = 0; i < 1203; i++) items.push(await repo.insertItem({ firmId: firm.id, caseId: kase.id, kind: 'note', title: `N${i}`, body: 'b', createdBy: 't' }));
    const refs = items.map((i) => ({ caseId: kase.id, itemId: i.id }));
    expect(await repo.upsertItemGrants({ firmId: firm.id, contactId: contact.id, items: refs, expiresAt: null, createdBy: 't' })).toBe(1203);
    expect(await repo.upsertItemGrants({ firmId: firm.id, contactId: contact.id, items: refs.slice(0, 10), expiresAt: '2040-01-01T00:00:00.000Z', createdBy: 't' })).toBe(10);
    const grants = await repo.grantsOfContact(contact.id);
    expect(grants).toHaveLength(1203);
    expect(grants.filter((g) => g.expiresAt === '2040-01-01T00:00:00.000Z')).toHaveLength(10);
    expect(new Set(grants.map((g) => (g.scope.kind === 'item' ? g.scope.itemId : null)))).toEqual(new Set(items.map((i) => i.id)));

    // The reconciler's intent rows for the same share, written in bulk; a repeated (guest, item) keeps the last word.
    const m365 = new M365Repo(db);
    const rows = items.map((_, n) => ({ firmId: firm.id, contactId: contact.id, guestUserId: 'guest-1', driveId: 'd', driveItemId: `di-${n}`, role: 'read' as const, permissionId: null, state: 'applying' as const, expiresAt: null }));
    await m365.putAppliedMany([...rows, { ...rows[0], state: 'active', permissionId: 'p-0' }]);
    await m365.putAppliedMany(rows.slice(1, 3).map((r) => ({ ...r, permissionId: 'p-x', state: 'active' })));
    const applied = await m365.appliedOfContact(contact.id);
    expect(applied).toHaveLength(1203);
    expect(
      applied
        .filter((a) => a.state === 'active')
        .map((a) => [a.driveItemId, a.permissionId])
        .sort(),
    ).toEqual([
      ['di-0', 'p-0'],
      ['di-1', 'p-x'],
      ['di-2', 'p-x'],
    ]);
  });

  it('refuses a grant whose scope columns disagree with its kind', async () => {
    const { firm, kase } = await firmWithCase();
    const contact = await repo.insertContact({ firmId: firm.id, clientId: null, email: 'g@x.example', name: 'G', kind: 'expert', phone: null });
    await expect(db.query(`INSERT INTO grants (id, firm_id, contact_id, scope_kind, case_id, rights, created_by) VALUES ($1,$2,$3,'item',$4,'read','t')`, [randomUUID(), firm.id, contact.id, kase.id])).rejects.toThrow();
  });

  it('appends to the audit chain from concurrent transactions without forking it', async () => {
    const { firm } = await firmWithCase();
    await Promise.all(Array.from({ length: 25 }, (_, i) => db.transaction((tx) => new Repo(tx).appendAudit({ firmId: firm.id, actor: `a${i}`, action: 'x', target: 't', reason: null, data: { i, nested: { b: 1, a: [1, 2] } } }))));
    const entries = await repo.auditEntries(firm.id);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(verifyChain(entries)).toMatchObject({ ok: true, entries: 25 });
  });

  it('never lets the application update or delete audit rows', async () => {
    const { firm } = await firmWithCase();
    await repo.appendAudit({ firmId: firm.id, actor: 'a', action: 'x', target: 't', reason: null, data: {} });
    await expect(db.query('UPDATE audit_log SET actor = $1', ['b'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    expect(await repo.auditEntries(firm.id)).toHaveLength(1);
  });

  describe('outbox', () => {
    it('keeps one pending job per dedupe key', async () => {
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: { n: 1 }, dedupeKey: 'same' });
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: { n: 2 }, dedupeKey: 'same' });
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: { n: 3 } });
      expect(await outboxCounts(db)).toEqual({ pending: 2 });
    });

    it('hands each job to exactly one of several concurrent workers', async () => {
      for (let i = 0; i < 40; i++) await enqueueProbe(db, { firmId: null, kind: 'k', payload: { i } });
      const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => claim(db, w, 15, 60)));
      const ids = claims.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
    });

    it('does not run two jobs with one key at once, and supersedes a failed one by the newer', async () => {
      await enqueueProbe(db, { firmId: null, kind: 'sync', payload: { v: 1 }, dedupeKey: 'sync:x' });
      const [first] = await claim(db, 'w1', 10, 60);
      expect(first.payload).toEqual({ v: 1 });
      await enqueueProbe(db, { firmId: null, kind: 'sync', payload: { v: 2 }, dedupeKey: 'sync:x' });
      expect(await claim(db, 'w2', 10, 60)).toEqual([]);
      await fail(db, first, 'w1', 'boom', 0, 10);
      expect(await outboxCounts(db)).toEqual({ done: 1, pending: 1 });
      const [second] = await claim(db, 'w2', 10, 60);
      expect(second.payload).toEqual({ v: 2 });
      expect(await complete(db, second.id, 'w2')).toBe(true);
    });

    it('gives a job whose lease ran out to another worker, and ignores the late completion', async () => {
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: {} });
      const [job] = await claim(db, 'dead', 1, 0.05);
      await new Promise((r) => setTimeout(r, 150));
      const [again] = await claim(db, 'alive', 1, 60);
      expect(again.id).toBe(job.id);
      expect(again.attempts).toBe(2);
      expect(await complete(db, job.id, 'dead')).toBe(false);
      expect(await complete(db, job.id, 'alive')).toBe(true);
    });

    it("reclaims a dead worker's job before the newer job of its key, never both at once", async () => {
      await enqueueProbe(db, { firmId: null, kind: 'sync', payload: { v: 1 }, dedupeKey: 'sync:y' });
      await claim(db, 'dead', 10, 0.05);
      await enqueueProbe(db, { firmId: null, kind: 'sync', payload: { v: 2 }, dedupeKey: 'sync:y' });
      await new Promise((r) => setTimeout(r, 150));
      const taken = [...(await claim(db, 'a', 10, 60)), ...(await claim(db, 'b', 10, 60))];
      expect(taken.map((j) => j.payload)).toEqual([{ v: 1 }]);
      await complete(db, taken[0].id, 'a');
      expect((await claim(db, 'b', 10, 60)).map((j) => j.payload)).toEqual([{ v: 2 }]);
    });

    it('does not count a wait the other side asked for as a failed attempt', async () => {
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: {} });
      for (let i = 0; i < 5; i++) {
        const [job] = await claim(db, 'w', 1, 60);
        await fail(db, job, 'w', 'throttled', 0, 2, false);
      }
      const [job] = await claim(db, 'w', 1, 60);
      expect(job.attempts).toBe(1);
      expect(await outboxCounts(db)).toEqual({ running: 1 });
    });

    it('waits before retrying, and gives up after the last attempt', async () => {
      await enqueueProbe(db, { firmId: null, kind: 'k', payload: {} });
      const [job] = await claim(db, 'w', 1, 60);
      await fail(db, job, 'w', 'throttled', 60_000, 5);
      expect(await claim(db, 'w', 1, 60)).toEqual([]);
      await db.query(`UPDATE outbox SET run_after = now() - interval '1 second'`);
      const [retry] = await claim(db, 'w', 1, 60);
      await fail(db, { ...retry, attempts: 5 }, 'w', 'still failing', 0, 5);
      expect(await outboxCounts(db)).toEqual({ failed: 1 });
    });
  });
});
