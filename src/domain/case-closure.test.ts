import { describe, expect, it } from '@jest/globals';
import { caseAccess, caseStanding, desiredDrivePermissions, type DriveTargetCase, type DriveTargetItem } from './access';
import type { Contact, Grant } from './model';

/** Closing a case in the rules: withdrawn reaches nobody (client grants lose that case only); read-only reads, never uploads. */
describe('a closed case in the access rules', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const guest: Contact = { id: 'g', firmId: 'f', portalAccess: true, invitation: 'accepted' };
  const open: DriveTargetCase = { id: 'c1', firmId: 'f', clientId: 'cl', folderItemId: 'folder-1' };
  const sibling: DriveTargetCase = { id: 'c2', firmId: 'f', clientId: 'cl', folderItemId: 'folder-2' };
  const items: DriveTargetItem[] = [{ id: 'd1', caseId: 'c1', kind: 'document', parentId: null, staffOnly: false, driveItemId: 'drive-d1' }];
  const clientGrant: Grant = { id: 'gr', contactId: 'g', scope: { kind: 'client', clientId: 'cl', view: ['documents', 'messages'], threadIds: [] }, rights: 'upload', expiresAt: null };
  const closed = (guestReadUntil: string | null) => ({ ...open, closedAt: '2026-11-30T11:00:00Z', guestReadUntil });
  const policy = { disabledSections: [] };

  it('tells open, read-only and withdrawn apart by the read-only date', () => {
    expect(caseStanding(open, now)).toBe('open');
    expect(caseStanding(closed(null), now)).toBe('withdrawn');
    expect(caseStanding(closed('2026-12-10T11:00:00Z'), now)).toBe('read-only');
    expect(caseStanding(closed('2026-11-30T12:00:00Z'), now)).toBe('withdrawn');
  });

  it('withdrawn: no access and no SharePoint permission on that case, the client grant keeps the other case', () => {
    expect(caseAccess(guest, [clientGrant], true, closed(null), items, policy, now)).toBeNull();
    const wanted = desiredDrivePermissions(guest, [clientGrant], new Set(['c1', 'c2']), [closed(null), sibling], items, policy, now);
    expect([...wanted.keys()]).toEqual(['folder-2']);
  });

  it('read-only: the guest still reads (and SharePoint keeps read) but cannot upload', () => {
    const access = caseAccess(guest, [clientGrant], true, closed('2026-12-10T11:00:00Z'), items, policy, now);
    expect(access?.itemIds).toEqual(new Set(['d1']));
    expect(access).toMatchObject({ canUpload: false, uploadAnywhere: false, readOnlyUntil: '2026-12-10T11:00:00Z' });
    expect(caseAccess(guest, [clientGrant], true, open, items, policy, now)).toMatchObject({ canUpload: true, readOnlyUntil: null });
    const wanted = desiredDrivePermissions(guest, [clientGrant], new Set(['c1']), [closed('2026-12-10T11:00:00Z')], items, policy, now);
    expect([...wanted.entries()]).toEqual([['folder-1', 'read']]);
  });
});
