import { describe, expect, it } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import { permissionsFor, upload } from './harness';
import { useFirmOnSimulator } from './firm-world';

/**
 * A blocked e-mail domain against the simulated tenant (issue 12): every path that would let the
 * address in is refused, confirmed or not, and SharePoint and Entra are left exactly as they were
 * (no new permission, no B2B invitation); what was shared before the block stays until staff
 * withdraw it, and withdrawing is never refused.
 */
describe('blocked domains leave SharePoint untouched', () => {
  const w = useFirmOnSimulator();

  it('refuses sharing, granting, widening and inviting at a blocked domain on every path', async () => {
    const { sharing } = w.app.app.services;
    const repo = new Repo(w.app.db);
    const client = await sharing.createClient(w.f.actor, { name: 'Contoso' });
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'COM-9', title: 'Contoso v. Fabrikam', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    const kase = (await repo.case(w.f.firm.id, c.id))!;
    const files: Record<string, { id: string; driveItemId: string }> = {};
    for (const name of ['Pleading.pdf', 'Strategy.pdf']) {
      const res = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [{ name: 'file', filename: name, content: Buffer.from(`%PDF-1.4 ${name}`) }]);
      expect(res.status).toBe(201);
      const item = (await repo.item(w.f.firm.id, res.body.files[0].id))!;
      files[name] = { id: item.id, driveItemId: item.driveItemId as string };
    }

    // Co-counsel at the domain, invited, accepted and given one document before the firm blocks it.
    const ann = await sharing.createContact(w.f.actor, { email: 'ann@opposing-firm.com', name: 'Ann Ally', kind: 'co-counsel', phone: null, clientId: null });
    await sharing.link(w.f.actor, c.id, ann.id, 'co-counsel');
    await sharing.setPortalAccess(w.f.actor, ann.id, true, null);
    await w.app.drain();
    const annGuest = (await repo.contact(w.f.firm.id, ann.id))!.guestUserId as string;
    await w.sim.sim.admin.acceptInvitation(annGuest);
    await w.app.m365.provisioning.pollAcceptances();
    const held = await sharing.grant(w.f.actor, { contactId: ann.id, scope: { kind: 'item', caseId: c.id, itemId: files['Pleading.pdf'].id }, rights: 'read', expiresAt: null, reason: null });
    await w.app.drain();
    const pleadingBefore = await permissionsFor(w.sim, kase.driveId!, files['Pleading.pdf'].driveItemId, annGuest);
    expect(pleadingBefore).toHaveLength(1);

    const bob = await sharing.createContact(w.f.actor, { email: 'bob@paris.opposing-firm.com', name: 'Bob Branch', kind: 'other', phone: null, clientId: null });
    await sharing.link(w.f.actor, c.id, bob.id, 'opposing-counsel');
    expect((await w.app.call('PUT', '/api/firm/domain-policy', w.f.staffToken, { blocked: ['Opposing-Firm.com'], warned: [], reason: 'conflict wall' })).status).toBe(200);
    const usersBefore = Object.keys((await w.sim.sim.admin.state()).users).length;

    const confirm = { reason: 'the partner approved it' };
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/api/shares', { contactIds: [ann.id], itemIds: [files['Strategy.pdf'].id], confirm }],
      ['POST', '/api/grants', { contactId: ann.id, scope: { kind: 'case', caseId: c.id, view: ['documents'] }, rights: 'upload', confirm }],
      ['PUT', `/api/grants/${held.id}`, { scope: { kind: 'case', caseId: c.id, view: ['documents'] }, confirm }],
      ['PUT', `/api/contacts/${bob.id}/portal-access`, { enabled: true, confirm }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await w.app.call(method, path, w.f.staffToken, body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'refused_by_policy' });
    }
    // The bot's `share` command and the upload card's share-back call the same service.
    await expect(sharing.shareItems(w.f.actor, { contactIds: [ann.id], itemIds: [files['Strategy.pdf'].id], expiresAt: null, reason: 'shared from Teams (@CaseRoom share)' })).rejects.toMatchObject({ code: 'refused_by_policy' });
    await w.app.drain();

    expect(await permissionsFor(w.sim, kase.driveId!, files['Strategy.pdf'].driveItemId, annGuest)).toEqual([]);
    expect(await permissionsFor(w.sim, kase.driveId!, kase.folderItemId!, annGuest)).toEqual([]);
    expect(await permissionsFor(w.sim, kase.driveId!, files['Pleading.pdf'].driveItemId, annGuest)).toEqual(pleadingBefore);
    expect(Object.keys((await w.sim.sim.admin.state()).users)).toHaveLength(usersBefore);
    expect(await repo.contact(w.f.firm.id, bob.id)).toMatchObject({ portalAccess: false, invitation: 'none', guestUserId: null });
    expect((await repo.auditEntries(w.f.firm.id, { limit: 1000 })).filter((e) => e.action === 'sharing.refused')).toHaveLength(attempts.length + 1);

    // Withdrawing what was shared before the block is never refused, and reaches SharePoint.
    await sharing.revokeGrant(w.f.actor, held.id, 'domain blocked');
    await w.app.drain();
    expect(await permissionsFor(w.sim, kase.driveId!, files['Pleading.pdf'].driveItemId, annGuest)).toEqual([]);
  });
});
