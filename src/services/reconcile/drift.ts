import type { Logger } from 'pino';
import type { DriveRole } from '../../domain/access';
import type { Section } from '../../domain/model';
import { runBatch, batchError, type BatchStep } from '../../m365/batch';
import { asRetryable, GraphRequestError } from '../../m365/errors';
import { directUserPermissions, type GraphPermission, readPermissions, roleOf, userIdOf } from '../../m365/permissions';
import { Repo } from '../../store/repo';
import { termsOf } from '../../domain/guardrails';
import { type AppliedPermission, M365Repo } from '../../store/m365';
import type { CaseRecord, ContactRecord, Firm } from '../../store/records';
import type { CaseRoomEvent } from '../../domain/events';
import { requestGuestSync, requestNotify } from '../job-requests';
import { type ReconcilerDeps, recordedKnowledge } from './deps';
import { desiredForContact } from './desired';
import { recordEvent } from '../../telemetry';
import { permissionUrl, type DesiredPermission } from './plan';

export type DriftFound = Extract<CaseRoomEvent, { type: 'drift.found' }>;

interface StoreView {
  byGuestUser: Map<string, ContactRecord>;
  applied: AppliedPermission[];
  appliedKey: Map<string, AppliedPermission>;
  desired: Map<string, Map<string, DesiredPermission & { contactId: string }>>;
}

interface SharePointRead {
  targets: ReadonlyArray<{ driveId: string; itemId: string }>;
  caseOfItem: ReadonlyMap<string, CaseRecord>;
  actual: ReadonlyMap<string, GraphPermission[] | null>;
  /** The directory's answers, asked once per check. */
  userTypes: Map<string, string>;
}

type AddedEntry = DriftFound['added'][number];

/** One difference a check found; `key` names it across the check's two views of the store. */
type Finding =
  | { kind: 'wrong-role'; key: string; c: CaseRecord; added: AddedEntry; contactId: string | null }
  | { kind: 'unwanted'; key: string; c: CaseRecord; added: AddedEntry; driveId: string; driveItemId: string; permissionId: string }
  | { kind: 'import'; key: string; c: CaseRecord; contact: ContactRecord; role: DriveRole; permissionId: string; driveItemId: string }
  | { kind: 'missing'; key: string; c: CaseRecord; driveItemId: string; contactId: string };

/** Drift detection: SharePoint compared with what the store wants, on every case of a firm. */
export class DriftDetector {
  constructor(private readonly d: ReconcilerDeps) {}

  private log(): Logger {
    return this.d.logger;
  }

  /**
   * Compares store-desired permissions with SharePoint on every case folder and tracked item
   * of the firm. Guest permissions added by hand are reported and (policy 'repair') removed;
   * permissions CaseRoom applied that someone removed are reported and re-applied through the
   * guest's sync. On a case's first pass, permissions a known guest already holds on the case
   * folder are imported as case grants instead (CaseRoom installed on an existing tenant).
   */
  async checkDrift(firmId: string): Promise<DriftFound[]> {
    try {
      return await this.checkDriftOnce(firmId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async checkDriftOnce(firmId: string): Promise<DriftFound[]> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const firm = await repo.firm(firmId);
    if (!firm) return [];
    const cases = await m365.provisionedCases(firmId);
    if (cases.length === 0) return [];
    const before = await this.storeView(repo, m365, firm);

    const caseOfItem = new Map<string, CaseRecord>();
    const targets: Array<{ driveId: string; itemId: string }> = [];
    const caseById = new Map(cases.map((c) => [c.id, c]));
    for (const c of cases) {
      if (c.folderItemId && c.driveId) {
        caseOfItem.set(c.folderItemId, c);
        targets.push({ driveId: c.driveId, itemId: c.folderItemId });
      }
    }
    for (const forItem of before.desired.values())
      for (const d of forItem.values())
        if (!caseOfItem.has(d.driveItemId) && caseById.get(d.caseId)) {
          caseOfItem.set(d.driveItemId, caseById.get(d.caseId) as CaseRecord);
          targets.push({ driveId: d.driveId, itemId: d.driveItemId });
        }
    for (const a of before.applied)
      if (!caseOfItem.has(a.driveItemId)) {
        const item = await repo.itemByDriveItem(firmId, a.driveItemId);
        const c = item ? caseById.get(item.caseId) : undefined;
        if (c) {
          caseOfItem.set(a.driveItemId, c);
          targets.push({ driveId: a.driveId, itemId: a.driveItemId });
        }
      }
    const actual = await readPermissions(this.d.graph, targets, recordedKnowledge(this.d.db));
    const sharePoint = { targets, caseOfItem, actual, userTypes: new Map<string, string>() };

    // Guests' syncs run while the check reads SharePoint: a share that breaks an item's
    // inheritance copies other guests' folder permissions onto it, and the store learns of those
    // copies (the item's uniqueness, their records) only as it happens. What the store said before
    // the read is judged again with what it says after; only what both call drift is drift.
    let findings = await this.judge(m365, sharePoint, before);
    if (findings.length > 0) {
      const after = await this.storeView(repo, m365, firm);
      const confirmed = new Set((await this.judge(m365, sharePoint, after)).map((f) => f.key));
      findings = findings.filter((f) => confirmed.has(f.key));
    }

    const reports = new Map<string, DriftFound>();
    const report = (c: CaseRecord) => {
      let r = reports.get(c.id);
      if (!r) {
        r = { type: 'drift.found', firmId, caseId: c.id, added: [], removed: [] };
        reports.set(c.id, r);
      }
      return r;
    };
    const deletions: Array<Extract<Finding, { kind: 'unwanted' }>> = [];
    const resync = new Set<string>();
    for (const f of findings) {
      if (f.kind === 'import') await this.importGrant(firm.id, f);
      else if (f.kind === 'missing') {
        report(f.c).removed.push({ driveItemId: f.driveItemId, contactId: f.contactId });
        resync.add(f.contactId);
      } else {
        report(f.c).added.push(f.added);
        if (f.kind === 'unwanted') deletions.push(f);
        else if (f.contactId) resync.add(f.contactId);
      }
    }

    const events = [...reports.values()];
    await this.d.db.transaction(async (tx) => {
      const r = new Repo(tx);
      for (const event of events) {
        await r.appendAudit({
          firmId,
          actor: 'system:drift',
          action: 'drift.found',
          target: `case:${event.caseId}`,
          reason: this.d.driftPolicy === 'repair' ? 'repaired by policy' : 'reported only (policy: report)',
          data: { added: event.added, removed: event.removed },
        });
        await requestNotify(tx, event);
      }
      if (this.d.driftPolicy === 'repair') for (const contactId of resync) await requestGuestSync(tx, firmId, contactId);
      for (const c of cases) await new M365Repo(tx).markDriftChecked(c.id);
    });

    if (this.d.driftPolicy === 'repair' && deletions.length > 0) {
      const steps: BatchStep[] = deletions.map((d, i) => ({ id: String(i + 1), method: 'DELETE', url: permissionUrl({ driveId: d.driveId, itemId: d.driveItemId }, d.permissionId) }));
      const results = await runBatch(this.d.graph, steps, { logger: this.log() });
      deletions.forEach((d, i) => {
        const status = results.get(String(i + 1))?.status ?? 0;
        if ((status >= 200 && status < 300) || status === 404)
          recordEvent('caseroom.revocation', { 'caseroom.firm_id': firmId, 'caseroom.drive_item_id': d.driveItemId, 'caseroom.reason': 'drift repair', 'http.response.status_code': status });
      });
      const failed = [...results.values()].filter((r) => !(r.status >= 200 && r.status < 300) && r.status !== 404);
      if (failed.length > 0) throw batchError(failed[0]);
    }
    if (events.length > 0) this.log().warn({ firmId, cases: events.length, added: events.reduce((n, e) => n + e.added.length, 0), removed: events.reduce((n, e) => n + e.removed.length, 0), policy: this.d.driftPolicy }, 'drift found');
    return events;
  }

  /** What the store says the firm's guests should hold (item → guest user → permission) and what CaseRoom recorded applying. */
  private async storeView(repo: Repo, m365: M365Repo, firm: Firm): Promise<StoreView> {
    const now = this.d.clock.now();
    const contacts = await repo.listContacts(firm.id);
    const applied = await m365.appliedOfFirm(firm.id);
    const desired = new Map<string, Map<string, DesiredPermission & { contactId: string }>>();
    for (const contact of contacts) {
      if (!contact.guestUserId) continue;
      for (const d of (await desiredForContact(repo, m365, firm, contact, now)).values()) {
        const forItem = desired.get(d.driveItemId) ?? new Map();
        forItem.set(contact.guestUserId, { ...d, contactId: contact.id });
        desired.set(d.driveItemId, forItem);
      }
    }
    return {
      byGuestUser: new Map(contacts.filter((c) => c.guestUserId).map((c) => [c.guestUserId as string, c])),
      applied,
      appliedKey: new Map(applied.map((a) => [`${a.driveItemId}|${a.guestUserId}`, a])),
      desired,
    };
  }

  /** Where SharePoint (read once) differs from one view of the store; pure but for the directory's answer on who is a guest. */
  private async judge(m365: M365Repo, sp: SharePointRead, store: StoreView): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const target of sp.targets) {
      const perms = sp.actual.get(target.itemId);
      const c = sp.caseOfItem.get(target.itemId) as CaseRecord;
      if (!perms) continue;
      const baselined = (await m365.caseState(c.id)).driftBaselinedAt !== null;
      const wanted = store.desired.get(target.itemId) ?? new Map();
      const present = new Set<string>();
      for (const p of directUserPermissions(perms)) {
        const userId = userIdOf(p) as string;
        present.add(userId);
        const contact = store.byGuestUser.get(userId);
        const record = store.appliedKey.get(`${target.itemId}|${userId}`);
        if (record && record.state !== 'active') continue; // a sync is in flight for this guest
        const want = wanted.get(userId);
        if (want && roleOf(p) === want.role) continue;
        if (want) {
          // Right person, wrong role (a guest holds only read; write or owner is drift, e.g. from
          // before CaseRoom stopped giving guests write): the guest's sync sets it straight.
          findings.push({ kind: 'wrong-role', key: `role|${p.id}`, c, added: { driveItemId: target.itemId, who: contact?.email ?? userId, roles: p.roles ?? [] }, contactId: contact?.id ?? null });
          continue;
        }
        if (!contact) {
          // Members of the firm share with each other as they like; only outsiders are CaseRoom's business.
          let type = sp.userTypes.get(userId);
          if (!type) {
            type = await this.userType(userId);
            sp.userTypes.set(userId, type);
          }
          if (type !== 'Guest') continue;
        }
        const role = roleOf(p);
        if (!baselined && contact && target.itemId === c.folderItemId && contact.portalAccess && contact.invitation === 'accepted' && (role === 'read' || role === 'write')) {
          findings.push({ kind: 'import', key: `import|${p.id}`, c, contact, role, permissionId: p.id, driveItemId: target.itemId });
          continue;
        }
        findings.push({
          kind: 'unwanted',
          key: `unwanted|${p.id}`,
          c,
          added: { driveItemId: target.itemId, who: contact?.email ?? p.grantedToV2?.user?.email ?? userId, roles: p.roles ?? [] },
          driveId: target.driveId,
          driveItemId: target.itemId,
          permissionId: p.id,
        });
      }
      for (const [userId, want] of wanted) {
        const record = store.appliedKey.get(`${target.itemId}|${userId}`);
        if (present.has(userId) || !record || record.state !== 'active') continue;
        findings.push({ kind: 'missing', key: `missing|${target.itemId}|${want.contactId}`, c, driveItemId: target.itemId, contactId: want.contactId });
      }
    }
    return findings;
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
      const grant = await repo.upsertGrant({
        firmId,
        contactId: imp.contact.id,
        // A case grant the guest already holds keeps its threads and expiry: importing only adds what SharePoint shows.
        scope: { kind: 'case', caseId: imp.c.id, view: view.includes('documents') ? view : [...view, 'documents'], threadIds: existing && existing.scope.kind === 'case' ? existing.scope.threadIds : [] },
        rights: imp.role === 'write' || existing?.rights === 'upload' ? 'upload' : 'read',
        expiresAt: existing?.expiresAt ?? null,
        createdBy: 'system:import',
      });
      await repo.appendAudit({
        firmId,
        actor: 'system:import',
        action: 'grant.imported',
        target: `contact:${imp.contact.id}`,
        reason: 'permission found on the case folder when CaseRoom started managing it',
        data: { grantId: grant.id, caseId: imp.c.id, permissionId: imp.permissionId, role: imp.role, before: existing ? termsOf(existing) : null, after: termsOf(grant) },
      });
      await new M365Repo(tx).putApplied({
        firmId,
        contactId: imp.contact.id,
        guestUserId: imp.contact.guestUserId as string,
        driveId: imp.c.driveId as string,
        driveItemId: imp.driveItemId,
        role: imp.role,
        permissionId: imp.permissionId,
        state: 'active',
        expiresAt: null,
      });
      await requestGuestSync(tx, firmId, imp.contact.id);
    });
  }
}
