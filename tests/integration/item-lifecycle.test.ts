import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { CaseRoomEvent } from '../../src/domain/events';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ItemRecord } from '../../src/store/records';
import { provisionedCases, useFirmOnSimulator } from './firm-world';
import { acceptedGuest, upload } from './harness';

type ItemsChanged = Extract<CaseRoomEvent, { type: 'items.changed' }>;

/**
 * The document lifecycle reaches SharePoint: staff's create folder, rename, move and delete happen
 * in SharePoint first (app-only), then in the store; a refusal in SharePoint changes nothing. And
 * SharePoint is watched: what staff do there directly is reflected after one delta run, audited,
 * with a card when a guest could see the item.
 */
describe('the document lifecycle in SharePoint and CaseRoom', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let other: CaseRecord;
  let pleadings: ItemRecord;
  let guest: { userId: string; contactId: string; apiToken: string };

  const repo = () => new Repo(w.app.db);
  const item = async (id: string) => repo().item(w.f.firm.id, id);
  const byTitle = async (title: string, caseId = c.id) => (await repo().itemsOfCase(caseId)).find((i) => i.title === title) ?? null;
  /** Graph as the staff member, straight in SharePoint (delegated: what she can do in the browser). */
  const staffGraph = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: w.f.staff.userId });
    return w.sim.graph<T>(method, path, body, token);
  };
  const driveItem = (driveItemId: string) => w.sim.graph<{ id: string; name: string; parentReference: { id: string } }>('GET', `/drives/${c.driveId}/items/${driveItemId}`);
  const uploadStaff = async (caseId: string, folder: string | null, names: string[]) => {
    const res = await upload(w.app, `/api/cases/${caseId}/files`, w.f.staffToken, [...(folder ? [{ name: 'folder', value: folder }] : []), ...names.map((n) => ({ name: 'file', filename: n, content: Buffer.from(`%PDF ${n}`) }))]);
    expect(res.status).toBe(201);
    await w.app.settle();
  };
  const auditOf = async (action: string) =>
    w.app.db.query<{ actor: string; reason: string | null; data: Record<string, unknown> }>('SELECT actor, reason, data FROM audit_log WHERE firm_id = $1 AND action = $2 ORDER BY seq', [w.f.firm.id, action]);
  const changedCards = (source: 'caseroom' | 'sharepoint') => w.app.notifications.filter((e): e is ItemsChanged => e.type === 'items.changed' && e.source === source);
  const guestDownload = (itemId: string) => fetch(`${w.app.url}/api/portal/cases/${c.id}/documents/${itemId}/content`, { headers: { authorization: `Bearer ${guest.apiToken}` } });
  const guestGraphStatus = async (driveItemId: string) => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: guest.userId });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${c.driveId}/items/${driveItemId}/content`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const { clientId, cases } = await provisionedCases(w, 'Lifecycle client', [
      { number: 'LIF-1', title: 'Lifecycle' },
      { number: 'LIF-2', title: 'Elsewhere' },
    ]);
    [c, other] = cases;
    expect(c.driveId && c.folderItemId && other.folderItemId).toBeTruthy();
    await uploadStaff(c.id, 'Pleadings', ['brief.pdf', 'secret.pdf', 'exhibit.pdf', 'notes.pdf', 'memo.pdf']);
    pleadings = (await byTitle('Pleadings')) as ItemRecord;

    const gail = await acceptedGuest(w.sim, w.app, w.f, { name: 'Gail Guest', email: 'gail@guests.example', clientId, caseId: c.id });
    // The whole Pleadings folder, and (explicitly) one document in it.
    await sharing.grant(w.f.actor, { contactId: gail.contactId, scope: { kind: 'item', caseId: c.id, itemId: pleadings.id }, rights: 'read', expiresAt: null, reason: null });
    await sharing.grant(w.f.actor, { contactId: gail.contactId, scope: { kind: 'item', caseId: c.id, itemId: ((await byTitle('secret.pdf')) as ItemRecord).id }, rights: 'read', expiresAt: null, reason: null });
    guest = { userId: gail.userId, contactId: gail.contactId, apiToken: gail.token };
    await w.app.settle();
    // A baseline delta round, so that the runs below see only what the tests do.
    await w.app.m365.detection.syncDrive(c.driveId as string);
  });

  it('creates a folder in SharePoint first; an upload into it lands in that folder, not in a second one', async () => {
    const res = await w.app.call('POST', `/api/cases/${c.id}/items`, w.f.staffToken, { kind: 'folder', title: 'Evidence', parentId: null });
    expect(res.status).toBe(201);
    expect(res.body.driveItemId).toBeTruthy();
    const inSharePoint = await driveItem(res.body.driveItemId);
    expect(inSharePoint.status).toBe(200);
    expect(inSharePoint.body).toMatchObject({ name: 'Evidence', parentReference: { id: c.folderItemId } });

    await uploadStaff(c.id, 'Evidence', ['photo.pdf']);
    const folders = (await repo().itemsOfCase(c.id)).filter((i) => i.kind === 'folder' && i.title.startsWith('Evidence'));
    expect(folders.map((f) => f.id)).toEqual([res.body.id]);
    expect((await byTitle('photo.pdf'))?.parentId).toBe(res.body.id);
    const children = await w.sim.graph<{ value: Array<{ name: string }> }>('GET', `/drives/${c.driveId}/items/${c.folderItemId}/children`);
    expect(children.body.value.filter((x) => x.name.startsWith('Evidence')).map((x) => x.name)).toEqual(['Evidence']);
  });

  it('a name SharePoint already holds is a 409 for staff, and nothing changes in the store or SharePoint', async () => {
    const taken = await staffGraph('POST', `/drives/${c.driveId}/items/${c.folderItemId}/children`, { name: 'Taken', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' });
    expect(taken.status).toBe(201);
    const before = (await repo().itemsOfCase(c.id)).length;
    const folder = await w.app.call('POST', `/api/cases/${c.id}/items`, w.f.staffToken, { kind: 'folder', title: 'Taken', parentId: null });
    expect(folder.status).toBe(409);
    expect(folder.body.error).toMatchObject({ code: 'conflict', sharePoint: 'nameAlreadyExists' });
    expect((await repo().itemsOfCase(c.id)).length).toBe(before);

    const brief = (await byTitle('brief.pdf')) as ItemRecord;
    // A sibling's name, differing only in case: SharePoint names are case-insensitive.
    const rename = await w.app.call('PATCH', `/api/items/${brief.id}`, w.f.staffToken, { title: 'EXHIBIT.pdf' });
    expect(rename.status).toBe(409);
    expect((await item(brief.id))?.title).toBe('brief.pdf');
    expect((await driveItem(brief.driveItemId as string)).body.name).toBe('brief.pdf');
    expect(await auditOf('document.renamed')).toEqual([]);
  });

  it('renames and moves in SharePoint first, then in the store, each audited with before and after', async () => {
    const brief = (await byTitle('brief.pdf')) as ItemRecord;
    const evidence = (await byTitle('Evidence')) as ItemRecord;
    const renamed = await w.app.call('PATCH', `/api/items/${brief.id}`, w.f.staffToken, { title: 'brief v2.pdf' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('brief v2.pdf');
    expect((await driveItem(brief.driveItemId as string)).body.name).toBe('brief v2.pdf');

    const moved = await w.app.call('PATCH', `/api/items/${brief.id}`, w.f.staffToken, { parentId: evidence.id });
    expect(moved.status).toBe(200);
    expect((await driveItem(brief.driveItemId as string)).body.parentReference.id).toBe(evidence.driveItemId);
    expect((await item(brief.id))?.parentId).toBe(evidence.id);
    const toTop = await w.app.call('PATCH', `/api/items/${brief.id}`, w.f.staffToken, { parentId: null });
    expect(toTop.status).toBe(200);
    expect((await driveItem(brief.driveItemId as string)).body.parentReference.id).toBe(c.folderItemId);

    expect((await auditOf('document.renamed')).map((a) => a.data)).toEqual([expect.objectContaining({ before: { title: 'brief.pdf' }, after: { title: 'brief v2.pdf' } })]);
    expect((await auditOf('document.moved')).map((a) => [a.data.before, a.data.after])).toEqual([
      [
        { parentId: pleadings.id, folder: 'Pleadings' },
        { parentId: evidence.id, folder: 'Evidence' },
      ],
      [
        { parentId: evidence.id, folder: 'Evidence' },
        { parentId: null, folder: null },
      ],
    ]);
    // The guest saw it through the Pleadings folder: the channel hears it was renamed, then moved.
    await w.app.settle();
    expect(changedCards('caseroom').flatMap((e) => e.changes.map((x) => x.change))).toEqual(expect.arrayContaining(['renamed', 'moved']));
  });

  it('deletes a shared document to the recycle bin first: its grant ends (audited), the guest can download it neither through CaseRoom nor through Graph', async () => {
    const secret = (await byTitle('secret.pdf')) as ItemRecord;
    const before = await guestDownload(secret.id);
    expect(before.status).toBe(200);
    await before.arrayBuffer();

    const res = await w.app.call('DELETE', `/api/items/${secret.id}`, w.f.staffToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: true });
    expect((await driveItem(secret.driveItemId as string)).status).toBe(404);
    expect(await item(secret.id)).toBeNull();
    await w.app.settle();

    const after = await guestDownload(secret.id);
    expect(after.status).toBe(404);
    await after.arrayBuffer();
    expect(await guestGraphStatus(secret.driveItemId as string)).toBe(404);
    const portal = await w.app.call('GET', `/api/portal/cases/${c.id}`, guest.apiToken);
    expect(portal.status).toBe(200);
    expect(JSON.stringify(portal.body)).not.toContain('secret.pdf');

    expect(await w.app.db.query('SELECT 1 FROM grants WHERE item_id = $1', [secret.id])).toEqual([]);
    expect((await auditOf('grant.removed')).filter((a) => a.data.contactId === guest.contactId)).toEqual([expect.objectContaining({ actor: `staff:${w.f.staff.userId}`, reason: 'the document was deleted' })]);
    expect((await auditOf('document.deleted')).map((a) => a.data)).toEqual([expect.objectContaining({ itemId: secret.id, title: 'secret.pdf', guestsWhoSawIt: [guest.contactId] })]);
    expect(changedCards('caseroom').some((e) => e.changes.some((x) => x.change === 'deleted' && x.itemId === secret.id && x.contactIds.includes(guest.contactId)))).toBe(true);
  });

  it('reflects a rename, a move and a delete made straight in SharePoint after one delta run, audited, with a card for the shared items', async () => {
    const [exhibit, notes, memo] = await Promise.all(['exhibit.pdf', 'notes.pdf', 'memo.pdf'].map(async (t) => (await byTitle(t)) as ItemRecord));
    const evidence = (await byTitle('Evidence')) as ItemRecord;
    w.app.notifications.length = 0;
    expect((await staffGraph('PATCH', `/drives/${c.driveId}/items/${exhibit.driveItemId}`, { name: 'Exhibit A.pdf' })).status).toBe(200);
    expect((await staffGraph('PATCH', `/drives/${c.driveId}/items/${notes.driveItemId}`, { parentReference: { id: evidence.driveItemId } })).status).toBe(200);
    expect((await staffGraph('DELETE', `/drives/${c.driveId}/items/${memo.driveItemId}`)).status).toBe(204);

    await w.app.m365.detection.syncDrive(c.driveId as string);
    await w.app.settle();

    expect((await item(exhibit.id))?.title).toBe('Exhibit A.pdf');
    expect((await item(notes.id))?.parentId).toBe(evidence.id);
    expect(await item(memo.id)).toBeNull();
    const staffActor = `staff:${w.f.staff.userId}`;
    expect((await auditOf('document.renamed')).filter((a) => a.data.itemId === exhibit.id)).toEqual([expect.objectContaining({ actor: staffActor, reason: 'changed in SharePoint' })]);
    expect((await auditOf('document.moved')).filter((a) => a.data.itemId === notes.id)).toEqual([expect.objectContaining({ actor: staffActor, reason: 'changed in SharePoint' })]);
    expect((await auditOf('document.deleted')).filter((a) => a.data.itemId === memo.id)).toEqual([expect.objectContaining({ reason: 'deleted in SharePoint' })]);
    // All three sat in Pleadings, which the guest sees: one card each, naming her.
    const changes = changedCards('sharepoint').flatMap((e) => e.changes);
    expect(changes.map((x) => [x.change, x.itemId]).sort()).toEqual(
      [
        ['deleted', memo.id],
        ['moved', notes.id],
        ['renamed', exhibit.id],
      ].sort(),
    );
    expect(changes.every((x) => x.contactIds.includes(guest.contactId))).toBe(true);

    // A second run finds nothing more to do: no new audit entries, no new card.
    const audits = (await w.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE firm_id = $1', [w.f.firm.id]))[0].n;
    const cards = changedCards('sharepoint').length;
    await w.app.m365.detection.syncDrive(c.driveId as string);
    expect((await w.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE firm_id = $1', [w.f.firm.id]))[0].n).toBe(audits);
    expect(changedCards('sharepoint').length).toBe(cards);
  });

  it('a disguised name given in SharePoint is recorded visibly and kept from guests; a file moved to another case leaves this one', async () => {
    const [exhibit, notes] = await Promise.all(['Exhibit A.pdf', 'notes.pdf'].map(async (t) => (await byTitle(t)) as ItemRecord));
    const disguised = 'invoice\u202Efdp.html';
    expect((await staffGraph('PATCH', `/drives/${c.driveId}/items/${exhibit.driveItemId}`, { name: disguised })).status).toBe(200);
    expect((await staffGraph('PATCH', `/drives/${c.driveId}/items/${notes.driveItemId}`, { parentReference: { id: other.folderItemId } })).status).toBe(200);
    await w.app.m365.detection.syncDrive(c.driveId as string);
    await w.app.settle();

    const recorded = (await item(exhibit.id)) as ItemRecord;
    expect(recorded.title).toBe('invoice<U+202E>fdp.html');
    expect(recorded.staffOnly).toBe(true);
    expect((await auditOf('item.staff-only')).filter((a) => a.data.itemId === exhibit.id)).toEqual([expect.objectContaining({ reason: expect.stringContaining('not accepted') })]);
    const portal = await w.app.call('GET', `/api/portal/cases/${c.id}`, guest.apiToken);
    expect(JSON.stringify(portal.body)).not.toContain('fdp.html');

    expect(await item(notes.id)).toBeNull();
    expect((await repo().itemsOfCase(other.id)).some((i) => i.driveItemId === notes.driveItemId && i.title === 'notes.pdf')).toBe(true);
  });
});
