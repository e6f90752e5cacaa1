import type { Logger } from 'pino';
import { runBatch, batchError, type BatchResult } from '../m365/batch';
import { withBudgetPriority } from '../m365/budget';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { type GraphPermission, type ItemRef, readPermissions, roleOf, userIdOf } from '../m365/permissions';
import type { Queryable } from '../store/db';
import { type AppliedPermission, M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import type { ContactRecord } from '../store/records';
import { type ReconcilerDeps, recordedKnowledge, type SyncOutcome, type SyncResult } from './reconcile/deps';
import { desiredForContact } from './reconcile/desired';
import { DriftDetector, type DriftFound } from './reconcile/drift';
import { appliedRecord, batchSteps, type DesiredPermission, type InviteAction, inviteStep, planGuestSync, type SyncAction } from './reconcile/plan';
import { StaffOnlySeal } from './reconcile/seal';
import { requestGuestSync } from './job-requests';
import { recordEvent } from '../telemetry';

export type { DriftPolicy, ReconcilerDeps, SyncOutcome, SyncResult } from './reconcile/deps';
export { desiredForContact } from './reconcile/desired';
export { gatheredSyncs } from './reconcile/gather';
export type { DesiredPermission } from './reconcile/plan';

/**
 * Drives SharePoint towards the store, one guest at a time.
 *
 * Desired state comes from `desiredDrivePermissions` (the single source of truth). Each run
 * reads what SharePoint actually holds on every item that is desired or that CaseRoom has
 * ever recorded for the guest, plans what to change (`planGuestSync`, pure), and then invites,
 * re-roles or deletes. Intent is written before
 * each Graph call ('applying' / 'revoking') and the outcome after it, so a run killed half-way
 * leaves a record pointing at every item it may have touched, and the next run, which looks
 * at SharePoint again, converges: nothing is granted twice and no revoked permission survives.
 */

interface GuestPlan {
  contact: ContactRecord;
  desired: Map<string, DesiredPermission>;
  recorded: AppliedPermission[];
  outcome: SyncOutcome;
}

export class Reconciler {
  private readonly seal: StaffOnlySeal;
  private readonly drift: DriftDetector;

  constructor(private readonly d: ReconcilerDeps) {
    this.seal = new StaffOnlySeal(d);
    this.drift = new DriftDetector(d);
  }

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

    // Revocation first: items recorded for a guest that she should no longer hold are read and
    // cleared in a pass of their own, on the budget's removal reserve (withBudgetPriority), before
    // any grant of the same run and whatever bulk work has the rest of the budget. Items are
    // planned one by one (planGuestSync), so splitting the run by item changes nothing but order.
    const failures = new Map<string, GraphRequestError[]>();
    const removals = plans.map((p) => ({ ...p, desired: new Map<string, DesiredPermission>(), recorded: p.recorded.filter((r) => !p.desired.has(r.driveItemId)) })).filter((p) => p.recorded.length > 0);
    if (removals.length > 0) await withBudgetPriority('removal', () => this.apply(firmId, removals, results, failures));
    const rest = plans.map((p) => ({ ...p, recorded: p.recorded.filter((r) => p.desired.has(r.driveItemId)) })).filter((p) => p.desired.size > 0 || p.recorded.length > 0);
    if (rest.length > 0) await this.apply(firmId, rest, results, failures);
    return this.finish(results, plans, failures);
  }

  /** Reads, plans and carries out one pass of a run (see syncGuestsOnce), adding failures to `failures`. */
  private async apply(firmId: string, plans: GuestPlan[], results: Map<string, SyncResult>, failures: Map<string, GraphRequestError[]>): Promise<void> {
    const m365 = new M365Repo(this.d.db);
    // Only items CaseRoom has a record of can hold a permission of ours: those are read first.
    // An item without a record is invited straight away; the invite's answer is checked instead.
    const toRead = new Map<string, ItemRef>();
    for (const p of plans) for (const r of p.recorded) toRead.set(r.driveItemId, { driveId: r.driveId, itemId: r.driveItemId });
    const actual = await readPermissions(this.d.graph, [...toRead.values()], recordedKnowledge(this.d.db));

    const actions: SyncAction[] = [];
    for (const plan of plans) actions.push(...(await this.recordPlan(m365, plan, actual)));
    if (actions.length === 0) return;

    // Intent first: an interrupted run leaves a record on every item it may have changed.
    const recordOf = new Map(plans.flatMap((p) => p.recorded.map((r) => [`${r.contactId}|${r.driveItemId}`, r] as const)));
    const guestOf = new Map(plans.map((p) => [p.contact.id, p.contact.guestUserId ?? p.recorded[0]?.guestUserId ?? '']));
    await this.d.db.transaction(async (tx) => {
      const r = new M365Repo(tx);
      const intents: AppliedPermission[] = [];
      for (const a of actions) {
        if (a.kind === 'invite' || a.kind === 'patch') intents.push(appliedRecord(firmId, a.contactId, a.guestUserId, a.desired, a.kind === 'patch' ? a.permissionId : null, 'applying'));
        else if (!a.keepRecord) {
          if (recordOf.has(`${a.contactId}|${a.driveItemId}`)) await r.setAppliedState(a.contactId, a.driveItemId, 'revoking');
          else
            intents.push({ firmId, contactId: a.contactId, guestUserId: guestOf.get(a.contactId) as string, driveId: a.driveId, driveItemId: a.driveItemId, role: 'read', permissionId: a.permissionId, state: 'revoking', expiresAt: null });
        }
      }
      await r.putAppliedMany(intents);
      await this.markSharedDirectly(tx, firmId, actions);
    });

    const fail = (contactId: string, e: GraphRequestError) => failures.set(contactId, [...(failures.get(contactId) ?? []), e]);
    const outcomeOf = (contactId: string) => (results.get(contactId) as Extract<SyncResult, { ok: true }>).outcome;
    const done: AppliedPermission[] = [];
    const invited = (a: InviteAction, r: BatchResult) => {
      const granted = ((r.body as { value?: GraphPermission[] } | null)?.value ?? []).find((p) => userIdOf(p) === a.guestUserId);
      if (a.read || (granted && roleOf(granted) === a.desired.role)) {
        outcomeOf(a.contactId).invited++;
        recordEvent('caseroom.share', { 'caseroom.firm_id': firmId, 'caseroom.contact_id': a.contactId, 'caseroom.case_id': a.desired.caseId, 'caseroom.drive_item_id': a.desired.driveItemId, 'caseroom.role': a.desired.role });
        done.push(appliedRecord(firmId, a.contactId, a.guestUserId, a.desired, granted?.id ?? null, 'active'));
      } else {
        // Unread, the guest already held a permission there that the invite did not make match
        // (a higher role given by hand, or copied from the folder): the record stays 'applying', and the
        // retry reads the item and corrects it.
        fail(a.contactId, new GraphRequestError(409, 'permissionMismatch', `the permission on ${a.desired.driveItemId} does not match after the invite; re-reading it`, r.headers['request-id'] ?? ''));
      }
    };

    const steps = batchSteps(actions);
    const answers = await runBatch(
      this.d.graph,
      steps.map((s) => s.step),
      { logger: this.log() },
    );
    const retrySingly: InviteAction[] = [];
    for (const { step, actions: stepActions } of steps) {
      const r = answers.get(step.id) as BatchResult;
      const ok = r.status >= 200 && r.status < 300;
      for (const a of stepActions) {
        if (a.kind === 'delete') {
          if (ok || r.status === 404) {
            outcomeOf(a.contactId).revoked++;
            recordEvent('caseroom.revocation', { 'caseroom.firm_id': firmId, 'caseroom.contact_id': a.contactId, 'caseroom.drive_item_id': a.driveItemId, 'caseroom.reason': 'grant withdrawn', 'http.response.status_code': r.status });
            if (!a.keepRecord) await m365.deleteApplied(a.contactId, a.driveItemId);
          } else fail(a.contactId, batchError(r));
        } else if (a.kind === 'patch') {
          if (ok) {
            outcomeOf(a.contactId).rerolled++;
            done.push(appliedRecord(firmId, a.contactId, a.guestUserId, a.desired, (r.body as GraphPermission | null)?.id ?? a.permissionId, 'active'));
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
      const again = await runBatch(
        this.d.graph,
        retrySingly.map((a, i) => ({ id: String(i + 1), ...inviteStep(a.desired, [a.guestUserId]) })),
        { logger: this.log() },
      );
      retrySingly.forEach((a, i) => {
        const r = again.get(String(i + 1)) as BatchResult;
        if (r.status >= 200 && r.status < 300) invited(a, r);
        else fail(a.contactId, batchError(r));
      });
    }
    await m365.putAppliedMany(done);
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

  /**
   * Plans one guest's run and writes at once what needs no Graph call: records that lag behind
   * SharePoint, and records of items where nothing of the guest's is left. Returns the Graph calls.
   */
  private async recordPlan(m365: M365Repo, plan: GuestPlan, actual: Map<string, GraphPermission[] | null>): Promise<SyncAction[]> {
    const { contact, desired, recorded, outcome } = plan;
    const planned = planGuestSync(contact, desired, recorded, actual);
    for (const driveItemId of planned.gone) this.log().warn({ contactId: contact.id, driveItemId }, 'a shared item no longer exists in SharePoint');
    for (const driveItemId of planned.forget) await m365.deleteApplied(contact.id, driveItemId);
    for (const record of planned.records) await m365.putApplied(record);
    outcome.unchanged += planned.unchanged;
    return planned.actions;
  }

  /**
   * Before inviting anyone to an item, records that the item will hold unique permissions (the
   * invite breaks its inheritance and copies the folder's permissions onto it). On an item's
   * first such share, every other guest with a grant in its case is re-synced: the copied
   * permission is theirs now, to keep while their grant lasts and to remove with it.
   */
  private async markSharedDirectly(tx: Queryable, firmId: string, actions: readonly SyncAction[]): Promise<void> {
    const invites = actions.filter((a): a is InviteAction => a.kind === 'invite');
    const r = new M365Repo(tx);
    const added = await r.markUnique(invites.map((a) => ({ firmId, caseId: a.desired.caseId, driveId: a.desired.driveId, driveItemId: a.desired.driveItemId })));
    if (added.length === 0) return;
    const inviteesOf = new Map<string, Set<string>>();
    for (const a of invites) inviteesOf.set(a.desired.driveItemId, (inviteesOf.get(a.desired.driveItemId) ?? new Set<string>()).add(a.contactId));
    // A bulk share makes thousands of items unique in a handful of cases: each case's guests are read once.
    const grantedOf = new Map<string, string[]>();
    const resync = new Set<string>();
    for (const { caseId, driveItemId } of added) {
      if (!grantedOf.has(caseId)) grantedOf.set(caseId, await r.grantedContactsOfCase(caseId));
      const invitees = inviteesOf.get(driveItemId);
      for (const contactId of grantedOf.get(caseId) ?? []) if (!invitees?.has(contactId)) resync.add(contactId);
    }
    for (const contactId of resync) await requestGuestSync(tx, firmId, contactId);
  }

  /**
   * Seals a staff-only document or folder in SharePoint against guests (see StaffOnlySeal).
   */
  async sealStaffOnly(firmId: string, itemId: string): Promise<{ sealed: number; removed: number }> {
    return this.seal.sealStaffOnly(firmId, itemId);
  }

  /**
   * Compares store-desired permissions with SharePoint on every case folder and tracked item
   * of the firm, reports drift and (policy 'repair') repairs it (see DriftDetector).
   */
  async checkDrift(firmId: string): Promise<DriftFound[]> {
    return this.drift.checkDrift(firmId);
  }
}
