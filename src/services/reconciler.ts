import type { Logger } from 'pino';
import { contactIsActiveGuest, desiredDrivePermissions, type DriveRole, type DriveTargetCase, type DriveTargetItem } from '../domain/access';
import type { Section } from '../domain/model';
import { runBatch, batchError, type BatchStep, type BatchResult } from '../m365/batch';
import { asRetryable, GraphRequestError } from '../m365/errors';
import type { GraphGateway } from '../m365/graph';
import { directUserPermissions, type GraphPermission, inviteBody, type ItemRef, itemUrl, readPermissions, roleOf, userIdOf } from '../m365/permissions';
import type { Db, Queryable } from '../store/db';
import { type AppliedPermission, M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import type { CaseRecord, ContactRecord, Firm } from '../store/records';
import type { Clock } from './context';
import type { CaseRoomEvent } from '../domain/events';
import { requestGuestSync, requestNotify } from './job-requests';
import { asDomainContact, asGrant, asItemRef, asPolicy } from './guest-access';

/**
 * Drives SharePoint towards the store, one guest at a time.
 *
 * Desired state comes from `desiredDrivePermissions` (the single source of truth). Each run
 * reads what SharePoint actually holds on every item that is desired or that CaseRoom has
 * ever recorded for the guest, and then invites, re-roles or deletes. Intent is written before
 * each Graph call ('applying' / 'revoking') and the outcome after it, so a run killed half-way
 * leaves a record pointing at every item it may have touched, and the next run, which looks
 * at SharePoint again, converges: nothing is granted twice and no revoked permission survives.
 */

export interface DesiredPermission {
  driveId: string;
  driveItemId: string;
  role: DriveRole;
  /**
   * Latest expiry among the grants that give it; null when one of them never expires. Kept in
   * CaseRoom's record only: SharePoint ignores expirationDateTime on a direct permission
   * (learn.microsoft.com/graph/api/driveitem-invite), so CaseRoom removes the permission itself
   * when the grant expires (the m365 part's expiry timer queues the guest's sync).
   */
  expiresAt: string | null;
  caseId: string;
}

export interface SyncOutcome {
  invited: number;
  rerolled: number;
  revoked: number;
  unchanged: number;
}

export type DriftPolicy = 'repair' | 'report';

export interface ReconcilerDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  clock: Clock;
  driftPolicy: DriftPolicy;
}

const sameInstant = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b));

/** Everything a guest should hold in SharePoint, computed from the store by the domain rules. */
export async function desiredForContact(repo: Repo, m365: M365Repo, firm: Firm, contact: ContactRecord, now: Date): Promise<Map<string, DesiredPermission>> {
  const result = new Map<string, DesiredPermission>();
  if (!contactIsActiveGuest(asDomainContact(contact))) return result;
  const [grantRecords, linkedIds] = await Promise.all([repo.grantsOfContact(contact.id), repo.linkedCaseIds(contact.id)]);
  if (grantRecords.length === 0 || linkedIds.length === 0) return result;
  const caseRecords = await repo.casesByIds(firm.id, linkedIds);
  const granted = await repo.itemsByIds(firm.id, grantRecords.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])));
  // Items that stopped inheriting: a broad grant, or an item grant on a folder above them, must
  // reach each of them with a permission of its own (the folder chain tells what is above what).
  const broad = grantRecords.some((g) => g.scope.kind !== 'item');
  const folderGranted = granted.some((i) => i.kind === 'folder');
  const caseIds = caseRecords.map((c) => c.id);
  const unique = broad || folderGranted ? await m365.uniqueItemsOfCases(caseIds) : [];
  // Folders tell what is below what: for unique items under a granted folder, and for staff-only
  // folders, whose contents no grant reaches (isEffectivelyStaffOnly).
  const folders = granted.length > 0 || unique.length > 0 ? await m365.foldersOfCases(caseIds) : [];
  const uniqueIds = new Set(unique.map((i) => i.id));
  const itemRecords = [...new Map([...granted, ...unique, ...folders].map((i) => [i.id, i])).values()];
  const cases: DriveTargetCase[] = caseRecords.map((c) => ({ id: c.id, firmId: c.firmId, clientId: c.clientId, folderItemId: c.folderItemId }));
  const items: DriveTargetItem[] = itemRecords.map((i) => ({ ...asItemRef(i), driveItemId: i.driveItemId, uniquePermissions: uniqueIds.has(i.id) }));
  const uniqueAndFolders = items.filter((i) => i.uniquePermissions || i.kind === 'folder');
  const grants = grantRecords.map(asGrant);
  const linked = new Set(linkedIds);
  const policy = asPolicy(firm);
  const domainContact = asDomainContact(contact);
  const roles = desiredDrivePermissions(domainContact, grants, linked, cases, items, policy, now);

  // Where each drive item lives, and which case it belongs to.
  const place = new Map<string, { driveId: string; caseId: string }>();
  const caseById = new Map(caseRecords.map((c) => [c.id, c]));
  for (const c of caseRecords) if (c.folderItemId && c.driveId) place.set(c.folderItemId, { driveId: c.driveId, caseId: c.id });
  for (const i of itemRecords) {
    const c = caseById.get(i.caseId);
    if (i.driveItemId && c?.driveId) place.set(i.driveItemId, { driveId: c.driveId, caseId: c.id });
  }
  // Expiry: the same rules asked one grant at a time tell which grants reach each item. An item
  // grant can reach only its own item, so only that one is passed (a bulk share has thousands).
  const expiry = new Map<string, string | null>();
  const itemById = new Map(items.map((i) => [i.id, i]));
  for (const grant of grants) {
    const own = grant.scope.kind === 'item' ? itemById.get(grant.scope.itemId) : undefined;
    const reachable = grant.scope.kind !== 'item' || own?.kind === 'folder' ? uniqueAndFolders : own ? [own] : [];
    for (const driveItemId of desiredDrivePermissions(domainContact, [grant], linked, cases, reachable, policy, now).keys()) {
      const current = expiry.get(driveItemId);
      if (current === null) continue;
      if (grant.expiresAt === null) expiry.set(driveItemId, null);
      else if (current === undefined || Date.parse(grant.expiresAt) > Date.parse(current)) expiry.set(driveItemId, grant.expiresAt);
    }
  }
  for (const [driveItemId, role] of roles) {
    const where = place.get(driveItemId);
    if (!where) continue;
    result.set(driveItemId, { driveId: where.driveId, driveItemId, role, expiresAt: expiry.get(driveItemId) ?? null, caseId: where.caseId });
  }
  return result;
}

/** What one run does on one item for one guest. `read`: SharePoint's permissions were read first. */
type Action =
  | { kind: 'invite'; contactId: string; desired: DesiredPermission; guestUserId: string; read: boolean }
  | { kind: 'patch'; contactId: string; desired: DesiredPermission; guestUserId: string; permissionId: string }
  | { kind: 'delete'; contactId: string; driveId: string; driveItemId: string; permissionId: string; keepRecord: boolean };
type Invite = Extract<Action, { kind: 'invite' }>;

interface GuestPlan {
  contact: ContactRecord;
  desired: Map<string, DesiredPermission>;
  recorded: AppliedPermission[];
  outcome: SyncOutcome;
}

/** A guest whose run failed, and why; the others of the same run are unaffected. */
export type SyncResult = { ok: true; outcome: SyncOutcome } | { ok: false; error: unknown };

/** Invites to one item with the same role go out as one request for up to this many guests. */
const MAX_RECIPIENTS = 20;

const inviteStep = (d: DesiredPermission, guestUserIds: string[]): Omit<BatchStep, 'id'> => ({
  method: 'POST',
  url: `${itemUrl({ driveId: d.driveId, itemId: d.driveItemId })}/invite`,
  body: inviteBody(guestUserIds, d.role),
});

export class Reconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  private log(): Logger {
    return this.d.logger;
  }

  /** Brings one guest's SharePoint permissions to what the store says. Idempotent. */
  async syncGuest(firmId: string, contactId: string): Promise<SyncOutcome> {
    const result = (await this.syncGuests(firmId, [contactId])).get(contactId) as SyncResult;
    if (!result.ok) throw result.error;
    return result.outcome;
  }

  /**
   * Several guests of one firm in one run: each item's permissions are read once for all of
   * them, and guests who get the same role on an item are invited in one request
   * (one permission operation instead of one per guest), which is what lets a bulk share use
   * the tenant's resource units well. The caller must hold every guest's sync key.
   */
  async syncGuests(firmId: string, contactIds: readonly string[]): Promise<Map<string, SyncResult>> {
    try {
      return await this.syncGuestsOnce(firmId, [...new Set(contactIds)]);
    } catch (err) {
      const error = asRetryable(err);
      return new Map(contactIds.map((id) => [id, { ok: false, error }]));
    }
  }

  private async syncGuestsOnce(firmId: string, contactIds: string[]): Promise<Map<string, SyncResult>> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const plans: GuestPlan[] = [];
    const results = new Map<string, SyncResult>();
    const firm = await repo.firm(firmId);
    for (const contactId of contactIds) {
      const outcome: SyncOutcome = { invited: 0, rerolled: 0, revoked: 0, unchanged: 0 };
      results.set(contactId, { ok: true, outcome });
      const contact = firm ? await repo.contact(firmId, contactId) : null;
      if (!firm || !contact) continue;
      const desired = await desiredForContact(repo, m365, firm, contact, this.d.clock.now());
      const recorded = await m365.appliedOfContact(contactId);
      if (desired.size > 0 || recorded.length > 0) plans.push({ contact, desired, recorded, outcome });
    }
    if (plans.length === 0) return results;

    // Only items CaseRoom has a record of can hold a permission of ours: those are read first.
    // An item without a record is invited straight away; the invite's answer is checked instead.
    const toRead = new Map<string, ItemRef>();
    for (const p of plans) for (const r of p.recorded) toRead.set(r.driveItemId, { driveId: r.driveId, itemId: r.driveItemId });
    const actual = await readPermissions(this.d.graph, [...toRead.values()]);

    const actions: Action[] = [];
    for (const plan of plans) actions.push(...(await this.planGuest(plan, actual)));
    if (actions.length === 0) return this.finish(results, plans, new Map());

    // Intent first: an interrupted run leaves a record on every item it may have changed.
    const recordOf = new Map(plans.flatMap((p) => p.recorded.map((r) => [`${r.contactId}|${r.driveItemId}`, r] as const)));
    const guestOf = new Map(plans.map((p) => [p.contact.id, p.contact.guestUserId ?? p.recorded[0]?.guestUserId ?? '']));
    await this.d.db.transaction(async (tx) => {
      const r = new M365Repo(tx);
      const intents: AppliedPermission[] = [];
      for (const a of actions) {
        if (a.kind === 'invite' || a.kind === 'patch') intents.push(this.applied(firmId, a.contactId, a.guestUserId, a.desired, a.kind === 'patch' ? a.permissionId : null, 'applying'));
        else if (!a.keepRecord) {
          if (recordOf.has(`${a.contactId}|${a.driveItemId}`)) await r.setAppliedState(a.contactId, a.driveItemId, 'revoking');
          else intents.push({ firmId, contactId: a.contactId, guestUserId: guestOf.get(a.contactId) as string, driveId: a.driveId, driveItemId: a.driveItemId, role: 'read', permissionId: a.permissionId, state: 'revoking', expiresAt: null });
        }
      }
      await r.putAppliedMany(intents);
      await this.markSharedDirectly(tx, firmId, actions);
    });

    const failures = new Map<string, GraphRequestError[]>();
    const fail = (contactId: string, e: GraphRequestError) => failures.set(contactId, [...(failures.get(contactId) ?? []), e]);
    const outcomeOf = (contactId: string) => (results.get(contactId) as Extract<SyncResult, { ok: true }>).outcome;
    const done: AppliedPermission[] = [];
    const invited = (a: Invite, r: BatchResult) => {
      const granted = ((r.body as { value?: GraphPermission[] } | null)?.value ?? []).find((p) => userIdOf(p) === a.guestUserId);
      if (a.read || (granted && roleOf(granted) === a.desired.role)) {
        outcomeOf(a.contactId).invited++;
        done.push(this.applied(firmId, a.contactId, a.guestUserId, a.desired, granted?.id ?? null, 'active'));
      } else {
        // Unread, the guest already held a permission there that the invite did not make match
        // (a higher role given by hand, or copied from the folder): the record stays 'applying', and the
        // retry reads the item and corrects it.
        fail(a.contactId, new GraphRequestError(409, 'permissionMismatch', `the permission on ${a.desired.driveItemId} does not match after the invite; re-reading it`, r.headers['request-id'] ?? ''));
      }
    };

    const steps = this.steps(actions);
    const answers = await runBatch(this.d.graph, steps.map((s) => s.step), { logger: this.log() });
    const retrySingly: Invite[] = [];
    for (const { step, actions: stepActions } of steps) {
      const r = answers.get(step.id) as BatchResult;
      const ok = r.status >= 200 && r.status < 300;
      for (const a of stepActions) {
        if (a.kind === 'delete') {
          if (ok || r.status === 404) {
            outcomeOf(a.contactId).revoked++;
            if (!a.keepRecord) await m365.deleteApplied(a.contactId, a.driveItemId);
          } else fail(a.contactId, batchError(r));
        } else if (a.kind === 'patch') {
          if (ok) {
            outcomeOf(a.contactId).rerolled++;
            done.push(this.applied(firmId, a.contactId, a.guestUserId, a.desired, (r.body as GraphPermission | null)?.id ?? a.permissionId, 'active'));
          } else fail(a.contactId, batchError(r));
        } else if (ok) invited(a, r);
        else if (r.status === 404) {
          this.log().warn({ contactId: a.contactId, driveItemId: a.desired.driveItemId }, 'a shared item no longer exists in SharePoint');
          await m365.deleteApplied(a.contactId, a.desired.driveItemId);
        } else if (stepActions.length > 1 && r.status >= 400 && r.status < 500 && r.status !== 429) {
          retrySingly.push(a); // one bad recipient refuses the whole invite: find out whose
        } else fail(a.contactId, batchError(r));
      }
    }
    if (retrySingly.length > 0) {
      const again = await runBatch(this.d.graph, retrySingly.map((a, i) => ({ id: String(i + 1), ...inviteStep(a.desired, [a.guestUserId]) })), { logger: this.log() });
      retrySingly.forEach((a, i) => {
        const r = again.get(String(i + 1)) as BatchResult;
        if (r.status >= 200 && r.status < 300) invited(a, r);
        else fail(a.contactId, batchError(r));
      });
    }
    await m365.putAppliedMany(done);
    return this.finish(results, plans, failures);
  }

  private finish(results: Map<string, SyncResult>, plans: GuestPlan[], failures: Map<string, GraphRequestError[]>): Map<string, SyncResult> {
    for (const plan of plans) {
      const errors = failures.get(plan.contact.id) ?? [];
      this.log().info({ contactId: plan.contact.id, ...plan.outcome, failures: errors.length }, 'guest access synced');
      // Throttling first, so the job is rescheduled at the advised time.
      if (errors.length > 0) results.set(plan.contact.id, { ok: false, error: asRetryable(errors.find((f) => f.isThrottled) ?? errors[0]) });
    }
    return results;
  }

  /** What must change on each item for one guest, from what SharePoint holds (when read) and the records. */
  private async planGuest(plan: GuestPlan, actual: Map<string, GraphPermission[] | null>): Promise<Action[]> {
    const m365 = new M365Repo(this.d.db);
    const { contact, desired, recorded, outcome } = plan;
    const contactId = contact.id;
    const guestIds = new Set([contact.guestUserId, ...recorded.map((r) => r.guestUserId)].filter((x): x is string => !!x));
    const recordByItem = new Map(recorded.map((r) => [r.driveItemId, r]));
    const targets = new Map<string, string>([...[...desired.values()].map((d) => [d.driveItemId, d.driveId] as const), ...recorded.map((r) => [r.driveItemId, r.driveId] as const)]);
    const actions: Action[] = [];
    for (const [itemId, driveId] of targets) {
      const want = desired.get(itemId);
      const guestUserId = contact.guestUserId as string;
      if (!actual.has(itemId)) {
        // Never recorded for this guest, so never touched by CaseRoom for them.
        if (want) actions.push({ kind: 'invite', contactId, desired: want, guestUserId, read: false });
        continue;
      }
      const perms = actual.get(itemId);
      if (perms === null || perms === undefined) {
        // The item is gone from SharePoint: nothing to hold or to remove there.
        if (want) this.log().warn({ contactId, driveItemId: itemId }, 'a shared item no longer exists in SharePoint');
        if (recordByItem.has(itemId)) await m365.deleteApplied(contactId, itemId);
        continue;
      }
      const mine = directUserPermissions(perms).filter((p) => guestIds.has(userIdOf(p) as string));
      if (!want) {
        for (const p of mine) actions.push({ kind: 'delete', contactId, driveId, driveItemId: itemId, permissionId: p.id, keepRecord: false });
        if (mine.length === 0 && recordByItem.has(itemId)) await m365.deleteApplied(contactId, itemId);
        continue;
      }
      const current = mine.filter((p) => userIdOf(p) === guestUserId);
      const stale = mine.filter((p) => userIdOf(p) !== guestUserId);
      for (const p of stale) actions.push({ kind: 'delete', contactId, driveId, driveItemId: itemId, permissionId: p.id, keepRecord: true });
      const [keep, ...extra] = current;
      for (const p of extra) actions.push({ kind: 'delete', contactId, driveId, driveItemId: itemId, permissionId: p.id, keepRecord: true });
      // Expiry is not SharePoint's business (see DesiredPermission.expiresAt): a changed expiry
      // touches no permission, only CaseRoom's record of it.
      if (!keep) {
        actions.push({ kind: 'invite', contactId, desired: want, guestUserId, read: true });
      } else if (roleOf(keep) !== want.role) {
        actions.push({ kind: 'patch', contactId, desired: want, guestUserId, permissionId: keep.id });
      } else {
        outcome.unchanged++;
        const record = recordByItem.get(itemId);
        if (!record || record.state !== 'active' || record.permissionId !== keep.id || record.role !== want.role || !sameInstant(record.expiresAt, want.expiresAt)) {
          await m365.putApplied(this.applied(contact.firmId, contactId, guestUserId, want, keep.id, 'active'));
        }
      }
    }
    return actions;
  }

  /**
   * The batch steps: deletes and patches one each; invites are grouped by (item, role) into
   * one invite with several recipients.
   */
  private steps(actions: Action[]): Array<{ step: BatchStep; actions: Action[] }> {
    const out: Array<{ step: BatchStep; actions: Action[] }> = [];
    const groups = new Map<string, Invite[]>();
    const add = (step: Omit<BatchStep, 'id'>, acts: Action[]) => {
      const id = String(out.length + 1);
      out.push({ step: { id, ...step }, actions: acts });
      return id;
    };
    for (const a of actions) {
      if (a.kind === 'delete') add({ method: 'DELETE', url: `${itemUrl({ driveId: a.driveId, itemId: a.driveItemId })}/permissions/${encodeURIComponent(a.permissionId)}` }, [a]);
      else if (a.kind === 'patch') add({ method: 'PATCH', url: `${itemUrl({ driveId: a.desired.driveId, itemId: a.desired.driveItemId })}/permissions/${encodeURIComponent(a.permissionId)}`, body: { roles: [a.desired.role] } }, [a]);
      else {
        const key = `${a.desired.driveItemId}|${a.desired.role}`;
        groups.set(key, [...(groups.get(key) ?? []), a]);
      }
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += MAX_RECIPIENTS) {
        const part = group.slice(i, i + MAX_RECIPIENTS);
        add(inviteStep(part[0].desired, part.map((a) => a.guestUserId)), part);
      }
    }
    return out;
  }

  /**
   * Before inviting anyone to an item, records that the item will hold unique permissions (the
   * invite breaks its inheritance and copies the folder's permissions onto it). On an item's
   * first such share, every other guest with a grant in its case is re-synced: the copied
   * permission is theirs now, to keep while their grant lasts and to remove with it.
   */
  private async markSharedDirectly(tx: Queryable, firmId: string, actions: readonly Action[]): Promise<void> {
    const invites = actions.filter((a): a is Invite => a.kind === 'invite');
    const r = new M365Repo(tx);
    const added = await r.markUnique(invites.map((a) => ({ firmId, caseId: a.desired.caseId, driveId: a.desired.driveId, driveItemId: a.desired.driveItemId })));
    const resync = new Set<string>();
    for (const { caseId, driveItemId } of added) {
      const invitees = new Set(invites.filter((a) => a.desired.driveItemId === driveItemId).map((a) => a.contactId));
      for (const contactId of await r.grantedContactsOfCase(caseId)) if (!invitees.has(contactId)) resync.add(contactId);
    }
    for (const contactId of resync) await requestGuestSync(tx, firmId, contactId);
  }

  private applied(firmId: string, contactId: string, guestUserId: string, d: DesiredPermission, permissionId: string | null, state: AppliedPermission['state']): AppliedPermission {
    return { firmId, contactId, guestUserId, driveId: d.driveId, driveItemId: d.driveItemId, role: d.role, permissionId, state, expiresAt: d.expiresAt };
  }

  // ---------------------------------------------------------------- staff-only

  /**
   * Seals a staff-only document or folder in SharePoint: it gets unique permissions (inheritance
   * broken by a direct share to a member of the firm's staff, which copies the case folder's
   * permissions, the site groups included), then every permission of anyone who is not staff is
   * deleted, there and on every item below it that holds unique permissions of its own. From then
   * on no permission on the case folder reaches it, so a guest given case or client scope later
   * gets nothing here either (desiredDrivePermissions never lists staff-only items).
   *
   * Why not move staff-only items out of the case folder: staff would lose them from the case
   * channel's Files tab and their place in its folders, and every move is a window in which the
   * item is in neither place. Why not `retainInheritedPermissions: false`: the site groups would
   * not be copied, and the firm's own staff would lose the item.
   */
  async sealStaffOnly(firmId: string, itemId: string): Promise<{ sealed: number; removed: number }> {
    try {
      return await this.sealStaffOnlyOnce(firmId, itemId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async sealStaffOnlyOnce(firmId: string, itemId: string): Promise<{ sealed: number; removed: number }> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const item = await repo.item(firmId, itemId);
    if (!item?.staffOnly || !item.driveItemId) return { sealed: 0, removed: 0 };
    const c = await repo.case(firmId, item.caseId);
    if (!c?.driveId) return { sealed: 0, removed: 0 };
    const staff = await repo.listStaff(firmId);
    const staffUserIds = new Set(staff.map((s) => s.userId.toLowerCase()));
    const uniqueItems = await m365.uniqueItemsOfCases([c.id]);
    const target: ItemRef = { driveId: c.driveId, itemId: item.driveItemId };
    if (!uniqueItems.some((u) => u.id === item.id)) {
      const keeper = staff.find((s) => s.id === c.assignedStaffId) ?? staff[0];
      if (!keeper) throw new Error(`firm ${firmId} has no staff member to keep a staff-only item with`);
      await m365.markUnique([{ firmId, caseId: c.id, driveId: c.driveId, driveItemId: item.driveItemId }]);
      await this.d.graph.call({ method: 'POST', path: `${itemUrl(target)}/invite`, body: inviteBody([keeper.userId], 'read') });
    }
    // The item and the unique items beneath it: each holds permissions of its own to clean.
    const all = await repo.itemsOfCase(c.id);
    const byId = new Map(all.map((i) => [i.id, i]));
    const below = (candidate: { parentId: string | null }): boolean => {
      for (let at = candidate.parentId, depth = 0; at !== null && depth < 1000; depth++) {
        if (at === item.id) return true;
        at = byId.get(at)?.parentId ?? null;
      }
      return false;
    };
    const targets: ItemRef[] = [target, ...uniqueItems.filter((u) => u.driveItemId && below(u)).map((u) => ({ driveId: c.driveId as string, itemId: u.driveItemId as string }))];
    const actual = await readPermissions(this.d.graph, targets);
    let removed = 0;
    for (const t of targets) {
      for (const p of directUserPermissions(actual.get(t.itemId) ?? [])) {
        const userId = userIdOf(p);
        if (userId && staffUserIds.has(userId.toLowerCase())) continue;
        await this.d.graph.call({ method: 'DELETE', path: `${itemUrl(t)}/permissions/${encodeURIComponent(p.id)}`, idempotent: true }).catch((err: unknown) => {
          if (!(err instanceof GraphRequestError && err.isNotFound)) throw err;
        });
        removed++;
      }
    }
    // Guests' records of those items go: nothing of theirs is there any more.
    await m365.deleteAppliedOnItems(targets.map((t) => t.itemId));
    this.log().info({ itemId, sealed: targets.length, removed }, 'staff-only item sealed in SharePoint');
    return { sealed: targets.length, removed };
  }

  // ---------------------------------------------------------------- drift

  /**
   * Compares store-desired permissions with SharePoint on every case folder and tracked item
   * of the firm. Guest permissions added by hand are reported and (policy 'repair') removed;
   * permissions CaseRoom applied that someone removed are reported and re-applied through the
   * guest's sync. On a case's first pass, permissions a known guest already holds on the case
   * folder are imported as case grants instead (CaseRoom installed on an existing tenant).
   */
  async checkDrift(firmId: string): Promise<Array<Extract<CaseRoomEvent, { type: 'drift.found' }>>> {
    try {
      return await this.checkDriftOnce(firmId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async checkDriftOnce(firmId: string): Promise<Array<Extract<CaseRoomEvent, { type: 'drift.found' }>>> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const firm = await repo.firm(firmId);
    if (!firm) return [];
    const now = this.d.clock.now();
    const cases = await m365.provisionedCases(firmId);
    if (cases.length === 0) return [];
    const contacts = await repo.listContacts(firmId);
    const byGuestUser = new Map(contacts.filter((c) => c.guestUserId).map((c) => [c.guestUserId as string, c]));
    const applied = await m365.appliedOfFirm(firmId);
    const appliedKey = new Map(applied.map((a) => [`${a.driveItemId}|${a.guestUserId}`, a]));

    // item → guest user → desired permission
    const desired = new Map<string, Map<string, DesiredPermission & { contactId: string }>>();
    for (const contact of contacts) {
      if (!contact.guestUserId) continue;
      for (const d of (await desiredForContact(repo, m365, firm, contact, now)).values()) {
        const forItem = desired.get(d.driveItemId) ?? new Map();
        forItem.set(contact.guestUserId, { ...d, contactId: contact.id });
        desired.set(d.driveItemId, forItem);
      }
    }
    const caseOfItem = new Map<string, CaseRecord>();
    const targets: Array<{ driveId: string; itemId: string }> = [];
    const caseById = new Map(cases.map((c) => [c.id, c]));
    for (const c of cases) {
      if (c.folderItemId && c.driveId) {
        caseOfItem.set(c.folderItemId, c);
        targets.push({ driveId: c.driveId, itemId: c.folderItemId });
      }
    }
    for (const forItem of desired.values()) for (const d of forItem.values()) if (!caseOfItem.has(d.driveItemId) && caseById.get(d.caseId)) {
      caseOfItem.set(d.driveItemId, caseById.get(d.caseId) as CaseRecord);
      targets.push({ driveId: d.driveId, itemId: d.driveItemId });
    }
    for (const a of applied) if (!caseOfItem.has(a.driveItemId)) {
      const item = await repo.itemByDriveItem(firmId, a.driveItemId);
      const c = item ? caseById.get(item.caseId) : undefined;
      if (c) {
        caseOfItem.set(a.driveItemId, c);
        targets.push({ driveId: a.driveId, itemId: a.driveItemId });
      }
    }
    const actual = await readPermissions(this.d.graph, targets);

    const reports = new Map<string, Extract<CaseRoomEvent, { type: 'drift.found' }>>();
    const report = (c: CaseRecord) => {
      let r = reports.get(c.id);
      if (!r) {
        r = { type: 'drift.found', firmId, caseId: c.id, added: [], removed: [] };
        reports.set(c.id, r);
      }
      return r;
    };
    const deletions: Array<{ driveId: string; driveItemId: string; permissionId: string; contactId: string | null }> = [];
    const resync = new Set<string>();
    const imports: Array<{ c: CaseRecord; contact: ContactRecord; role: DriveRole; permissionId: string; driveItemId: string }> = [];
    const userTypes = new Map<string, string>();

    for (const target of targets) {
      const perms = actual.get(target.itemId);
      const c = caseOfItem.get(target.itemId) as CaseRecord;
      if (!perms) continue;
      const baselined = (await m365.caseState(c.id)).driftBaselinedAt !== null;
      const wanted = desired.get(target.itemId) ?? new Map();
      const present = new Set<string>();
      for (const p of directUserPermissions(perms)) {
        const userId = userIdOf(p) as string;
        present.add(userId);
        const contact = byGuestUser.get(userId);
        const record = appliedKey.get(`${target.itemId}|${userId}`);
        if (record && record.state !== 'active') continue; // a sync is in flight for this guest
        const want = wanted.get(userId);
        if (want && roleOf(p) === want.role) continue;
        if (want) {
          // Right person, wrong role (a guest holds only read; write or owner is drift, e.g. from
          // before CaseRoom stopped giving guests write): the guest's sync sets it straight.
          report(c).added.push({ driveItemId: target.itemId, who: contact?.email ?? userId, roles: p.roles ?? [] });
          if (contact) resync.add(contact.id);
          continue;
        }
        if (!contact) {
          // Members of the firm share with each other as they like; only outsiders are CaseRoom's business.
          let type = userTypes.get(userId);
          if (!type) {
            type = await this.userType(userId);
            userTypes.set(userId, type);
          }
          if (type !== 'Guest') continue;
        }
        const role = roleOf(p);
        if (!baselined && contact && target.itemId === c.folderItemId && contact.portalAccess && contact.invitation === 'accepted' && (role === 'read' || role === 'write')) {
          imports.push({ c, contact, role, permissionId: p.id, driveItemId: target.itemId });
          continue;
        }
        report(c).added.push({ driveItemId: target.itemId, who: contact?.email ?? p.grantedToV2?.user?.email ?? userId, roles: p.roles ?? [] });
        deletions.push({ driveId: target.driveId, driveItemId: target.itemId, permissionId: p.id, contactId: contact?.id ?? null });
      }
      for (const [userId, want] of wanted) {
        const record = appliedKey.get(`${target.itemId}|${userId}`);
        if (present.has(userId) || !record || record.state !== 'active') continue;
        report(c).removed.push({ driveItemId: target.itemId, contactId: want.contactId });
        resync.add(want.contactId);
      }
    }

    for (const imp of imports) await this.importGrant(firm.id, imp);

    const events = [...reports.values()];
    await this.d.db.transaction(async (tx) => {
      const r = new Repo(tx);
      for (const event of events) {
        await r.appendAudit({ firmId, actor: 'system:drift', action: 'drift.found', target: `case:${event.caseId}`, reason: this.d.driftPolicy === 'repair' ? 'repaired by policy' : 'reported only (policy: report)', data: { added: event.added, removed: event.removed } });
        await requestNotify(tx, event);
      }
      if (this.d.driftPolicy === 'repair') for (const contactId of resync) await requestGuestSync(tx, firmId, contactId);
      for (const c of cases) await new M365Repo(tx).markDriftChecked(c.id);
    });

    if (this.d.driftPolicy === 'repair' && deletions.length > 0) {
      const steps: BatchStep[] = deletions.map((d, i) => ({ id: String(i + 1), method: 'DELETE', url: `${itemUrl({ driveId: d.driveId, itemId: d.driveItemId })}/permissions/${encodeURIComponent(d.permissionId)}` }));
      const results = await runBatch(this.d.graph, steps, { logger: this.log() });
      const failed = [...results.values()].filter((r) => !(r.status >= 200 && r.status < 300) && r.status !== 404);
      if (failed.length > 0) throw batchError(failed[0]);
    }
    if (events.length > 0) this.log().warn({ firmId, cases: events.length, added: events.reduce((n, e) => n + e.added.length, 0), removed: events.reduce((n, e) => n + e.removed.length, 0), policy: this.d.driftPolicy }, 'drift found');
    return events;
  }

  private async userType(userId: string): Promise<string> {
    try {
      const user = await this.d.graph.get<{ userType?: string }>(`/users/${encodeURIComponent(userId)}?$select=id,userType`);
      return user?.userType ?? 'Member';
    } catch (err) {
      if (err instanceof GraphRequestError && err.isNotFound) return 'Guest'; // a principal not in the directory is not one of ours
      throw err;
    }
  }

  /** A guest's existing case-folder permission becomes a case grant (documents view), audited. */
  private async importGrant(firmId: string, imp: { c: CaseRecord; contact: ContactRecord; role: DriveRole; permissionId: string; driveItemId: string }): Promise<void> {
    await this.d.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      await repo.link(firmId, imp.c.id, imp.contact.id, 'system:import');
      const existing = (await repo.grantsOfContact(imp.contact.id)).find((g) => g.scope.kind === 'case' && g.scope.caseId === imp.c.id);
      const view = existing && existing.scope.kind === 'case' ? existing.scope.view : (['documents'] as Section[]);
      const grant = await repo.upsertGrant({ firmId, contactId: imp.contact.id, scope: { kind: 'case', caseId: imp.c.id, view: view.includes('documents') ? view : [...view, 'documents'], threadIds: [] }, rights: imp.role === 'write' ? 'upload' : 'read', expiresAt: null, createdBy: 'system:import' });
      await repo.appendAudit({ firmId, actor: 'system:import', action: 'grant.imported', target: `contact:${imp.contact.id}`, reason: 'permission found on the case folder when CaseRoom started managing it', data: { grantId: grant.id, caseId: imp.c.id, permissionId: imp.permissionId, role: imp.role } });
      await new M365Repo(tx).putApplied({ firmId, contactId: imp.contact.id, guestUserId: imp.contact.guestUserId as string, driveId: imp.c.driveId as string, driveItemId: imp.driveItemId, role: imp.role, permissionId: imp.permissionId, state: 'active', expiresAt: null });
      await requestGuestSync(tx, firmId, imp.contact.id);
    });
  }
}

/**
 * Sync jobs the outbox hands out together (a bulk share enqueues one per guest in one
 * transaction, and one claim takes them all) become one `syncGuests` run per firm: calls made
 * in the same turn of the event loop are gathered, and each caller gets its own guest's result.
 */
export function gatheredSyncs(reconciler: Pick<Reconciler, 'syncGuests'>): (firmId: string, contactId: string) => Promise<SyncOutcome> {
  type Caller = { contactId: string; resolve: (o: SyncOutcome) => void; reject: (e: unknown) => void };
  const waiting = new Map<string, Caller[]>();
  return (firmId, contactId) =>
    new Promise<SyncOutcome>((resolve, reject) => {
      let callers = waiting.get(firmId);
      if (!callers) {
        const gathered: Caller[] = [];
        callers = gathered;
        waiting.set(firmId, gathered);
        setImmediate(() => {
          waiting.delete(firmId);
          void reconciler.syncGuests(firmId, gathered.map((c) => c.contactId)).then((results) => {
            for (const c of gathered) {
              const r = results.get(c.contactId);
              if (r?.ok) c.resolve(r.outcome);
              else c.reject(r ? r.error : new Error(`the sync run returned nothing for contact ${c.contactId}`));
            }
          }, (err: unknown) => gathered.forEach((c) => c.reject(err)));
        });
      }
      callers.push({ contactId, resolve, reject });
    });
}
