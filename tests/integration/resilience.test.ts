import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import { Reconciler, desiredForContact } from '../../src/services/reconciler';
import { M365Repo } from '../../src/store/m365';
import { Repo } from '../../src/store/repo';
import type { ContactRecord } from '../../src/store/records';
import { type AppHandle, type FirmFixture, permissionsFor, seedFirm, type SimHandle, startApp, startSim } from './harness';

/**
 * 20 % of Graph calls fail (429, 503, connection resets before and after the work is done),
 * and the app dies in the middle of a batch of permission changes. After a restart, the store
 * and SharePoint agree exactly, and nothing CaseRoom revoked survives.
 */
describe('reconciler under faults and a kill mid-batch', () => {
  let sim: SimHandle;
  let first: AppHandle;
  let second: AppHandle | null = null;
  let f: FirmFixture;

  beforeAll(async () => {
    // A licence-rich tenant (6,000 units a minute) keeps the test short; the budget itself is covered elsewhere.
    sim = await startSim({ resourceUnitsPerMinute: 6000 });
    first = await startApp(sim, { settings: { unitsPerMinute: 6000 } });
    f = await seedFirm(sim, first.db);
  });
  afterAll(async () => {
    await second?.close();
    // The store outlives the dead first instance (the second was handed it): close it last.
    await first?.db.close();
    await sim?.close();
  });

  async function guest(name: string, email: string): Promise<ContactRecord> {
    const user = await sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const { sharing } = first.app.services;
    const contact = await sharing.createContact(f.actor, { email, name, kind: 'client', phone: null, clientId: null });
    await first.db.query(`UPDATE contacts SET portal_access = true WHERE id = $1`, [contact.id]);
    return sharing.markInvitationAccepted(f.firm.id, contact.id, user.id);
  }

  it('converges: store and SharePoint equal after faults and a restart', async () => {
    const { sharing } = first.app.services;
    const client = await sharing.createClient(f.actor, { name: 'Northwind' });
    const c = await sharing.createCase(f.actor, { clientId: client.id, number: 'COM-7', title: 'Northwind v. Contoso', assignedStaffId: null, budgetCents: null });
    await first.drain();
    const caseRecord = (await new Repo(first.db).case(f.firm.id, c.id)) as NonNullable<Awaited<ReturnType<Repo['case']>>>;
    // 24 documents put in SharePoint by hand, then known to CaseRoom.
    const itemIds: string[] = [];
    for (let i = 0; i < 24; i++) {
      const file = (await sim.sim.admin.addFileByHand(caseRecord.driveId as string, caseRecord.folderItemId as string, { name: `Exhibit ${i}.pdf`, text: `exhibit ${i}` })) as { id: string };
      const item = await new Repo(first.db).insertItem({ firmId: f.firm.id, caseId: c.id, kind: 'document', title: `Exhibit ${i}.pdf`, driveItemId: file.id, createdBy: 'test' });
      itemIds.push(item.id);
    }
    const guests = [await guest('Olivia Park', 'olivia@northwind.example'), await guest('Tom Reed', 'tom@forensics.example'), await guest('Maya Chen', 'maya@ortho.example')];
    for (const g of guests) await sharing.link(f.actor, c.id, g.id);
    await first.drain();

    // A permission that must be revoked later: Tom had the first four exhibits before.
    await sharing.shareItems(f.actor, { contactIds: [guests[1].id], itemIds: itemIds.slice(0, 4), expiresAt: null, reason: 'earlier review' });
    await first.drain();

    await sim.sim.admin.setKnobs({ faultRate: 0.2, faultKinds: ['429', '503', 'reset'] });
    // 3 guests × 24 items, plus a case grant with upload, minus Tom's earlier items.
    await sharing.shareItems(f.actor, { contactIds: [guests[0].id, guests[2].id], itemIds, expiresAt: null, reason: 'bulk' });
    await sharing.grant(f.actor, { contactId: guests[2].id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: 'expert works in the folder' });
    await sharing.unshareItems(f.actor, { contactIds: [guests[1].id], itemIds: itemIds.slice(0, 4), reason: 'review over' });

    // The first instance dies after its second $batch: every later call hangs forever, as in a killed process.
    let batches = 0;
    const graph = first.m365.graph;
    const realCall = graph.call.bind(graph);
    graph.call = (async (call: Parameters<typeof graph.call>[0]) => {
      if (call.path === '/$batch' && ++batches > 2) return new Promise(() => undefined);
      return realCall(call);
    }) as typeof graph.call;
    void first.drain();
    for (let i = 0; i < 200 && batches <= 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(batches).toBeGreaterThan(2);
    first.app.server.close();
    first.app.server.closeAllConnections();
    // A dead process claims nothing more (its worker's other lanes would otherwise keep working).
    void first.app.worker.stop();
    await first.m365.stop?.();

    // Time passes: the dead instance's leases run out. A new instance takes over the same store.
    await first.db.query(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE status = 'running'`);
    second = await startApp(sim, { db: first.db, settings: { unitsPerMinute: 6000 } });
    await second.settle(60_000);
    await sim.sim.admin.setKnobs({ faultRate: 0 });
    await second.settle(30_000);
    // Each call fails at random (rate 0.2), so how many did varies from run to run (16–22 in two
    // runs alone, 5 in one under load, where this once asked for more than 5): what the test needs
    // is that the reconciler met faults on its way to convergence, not how many.
    const stats = await sim.sim.admin.stats();
    expect(stats.totals.injected429 + stats.totals.injected503 + stats.totals.injectedResets).toBeGreaterThan(0);

    // Store = SharePoint, guest by guest, item by item (the case folder included).
    const repo = new Repo(first.db);
    const firm = (await repo.firm(f.firm.id)) as NonNullable<Awaited<ReturnType<Repo['firm']>>>;
    const checkedItems = [caseRecord.folderItemId as string, ...(await repo.itemsOfCase(c.id)).flatMap((i) => (i.driveItemId ? [i.driveItemId] : []))];
    for (const g of guests) {
      const contact = (await repo.contact(f.firm.id, g.id)) as ContactRecord;
      const desired = await desiredForContact(repo, new M365Repo(first.db), firm, contact, new Date());
      const actual = new Map<string, string>();
      for (const driveItemId of checkedItems) {
        const mine = await permissionsFor(sim, caseRecord.driveId as string, driveItemId, contact.guestUserId as string);
        expect(mine.length).toBeLessThanOrEqual(1);
        if (mine[0]) actual.set(driveItemId, mine[0].roles[0]);
      }
      expect(Object.fromEntries(actual)).toEqual(Object.fromEntries([...desired.values()].map((d) => [d.driveItemId, d.role])));
      const recorded = await first.db.query<{ drive_item_id: string; role: string; state: string }>('SELECT drive_item_id, role, state FROM m365_permissions WHERE contact_id = $1', [g.id]);
      expect(recorded.every((r) => r.state === 'active')).toBe(true);
      expect(Object.fromEntries(recorded.map((r) => [r.drive_item_id, r.role]))).toEqual(Object.fromEntries(actual));
    }
    // Tom's revoked items are gone; Maya writes through the case folder; Olivia reads 24 items.
    expect(await first.db.query(`SELECT * FROM m365_permissions WHERE contact_id = $1`, [guests[1].id])).toHaveLength(0);
    const again = new Reconciler({ db: first.db, graph: second.m365.graph, logger: second.app.logger, clock: { now: () => new Date() }, driftPolicy: 'repair' });
    expect(await again.syncGuest(f.firm.id, guests[0].id)).toMatchObject({ invited: 0, revoked: 0, unchanged: 24 });
    const failed = await first.db.query(`SELECT kind, last_error FROM outbox WHERE status = 'failed'`);
    expect(failed).toEqual([]);
  });
});
