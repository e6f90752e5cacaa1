import { caseAccess } from '../domain/access';
import type { ItemChange } from '../domain/events';
import { checkItemName, checkUploadName } from '../domain/filenames';
import { visibleName } from '../contract/names';
import type { Queryable } from '../store/db';
import { M365Repo } from '../store/m365';
import type { CaseRecord, ItemRecord } from '../store/records';
import { Repo } from '../store/repo';
import { asDomainContact, asGrant, asItemRef, asPolicy } from './guest-access';
import { requestGuestSync, requestNotify, requestStaffOnlySeal } from './job-requests';

/**
 * The store's side of a file or folder's life after SharePoint changed: deleted, renamed, moved.
 * Used by staff's own actions (src/services/casework.ts, after SharePoint accepted them) and by
 * the delta check (src/services/upload-detection.ts, after someone changed SharePoint directly),
 * so both leave the same audit entries, end the same grants and post the same card.
 */

/** Who changed it and where: the audit's actor, and the card's "in CaseRoom" or "in SharePoint". */
export interface ChangeSource {
  actor: string;
  /** The name the card shows. */
  actorName: string;
  source: 'caseroom' | 'sharepoint';
  reason: string | null;
}

/** The item and everything inside it (a folder's whole subtree), from the case's items. */
export function subtreeOf(item: ItemRecord, caseItems: readonly ItemRecord[]): ItemRecord[] {
  const out = [item];
  for (let i = 0; i < out.length; i++) out.push(...caseItems.filter((x) => x.parentId === out[i].id));
  return out;
}

/** Guests who can see any of these items now (the domain rules decide, exactly as for the portal). */
export async function guestsSeeing(repo: Repo, c: CaseRecord, itemIds: readonly string[], now: Date): Promise<string[]> {
  const firm = await repo.firm(c.firmId);
  if (!firm || itemIds.length === 0) return [];
  const grants = await repo.grantsTouchingCase(c);
  const contactIds = [...new Set(grants.map((g) => g.contactId))];
  if (contactIds.length === 0) return [];
  const items = (await repo.itemsOfCase(c.id)).map(asItemRef);
  const seeing: string[] = [];
  for (const contact of await repo.contactsByIds(c.firmId, contactIds)) {
    const access = caseAccess(asDomainContact(contact), grants.map(asGrant), await repo.isLinked(c.id, contact.id), c, items, asPolicy(firm), now);
    if (access && itemIds.some((id) => access.itemIds.has(id))) seeing.push(contact.id);
  }
  return seeing;
}

async function resyncHolders(tx: Queryable, repo: Repo, c: CaseRecord): Promise<void> {
  for (const contactId of new Set((await repo.grantsTouchingCase(c)).map((g) => g.contactId))) await requestGuestSync(tx, c.firmId, contactId);
}

async function tellChannel(tx: Queryable, c: CaseRecord, by: ChangeSource, changes: ItemChange[]): Promise<void> {
  const seen = changes.filter((x) => x.contactIds.length > 0);
  if (seen.length > 0) await requestNotify(tx, { type: 'items.changed', firmId: c.firmId, caseId: c.id, actor: by.actorName, source: by.source, changes: seen });
}

/**
 * The item (with everything inside it) leaves the store once SharePoint no longer has it: item
 * grants on any of it end, each audited (the table would drop them silently); SharePoint's
 * records of permissions there are forgotten (they went to the recycle bin with the item); every
 * guest of the case is re-synced; the channel hears of it when a guest could see it.
 */
export async function removeFromStore(tx: Queryable, c: CaseRecord, item: ItemRecord, by: ChangeSource, now: Date): Promise<ItemChange | null> {
  const repo = new Repo(tx);
  const subtree = subtreeOf(item, await repo.itemsOfCase(c.id));
  const ids = new Set(subtree.map((x) => x.id));
  const seeing = await guestsSeeing(repo, c, [...ids], now);
  for (const g of await repo.grantsTouchingCase(c)) {
    if (g.scope.kind !== 'item' || !ids.has(g.scope.itemId)) continue;
    await repo.appendAudit({
      firmId: c.firmId,
      actor: by.actor,
      action: 'grant.removed',
      target: `contact:${g.contactId}`,
      reason: `the ${item.kind} was deleted`,
      data: { grantId: g.id, contactId: g.contactId, before: g.scope, after: null },
    });
  }
  const driveItemIds = subtree.flatMap((x) => (x.driveItemId ? [x.driveItemId] : []));
  await resyncHolders(tx, repo, c);
  if (!(await repo.deleteItem(c.firmId, item.id))) return null;
  if (driveItemIds.length) await new M365Repo(tx).deleteAppliedOnItems(driveItemIds);
  await repo.appendAudit({
    firmId: c.firmId,
    actor: by.actor,
    action: `${item.kind}.deleted`,
    target: `case:${c.id}`,
    reason: by.reason,
    data: { itemId: item.id, title: item.title, driveItemId: item.driveItemId, alsoDeleted: subtree.length - 1, guestsWhoSawIt: seeing },
  });
  const change: ItemChange = { change: 'deleted', itemId: item.id, kind: item.kind, title: item.title, before: null, after: null, contactIds: seeing };
  await tellChannel(tx, c, by, [change]);
  return change;
}

/**
 * A name from SharePoint, through the same check as an upload's. A refused one (bidi override,
 * zero-width characters, a blocked extension, a reserved name) cannot be refused: the file is
 * there. It is recorded under its visible form (`<U+202E>` instead of the override, so no list
 * shows a disguised name) and withheld: made staff-only, so no guest receives it until staff
 * rename it in SharePoint and lift staff-only. Taking it silently, or dropping it, would each
 * hide from staff the very thing they must look at.
 */
export function nameFromSharePoint(name: string, kind: 'folder' | 'document'): { title: string; refused: string | null } {
  const check = kind === 'document' ? checkUploadName(name) : checkItemName(name);
  return check.ok ? { title: name, refused: null } : { title: visibleName(name), refused: check.reason };
}

/** Where the item goes and what it is called now; `parentId` null is the case folder's top. */
export interface NewPlace {
  title?: string;
  parentId?: string | null;
  /** The name SharePoint holds was refused (nameFromSharePoint): why. */
  refused?: string | null;
}

/**
 * Records a rename and/or move SharePoint already holds: audited with before and after (one
 * entry each), guests re-synced after a move (what reaches it changed), a refused name withheld
 * from guests (sealed in SharePoint too), and a card when a guest could see the item.
 */
export async function placeInStore(tx: Queryable, c: CaseRecord, item: ItemRecord, to: NewPlace, by: ChangeSource, now: Date): Promise<ItemRecord> {
  const repo = new Repo(tx);
  const renamed = to.title !== undefined && to.title !== item.title;
  const moved = to.parentId !== undefined && to.parentId !== item.parentId;
  const withhold = Boolean(to.refused) && !item.staffOnly;
  if (!renamed && !moved && !withhold) return item;
  const seeing = await guestsSeeing(repo, c, [item.id], now);
  const titleOf = async (folderId: string | null | undefined) => (folderId ? ((await repo.item(c.firmId, folderId))?.title ?? null) : null);
  const kind = item.kind;
  const changes: ItemChange[] = [];
  const updated = (await repo.updateItem(c.firmId, item.id, { ...(renamed ? { title: to.title } : {}), ...(moved ? { parentId: to.parentId ?? null } : {}), ...(withhold ? { staffOnly: true } : {}) })) as ItemRecord;
  const audit = (action: string, data: Record<string, unknown>, reason = by.reason) =>
    repo.appendAudit({ firmId: c.firmId, actor: by.actor, action, target: `case:${c.id}`, reason, data: { itemId: item.id, driveItemId: item.driveItemId, ...data } });
  if (renamed) {
    await audit(`${item.kind}.renamed`, { before: { title: item.title }, after: { title: to.title } });
    changes.push({ change: 'renamed', itemId: item.id, kind, title: to.title as string, before: item.title, after: null, contactIds: seeing });
  }
  if (moved) {
    const [from, into] = [await titleOf(item.parentId), await titleOf(to.parentId)];
    await audit(`${item.kind}.moved`, { title: updated.title, before: { parentId: item.parentId, folder: from }, after: { parentId: to.parentId ?? null, folder: into } });
    changes.push({ change: 'moved', itemId: item.id, kind, title: updated.title, before: from, after: into, contactIds: seeing });
  }
  if (withhold) {
    await audit('item.staff-only', { title: updated.title, before: { staffOnly: false }, after: { staffOnly: true } }, `its name in SharePoint is not accepted: ${to.refused}`);
    changes.push({ change: 'withheld', itemId: item.id, kind, title: updated.title, before: null, after: to.refused ?? null, contactIds: seeing });
    if (item.driveItemId) await requestStaffOnlySeal(tx, c.firmId, item.id);
  }
  if (moved || withhold) await resyncHolders(tx, repo, c);
  await tellChannel(tx, c, by, changes);
  return updated;
}
