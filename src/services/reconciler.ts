import type { Logger } from 'pino';
import { contactIsActiveGuest, desiredDrivePermissions, type DriveRole, type DriveTargetCase, type DriveTargetItem } from '../domain/access';
import type { Section } from '../domain/model';
import { runBatch, batchError, type BatchStep, type BatchResult } from '../m365/batch';
import { asRetryable, GraphRequestError } from '../m365/errors';
import type { GraphGateway } from '../m365/graph';
import { directUserPermissions, type GraphPermission, inviteBody, itemUrl, readPermissions, roleOf, userIdOf } from '../m365/permissions';
import type { Db } from '../store/db';
import { type AppliedPermission, M365Repo } from '../store/m365';
import { enqueue } from '../store/outbox';
import { Repo } from '../store/repo';
import type { CaseRecord, ContactRecord, Firm } from '../store/records';
import type { Clock } from './context';
import { type CaseRoomEvent, syncKey } from './events';
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
  /** Latest expiry among the grants that give it; null when one of them never expires. */
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

const SAME_EXPIRY_MS = 1000;

function sameExpiry(actual: string | undefined, wanted: string | null): boolean {
  if (!actual && !wanted) return true;
  if (!actual || !wanted) return false;
  return Math.abs(Date.parse(actual) - Date.parse(wanted)) < SAME_EXPIRY_MS;
}

/** Everything a guest should hold in SharePoint, computed from the store by the domain rules. */
export async function desiredForContact(repo: Repo, firm: Firm, contact: ContactRecord, now: Date): Promise<Map<string, DesiredPermission>> {
  const result = new Map<string, DesiredPermission>();
  if (!contactIsActiveGuest(asDomainContact(contact))) return result;
  const [grantRecords, linkedIds] = await Promise.all([repo.grantsOfContact(contact.id), repo.linkedCaseIds(contact.id)]);
  if (grantRecords.length === 0 || linkedIds.length === 0) return result;
  const caseRecords = await repo.casesByIds(firm.id, linkedIds);
  const itemRecords = await repo.itemsByIds(firm.id, grantRecords.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])));
  const cases: DriveTargetCase[] = caseRecords.map((c) => ({ id: c.id, firmId: c.firmId, clientId: c.clientId, folderItemId: c.folderItemId }));
  const items: DriveTargetItem[] = itemRecords.map((i) => ({ ...asItemRef(i), driveItemId: i.driveItemId }));
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
  // Expiry: the same rules asked one grant at a time tell which grants reach each item.
  const expiry = new Map<string, string | null>();
  for (const grant of grants) {
    for (const driveItemId of desiredDrivePermissions(domainContact, [grant], linked, cases, items, policy, now).keys()) {
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

type Action =
  | { kind: 'invite'; desired: DesiredPermission; guestUserId: string }
  | { kind: 'patch'; desired: DesiredPermission; guestUserId: string; permissionId: string }
  | { kind: 'delete'; driveId: string; driveItemId: string; permissionId: string; keepRecord: boolean };

export class Reconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  private log(): Logger {
    return this.d.logger;
  }

  /** Brings one guest's SharePoint permissions to what the store says. Idempotent. */
  async syncGuest(firmId: string, contactId: string): Promise<SyncOutcome> {
    try {
      return await this.syncGuestOnce(firmId, contactId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async syncGuestOnce(firmId: string, contactId: string): Promise<SyncOutcome> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const outcome: SyncOutcome = { invited: 0, rerolled: 0, revoked: 0, unchanged: 0 };
    const firm = await repo.firm(firmId);
    const contact = await repo.contact(firmId, contactId);
    if (!firm || !contact) return outcome;
    const desired = await desiredForContact(repo, firm, contact, this.d.clock.now());
    const recorded = await m365.appliedOfContact(contactId);
    if (desired.size === 0 && recorded.length === 0) return outcome;

    const guestIds = new Set([contact.guestUserId, ...recorded.map((r) => r.guestUserId)].filter((x): x is string => !!x));
    const recordByItem = new Map(recorded.map((r) => [r.driveItemId, r]));
    const targets = [...new Map([...[...desired.values()].map((d) => [d.driveItemId, { driveId: d.driveId, itemId: d.driveItemId }] as const), ...recorded.map((r) => [r.driveItemId, { driveId: r.driveId, itemId: r.driveItemId }] as const)]).values()];
    const actual = await readPermissions(this.d.graph, targets);

    const actions: Action[] = [];
    for (const target of targets) {
      const perms = actual.get(target.itemId);
      const want = desired.get(target.itemId);
      if (perms === null || perms === undefined) {
        // The item is gone from SharePoint: nothing to hold or to remove there.
        if (want) this.log().warn({ contactId, driveItemId: target.itemId }, 'a shared item no longer exists in SharePoint');
        if (recordByItem.has(target.itemId)) await m365.deleteApplied(contactId, target.itemId);
        continue;
      }
      const mine = directUserPermissions(perms).filter((p) => guestIds.has(userIdOf(p) as string));
      if (!want) {
        for (const p of mine) actions.push({ kind: 'delete', driveId: target.driveId, driveItemId: target.itemId, permissionId: p.id, keepRecord: false });
        if (mine.length === 0 && recordByItem.has(target.itemId)) await m365.deleteApplied(contactId, target.itemId);
        continue;
      }
      const guestUserId = contact.guestUserId as string;
      const current = mine.filter((p) => userIdOf(p) === guestUserId);
      const stale = mine.filter((p) => userIdOf(p) !== guestUserId);
      for (const p of stale) actions.push({ kind: 'delete', driveId: target.driveId, driveItemId: target.itemId, permissionId: p.id, keepRecord: true });
      const [keep, ...extra] = current;
      for (const p of extra) actions.push({ kind: 'delete', driveId: target.driveId, driveItemId: target.itemId, permissionId: p.id, keepRecord: true });
      if (!keep) {
        actions.push({ kind: 'invite', desired: want, guestUserId });
      } else if (!sameExpiry(keep.expirationDateTime, want.expiresAt)) {
        // Graph cannot change a permission's expiry in place: remove it, then invite again (dependsOn).
        actions.push({ kind: 'delete', driveId: target.driveId, driveItemId: target.itemId, permissionId: keep.id, keepRecord: true });
        actions.push({ kind: 'invite', desired: want, guestUserId });
      } else if (roleOf(keep) !== want.role) {
        actions.push({ kind: 'patch', desired: want, guestUserId, permissionId: keep.id });
      } else {
        outcome.unchanged++;
        const record = recordByItem.get(target.itemId);
        if (!record || record.state !== 'active' || record.permissionId !== keep.id || record.role !== want.role) {
          await m365.putApplied(this.applied(firmId, contactId, guestUserId, want, keep.id, 'active'));
        }
      }
    }
    if (actions.length === 0) return outcome;

    // Intent first: an interrupted run leaves a record on every item it may have changed.
    await this.d.db.transaction(async (tx) => {
      const r = new M365Repo(tx);
      for (const a of actions) {
        if (a.kind === 'invite' || a.kind === 'patch') await r.putApplied(this.applied(firmId, contactId, a.guestUserId, a.desired, a.kind === 'patch' ? a.permissionId : null, 'applying'));
        else if (!a.keepRecord) {
          const rec = recordByItem.get(a.driveItemId);
          if (rec) await r.setAppliedState(contactId, a.driveItemId, 'revoking');
          else await r.putApplied({ firmId, contactId, guestUserId: contact.guestUserId ?? [...guestIds][0], driveId: a.driveId, driveItemId: a.driveItemId, role: 'read', permissionId: a.permissionId, state: 'revoking', expiresAt: null });
        }
      }
    });

    const steps: BatchStep[] = [];
    const stepAction = new Map<string, Action>();
    const lastDeleteOnItem = new Map<string, string>();
    actions.forEach((a, index) => {
      const id = String(index + 1);
      stepAction.set(id, a);
      if (a.kind === 'delete') {
        steps.push({ id, method: 'DELETE', url: `${itemUrl({ driveId: a.driveId, itemId: a.driveItemId })}/permissions/${encodeURIComponent(a.permissionId)}` });
        lastDeleteOnItem.set(a.driveItemId, id);
      } else if (a.kind === 'invite') {
        const before = lastDeleteOnItem.get(a.desired.driveItemId);
        steps.push({ id, method: 'POST', url: `${itemUrl({ driveId: a.desired.driveId, itemId: a.desired.driveItemId })}/invite`, body: inviteBody(a.guestUserId, a.desired.role, a.desired.expiresAt), ...(before ? { dependsOn: [before] } : {}) });
      } else {
        steps.push({ id, method: 'PATCH', url: `${itemUrl({ driveId: a.desired.driveId, itemId: a.desired.driveItemId })}/permissions/${encodeURIComponent(a.permissionId)}`, body: { roles: [a.desired.role] } });
      }
    });
    const results = await runBatch(this.d.graph, steps, { logger: this.log() });

    const failures: GraphRequestError[] = [];
    for (const [id, a] of stepAction) {
      const r = results.get(id) as BatchResult;
      const ok = r.status >= 200 && r.status < 300;
      if (a.kind === 'delete') {
        if (ok || r.status === 404) {
          outcome.revoked++;
          if (!a.keepRecord) await m365.deleteApplied(contactId, a.driveItemId);
        } else failures.push(batchError(r));
      } else if (ok) {
        const permission = a.kind === 'invite' ? (r.body as { value?: GraphPermission[] })?.value?.[0] : (r.body as GraphPermission);
        if (a.kind === 'invite') outcome.invited++;
        else outcome.rerolled++;
        await m365.putApplied(this.applied(firmId, contactId, a.guestUserId, a.desired, permission?.id ?? null, 'active'));
      } else failures.push(batchError(r));
    }
    this.log().info({ contactId, ...outcome, failures: failures.length }, 'guest access synced');
    if (failures.length > 0) {
      // Throttling first, so the job is rescheduled at the advised time.
      throw failures.find((f) => f.isThrottled) ?? failures[0];
    }
    return outcome;
  }

  private applied(firmId: string, contactId: string, guestUserId: string, d: DesiredPermission, permissionId: string | null, state: AppliedPermission['state']): AppliedPermission {
    return { firmId, contactId, guestUserId, driveId: d.driveId, driveItemId: d.driveItemId, role: d.role, permissionId, state, expiresAt: d.expiresAt };
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
      for (const d of (await desiredForContact(repo, firm, contact, now)).values()) {
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
        if (want && (roleOf(p) === want.role || roleOf(p) === 'owner')) continue;
        if (want) {
          // Right person, wrong role: the guest's sync sets it straight.
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
        await enqueue(tx, { firmId, kind: 'notify', payload: { event } });
      }
      if (this.d.driftPolicy === 'repair') for (const contactId of resync) await enqueue(tx, { firmId, kind: 'sync-guest-access', payload: { contactId }, dedupeKey: syncKey(contactId) });
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
      await enqueue(tx, { firmId, kind: 'sync-guest-access', payload: { contactId: imp.contact.id }, dedupeKey: syncKey(imp.contact.id) });
    });
  }
}

