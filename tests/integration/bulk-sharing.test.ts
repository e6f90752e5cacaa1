import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { permissionsFor, upload } from './harness';

/**
 * A paralegal shares many documents with several guests at once: the outbox hands the guests'
 * sync jobs out together and the reconciler invites all of them to an item in one request, so
 * the permission operations SharePoint counts are one per document, not one per document and
 * guest. Correctness does not bend for it: a permission given by hand that the invite does not
 * make match is corrected, and one guest SharePoint refuses does not hold up the others.
 */
describe('bulk sharing with several guests', () => {
  const DOCUMENTS = 24;
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let itemIds: string[];

  const guest = async (name: string, clientId: string, userId?: string): Promise<ContactRecord> => {
    const { sharing } = w.app.app.services;
    const email = `${name.toLowerCase()}@guest.example`;
    const user = userId ? null : await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, userId ?? (user?.id as string));
    await sharing.link(w.f.actor, c.id, contact.id);
    return (await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord;
  };
  const permissionOperations = async () => (await w.sim.sim.admin.stats()).totals.permissionOperations;

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Bulk client' });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'BULK-1', title: 'Deadline bundle', assignedStaffId: null, budgetCents: null });
    await w.app.drain();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    itemIds = [];
    for (const half of [0, 1]) {
      const files = Array.from({ length: DOCUMENTS / 2 }, (_, i) => ({ name: 'file', filename: `Exhibit ${half * 100 + i + 1}.pdf`, content: Buffer.from(`%PDF exhibit ${half}-${i}`) }));
      const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, files);
      expect(up.status).toBe(201);
      itemIds.push(...(up.body.files as Array<{ id: string }>).map((x) => x.id));
    }
    await w.app.settle();
  });

  it('invites every guest to a document in one request, and each guest holds exactly what was shared', async () => {
    const { sharing } = w.app.app.services;
    const client = c.clientId;
    const guests = [await guest('Ann', client), await guest('Bob', client), await guest('Cy', client)];
    await w.app.settle();
    const before = await permissionOperations();
    await sharing.shareItems(w.f.actor, { contactIds: guests.map((g) => g.id), itemIds, expiresAt: null, reason: 'deadline bundle' });
    await w.app.settle();
    expect((await permissionOperations()) - before).toBe(DOCUMENTS);

    const repo = new Repo(w.app.db);
    for (const itemId of itemIds) {
      const item = await repo.item(w.f.firm.id, itemId);
      for (const g of guests) expect((await permissionsFor(w.sim, c.driveId as string, item?.driveItemId as string, g.guestUserId as string)).map((p) => p.roles)).toEqual([['read']]);
    }
    // A second pass finds nothing to do.
    const outcomes = await w.app.m365.reconciler.syncGuests(
      w.f.firm.id,
      guests.map((g) => g.id),
    );
    for (const g of guests) expect(outcomes.get(g.id)).toEqual({ ok: true, outcome: { invited: 0, rerolled: 0, revoked: 0, unchanged: DOCUMENTS } });
  });

  it('corrects a higher role someone gave a guest by hand before CaseRoom shared the document', async () => {
    const { sharing } = w.app.app.services;
    const dana = await guest('Dana', c.clientId);
    const item = await new Repo(w.app.db).item(w.f.firm.id, itemIds[0]);
    await w.sim.sim.admin.addPermissionByHand(c.driveId as string, item?.driveItemId as string, { userId: dana.guestUserId as string, roles: ['write'] });
    await sharing.shareItems(w.f.actor, { contactIds: [dana.id], itemIds: [itemIds[0]], expiresAt: null, reason: null });
    await w.app.settle();
    expect((await permissionsFor(w.sim, c.driveId as string, item?.driveItemId as string, dana.guestUserId as string)).map((p) => p.roles)).toEqual([['read']]);
  });

  it('shares with the guests SharePoint accepts when it refuses one of them', async () => {
    const { sharing } = w.app.app.services;
    const eve = await guest('Eve', c.clientId);
    const gone = await guest('Gone', c.clientId, '00000000-0000-4000-8000-00000000dead');
    const shared = itemIds.slice(0, 4);
    await sharing.shareItems(w.f.actor, { contactIds: [eve.id, gone.id], itemIds: shared, expiresAt: null, reason: null });
    await w.app.drain();
    const repo = new Repo(w.app.db);
    for (const itemId of shared) {
      const item = await repo.item(w.f.firm.id, itemId);
      expect(await permissionsFor(w.sim, c.driveId as string, item?.driveItemId as string, eve.guestUserId as string)).toHaveLength(1);
    }
    const outcomes = await w.app.m365.reconciler.syncGuests(w.f.firm.id, [eve.id, gone.id]);
    expect(outcomes.get(eve.id)).toMatchObject({ ok: true, outcome: { unchanged: shared.length } });
    expect(outcomes.get(gone.id)).toMatchObject({ ok: false });
  });
});
