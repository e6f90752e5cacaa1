import type { GraphPermission } from '../../m365/permissions';
import type { AppliedPermission } from '../../store/m365';
import { appliedRecord, batchSteps, type DesiredPermission, type GuestSyncPlan, MAX_RECIPIENTS, planGuestSync, type PlannedGuest, sealDeletions, sealTargets } from './plan';

const guest: PlannedGuest = { id: 'contact-1', firmId: 'firm-1', guestUserId: 'guest-user-1' };
const drive = 'drive-1';

const want = (driveItemId: string, extra: Partial<DesiredPermission> = {}): DesiredPermission => ({ driveId: drive, driveItemId, role: 'read', expiresAt: null, caseId: 'case-1', ...extra });
const desiredOf = (...ds: DesiredPermission[]) => new Map(ds.map((d) => [d.driveItemId, d]));
// Held by the item itself, as readPermissions marks what the planner may change (SharePoint's lists do not say).
const perm = (id: string, userId: string, roles: string[] = ['read']): GraphPermission => ({ id, roles, grantedToV2: { user: { id: userId } }, heldByItem: true });
const record = (driveItemId: string, extra: Partial<AppliedPermission> = {}): AppliedPermission => ({
  firmId: guest.firmId,
  contactId: guest.id,
  guestUserId: guest.guestUserId as string,
  driveId: drive,
  driveItemId,
  role: 'read',
  permissionId: `perm-${driveItemId}`,
  state: 'active',
  expiresAt: null,
  ...extra,
});

/**
 * Carries a plan out on a model of SharePoint and of CaseRoom's records, the way the reconciler
 * does when every call succeeds: what the next run would find.
 */
function applyPlan(plan: GuestSyncPlan, actual: Map<string, GraphPermission[] | null>, recorded: AppliedPermission[]): { actual: Map<string, GraphPermission[] | null>; recorded: AppliedPermission[] } {
  const sp = new Map([...actual].map(([k, v]) => [k, v === null ? null : [...v]]));
  let records = recorded.filter((r) => !plan.forget.includes(r.driveItemId));
  const putRecord = (r: AppliedPermission) => (records = [...records.filter((x) => x.driveItemId !== r.driveItemId), r]);
  plan.records.forEach(putRecord);
  let next = 0;
  for (const a of plan.actions) {
    if (a.kind === 'delete') {
      sp.set(
        a.driveItemId,
        (sp.get(a.driveItemId) ?? []).filter((p) => p.id !== a.permissionId),
      );
      if (!a.keepRecord) records = records.filter((r) => r.driveItemId !== a.driveItemId);
    } else if (a.kind === 'patch') {
      sp.set(
        a.desired.driveItemId,
        (sp.get(a.desired.driveItemId) ?? []).map((p) => (p.id === a.permissionId ? { ...p, roles: [a.desired.role] } : p)),
      );
      putRecord(appliedRecord(guest.firmId, a.contactId, a.guestUserId, a.desired, a.permissionId, 'active'));
    } else {
      const created = perm(`new-${++next}`, a.guestUserId, [a.desired.role]);
      sp.set(a.desired.driveItemId, [...(sp.get(a.desired.driveItemId) ?? []), created]);
      putRecord(appliedRecord(guest.firmId, a.contactId, a.guestUserId, a.desired, created.id, 'active'));
    }
  }
  // The next run reads every item CaseRoom has a record of.
  const read = new Map(records.map((r) => [r.driveItemId, sp.get(r.driveItemId) ?? []]));
  return { actual: read, recorded: records };
}

function expectConverged(desired: Map<string, DesiredPermission>, actual: Map<string, GraphPermission[] | null>, recorded: AppliedPermission[]): void {
  const first = planGuestSync(guest, desired, recorded, actual);
  const after = applyPlan(first, actual, recorded);
  const second = planGuestSync(guest, desired, after.recorded, after.actual);
  expect(second.actions).toEqual([]);
  expect(second.records).toEqual([]);
  expect(second.forget).toEqual([]);
}

describe('planGuestSync: grant', () => {
  it('invites the guest straight away to an item CaseRoom never touched for them (no read)', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [], new Map());
    expect(plan.actions).toEqual([{ kind: 'invite', contactId: guest.id, desired: want('item-a'), guestUserId: 'guest-user-1', read: false }]);
    expect(plan.records).toEqual([]);
  });

  it('invites again where the record says granted but SharePoint holds nothing of the guest (removed by hand)', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [record('item-a')], new Map([['item-a', [perm('p-staff', 'staff-user', ['write'])]]]));
    expect(plan.actions).toEqual([{ kind: 'invite', contactId: guest.id, desired: want('item-a'), guestUserId: 'guest-user-1', read: true }]);
  });

  it('re-roles a permission the guest holds with another role (write given by hand) to the desired read', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [record('item-a')], new Map([['item-a', [perm('perm-item-a', 'guest-user-1', ['write'])]]]));
    expect(plan.actions).toEqual([{ kind: 'patch', contactId: guest.id, desired: want('item-a'), guestUserId: 'guest-user-1', permissionId: 'perm-item-a' }]);
  });

  it('leaves an item already as desired alone and counts it unchanged', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [record('item-a')], new Map([['item-a', [perm('perm-item-a', 'guest-user-1')]]]));
    expect(plan).toEqual({ actions: [], records: [], forget: [], gone: [], unchanged: 1 });
  });
});

describe('planGuestSync: revoke', () => {
  it("deletes the guest's permission on an item no longer desired, dropping the record with it", () => {
    const plan = planGuestSync(guest, new Map(), [record('item-a')], new Map([['item-a', [perm('perm-item-a', 'guest-user-1'), perm('p-staff', 'staff-user')]]]));
    expect(plan.actions).toEqual([{ kind: 'delete', contactId: guest.id, driveId: drive, driveItemId: 'item-a', permissionId: 'perm-item-a', keepRecord: false }]);
    expect(plan.forget).toEqual([]);
  });

  it('never deletes what the item only inherits from its folder (SharePoint would refuse; the folder holds it)', () => {
    const inherited: GraphPermission = { ...perm('perm-folder', 'guest-user-1'), heldByItem: false };
    const plan = planGuestSync(guest, new Map(), [record('item-a')], new Map([['item-a', [inherited]]]));
    expect(plan.actions).toEqual([]);
  });

  it('forgets the record, with no Graph call, when the permission is already gone', () => {
    const plan = planGuestSync(guest, new Map(), [record('item-a')], new Map([['item-a', [perm('p-staff', 'staff-user')]]]));
    expect(plan.actions).toEqual([]);
    expect(plan.forget).toEqual(['item-a']);
  });

  it('removes permissions of a guest account the contact no longer uses, keeping the record of the current one', () => {
    const old = record('item-a', { guestUserId: 'old-guest-user' });
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [old], new Map([['item-a', [perm('p-old', 'old-guest-user'), perm('p-new', 'guest-user-1')]]]));
    expect(plan.actions).toEqual([{ kind: 'delete', contactId: guest.id, driveId: drive, driveItemId: 'item-a', permissionId: 'p-old', keepRecord: true }]);
    expect(plan.records).toEqual([appliedRecord(guest.firmId, guest.id, 'guest-user-1', want('item-a'), 'p-new', 'active')]);
  });

  it('forgets an item that no longer exists in SharePoint and reports it when it was still wanted', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a')), [record('item-a')], new Map([['item-a', null]]));
    expect(plan).toEqual({ actions: [], records: [], forget: ['item-a'], gone: ['item-a'], unchanged: 0 });
  });
});

describe('planGuestSync: expiry', () => {
  it('an expired grant (no longer desired) removes the permission from SharePoint', () => {
    const plan = planGuestSync(guest, new Map(), [record('item-a', { expiresAt: '2026-01-01T00:00:00Z' })], new Map([['item-a', [perm('perm-item-a', 'guest-user-1')]]]));
    expect(plan.actions.map((a) => a.kind)).toEqual(['delete']);
  });

  it('a changed expiry touches no permission, only the record (SharePoint ignores expiry on direct permissions)', () => {
    const later = want('item-a', { expiresAt: '2027-06-30T00:00:00Z' });
    const plan = planGuestSync(guest, desiredOf(later), [record('item-a', { expiresAt: '2027-01-01T00:00:00Z' })], new Map([['item-a', [perm('perm-item-a', 'guest-user-1')]]]));
    expect(plan.actions).toEqual([]);
    expect(plan.records).toEqual([appliedRecord(guest.firmId, guest.id, 'guest-user-1', later, 'perm-item-a', 'active')]);
  });

  it('the same instant written differently is no change', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-a', { expiresAt: '2027-01-01T00:00:00.000Z' })), [record('item-a', { expiresAt: '2027-01-01T00:00:00Z' })], new Map([['item-a', [perm('perm-item-a', 'guest-user-1')]]]));
    expect(plan.records).toEqual([]);
  });
});

describe('planGuestSync: unique permissions (broken inheritance)', () => {
  it("adopts a guest's permission copied onto an item when its inheritance broke: recorded, not re-invited", () => {
    // Sharing the item with someone else copied the folder's permissions onto it, this guest's included.
    const plan = planGuestSync(guest, desiredOf(want('item-unique')), [record('item-unique', { state: 'applying', permissionId: null })], new Map([['item-unique', [perm('copied', 'guest-user-1'), perm('p-other', 'other-guest')]]]));
    expect(plan.actions).toEqual([]);
    expect(plan.records).toEqual([appliedRecord(guest.firmId, guest.id, 'guest-user-1', want('item-unique'), 'copied', 'active')]);
    expect(plan.unchanged).toBe(1);
  });

  it('removes the copied permission once the guest should no longer hold the item, and no one else’s', () => {
    const plan = planGuestSync(guest, new Map(), [record('item-unique', { permissionId: 'copied' })], new Map([['item-unique', [perm('copied', 'guest-user-1'), perm('p-other', 'other-guest')]]]));
    expect(plan.actions).toEqual([{ kind: 'delete', contactId: guest.id, driveId: drive, driveItemId: 'item-unique', permissionId: 'copied', keepRecord: false }]);
  });

  it('deletes duplicate permissions of the guest on one item, keeping one', () => {
    const plan = planGuestSync(guest, desiredOf(want('item-unique')), [record('item-unique')], new Map([['item-unique', [perm('first', 'guest-user-1'), perm('second', 'guest-user-1')]]]));
    expect(plan.actions).toEqual([{ kind: 'delete', contactId: guest.id, driveId: drive, driveItemId: 'item-unique', permissionId: 'second', keepRecord: true }]);
  });
});

describe('planGuestSync: staff-only', () => {
  it('a document made staff-only (no longer desired) loses the guest permission it had', () => {
    const plan = planGuestSync(
      guest,
      desiredOf(want('item-open')),
      [record('item-open'), record('item-sealed')],
      new Map([
        ['item-open', [perm('perm-item-open', 'guest-user-1')]],
        ['item-sealed', [perm('perm-item-sealed', 'guest-user-1')]],
      ]),
    );
    expect(plan.actions).toEqual([{ kind: 'delete', contactId: guest.id, driveId: drive, driveItemId: 'item-sealed', permissionId: 'perm-item-sealed', keepRecord: false }]);
  });
});

describe('planGuestSync: idempotence', () => {
  it.each([
    ['nothing recorded yet', desiredOf(want('a'), want('b', { role: 'write' })), new Map<string, GraphPermission[] | null>(), [] as AppliedPermission[]],
    [
      'grant, revoke, re-role and expiry at once',
      desiredOf(want('a'), want('b', { expiresAt: '2027-01-01T00:00:00Z' }), want('c')),
      new Map<string, GraphPermission[] | null>([
        ['a', [perm('perm-a', 'guest-user-1', ['write'])]],
        ['b', [perm('perm-b', 'guest-user-1')]],
        ['d', [perm('perm-d', 'guest-user-1'), perm('perm-d2', 'guest-user-1')]],
        ['e', null],
      ]),
      [record('a'), record('b'), record('d'), record('e')],
    ],
    [
      'an old guest account and a copied permission',
      desiredOf(want('a')),
      new Map<string, GraphPermission[] | null>([['a', [perm('p-old', 'old-guest-user'), perm('copied', 'guest-user-1')]]]),
      [record('a', { guestUserId: 'old-guest-user', permissionId: 'p-old' })],
    ],
  ])('planning the applied result of a plan finds nothing to do (%s)', (_name, desired, actual, recorded) => {
    expectConverged(desired, actual, recorded);
  });
});

describe('batchSteps', () => {
  it('groups invites to one item and role, up to the recipient limit per request; deletes and patches go one each', () => {
    const guests = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `g-${i}`);
    const invites = guests.map((g) => ({ kind: 'invite' as const, contactId: g, desired: want('a'), guestUserId: g, read: false }));
    const steps = batchSteps([{ kind: 'delete', contactId: 'c', driveId: drive, driveItemId: 'b', permissionId: 'p/1', keepRecord: false }, ...invites]);
    expect(steps.map((s) => [s.step.method, s.actions.length])).toEqual([
      ['DELETE', 1],
      ['POST', MAX_RECIPIENTS],
      ['POST', 1],
    ]);
    expect(steps[0].step.url).toBe('/drives/drive-1/items/b/permissions/p%2F1');
    expect(steps.map((s) => s.step.id)).toEqual(['1', '2', '3']);
  });
});

describe('staff-only seal planning', () => {
  const items = [
    { id: 'folder', parentId: null, driveItemId: 'd-folder' },
    { id: 'sub', parentId: 'folder', driveItemId: 'd-sub' },
    { id: 'deep', parentId: 'sub', driveItemId: 'd-deep' },
    { id: 'elsewhere', parentId: null, driveItemId: 'd-elsewhere' },
  ];

  it('cleans the item and the unique items beneath it, not unique items elsewhere', () => {
    const unique = [items[2], items[3]];
    expect(sealTargets({ id: 'folder', parentId: null, driveItemId: 'd-folder' }, drive, items, unique)).toEqual([
      { driveId: drive, itemId: 'd-folder' },
      { driveId: drive, itemId: 'd-deep' },
    ]);
  });

  it("deletes every person's permission but staff's (case-insensitive), leaving site groups", () => {
    const targets = [{ driveId: drive, itemId: 'd-folder' }];
    const siteGroup: GraphPermission = { id: 'members', roles: ['write'], grantedToV2: { siteGroup: { id: '3' } }, heldByItem: true };
    const actual = new Map([['d-folder', [perm('p-guest', 'guest-user-1'), perm('p-staff', 'STAFF-USER', ['owner']), siteGroup]]]);
    expect(sealDeletions(targets, actual, new Set(['staff-user']))).toEqual([{ target: targets[0], permissionId: 'p-guest' }]);
  });
});
