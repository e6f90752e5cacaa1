import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ItemRecord } from '../../src/store/records';
import { provisionedCases, useFirmOnSimulator } from './firm-world';
import { acceptedGuest, upload } from './harness';

/**
 * Hostile calls on create folder, rename, move and delete (POST /cases/{id}/items, PATCH and
 * DELETE /items/{id}): another firm's ids, a guest on staff routes, names SharePoint or CaseRoom
 * refuse, and moves out of the case. Each is refused with the status the API promises, and
 * neither the store nor SharePoint changes.
 */
describe('item lifecycle routes under hostile input', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let otherCase: CaseRecord;
  let folder: ItemRecord;
  let child: ItemRecord;
  let doc: ItemRecord;
  let note: ItemRecord;
  let otherCaseFolder: ItemRecord;
  let foreign: { caseId: string; folderId: string; noteId: string };
  let guestToken: string;

  const repo = () => new Repo(w.app.db);
  const snapshot = async () => {
    const items = (await repo().itemsOfCase(c.id)).map((i) => [i.id, i.title, i.parentId, i.staffOnly]).sort();
    const inSharePoint = await w.sim.graph<{ value: Array<{ id: string; name: string; parentReference?: { id?: string } }> }>('GET', `/drives/${c.driveId}/root/delta`);
    return { items, sharePoint: inSharePoint.body.value.map((x) => [x.id, x.name, x.parentReference?.id]).sort() };
  };

  beforeAll(async () => {
    const { sharing, casework } = w.app.app.services;
    const { clientId, cases } = await provisionedCases(w, 'Target client', [
      { number: 'HST-1', title: 'Target' },
      { number: 'HST-2', title: 'Neighbour' },
    ]);
    [c, otherCase] = cases;
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [
      { name: 'folder', value: 'Outer/Inner' },
      { name: 'file', filename: 'doc.pdf', content: Buffer.from('%PDF doc') },
    ]);
    expect(up.status).toBe(201);
    await w.app.settle();
    const items = await repo().itemsOfCase(c.id);
    folder = items.find((i) => i.title === 'Outer') as ItemRecord;
    child = items.find((i) => i.title === 'Inner') as ItemRecord;
    doc = items.find((i) => i.title === 'doc.pdf') as ItemRecord;
    note = await casework.createItem(w.f.actor, c.id, { kind: 'note', title: 'A note', body: 'text' });
    otherCaseFolder = await casework.createItem(w.f.actor, otherCase.id, { kind: 'folder', title: 'Neighbour folder', parentId: null });
    expect(otherCaseFolder.driveItemId).toBeTruthy();

    // Another firm (another tenant) in the same store, with its own case, folder and note.
    const firmB = await repo().insertFirm({ tenantId: randomUUID(), name: 'Other firm' });
    const staffB = await repo().insertStaff({ firmId: firmB.id, userId: randomUUID(), name: 'Bea Other', email: 'bea@other.example', phone: null, title: null });
    const actorB: Extract<Actor, { kind: 'staff' }> = { kind: 'staff', firmId: firmB.id, staffId: staffB.id, userId: staffB.userId, name: staffB.name, role: 'admin' };
    const clientB = await sharing.createClient(actorB, { name: 'B client' });
    const caseB = await sharing.createCase(actorB, { clientId: clientB.id, number: 'B-1', title: 'B case', assignedStaffId: null, budgetCents: null });
    const folderB = await casework.createItem(actorB, caseB.id, { kind: 'folder', title: 'B folder', parentId: null });
    const noteB = await casework.createItem(actorB, caseB.id, { kind: 'note', title: 'B note', body: 'b' });
    foreign = { caseId: caseB.id, folderId: folderB.id, noteId: noteB.id };

    const hal = await acceptedGuest(w.sim, w.app, w.f, { name: 'Hal Guest', email: 'hal@guests.example', clientId, caseId: c.id });
    await sharing.grant(w.f.actor, { contactId: hal.contactId, scope: { kind: 'case', caseId: c.id, view: ['documents', 'notes'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
    guestToken = hal.token;
    await w.app.settle();
  });

  type Attempt = { name: string; as: 'staff' | 'guest'; method: 'POST' | 'PATCH' | 'DELETE'; path: () => string; body?: () => unknown; status: number; code: string; field?: string };
  const attempts: Attempt[] = [
    // Another firm's ids
    { name: "rename another firm's folder", as: 'staff', method: 'PATCH', path: () => `/api/items/${foreign.folderId}`, body: () => ({ title: 'mine now' }), status: 404, code: 'not_found' },
    { name: "delete another firm's note", as: 'staff', method: 'DELETE', path: () => `/api/items/${foreign.noteId}`, status: 404, code: 'not_found' },
    { name: "create a folder in another firm's case", as: 'staff', method: 'POST', path: () => `/api/cases/${foreign.caseId}/items`, body: () => ({ kind: 'folder', title: 'X', parentId: null }), status: 404, code: 'not_found' },
    { name: "create a folder under another firm's folder", as: 'staff', method: 'POST', path: () => `/api/cases/${c.id}/items`, body: () => ({ kind: 'folder', title: 'X', parentId: foreign.folderId }), status: 404, code: 'not_found' },
    { name: "move a document into another firm's folder", as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ parentId: foreign.folderId }), status: 404, code: 'not_found' },
    // A guest on staff routes
    { name: 'guest deletes a document', as: 'guest', method: 'DELETE', path: () => `/api/items/${doc.id}`, status: 403, code: 'forbidden' },
    { name: 'guest renames a document', as: 'guest', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ title: 'pwned.pdf' }), status: 403, code: 'forbidden' },
    { name: 'guest moves a document', as: 'guest', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ parentId: null }), status: 403, code: 'forbidden' },
    { name: 'guest creates a folder', as: 'guest', method: 'POST', path: () => `/api/cases/${c.id}/items`, body: () => ({ kind: 'folder', title: 'Mine', parentId: null }), status: 403, code: 'forbidden' },
    // Hostile names
    { name: 'folder with a slash', as: 'staff', method: 'POST', path: () => `/api/cases/${c.id}/items`, body: () => ({ kind: 'folder', title: 'a/b', parentId: null }), status: 400, code: 'validation_failed', field: 'title' },
    {
      name: 'folder with a right-to-left override',
      as: 'staff',
      method: 'POST',
      path: () => `/api/cases/${c.id}/items`,
      body: () => ({ kind: 'folder', title: 'evil\u202Efdp', parentId: null }),
      status: 400,
      code: 'validation_failed',
      field: 'title',
    },
    { name: 'rename to a reserved name', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ title: 'CON' }), status: 400, code: 'validation_failed', field: 'title' },
    { name: 'rename with a zero-width space', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ title: 'do\u200Bc.pdf' }), status: 400, code: 'validation_failed', field: 'title' },
    { name: 'rename to a name ending in a dot', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ title: 'doc.' }), status: 400, code: 'validation_failed', field: 'title' },
    // Moves out of the case, into itself, of things that are not files
    { name: 'move into a folder of another case', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ parentId: otherCaseFolder.id }), status: 404, code: 'not_found' },
    { name: 'move into an unknown folder', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ parentId: randomUUID() }), status: 404, code: 'not_found' },
    { name: 'move into a document', as: 'staff', method: 'PATCH', path: () => `/api/items/${folder.id}`, body: () => ({ parentId: doc.id }), status: 404, code: 'not_found' },
    { name: 'move a folder into itself', as: 'staff', method: 'PATCH', path: () => `/api/items/${folder.id}`, body: () => ({ parentId: folder.id }), status: 400, code: 'validation_failed', field: 'parentId' },
    { name: 'move a folder into its own subfolder', as: 'staff', method: 'PATCH', path: () => `/api/items/${folder.id}`, body: () => ({ parentId: child.id }), status: 400, code: 'validation_failed', field: 'parentId' },
    { name: 'move a note', as: 'staff', method: 'PATCH', path: () => `/api/items/${note.id}`, body: () => ({ parentId: folder.id }), status: 400, code: 'validation_failed', field: 'parentId' },
    { name: 'a parent id that is not an id', as: 'staff', method: 'PATCH', path: () => `/api/items/${doc.id}`, body: () => ({ parentId: "' OR 1=1 --" }), status: 400, code: 'validation_failed', field: 'parentId' },
  ];

  it.each(attempts)('$name → $status $code, nothing changed', async (a) => {
    const before = await snapshot();
    const res = await w.app.call(a.method, a.path(), a.as === 'staff' ? w.f.staffToken : guestToken, a.body?.());
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: a.status, code: a.code });
    if (a.field) expect(res.body.error.field).toBe(a.field);
    await w.app.settle();
    expect(await snapshot()).toEqual(before);
  });
});
