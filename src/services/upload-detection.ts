import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Services } from './core';
import { DomainError } from '../domain/errors';
import { asRetryable } from '../m365/errors';
import { type GraphGateway, isGraphStatus, seg } from '../m365/graph';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { requestDriveDelta, requestImportCheck, requestNotify, requestStaffOnlySeal } from './job-requests';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord } from '../store/records';
import type { Clock, GuestActor } from './context';
import { type ChangeSource, nameFromSharePoint, placeInStore, removeFromStore } from './item-lifecycle';

interface DeltaItem {
  id: string;
  name?: string;
  size?: number;
  deleted?: unknown;
  root?: unknown;
  folder?: unknown;
  file?: { mimeType?: string };
  parentReference?: { id?: string; driveId?: string };
  createdBy?: { user?: { id?: string; displayName?: string }; application?: { id?: string } };
  lastModifiedBy?: { user?: { id?: string; displayName?: string }; application?: { id?: string } };
}

export interface DetectionDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  services: Services;
  clientId: string;
  publicBaseUrl: string;
  clock: Clock;
}

/** Subscriptions live three days and are renewed when less than a day is left. */
const SUBSCRIPTION_LIFETIME_MS = 3 * 24 * 3600_000;
const RENEW_BEFORE_MS = 24 * 3600_000;
const CLAIM_RECHECK_MS = 2 * 60_000;

/**
 * Upload detection: a change-notification subscription on each cases drive's root, and
 * `delta` from the stored link when a notification (or a timer) says something changed. New
 * files inside a case folder become document items, whoever put them there; files and folders
 * deleted, renamed or moved in SharePoint directly are reflected in the store (the delta's
 * `deleted` facet, new `name` and `parentReference`: learn.microsoft.com/graph/api/driveitem-delta),
 * audited, with a card when a guest could see them (src/services/item-lifecycle.ts).
 */
export class UploadDetection {
  constructor(private readonly d: DetectionDeps) {}

  notificationUrl(): string {
    return `${this.d.publicBaseUrl.replace(/\/$/, '')}/api/graph/notifications`;
  }

  async ensureSubscriptions(): Promise<void> {
    const m365 = new M365Repo(this.d.db);
    for (const { driveId, firmId } of await m365.drives()) {
      try {
        await this.ensureSubscription(driveId, firmId);
      } catch (err) {
        throw asRetryable(err);
      }
      if ((await m365.deltaLink(driveId)) === null) await requestDriveDelta(this.d.db, firmId, driveId);
    }
  }

  private async ensureSubscription(driveId: string, firmId: string): Promise<void> {
    const m365 = new M365Repo(this.d.db);
    const now = this.d.clock.now().getTime();
    const current = await m365.subscriptionOfDrive(driveId);
    const expirationDateTime = new Date(now + SUBSCRIPTION_LIFETIME_MS).toISOString();
    if (current?.subscriptionId && current.expiresAt && Date.parse(current.expiresAt) - now > RENEW_BEFORE_MS) return;
    if (current?.subscriptionId) {
      try {
        await this.d.graph.call({ method: 'PATCH', path: `/subscriptions/${seg(current.subscriptionId)}`, body: { expirationDateTime } });
        await m365.putSubscription({ ...current, expiresAt: expirationDateTime });
        return;
      } catch (err) {
        if (!isGraphStatus(err, 404)) throw err;
      }
    }
    // The secret is stored before the subscription exists, so a retry after a lost answer reuses it.
    const clientState = current?.clientState ?? randomBytes(32).toString('base64url');
    await m365.putSubscription({ driveId, firmId, subscriptionId: null, clientState, expiresAt: null });
    const created = await this.d.graph.call<{ id: string; expirationDateTime: string }>({
      method: 'POST',
      path: '/subscriptions',
      body: { changeType: 'updated', notificationUrl: this.notificationUrl(), resource: `drives/${driveId}/root`, expirationDateTime, clientState, latestSupportedTlsVersion: 'v1_2' },
    });
    await m365.putSubscription({ driveId, firmId, subscriptionId: created.id, clientState, expiresAt: created.expirationDateTime ?? expirationDateTime });
    this.d.logger.info({ driveId, subscriptionId: created.id }, 'drive subscription created');
  }

  /** Reads the drive's changes since the stored deltaLink and imports new files; 410 → start over from scratch. */
  async syncDrive(driveId: string): Promise<number> {
    try {
      return await this.syncDriveOnce(driveId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async syncDriveOnce(driveId: string): Promise<number> {
    const m365 = new M365Repo(this.d.db);
    const cases = await m365.casesOfDrive(driveId);
    if (cases.length === 0) return 0;
    const firmId = cases[0].firmId;
    let link = (await m365.deltaLink(driveId)) ?? `/drives/${seg(driveId)}/root/delta`;
    const scope = new Scope(this.d, driveId, cases);
    let imported = 0;
    let restarted = false;
    for (let page = 0; page < 10_000; page++) {
      let body: { value?: DeltaItem[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      try {
        body = await this.d.graph.get(link);
      } catch (err) {
        if (isGraphStatus(err, 410) && !restarted) {
          // resyncRequired: the token is too old. Enumerate again; imports are keyed by drive item id, so nothing doubles.
          this.d.logger.warn({ driveId }, 'delta token expired; resyncing the drive');
          restarted = true;
          link = `/drives/${seg(driveId)}/root/delta`;
          continue;
        }
        throw err;
      }
      imported += await this.importPage(scope, body.value ?? []);
      if (body['@odata.deltaLink']) {
        await m365.setDeltaLink(driveId, firmId, body['@odata.deltaLink']);
        break;
      }
      if (!body['@odata.nextLink']) break;
      link = body['@odata.nextLink'];
    }
    if (imported) this.d.logger.info({ driveId, imported }, 'uploads detected');
    return imported;
  }

  /** A file delta skipped while CaseRoom's own upload was running: import it if the upload never recorded it. */
  async importIfUnknown(driveId: string, driveItemId: string): Promise<void> {
    const cases = await new M365Repo(this.d.db).casesOfDrive(driveId);
    if (cases.length === 0) return;
    // Usually the upload recorded it: then no Graph call (a 1,000-file zip leaves 1,000 of these checks).
    const repo = new Repo(this.d.db);
    for (const firmId of new Set(cases.map((c) => c.firmId))) if (await repo.itemByDriveItem(firmId, driveItemId)) return;
    try {
      const item = await this.d.graph.get<DeltaItem>(`/drives/${seg(driveId)}/items/${seg(driveItemId)}`);
      await this.importPage(new Scope(this.d, driveId, cases, true), [item]);
    } catch (err) {
      if (isGraphStatus(err, 404)) return;
      throw asRetryable(err);
    }
  }

  private async importPage(scope: Scope, items: DeltaItem[]): Promise<number> {
    let imported = 0;
    const guestFiles = new Map<string, { actor: GuestActor; caseId: string; files: Array<{ name: string; sizeBytes: number; mimeType: string | null; driveItemId: string; parentId: string | null }> }>();
    // Read for the whole page at once: after a bulk share the delta lists every shared document.
    // Whatever changes one of them below re-reads it in its own transaction first.
    const recordedOf = await new Repo(this.d.db).itemsByDriveItems(
      scope.firmId,
      items.flatMap((entry) => (entry.root || !entry.id ? [] : [entry.id])),
    );
    for (const entry of items) {
      if (entry.root || !entry.id) continue;
      const recorded = recordedOf.get(entry.id) ?? null;
      if (entry.deleted) {
        if (recorded) await this.reflectDeletion(scope, recorded);
        continue;
      }
      if (!entry.name) continue;
      // Known already: renamed or moved there, perhaps; moved into another case, it is imported there below.
      const movedFromAnotherCase = recorded !== null;
      if (recorded && (await this.reflectChange(scope, recorded, { ...entry, name: entry.name }))) continue;
      const placed = await scope.place(entry);
      if (!placed) continue;
      const { caseRecord, parentItemId } = placed;
      const repo = new Repo(this.d.db);
      if (await repo.itemByDriveItem(caseRecord.firmId, entry.id)) continue;
      const userId = entry.createdBy?.user?.id;
      const appId = entry.createdBy?.application?.id;
      // CaseRoom's own (provisioning, uploads) records it itself; one moved here from another case is new to this one.
      if (!movedFromAnotherCase && !userId && appId && appId.toLowerCase() === this.d.clientId.toLowerCase()) continue;
      if (userId && !scope.ignoreClaims && (await new M365Repo(this.d.db).hasActiveClaim(scope.driveId, userId))) {
        await requestImportCheck(this.d.db, caseRecord.firmId, scope.driveId, entry.id, new Date(this.d.clock.now().getTime() + CLAIM_RECHECK_MS));
        continue;
      }
      const contact = userId ? await repo.contactByGuestUser(caseRecord.firmId, userId) : null;
      const staff = userId && !contact ? await repo.staffByUser(caseRecord.firmId, userId) : null;
      const createdBy = contact ? `guest:${contact.id}` : staff ? `staff:${staff.userId}` : `sharepoint:${userId ?? appId ?? 'system'}`;
      if (entry.folder) {
        const name = nameFromSharePoint(entry.name, 'folder');
        const folder = await this.insertDetected(caseRecord, { kind: 'folder', title: name.title, refused: name.refused, parentId: parentItemId, driveItemId: entry.id, createdBy });
        scope.remember(entry.id, caseRecord, folder.id);
        imported++;
        continue;
      }
      const file = { name: entry.name, sizeBytes: entry.size ?? 0, mimeType: entry.file?.mimeType ?? null, driveItemId: entry.id, parentId: parentItemId };
      if (contact) {
        const key = `${caseRecord.id}:${contact.id}`;
        const group = guestFiles.get(key) ?? { actor: { kind: 'guest', firmId: caseRecord.firmId, contactId: contact.id, userId: userId as string, name: contact.name }, caseId: caseRecord.id, files: [] };
        group.files.push(file);
        guestFiles.set(key, group);
      } else {
        const name = nameFromSharePoint(entry.name, 'document');
        await this.insertDetected(caseRecord, { kind: 'document', title: name.title, refused: name.refused, parentId: parentItemId, driveItemId: entry.id, createdBy, sizeBytes: file.sizeBytes, mimeType: file.mimeType });
      }
      imported++;
    }
    for (const group of guestFiles.values()) {
      try {
        // The portal's own path: memorial note, audit, and the 'guest.uploaded' notification.
        await this.d.services.portal.recordUploads(group.actor, group.caseId, group.files);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        // SharePoint let the guest upload where the store does not (drift): keep the file visible to staff and tell them.
        const c = scope.caseById(group.caseId) as CaseRecord;
        const ids: string[] = [];
        for (const f of group.files) {
          const name = nameFromSharePoint(f.name, 'document');
          const detected = {
            kind: 'document',
            title: name.title,
            refused: name.refused,
            parentId: f.parentId,
            driveItemId: f.driveItemId,
            createdBy: `guest:${group.actor.contactId}`,
            sizeBytes: f.sizeBytes,
            mimeType: f.mimeType,
            staffOnly: true,
          } as const;
          ids.push((await this.insertDetected(c, detected)).id);
        }
        await requestNotify(this.d.db, { type: 'guest.uploaded', firmId: c.firmId, caseId: c.id, contactId: group.actor.contactId, itemIds: ids, burstKey: `${c.id}:${group.actor.contactId}` });
      }
    }
    return imported;
  }

  /** Who changed an item in SharePoint, as the audit and the card name them (staff and guests by their CaseRoom identity). */
  private async changedBy(firmId: string, entry: DeltaItem | null, reason: string): Promise<ChangeSource> {
    const userId = entry?.lastModifiedBy?.user?.id;
    const repo = new Repo(this.d.db);
    const contact = userId ? await repo.contactByGuestUser(firmId, userId) : null;
    const staff = userId && !contact ? await repo.staffByUser(firmId, userId) : null;
    if (contact) return { actor: `guest:${contact.id}`, actorName: contact.name, source: 'sharepoint', reason };
    if (staff) return { actor: `staff:${staff.userId}`, actorName: staff.name, source: 'sharepoint', reason };
    const appId = entry?.lastModifiedBy?.application?.id;
    // Graph does not say who deleted an item in delta: "someone in SharePoint" is all there is to tell.
    return { actor: `sharepoint:${userId ?? appId ?? 'unknown'}`, actorName: entry?.lastModifiedBy?.user?.displayName ?? 'Someone in SharePoint', source: 'sharepoint', reason };
  }

  /** Deleted in SharePoint (the `deleted` facet): it leaves the store, with everything inside it. */
  private async reflectDeletion(scope: Scope, item: ItemRecord): Promise<void> {
    const c = scope.caseById(item.caseId);
    if (!c) return;
    const by = await this.changedBy(c.firmId, null, 'deleted in SharePoint');
    await this.d.db.transaction(async (tx) => {
      const current = await new Repo(tx).item(c.firmId, item.id);
      if (current) await removeFromStore(tx, c, current, by, this.d.clock.now());
    });
  }

  /**
   * A known item as SharePoint now has it: renamed and/or moved within its case folder, recorded;
   * moved out of its case folder, removed from that case (its shares must not follow it). Returns
   * false when it landed in another case's folder, to be imported there as new.
   */
  private async reflectChange(scope: Scope, item: ItemRecord, entry: DeltaItem & { name: string }): Promise<boolean> {
    const c = scope.caseById(item.caseId);
    if (!c) return true;
    const placed = await scope.place(entry);
    if (!placed || placed.caseRecord.id !== c.id) {
      const by = await this.changedBy(c.firmId, entry, 'moved out of the case folder in SharePoint');
      await this.d.db.transaction(async (tx) => {
        const current = await new Repo(tx).item(c.firmId, item.id);
        if (current) await removeFromStore(tx, c, current, by, this.d.clock.now());
      });
      return placed === null;
    }
    const name = nameFromSharePoint(entry.name, item.kind === 'folder' ? 'folder' : 'document');
    if (name.title === item.title && placed.parentItemId === item.parentId) return true;
    const by = await this.changedBy(c.firmId, entry, 'changed in SharePoint');
    await this.d.db.transaction(async (tx) => {
      const current = await new Repo(tx).item(c.firmId, item.id);
      // Withheld only when the name itself changed to a refused one: staff may have lifted staff-only since.
      if (current) await placeInStore(tx, c, current, { title: name.title, parentId: placed.parentItemId, refused: name.title !== current.title ? name.refused : null }, by, this.d.clock.now());
    });
    return true;
  }

  private async insertDetected(
    c: CaseRecord,
    i: { kind: 'folder' | 'document'; title: string; parentId: string | null; driveItemId: string; createdBy: string; sizeBytes?: number; mimeType?: string | null; staffOnly?: boolean; refused?: string | null },
  ): Promise<ItemRecord> {
    return this.d.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const existing = await repo.itemByDriveItem(c.firmId, i.driveItemId);
      if (existing) return existing;
      const item = await repo.insertItem({
        firmId: c.firmId,
        caseId: c.id,
        kind: i.kind,
        title: i.title,
        parentId: i.parentId,
        driveItemId: i.driveItemId,
        createdBy: i.createdBy,
        sizeBytes: i.sizeBytes ?? null,
        mimeType: i.mimeType ?? null,
        // A name CaseRoom refuses is kept from guests (nameFromSharePoint says why).
        staffOnly: (i.staffOnly ?? false) || Boolean(i.refused),
      });
      const reason = i.refused ? `found in SharePoint under a name CaseRoom does not accept (${i.refused}): kept for staff only` : 'found in SharePoint';
      await repo.appendAudit({
        firmId: c.firmId,
        actor: i.createdBy,
        action: `${i.kind}.detected`,
        target: `case:${c.id}`,
        reason,
        data: { itemId: item.id, title: i.title, driveItemId: i.driveItemId, ...(i.refused ? { nameRefused: i.refused } : {}) },
      });
      // Kept for staff only: sealed in SharePoint too, so no guest of the case folder reads it.
      if (item.staffOnly) await requestStaffOnlySeal(tx, c.firmId, item.id);
      return item;
    });
  }
}

/** Which case (and which folder item) a drive item sits in, learned from the case folders down. */
class Scope {
  private readonly known = new Map<string, { caseRecord: CaseRecord; itemId: string | null } | null>();
  private readonly cases: Map<string, CaseRecord>;

  constructor(
    private readonly d: DetectionDeps,
    readonly driveId: string,
    cases: CaseRecord[],
    readonly ignoreClaims = false,
  ) {
    this.cases = new Map(cases.map((c) => [c.id, c]));
    for (const c of cases) if (c.folderItemId) this.known.set(c.folderItemId, { caseRecord: c, itemId: null });
  }

  get firmId(): string {
    return [...this.cases.values()][0].firmId;
  }

  caseById(id: string): CaseRecord | undefined {
    return this.cases.get(id);
  }

  remember(driveItemId: string, c: CaseRecord, itemId: string): void {
    this.known.set(driveItemId, { caseRecord: c, itemId });
  }

  async place(entry: DeltaItem): Promise<{ caseRecord: CaseRecord; parentItemId: string | null } | null> {
    if (this.known.get(entry.id)?.itemId === null) return null; // a case folder itself
    const parentId = entry.parentReference?.id;
    if (!parentId) return null;
    const parent = await this.resolve(parentId, 0);
    return parent ? { caseRecord: parent.caseRecord, parentItemId: parent.itemId } : null;
  }

  private async resolve(driveItemId: string, depth: number): Promise<{ caseRecord: CaseRecord; itemId: string | null } | null> {
    if (this.known.has(driveItemId)) return this.known.get(driveItemId) ?? null;
    if (depth > 30) return null;
    const anyCase = [...this.cases.values()][0];
    const item = await new Repo(this.d.db).itemByDriveItem(anyCase.firmId, driveItemId);
    if (item && this.cases.has(item.caseId)) {
      const found = { caseRecord: this.cases.get(item.caseId) as CaseRecord, itemId: item.id };
      this.known.set(driveItemId, found);
      return found;
    }
    // Not ours yet (a folder made in SharePoint, or something outside the case folders): ask where it sits.
    let parentId: string | undefined;
    try {
      const info = await this.d.graph.get<DeltaItem>(`/drives/${seg(this.driveId)}/items/${seg(driveItemId)}?$select=id,parentReference,root`);
      parentId = info.root ? undefined : info.parentReference?.id;
    } catch (err) {
      if (!isGraphStatus(err, 404)) throw err;
    }
    const result = parentId ? await this.resolve(parentId, depth + 1) : null;
    // A folder under a case that has no item yet: its files go to the case root (the folder arrives in this or a later page).
    this.known.set(driveItemId, result ? { caseRecord: result.caseRecord, itemId: result.itemId } : null);
    return result;
  }
}
