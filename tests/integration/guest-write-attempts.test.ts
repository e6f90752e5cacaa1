import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { GrantScope, Rights } from '../../src/domain/model';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ItemRecord } from '../../src/store/records';
import { driveSnapshot } from '../stress/support/m365-world';
import { useFirmOnSimulator } from './firm-world';
import { upload } from './harness';

/**
 * A hostile guest of every kind, with the delegated Graph token CaseRoom's client would obtain
 * for her, tries to change the firm's files straight in SharePoint: overwrite, rename, move, copy,
 * delete, and write a new file. Guests hold only `read` in SharePoint, so every attempt is refused
 * and nothing changes. Uploads through the portal still work where the grant allows them, and land
 * where docs/sharing-semantics says (the case folder, or the granted folder).
 */
describe('guests cannot change the firm’s files in SharePoint', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let folder: ItemRecord;
  let contract: ItemRecord;
  let brief: ItemRecord;
  const guests: Array<{ label: string; userId: string; contactId: string; apiToken: string; canUpload: boolean; folderUpload: boolean }> = [];

  const graphAs = async (userId: string, method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const contentOf = async (item: ItemRecord) => (await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${c.driveId}/items/${item.driveItemId}/content`, { headers: { authorization: `Bearer ${await w.sim.appToken()}` } })).text();

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Hostile client' });
    const other = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'HOS-0', title: 'Other case', assignedStaffId: null, budgetCents: null });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'HOS-1', title: 'Hostile', assignedStaffId: null, budgetCents: null });
    await w.app.settle();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [
      { name: 'file', filename: 'contract.pdf', content: Buffer.from('%PDF firm contract') },
      { name: 'folder', value: 'Pleadings' },
      { name: 'file', filename: 'brief.pdf', content: Buffer.from('%PDF firm brief') },
    ]);
    expect(up.status).toBe(201);
    await w.app.settle();
    const repo = new Repo(w.app.db);
    const items = await repo.itemsOfCase(c.id);
    folder = items.find((i) => i.kind === 'folder' && i.title === 'Pleadings') as ItemRecord;
    contract = items.find((i) => i.title === 'contract.pdf') as ItemRecord;
    brief = items.find((i) => i.title === 'brief.pdf') as ItemRecord;
    expect(folder.driveItemId && contract.driveItemId && brief.driveItemId).toBeTruthy();

    const kinds: Array<{ label: string; scope: GrantScope; rights: Rights; canUpload: boolean; folderUpload: boolean }> = [
      { label: 'item (document)', scope: { kind: 'item', caseId: c.id, itemId: contract.id }, rights: 'read', canUpload: false, folderUpload: false },
      { label: 'item (folder)', scope: { kind: 'item', caseId: c.id, itemId: folder.id }, rights: 'read', canUpload: false, folderUpload: false },
      { label: 'item (folder, upload)', scope: { kind: 'item', caseId: c.id, itemId: folder.id }, rights: 'upload', canUpload: true, folderUpload: true },
      { label: 'case', scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', canUpload: false, folderUpload: false },
      { label: 'case (upload)', scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'upload', canUpload: true, folderUpload: false },
      { label: 'client', scope: { kind: 'client', clientId: client.id, view: ['documents'], threadIds: [] }, rights: 'read', canUpload: false, folderUpload: false },
      { label: 'client (upload)', scope: { kind: 'client', clientId: client.id, view: ['documents'], threadIds: [] }, rights: 'upload', canUpload: true, folderUpload: false },
    ];
    for (const [n, k] of kinds.entries()) {
      const email = `hostile${n}@guests.example`;
      const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: `Hostile ${k.label}`, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
      const contact = await sharing.createContact(w.f.actor, { email, name: `Hostile ${n}`, kind: 'client', phone: null, clientId: client.id });
      await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
      await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
      await sharing.link(w.f.actor, c.id, contact.id);
      await sharing.link(w.f.actor, other.id, contact.id);
      await sharing.grant(w.f.actor, { contactId: contact.id, scope: k.scope, rights: k.rights, expiresAt: null, reason: null });
      guests.push({ label: k.label, userId: user.id, contactId: contact.id, apiToken: await w.sim.userToken(user.id), canUpload: k.canUpload, folderUpload: k.folderUpload });
    }
    await w.app.settle();
  });

  it('holds read only: every guest permission CaseRoom wrote is read', async () => {
    const state = await w.sim.sim.admin.state();
    const guestIds = new Set(guests.map((g) => g.userId));
    const held = Object.values(state.permissions).filter((p) => p.grantee.kind === 'user' && guestIds.has(p.grantee.userId ?? ''));
    expect(held.length).toBeGreaterThanOrEqual(guests.length);
    expect([...new Set(held.flatMap((p) => p.roles))]).toEqual(['read']);
  });

  it('refuses PUT, rename, move, copy, delete and new files from every kind of guest, and nothing changes', async () => {
    const before = await driveSnapshot(w.sim, c.driveId as string);
    const drive = `/drives/${c.driveId}/items`;
    const refused: Array<{ who: string; what: string; status: number }> = [];
    for (const g of guests) {
      const attempts: Array<[string, () => Promise<number>]> = [];
      for (const target of [contract, brief]) {
        attempts.push([`PUT content of ${target.title}`, () => graphAs(g.userId, 'PUT', `${drive}/${target.driveItemId}/content`, Buffer.from('TAMPERED BY GUEST'), 'application/octet-stream')]);
      }
      for (const target of [contract, brief, folder]) {
        attempts.push([`rename ${target.title}`, () => graphAs(g.userId, 'PATCH', `${drive}/${target.driveItemId}`, { name: `renamed-${target.title}` })]);
        attempts.push([`copy ${target.title}`, () => graphAs(g.userId, 'POST', `${drive}/${target.driveItemId}/copy`, { name: `copy-${target.title}` })]);
        attempts.push([`delete ${target.title}`, () => graphAs(g.userId, 'DELETE', `${drive}/${target.driveItemId}`)]);
      }
      attempts.push(['move contract.pdf into Pleadings', () => graphAs(g.userId, 'PATCH', `${drive}/${contract.driveItemId}`, { parentReference: { id: folder.driveItemId } })]);
      attempts.push(['move brief.pdf to the case root', () => graphAs(g.userId, 'PATCH', `${drive}/${brief.driveItemId}`, { parentReference: { id: c.folderItemId } })]);
      attempts.push(['rename the case folder', () => graphAs(g.userId, 'PATCH', `${drive}/${c.folderItemId}`, { name: 'renamed case' })]);
      attempts.push(['delete the case folder', () => graphAs(g.userId, 'DELETE', `${drive}/${c.folderItemId}`)]);
      attempts.push(['write payload.exe into the case folder', () => graphAs(g.userId, 'PUT', `${drive}/${c.folderItemId}:/payload.exe:/content`, Buffer.from('MZ'), 'application/octet-stream')]);
      attempts.push(['write a file into Pleadings', () => graphAs(g.userId, 'PUT', `${drive}/${folder.driveItemId}:/planted.pdf:/content`, Buffer.from('%PDF'), 'application/octet-stream')]);
      attempts.push(['create a folder', () => graphAs(g.userId, 'POST', `${drive}/${c.folderItemId}/children`, { name: 'Guest folder', folder: {}, '@microsoft.graph.conflictBehavior': 'rename' })]);
      for (const [what, attempt] of attempts) refused.push({ who: g.label, what, status: await attempt() });
    }
    expect(refused.filter((r) => r.status !== 403 && r.status !== 404)).toEqual([]);
    expect(await driveSnapshot(w.sim, c.driveId as string)).toEqual(before);
    expect(await contentOf(contract)).toBe('%PDF firm contract');
    expect(await contentOf(brief)).toBe('%PDF firm brief');
  });

  it('still takes portal uploads from guests with upload rights, written by CaseRoom where the grant says', async () => {
    const repo = new Repo(w.app.db);
    for (const [n, g] of guests.entries()) {
      const name = `scan-${n}.pdf`;
      const parts = [...(g.folderUpload ? [{ name: 'folderId', value: folder.id }] : []), { name: 'file', filename: name, content: Buffer.from(`%PDF ${g.label}`) }];
      const res = await upload(w.app, `/api/portal/cases/${c.id}/files`, g.apiToken, parts);
      if (!g.canUpload) {
        expect({ who: g.label, refused: [403, 404].includes(res.status) }).toEqual({ who: g.label, refused: true });
        continue;
      }
      expect({ who: g.label, status: res.status }).toEqual({ who: g.label, status: 201 });
      const item = (await repo.item(w.f.firm.id, res.body.files[0].id)) as ItemRecord;
      expect({ who: g.label, parentId: item.parentId, createdBy: item.createdBy }).toEqual({ who: g.label, parentId: g.folderUpload ? folder.id : null, createdBy: `guest:${g.contactId}` });
      // In SharePoint it sits in the case folder (or the granted folder), written by CaseRoom's app.
      const written = (await w.sim.graph('GET', `/drives/${c.driveId}/items/${item.driveItemId}`)).body as { parentReference: { id: string }; createdBy: { application?: { id: string }; user?: unknown } };
      expect(written.parentReference.id).toBe(g.folderUpload ? folder.driveItemId : c.folderItemId);
      expect(written.createdBy.user).toBeUndefined();
      // She reads what she sent through the portal (SharePoint still enforces: on her behalf).
      const download = await fetch(`${w.app.url}/api/portal/cases/${c.id}/documents/${item.id}/content`, { headers: { authorization: `Bearer ${g.apiToken}` } });
      expect({ who: g.label, status: download.status, body: await download.text() }).toEqual({ who: g.label, status: 200, body: `%PDF ${g.label}` });
    }
    // A folder-upload guest cannot drop files at the case root, where her grant does not reach.
    const folderGuest = guests.find((g) => g.folderUpload)!;
    const root = await upload(w.app, `/api/portal/cases/${c.id}/files`, folderGuest.apiToken, [{ name: 'file', filename: 'root.pdf', content: Buffer.from('%PDF') }]);
    expect(root.status).toBe(403);
    await w.app.settle();
    // Nothing CaseRoom wrote for them was imported twice by upload detection.
    const titles = (await repo.itemsOfCase(c.id))
      .filter((i) => i.kind === 'document')
      .map((i) => i.title)
      .sort();
    expect(titles).toEqual(['brief.pdf', 'contract.pdf', 'scan-2.pdf', 'scan-4.pdf', 'scan-6.pdf']);
  });
});
