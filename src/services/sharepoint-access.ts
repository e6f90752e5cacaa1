import type * as api from '../contract';
import { notFound } from '../domain/errors';
import type { GraphGateway } from '../m365/graph';
import { directUserPermissions, type GraphPermission, type ItemRef, readPermissions, roleOf, userIdOf } from '../m365/permissions';
import type { Db } from '../store/db';
import { type AppliedPermission, M365Repo } from '../store/m365';
import type { CaseRecord, ContactRecord, ItemRecord } from '../store/records';
import { Repo } from '../store/repo';
import { type Actor, actorLabel, type Clock } from './context';
import { requestGuestSync } from './job-requests';
import { recordedKnowledge } from './reconcile/deps';
import { desiredForContact } from './reconcile/desired';

type Staff = Extract<Actor, { kind: 'staff' }>;

/** One row's status from CaseRoom's intent and SharePoint's holding. */
export function accessStatus(intended: api.SharePointRole | null, held: api.SharePointRole | null): api.SharePointAccessStatus {
  if (intended === held) return 'in-sync';
  if (held === null) return 'missing';
  if (intended === null) return 'extra';
  return 'different';
}

const ROLE_RANK: Record<api.SharePointRole, number> = { other: 0, read: 1, write: 2, owner: 3 };

/** The strongest role among a guest's own permissions on an item (what they can actually do there). */
function strongestRole(perms: readonly GraphPermission[]): api.SharePointRole | null {
  let best: api.SharePointRole | null = null;
  for (const p of perms) {
    const role = roleOf(p);
    if (best === null || ROLE_RANK[role] > ROLE_RANK[best]) best = role;
  }
  return best;
}

interface CaseGuest {
  contact: ContactRecord;
  /** The guest's Entra user ids: the contact's and any CaseRoom recorded (a guest invited again gets a new one). */
  userIds: Set<string>;
  /** Drive item id → the role CaseRoom's grants want there (this case only). */
  intended: Map<string, api.SharePointRole>;
}

interface Comparison {
  rows: Array<api.SharePointAccessRow & { permissionIds: string[]; driveId: string }>;
  guests: CaseGuest[];
  recorded: AppliedPermission[];
}

/**
 * The case Access page: per guest and SharePoint target, what CaseRoom intends (the reconciler's
 * own `desiredForContact`) beside what SharePoint holds (read live, app-only, with the
 * reconciler's `readPermissions` and its records' knowledge of which permissions are an item's
 * own). Repair hands the differences to the guests' normal sync.
 */
export class SharePointAccessView {
  constructor(private readonly d: { db: Db; graph: GraphGateway; clock: Clock }) {}

  async ofCase(actor: Staff, caseId: string): Promise<api.SharePointAccessOfCase> {
    const { rows } = await this.compare(actor, caseId);
    return { caseId, readAt: this.d.clock.now().toISOString(), rows: rows.map(({ permissionIds: _ids, driveId: _drive, ...row }) => row), drift: rows.filter((r) => r.status !== 'in-sync').length };
  }

  /**
   * Queues the sync of every guest of the case, audited. A permission SharePoint holds that
   * CaseRoom never made (no record of the guest there) is outside what a sync reads, so it is
   * first recorded as 'revoking', the reconciler's own intent record: the sync then reads the
   * item and removes it, as it finishes any interrupted revocation.
   */
  async requestRepair(actor: Staff, caseId: string): Promise<api.AccessRepairQueued> {
    const { rows, guests, recorded } = await this.compare(actor, caseId);
    const hasRecord = new Set(recorded.map((r) => `${r.contactId}|${r.driveItemId}`));
    const unrecordedExtras: AppliedPermission[] = [];
    for (const row of rows) {
      if (row.status !== 'extra' || hasRecord.has(`${row.contactId}|${row.driveItemId}`)) continue;
      const guestUserId = guests.find((g) => g.contact.id === row.contactId)?.contact.guestUserId;
      if (!guestUserId) continue;
      unrecordedExtras.push({ firmId: actor.firmId, contactId: row.contactId, guestUserId, driveId: row.driveId, driveItemId: row.driveItemId, role: 'read', permissionId: row.permissionIds[0] ?? null, state: 'revoking', expiresAt: null });
    }
    await this.d.db.transaction(async (tx) => {
      await new M365Repo(tx).putAppliedMany(unrecordedExtras);
      for (const g of guests) await requestGuestSync(tx, actor.firmId, g.contact.id);
      await new Repo(tx).appendAudit({
        firmId: actor.firmId,
        actor: actorLabel(actor),
        action: 'access.repair_requested',
        target: `case:${caseId}`,
        reason: null,
        data: { contactIds: guests.map((g) => g.contact.id), drift: rows.filter((r) => r.status !== 'in-sync').map((r) => ({ contactId: r.contactId, driveItemId: r.driveItemId, intended: r.intended, held: r.held, status: r.status })) },
      });
    });
    return { caseId, queued: guests.length };
  }

  private async compare(actor: Staff, caseId: string): Promise<Comparison> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const [c, firm] = await Promise.all([repo.case(actor.firmId, caseId), repo.firm(actor.firmId)]);
    if (!c || !firm) throw notFound('case');
    const items = await repo.itemsOfCase(c.id);
    const itemByDrive = new Map(items.filter((i) => i.driveItemId).map((i) => [i.driveItemId as string, i]));
    const ofCase = (driveItemId: string) => driveItemId === c.folderItemId || itemByDrive.has(driveItemId);
    const recorded = (await m365.appliedOfFirm(firm.id)).filter((a) => ofCase(a.driveItemId));

    // The case's guests: those linked to it, and any CaseRoom still holds a record for on its items.
    const contacts = new Map((await repo.linkedContacts(c.id)).map((p) => [p.id, p]));
    for (const r of recorded) {
      if (contacts.has(r.contactId)) continue;
      const contact = await repo.contact(firm.id, r.contactId);
      if (contact) contacts.set(contact.id, contact);
    }
    const now = this.d.clock.now();
    const guests: CaseGuest[] = [];
    for (const contact of contacts.values()) {
      const userIds = new Set([contact.guestUserId, ...recorded.filter((r) => r.contactId === contact.id).map((r) => r.guestUserId)].filter((x): x is string => !!x));
      if (userIds.size === 0) continue; // never a user in the tenant: SharePoint can hold nothing for them
      const intended = new Map<string, api.SharePointRole>();
      for (const want of (await desiredForContact(repo, m365, firm, contact, now)).values()) if (want.caseId === c.id) intended.set(want.driveItemId, want.role);
      guests.push({ contact, userIds, intended });
    }
    if (!c.driveId || !c.folderItemId) return { rows: [], guests, recorded };

    // Targets: the case folder, every item a guest should hold or CaseRoom recorded, and every item with unique permissions.
    const targets = new Map<string, ItemRef>([[c.folderItemId, { driveId: c.driveId, itemId: c.folderItemId }]]);
    const add = (driveItemId: string) => targets.set(driveItemId, { driveId: c.driveId as string, itemId: driveItemId });
    for (const g of guests) for (const driveItemId of g.intended.keys()) add(driveItemId);
    for (const r of recorded) add(r.driveItemId);
    for (const u of await m365.uniqueItemsOfCases([c.id])) if (u.driveItemId) add(u.driveItemId);
    const actual = await readPermissions(this.d.graph, [...targets.values()], recordedKnowledge(this.d.db));
    return { rows: this.rows(c, itemByDrive, guests, [...targets.keys()], actual), guests, recorded };
  }

  private rows(c: CaseRecord, itemByDrive: ReadonlyMap<string, ItemRecord>, guests: readonly CaseGuest[], targets: readonly string[], actual: ReadonlyMap<string, GraphPermission[] | null>): Comparison['rows'] {
    const rows: Comparison['rows'] = [];
    for (const driveItemId of targets) {
      const own = directUserPermissions(actual.get(driveItemId) ?? []);
      const item = itemByDrive.get(driveItemId);
      const isFolder = driveItemId === c.folderItemId;
      for (const g of guests) {
        const theirs = own.filter((p) => g.userIds.has(userIdOf(p) as string));
        const intended = g.intended.get(driveItemId) ?? null;
        const held = strongestRole(theirs);
        if (intended === null && held === null) continue;
        rows.push({
          contactId: g.contact.id,
          guestName: g.contact.name,
          guestEmail: g.contact.email,
          target: isFolder ? 'case' : 'item',
          itemId: isFolder ? null : (item?.id ?? null),
          title: isFolder ? `${c.number} ${c.title}` : (item?.title ?? driveItemId),
          driveItemId,
          intended,
          held,
          status: accessStatus(intended, held),
          permissionIds: theirs.map((p) => p.id),
          driveId: c.driveId as string,
        });
      }
    }
    const order = (r: api.SharePointAccessRow) => (r.target === 'case' ? 0 : 1);
    return rows.sort((a, b) => order(a) - order(b) || a.title.localeCompare(b.title) || a.guestName.localeCompare(b.guestName));
  }
}
