import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import type { SharePointAccessOfCase, SharePointAccessRow } from '../../src/contract';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { createFirm, HOME_TENANT, startTestApp } from '../support/app';
import { permissionsFor } from './harness';
import { useFirmOnSimulator } from './firm-world';

/**
 * The case Access page on the strict simulator: CaseRoom's intent beside what SharePoint holds,
 * per guest and target, read live; drift made behind CaseRoom's back shows as missing, extra or
 * different, and Repair (the guests' normal sync, run by the outbox) brings every row back in sync.
 */
describe('case Access page: CaseRoom beside SharePoint', () => {
  const w = useFirmOnSimulator();
  const repo = () => new Repo(w.app.db);

  async function guest(name: string, email: string): Promise<ContactRecord & { userId: string; token: string }> {
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const { sharing } = w.app.app.services;
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: null });
    await w.app.db.query(`UPDATE contacts SET portal_access = true WHERE id = $1`, [contact.id]);
    return { ...(await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id)), userId: user.id, token: await w.sim.userToken(user.id) };
  }

  const accessOf = async (caseId: string): Promise<SharePointAccessOfCase> => {
    const answer = await w.app.call('GET', `/api/cases/${caseId}/access/sharepoint`, w.f.staffToken);
    expect(answer.status).toBe(200);
    return answer.body as SharePointAccessOfCase;
  };
  const row = (a: SharePointAccessOfCase, contactId: string, driveItemId: string): Pick<SharePointAccessRow, 'intended' | 'held' | 'status'> | undefined => {
    const r = a.rows.find((x) => x.contactId === contactId && x.driveItemId === driveItemId);
    return r && { intended: r.intended, held: r.held, status: r.status };
  };

  let c: CaseRecord;
  let docDriveItemId: string;
  let ada: Awaited<ReturnType<typeof guest>>;
  let bea: Awaited<ReturnType<typeof guest>>;

  it('shows every guest in sync after sharing, with names and titles', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Client ACC' });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'ACC-1', title: 'Access matter', assignedStaffId: null, budgetCents: null });
    await w.app.drain();
    c = (await repo().case(w.f.firm.id, created.id)) as CaseRecord;
    const doc = (await w.sim.sim.admin.addFileByHand(c.driveId as string, c.folderItemId as string, { name: 'Statement.pdf', text: 'statement' })) as { id: string };
    docDriveItemId = doc.id;
    const item = await repo().insertItem({ firmId: w.f.firm.id, caseId: c.id, kind: 'document', title: 'Statement.pdf', driveItemId: doc.id, createdBy: 'test' });
    ada = await guest('Ada Client', 'ada@client.example');
    bea = await guest('Bea Counsel', 'bea@counsel.example');
    await sharing.link(w.f.actor, c.id, ada.id);
    await sharing.link(w.f.actor, c.id, bea.id);
    await sharing.grant(w.f.actor, { contactId: ada.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await sharing.shareItems(w.f.actor, { contactIds: [bea.id], itemIds: [item.id], expiresAt: null, reason: null });
    await w.app.drain();

    const a = await accessOf(c.id);
    expect(a.drift).toBe(0);
    expect(row(a, ada.id, c.folderItemId as string)).toEqual({ intended: 'read', held: 'read', status: 'in-sync' });
    expect(row(a, bea.id, docDriveItemId)).toEqual({ intended: 'read', held: 'read', status: 'in-sync' });
    // Bea holds nothing on the case folder and should hold nothing there: no row.
    expect(row(a, bea.id, c.folderItemId as string)).toBeUndefined();
    const beaRow = a.rows.find((r) => r.contactId === bea.id);
    expect(beaRow).toMatchObject({ guestName: 'Bea Counsel', guestEmail: 'bea@counsel.example', target: 'item', itemId: item.id, title: 'Statement.pdf' });
    expect(a.rows.find((r) => r.driveItemId === c.folderItemId)).toMatchObject({ target: 'case', itemId: null, title: 'ACC-1 Access matter' });
  });

  it('reports permissions removed, added and changed by hand in SharePoint, and Repair with the outbox brings them back in sync', async () => {
    // Behind CaseRoom's back: Ada's folder permission removed, Bea given the whole case folder, Bea's document permission raised to write.
    const adaFolder = (await permissionsFor(w.sim, c.driveId as string, c.folderItemId as string, ada.userId))[0];
    await w.sim.sim.admin.removePermissionByHand(c.driveId as string, c.folderItemId as string, adaFolder.id);
    await w.sim.sim.admin.addPermissionByHand(c.driveId as string, c.folderItemId as string, { userId: bea.userId, roles: ['read'] });
    const beaDoc = (await permissionsFor(w.sim, c.driveId as string, docDriveItemId, bea.userId))[0];
    expect((await w.sim.graph('PATCH', `/drives/${c.driveId}/items/${docDriveItemId}/permissions/${beaDoc.id}`, { roles: ['write'] })).status).toBe(200);

    const drifted = await accessOf(c.id);
    expect(row(drifted, ada.id, c.folderItemId as string)).toEqual({ intended: 'read', held: null, status: 'missing' });
    expect(row(drifted, bea.id, c.folderItemId as string)).toEqual({ intended: null, held: 'read', status: 'extra' });
    expect(row(drifted, bea.id, docDriveItemId)).toEqual({ intended: 'read', held: 'write', status: 'different' });
    expect(drifted.drift).toBe(3);

    const repair = await w.app.call('POST', `/api/cases/${c.id}/access/repair`, w.f.staffToken);
    expect(repair.status).toBe(202);
    expect(repair.body).toEqual({ caseId: c.id, queued: 2 });
    const audit = (await repo().auditEntries(w.f.firm.id)).filter((e) => e.action === 'access.repair_requested');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: `staff:${w.f.actor.userId}`, target: `case:${c.id}` });
    await w.app.drain();

    const repaired = await accessOf(c.id);
    expect(repaired.rows.filter((r) => r.status !== 'in-sync')).toEqual([]);
    expect(repaired.drift).toBe(0);
    expect(row(repaired, ada.id, c.folderItemId as string)).toEqual({ intended: 'read', held: 'read', status: 'in-sync' });
    expect(row(repaired, bea.id, c.folderItemId as string)).toBeUndefined();
    // In SharePoint itself, not only in CaseRoom's reading of it.
    expect(await permissionsFor(w.sim, c.driveId as string, c.folderItemId as string, bea.userId)).toEqual([]);
    expect((await permissionsFor(w.sim, c.driveId as string, docDriveItemId, bea.userId)).map((p) => p.roles)).toEqual([['read']]);
  });

  it('refuses guests (403), another firm’s or a malformed case (404), and changes nothing', async () => {
    for (const [method, path] of [
      ['GET', 'sharepoint'],
      ['POST', 'repair'],
    ] as const) {
      expect((await w.app.call(method, `/api/cases/${c.id}/access/${path}`, ada.token)).status).toBe(403);
      expect((await w.app.call(method, `/api/cases/${c.id}/access/${path}`, null)).status).toBe(401);
      expect((await w.app.call(method, `/api/cases/not-a-case/access/${path}`, w.f.staffToken)).status).toBe(404);
    }
    const other = await createFirm(w.app.db, '00000000-0000-4000-8000-0000000acce5', 'Elsewhere LLP');
    const theirClient = await repo().insertClient(other.firm.id, 'Their client');
    const theirCase = await repo().insertCase({ firmId: other.firm.id, clientId: theirClient.id, number: 'X-1', title: 'Theirs', assignedStaffId: null, budgetCents: null });
    const outboxBefore = await w.app.db.query(`SELECT id FROM outbox WHERE status = 'pending'`);
    expect((await w.app.call('GET', `/api/cases/${theirCase.id}/access/sharepoint`, w.f.staffToken)).status).toBe(404);
    expect((await w.app.call('POST', `/api/cases/${theirCase.id}/access/repair`, w.f.staffToken)).status).toBe(404);
    expect(await w.app.db.query(`SELECT id FROM outbox WHERE status = 'pending'`)).toEqual(outboxBefore);
    expect((await repo().auditEntries(w.f.firm.id)).filter((e) => e.action === 'access.repair_requested')).toHaveLength(1);
  });
});

describe('case Access page without the Microsoft 365 part', () => {
  it('answers 503 with a message saying SharePoint is not connected', async () => {
    const t = await startTestApp();
    try {
      const firm = await createFirm(t.db, HOME_TENANT);
      const token = await t.identity.token({ tid: firm.tenantId, oid: firm.staff.userId, name: 'Pat Partner' });
      const client = await new Repo(t.db).insertClient(firm.firm.id, 'Client');
      const kase = await new Repo(t.db).insertCase({ firmId: firm.firm.id, clientId: client.id, number: 'S-1', title: 'Stub', assignedStaffId: null, budgetCents: null });
      const read = await t.call('GET', `/api/cases/${kase.id}/access/sharepoint`, token);
      expect(read.status).toBe(503);
      expect(JSON.stringify(read.body)).toMatch(/SharePoint is not connected/);
      expect((await t.call('POST', `/api/cases/${kase.id}/access/repair`, token)).status).toBe(503);
    } finally {
      await t.close();
    }
  });
});
