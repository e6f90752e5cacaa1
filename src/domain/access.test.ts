import { caseAccess, desiredDrivePermissions, grantState } from './access';
import type { CaseRef, Contact, Grant, ItemRef } from './model';
import { diffAccess, isEmptyDiff } from './preview';

const firmId = 'firm';
const guest: Contact = { id: 'g', firmId, portalAccess: true, invitation: 'accepted' };
const kase: CaseRef = { id: 'c1', firmId, clientId: 'cl1' };
const other: CaseRef = { id: 'c2', firmId, clientId: 'cl1' };
const items: ItemRef[] = [
  { id: 'folder', caseId: 'c1', kind: 'folder', parentId: null, staffOnly: false },
  { id: 'sub', caseId: 'c1', kind: 'folder', parentId: 'folder', staffOnly: false },
  { id: 'deep', caseId: 'c1', kind: 'document', parentId: 'sub', staffOnly: false },
  { id: 'root-doc', caseId: 'c1', kind: 'document', parentId: null, staffOnly: false },
  { id: 'note', caseId: 'c1', kind: 'note', parentId: null, staffOnly: false },
  { id: 'memo', caseId: 'c1', kind: 'note', parentId: null, staffOnly: true },
  { id: 'invoice', caseId: 'c1', kind: 'invoice', parentId: null, staffOnly: false },
];
const noPolicy = { disabledSections: [] };
const now = new Date('2030-06-01T00:00:00Z');
const itemGrant = (itemId: string, extra: Partial<Grant> = {}): Grant => ({ id: `g-${itemId}`, contactId: 'g', scope: { kind: 'item', caseId: 'c1', itemId }, rights: 'read', expiresAt: null, ...extra });
const caseGrant = (view: Grant['scope'] extends infer S ? (S extends { view: infer V } ? V : never) : never, extra: Partial<Grant> = {}): Grant => ({
  id: 'gc',
  contactId: 'g',
  scope: { kind: 'case', caseId: 'c1', view, threadIds: ['t1'] },
  rights: 'read',
  expiresAt: null,
  ...extra,
});

describe('caseAccess (the three locks)', () => {
  it('gives nothing before the invitation is accepted, and nothing with portal access off', () => {
    expect(caseAccess({ ...guest, invitation: 'pending' }, [itemGrant('note')], true, kase, items, noPolicy, now)).toBeNull();
    expect(caseAccess({ ...guest, portalAccess: false }, [itemGrant('note')], true, kase, items, noPolicy, now)).toBeNull();
  });

  it('gives nothing without a link, even with a grant', () => {
    expect(caseAccess(guest, [itemGrant('note')], false, kase, items, noPolicy, now)).toBeNull();
  });

  it('shows a granted folder with everything beneath it, but never a staff-only memo', () => {
    const access = caseAccess(guest, [itemGrant('folder')], true, kase, items, noPolicy, now);
    expect([...(access?.itemIds ?? [])].sort()).toEqual(['deep', 'folder', 'sub']);
    expect(access?.sections).toEqual(['documents']);
    expect(access?.canUpload).toBe(false);
  });

  it('lets an item grant with upload on a visible folder upload there only, and never into a staff-only folder', () => {
    const access = caseAccess(guest, [itemGrant('folder', { rights: 'upload' }), itemGrant('root-doc', { rights: 'upload' })], true, kase, items, noPolicy, now);
    expect(access?.canUpload).toBe(true);
    expect(access?.uploadAnywhere).toBe(false);
    expect([...(access?.uploadFolderIds ?? [])]).toEqual(['folder']);
    const sealed = items.map((i) => (i.id === 'folder' ? { ...i, staffOnly: true } : i));
    const none = caseAccess(guest, [itemGrant('folder', { rights: 'upload' }), itemGrant('deep'), itemGrant('note')], true, kase, sealed, noPolicy, now);
    expect(none?.canUpload).toBe(false);
    expect([...(none?.itemIds ?? [])]).toEqual(['note']);
  });

  it('shows a case view only in its sections, without staff-only items, and lets upload only with documents', () => {
    const access = caseAccess(guest, [caseGrant(['notes', 'status'], { rights: 'upload' })], true, kase, items, noPolicy, now);
    expect([...(access?.itemIds ?? [])]).toEqual(['note']);
    expect(access?.sections).toEqual(['status', 'notes']);
    expect(access?.canUpload).toBe(false);
    const withDocs = caseAccess(guest, [caseGrant(['documents'], { rights: 'upload' })], true, kase, items, noPolicy, now);
    expect(withDocs?.canUpload).toBe(true);
  });

  it('lists chosen threads only when messages are in the view', () => {
    expect([...(caseAccess(guest, [caseGrant(['notes'])], true, kase, items, noPolicy, now)?.threadIds ?? [])]).toEqual([]);
    expect([...(caseAccess(guest, [caseGrant(['notes', 'messages'])], true, kase, items, noPolicy, now)?.threadIds ?? [])]).toEqual(['t1']);
  });

  it('lets a client grant reach every case of the client the guest is linked to', () => {
    const clientGrant: Grant = { id: 'gcl', contactId: 'g', scope: { kind: 'client', clientId: 'cl1', view: ['status'], threadIds: [] }, rights: 'read', expiresAt: null };
    expect(caseAccess(guest, [clientGrant], true, other, [], noPolicy, now)?.via).toBe('client');
    expect(caseAccess(guest, [clientGrant], true, { ...other, clientId: 'someone-else' }, [], noPolicy, now)).toBeNull();
  });

  it('stops at the expiry instant', () => {
    const grant = itemGrant('note', { expiresAt: '2030-06-01T00:00:00Z' });
    expect(caseAccess(guest, [grant], true, kase, items, noPolicy, new Date('2030-05-31T23:59:59Z'))).not.toBeNull();
    expect(caseAccess(guest, [grant], true, kase, items, noPolicy, now)).toBeNull();
    expect(grantState(guest, grant, true, now)).toBe('expired');
  });

  it('removes sections the firm switched off, and the case itself when nothing is left', () => {
    const policy = { disabledSections: ['invoices' as const, 'notes' as const] };
    expect(caseAccess(guest, [itemGrant('invoice')], true, kase, items, policy, now)).toBeNull();
    expect(caseAccess(guest, [caseGrant(['notes', 'invoices', 'status'])], true, kase, items, policy, now)?.sections).toEqual(['status']);
  });

  it('never looks at another firm\u2019s case or another contact\u2019s grants', () => {
    expect(caseAccess(guest, [itemGrant('note')], true, { ...kase, firmId: 'other-firm' }, items, noPolicy, now)).toBeNull();
    expect(caseAccess(guest, [itemGrant('note', { contactId: 'someone-else' })], true, kase, items, noPolicy, now)).toBeNull();
  });

  it('names the state staff see for each grant', () => {
    const grant = itemGrant('note');
    expect(grantState({ ...guest, invitation: 'pending' }, grant, true, now)).toBe('pending');
    expect(grantState(guest, grant, false, now)).toBe('withdrawn');
    expect(grantState(guest, grant, true, now)).toBe('active');
  });
});

describe('desiredDrivePermissions (what SharePoint must enforce)', () => {
  const cases = [
    { ...kase, folderItemId: 'drive-folder-c1' },
    { ...other, folderItemId: 'drive-folder-c2' },
  ];
  const driveItems = items.map((i) => ({ ...i, driveItemId: i.kind === 'document' || i.kind === 'folder' ? `drive-${i.id}` : null }));
  const linked = new Set(['c1']);

  it('maps item grants on files to read permissions and ignores notes and invoices', () => {
    const wanted = desiredDrivePermissions(guest, [itemGrant('root-doc'), itemGrant('note'), itemGrant('invoice')], linked, cases, driveItems, noPolicy, now);
    expect([...wanted]).toEqual([['drive-root-doc', 'read']]);
  });

  it('gives the case folder only when documents are in the view, and only to read even with upload (CaseRoom writes uploads itself)', () => {
    expect([...desiredDrivePermissions(guest, [caseGrant(['notes'])], linked, cases, driveItems, noPolicy, now)]).toEqual([]);
    expect([...desiredDrivePermissions(guest, [caseGrant(['documents'], { rights: 'upload' })], linked, cases, driveItems, noPolicy, now)]).toEqual([['drive-folder-c1', 'read']]);
    expect([...desiredDrivePermissions(guest, [itemGrant('folder', { rights: 'upload' })], linked, cases, driveItems, noPolicy, now)]).toEqual([['drive-folder', 'read']]);
  });

  it('gives nothing while pending, after expiry, unlinked, or with documents switched off', () => {
    const grants = [caseGrant(['documents'])];
    expect(desiredDrivePermissions({ ...guest, invitation: 'pending' }, grants, linked, cases, driveItems, noPolicy, now).size).toBe(0);
    expect(desiredDrivePermissions(guest, [caseGrant(['documents'], { expiresAt: '2020-01-01T00:00:00Z' })], linked, cases, driveItems, noPolicy, now).size).toBe(0);
    expect(desiredDrivePermissions(guest, grants, new Set(), cases, driveItems, noPolicy, now).size).toBe(0);
    expect(desiredDrivePermissions(guest, grants, linked, cases, driveItems, { disabledSections: ['documents'] }, now).size).toBe(0);
  });

  it('gives case and client scopes their own permission on every item with unique permissions, never on staff-only ones (SharePoint copied the folder onto them)', () => {
    const unique = driveItems.map((i) => ({ ...i, uniquePermissions: i.id === 'deep' || i.id === 'sub' }));
    const staffOnlyUnique = [...unique, { id: 'secret', caseId: 'c1', kind: 'document' as const, parentId: null, staffOnly: true, driveItemId: 'drive-secret', uniquePermissions: true }];
    const wanted = desiredDrivePermissions(guest, [caseGrant(['documents'], { rights: 'upload' })], linked, cases, staffOnlyUnique, noPolicy, now);
    expect(Object.fromEntries(wanted)).toEqual({ 'drive-folder-c1': 'read', 'drive-sub': 'read', 'drive-deep': 'read' });
    // A document grant reaches its own item only; a folder grant also the unique items below it;
    // a case grant without documents reaches none of them.
    expect([...desiredDrivePermissions(guest, [itemGrant('root-doc')], linked, cases, unique, noPolicy, now)]).toEqual([['drive-root-doc', 'read']]);
    expect(Object.fromEntries(desiredDrivePermissions(guest, [itemGrant('folder')], linked, cases, unique, noPolicy, now))).toEqual({ 'drive-folder': 'read', 'drive-sub': 'read', 'drive-deep': 'read' });
    expect(Object.fromEntries(desiredDrivePermissions(guest, [itemGrant('sub')], linked, cases, unique, noPolicy, now))).toEqual({ 'drive-sub': 'read', 'drive-deep': 'read' });
    expect(desiredDrivePermissions(guest, [caseGrant(['notes'])], linked, cases, unique, noPolicy, now).size).toBe(0);
  });

  it('never gives write, whatever mix of upload grants reaches a folder', () => {
    const client: Grant = { id: 'x', contactId: 'g', scope: { kind: 'client', clientId: 'cl1', view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null };
    const wanted = desiredDrivePermissions(guest, [caseGrant(['documents'], { rights: 'upload' }), client, itemGrant('folder', { rights: 'upload' })], new Set(['c1', 'c2']), cases, driveItems, noPolicy, now);
    expect(new Set(wanted.values())).toEqual(new Set(['read']));
    expect(wanted.size).toBeGreaterThan(1);
  });

  it('never gives a staff-only item, nor anything inside a staff-only folder, by any scope', () => {
    const sealed = driveItems.map((i) => (i.id === 'sub' ? { ...i, staffOnly: true, uniquePermissions: true } : { ...i, uniquePermissions: i.id === 'deep' }));
    expect(Object.fromEntries(desiredDrivePermissions(guest, [caseGrant(['documents'])], linked, cases, sealed, noPolicy, now))).toEqual({ 'drive-folder-c1': 'read' });
    expect(Object.fromEntries(desiredDrivePermissions(guest, [itemGrant('folder')], linked, cases, sealed, noPolicy, now))).toEqual({ 'drive-folder': 'read' });
    expect(desiredDrivePermissions(guest, [itemGrant('sub'), itemGrant('deep')], linked, cases, sealed, noPolicy, now).size).toBe(0);
  });
});

describe('diffAccess (scope change preview)', () => {
  it('lists exactly what is gained and lost', () => {
    const before = new Map([['c1', caseAccess(guest, [itemGrant('note')], true, kase, items, noPolicy, now)!]]);
    const after = new Map([['c1', caseAccess(guest, [caseGrant(['documents'], { rights: 'upload' })], true, kase, items, noPolicy, now)!]]);
    const diff = diffAccess(before, after);
    expect(diff.gained.itemIds).toEqual(['deep', 'folder', 'root-doc', 'sub']);
    expect(diff.lost.itemIds).toEqual(['note']);
    expect(diff.gained.uploadCaseIds).toEqual(['c1']);
    expect(diff.lost.sections).toEqual([{ caseId: 'c1', section: 'notes' }]);
    expect(isEmptyDiff(diffAccess(after, after))).toBe(true);
  });
});
