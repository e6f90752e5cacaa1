import { caseAccess, desiredDrivePermissions, type DriveTargetItem } from './access';
import type { CaseRef, Contact, Grant, ItemRef } from './model';

/**
 * Privileged items in the pure rules: no scope and no folder grant above the marker reaches them,
 * only an item share staff confirmed, naming the item or a folder between it and the nearest
 * privileged marker above it; staff-only still wins. SharePoint's desired permissions agree.
 */
const firmId = 'firm';
const guest: Contact = { id: 'g', firmId, portalAccess: true, invitation: 'accepted' };
const kase: CaseRef = { id: 'c1', firmId, clientId: 'cl1' };
const item = (id: string, kind: ItemRef['kind'], parentId: string | null, marks: Partial<Pick<ItemRef, 'privileged' | 'staffOnly'>> = {}): DriveTargetItem => ({
  id,
  caseId: 'c1',
  kind,
  parentId,
  staffOnly: false,
  ...marks,
  driveItemId: `d-${id}`,
  uniquePermissions: marks.privileged === true,
});
// outer/ → counsel/ (privileged) → advice.pdf, opinion/ (privileged) → draft.pdf; a privileged note; an open document.
const items: DriveTargetItem[] = [
  item('outer', 'folder', null),
  item('counsel', 'folder', 'outer', { privileged: true }),
  item('advice', 'document', 'counsel'),
  item('opinion', 'folder', 'counsel', { privileged: true }),
  item('draft', 'document', 'opinion'),
  item('note', 'note', null, { privileged: true }),
  item('open', 'document', 'outer'),
];
const noPolicy = { disabledSections: [] };
const now = new Date('2030-06-01T00:00:00Z');
const share = (itemId: string, privilegeConfirmed = false): Grant => ({ id: `g-${itemId}`, contactId: 'g', scope: { kind: 'item', caseId: 'c1', itemId }, rights: 'read', expiresAt: null, privilegeConfirmed });
const caseScope: Grant = { id: 'gc', contactId: 'g', scope: { kind: 'case', caseId: 'c1', view: ['documents', 'notes'], threadIds: [] }, rights: 'read', expiresAt: null };
const seen = (grants: Grant[]) => [...(caseAccess(guest, grants, true, kase, items, noPolicy, now)?.itemIds ?? [])].sort();
const drive = (grants: Grant[]) => [...desiredDrivePermissions(guest, grants, new Set(['c1']), [{ ...kase, folderItemId: 'd-root' }], items, noPolicy, now).keys()].sort();

describe('privileged items', () => {
  it('no case scope and no folder grant above the marker reaches them, in the portal or in SharePoint', () => {
    expect(seen([caseScope])).toEqual(['open', 'outer']);
    expect(seen([share('outer')])).toEqual(['open', 'outer']);
    expect(seen([share('outer', true)])).toEqual(['open', 'outer']);
    expect(drive([caseScope])).toEqual(['d-root']);
    expect(drive([share('outer', true)])).toEqual(['d-outer']);
  });

  it('an unconfirmed share of the item itself reaches nothing', () => {
    expect(seen([share('counsel'), share('note'), share('advice')])).toEqual([]);
    expect(drive([share('counsel'), share('advice')])).toEqual([]);
  });

  it('a confirmed share reaches the item and what it holds, down to the next privileged marker', () => {
    expect(seen([share('counsel', true)])).toEqual(['advice', 'counsel']);
    expect(seen([share('counsel', true), share('opinion', true)])).toEqual(['advice', 'counsel', 'draft', 'opinion']);
    expect(seen([share('draft', true)])).toEqual(['draft']);
    expect(seen([share('note', true)])).toEqual(['note']);
    expect(drive([share('counsel', true)])).toEqual(['d-counsel']);
    expect(drive([share('counsel', true), share('opinion', true)])).toEqual(['d-counsel', 'd-opinion']);
  });

  it('staff-only wins over a confirmed privileged share', () => {
    const sealed = items.map((i) => (i.id === 'counsel' ? { ...i, staffOnly: true } : i));
    expect([...(caseAccess(guest, [share('counsel', true)], true, kase, sealed, noPolicy, now)?.itemIds ?? [])]).toEqual([]);
  });
});
