import type { GrantScope } from '../domain/model';
import type { MessageSeen, SeenSummary } from '../contract';
import type { Db } from '../store/db';
import { Repo } from '../store/repo';
import { recordFirstOpens, type SeenRecord, touchRepeatOpens } from '../store/seen';
import { actorLabel, type GuestActor } from './context';

/** What one portal read showed the guest: items whose content it carried, staff messages it carried. */
export interface PortalOpens {
  caseId: string;
  items: ReadonlyArray<{ id: string; kind: string; title: string }>;
  messages: ReadonlyArray<{ id: string; threadId: string }>;
}

/**
 * Records a guest's first opens from a portal read and audits each one (`item.seen`,
 * `message.seen`), in one transaction: an open is stored and audited together, or neither.
 * Only the portal's own reads call this; staff reads and CaseRoom's own (the digest) never do.
 */
export async function recordGuestOpens(db: Db, actor: GuestActor, opens: PortalOpens, at: Date): Promise<void> {
  const itemIds = opens.items.map((i) => i.id);
  const messageIds = opens.messages.map((m) => m.id);
  // Nearly every read repeats earlier opens: one statement moves their latest open on, and the transaction is only for first ones.
  if (!(await touchRepeatOpens(db, { contactId: actor.contactId, itemIds, messageIds })).anyFirst) return;
  await db.transaction(async (tx) => {
    const first = await recordFirstOpens(tx, { firmId: actor.firmId, contactId: actor.contactId, caseId: opens.caseId, itemIds, messageIds, at: at.toISOString() });
    if (first.itemIds.length === 0 && first.messageIds.length === 0) return;
    const repo = new Repo(tx);
    const entry = { firmId: actor.firmId, actor: actorLabel(actor), target: `case:${opens.caseId}`, reason: null, at: at.toISOString() };
    const newItems = new Set(first.itemIds);
    for (const item of opens.items.filter((i) => newItems.delete(i.id))) await repo.appendAudit({ ...entry, action: 'item.seen', data: { itemId: item.id, kind: item.kind, title: item.title } });
    const newMessages = new Set(first.messageIds);
    for (const message of opens.messages.filter((m) => newMessages.delete(m.id))) await repo.appendAudit({ ...entry, action: 'message.seen', data: { threadId: message.threadId, messageId: message.id } });
  });
}

/** A guest's first open of each item: item id → contact id → when. */
export function firstOpensByItem(records: readonly SeenRecord[]): Map<string, Map<string, string>> {
  const byItem = new Map<string, Map<string, string>>();
  for (const r of records) {
    if (!r.itemId) continue;
    const perContact = byItem.get(r.itemId) ?? new Map<string, string>();
    perContact.set(r.contactId, r.seenAt);
    byItem.set(r.itemId, perContact);
  }
  return byItem;
}

/** Who read each staff message, with names (staff threads), earliest first. */
export function readersByMessage(records: readonly SeenRecord[], nameOf: (contactId: string) => string | undefined): Map<string, MessageSeen[]> {
  const byMessage = new Map<string, MessageSeen[]>();
  for (const r of records) {
    const name = r.messageId ? nameOf(r.contactId) : undefined;
    if (!r.messageId || name === undefined) continue;
    byMessage.set(r.messageId, [...(byMessage.get(r.messageId) ?? []), { contactId: r.contactId, name, seenAt: r.seenAt }]);
  }
  return byMessage;
}

/** Which first opens count for a grant's reach. */
export type SeenReach = (record: SeenRecord) => boolean;

/**
 * What each grant reaches, for counting first opens: one item (a folder: everything beneath it,
 * since its documents are what a guest opens), a case, or every case of a client.
 */
export async function grantReaches(repo: Repo, firmId: string, grants: ReadonlyArray<{ scope: GrantScope }>): Promise<(scope: GrantScope) => SeenReach> {
  const folders = (
    await repo.itemsByIds(
      firmId,
      grants.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])),
    )
  ).filter((i) => i.kind === 'folder');
  const caseItems = folders.length ? await repo.itemsOfCases([...new Set(folders.map((f) => f.caseId))]) : [];
  const beneath = new Map(folders.map((f) => [f.id, withDescendants(f.id, caseItems)]));
  return (scope) => {
    if (scope.kind === 'case') return (r) => r.caseId === scope.caseId;
    if (scope.kind === 'client') return (r) => r.clientId === scope.clientId;
    const reached = beneath.get(scope.itemId) ?? new Set([scope.itemId]);
    return (r) => r.itemId !== null && reached.has(r.itemId);
  };
}

function withDescendants(rootId: string, items: ReadonlyArray<{ id: string; parentId: string | null }>): Set<string> {
  const reached = new Set([rootId]);
  // Items come in any order; repeat until a pass adds nothing (folder trees are shallow).
  for (let grew = true; grew;) {
    grew = false;
    for (const i of items) {
      if (i.parentId !== null && reached.has(i.parentId) && !reached.has(i.id)) {
        reached.add(i.id);
        grew = true;
      }
    }
  }
  return reached;
}

/** What a guest has opened of what one grant reaches (who has access). */
export function seenSummary(contactId: string, reaches: SeenReach, records: readonly SeenRecord[]): SeenSummary {
  const reached = records.filter((r) => r.contactId === contactId && reaches(r));
  const times = reached.map((r) => r.seenAt).sort();
  return { items: reached.filter((r) => r.itemId).length, messages: reached.filter((r) => r.messageId).length, firstAt: times[0] ?? null, lastAt: times[times.length - 1] ?? null };
}
