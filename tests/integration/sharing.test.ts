import { describe, expect, it } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import { permissionsFor, upload } from './harness';
import { useFirmOnSimulator } from './firm-world';

/**
 * The vertical slice: a case is provisioned (team, channel, files folder), a document is
 * uploaded by staff, a contact is invited, shared with before acceptance (stays pending),
 * accepted (the permission appears in SharePoint), downloads with their own token, and loses
 * the permission on revoke.
 */
describe('sharing through SharePoint', () => {
  const w = useFirmOnSimulator();

  it('provisions, shares, applies on acceptance, enforces downloads and revokes', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'John Smith' });
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'PI-2026-001', title: 'Smith v. Metro', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    const provisioned = await new Repo(w.app.db).case(w.f.firm.id, c.id);
    expect(provisioned).toMatchObject({ provisioning: 'ready' });
    expect(provisioned?.driveId).toBeTruthy();
    expect(provisioned?.folderItemId).toBeTruthy();
    const driveId = provisioned?.driveId as string;

    // Staff upload through the API (their own delegated token) → two documents.
    const pdf = Buffer.from('%PDF-1.4 shared report');
    const up1 = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [
      { name: 'size', value: String(pdf.length) },
      { name: 'file', filename: 'MRI report.pdf', content: pdf },
    ]);
    expect(up1.status).toBe(201);
    const up2 = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [{ name: 'file', filename: 'Internal memo.pdf', content: Buffer.from('%PDF-1.4 internal') }]);
    expect(up2.status).toBe(201);
    const shared = await new Repo(w.app.db).item(w.f.firm.id, up1.body.files[0].id);
    const other = await new Repo(w.app.db).item(w.f.firm.id, up2.body.files[0].id);
    expect(shared?.driveItemId).toBeTruthy();

    // Contact, link, portal on → B2B invitation.
    const contact = await sharing.createContact(w.f.actor, { email: 'john@mail.example', name: 'John Smith', kind: 'client', phone: null, clientId: client.id });
    await sharing.link(w.f.actor, c.id, contact.id);
    await sharing.setPortalAccess(w.f.actor, contact.id, true, null);
    await w.app.drain();
    const invited = await new Repo(w.app.db).contact(w.f.firm.id, contact.id);
    expect(invited).toMatchObject({ invitation: 'pending' });
    const guestId = invited?.guestUserId as string;
    expect(guestId).toBeTruthy();

    // Shared before acceptance: pending, nothing in SharePoint.
    await sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds: [shared?.id as string], expiresAt: null, reason: 'client asked' });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, shared?.driveItemId as string, guestId)).toHaveLength(0);

    // Acceptance is detected by the poll (externalUserState) → the grant is applied.
    await w.sim.sim.admin.acceptInvitation(guestId);
    expect(await w.app.m365.provisioning.pollAcceptances()).toBe(1);
    // Opened before SharePoint has the permission (the guest's sync still waits): "try again in a
    // minute" with the time to wait, not "not found" for a document the portal lists.
    const guestToken = await w.sim.userToken(guestId);
    const content = (itemId: string | undefined) => fetch(`${w.app.url}/api/portal/cases/${c.id}/documents/${itemId}/content`, { headers: { authorization: `Bearer ${guestToken}` } });
    const early = await content(shared?.id);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('30');
    expect(((await early.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('still being shared with you') });
    await w.app.drain();
    const perms = await permissionsFor(w.sim, driveId, shared?.driveItemId as string, guestId);
    expect(perms).toHaveLength(1);
    expect(perms[0].roles).toEqual(['read']);
    expect(await permissionsFor(w.sim, driveId, other?.driveItemId as string, guestId)).toHaveLength(0);

    // The guest downloads with their own token; an unshared document is a 404.
    const dl = await content(shared?.id);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain('MRI%20report.pdf');
    expect(Buffer.from(await dl.arrayBuffer()).equals(pdf)).toBe(true);
    const denied = await content(other?.id);
    expect(denied.status).toBe(404);

    // A second run changes nothing (idempotent).
    expect(await w.app.m365.reconciler.syncGuest(w.f.firm.id, contact.id)).toMatchObject({ invited: 0, revoked: 0, unchanged: 1 });

    // Removed in SharePoint by hand, with no sync on its way: SharePoint's refusal is a plain 404.
    await w.sim.sim.admin.removePermissionByHand(driveId, shared?.driveItemId as string, perms[0].id);
    expect((await content(shared?.id)).status).toBe(404);

    // Revoke → the permission is gone from SharePoint and from CaseRoom's record.
    await sharing.unshareItems(w.f.actor, { contactIds: [contact.id], itemIds: [shared?.id as string], reason: 'done' });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, shared?.driveItemId as string, guestId)).toHaveLength(0);
    expect(await w.app.db.query('SELECT * FROM m365_permissions WHERE contact_id = $1', [contact.id])).toHaveLength(0);
  });

  it('withdraws everything on expiry, unlink and portal access off; health reports the tenant', async () => {
    const { sharing } = w.app.app.services;
    const repo = new Repo(w.app.db);
    const c = (await repo.listCases(w.f.firm.id))[0];
    const contact = (await repo.listContacts(w.f.firm.id))[0];
    const guestId = contact.guestUserId as string;
    const folder = c.folderItemId as string;
    const driveId = c.driveId as string;

    // A case grant that expires in two seconds: the sweep queues the guest, the sync removes the permission.
    await sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: new Date(Date.now() + 2000).toISOString(), reason: null });
    await w.app.drain();
    const granted = await permissionsFor(w.sim, driveId, folder, guestId);
    expect(granted.map((p) => p.roles)).toEqual([['read']]); // upload rights, yet read only in SharePoint
    await new Promise((r) => setTimeout(r, 2100));
    await w.app.m365.handlers['m365-expiry']?.({ id: 0, firmId: null, kind: 'm365-expiry', payload: {}, dedupeKey: null, attempts: 1 });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, folder, guestId)).toHaveLength(0);

    // Unlink withdraws the case's shares.
    await sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, folder, guestId)).toHaveLength(1);
    await sharing.unlink(w.f.actor, c.id, contact.id, 'matter closed for them');
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, folder, guestId)).toHaveLength(0);

    // Portal access off withdraws everything, everywhere.
    await sharing.link(w.f.actor, c.id, contact.id);
    await sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, folder, guestId)).toHaveLength(1);
    await sharing.setPortalAccess(w.f.actor, contact.id, false, 'engagement ended');
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, folder, guestId)).toHaveLength(0);
    expect(await w.app.db.query('SELECT * FROM m365_permissions WHERE contact_id = $1', [contact.id])).toHaveLength(0);

    const health = await w.app.call('GET', '/healthz', null);
    expect(health.body.parts.m365).toMatchObject({ graph: 'reachable', tenantId: c.firmId ? expect.any(String) : '' });
  });
});
