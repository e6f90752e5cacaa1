import type { GrantScope } from '../domain/model';
import type { MessageSeen, SeenSummary } from '../contract';
import type { Db } from '../store/db';
import { Repo } from '../store/repo';
import { recordFirstOpens, type SeenRecord } from '../store/seen';
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
  if (opens.items.length === 0 && opens.messages.length === 0) return;
  await db.transaction(async (tx) => {
    const first = await recordFirstOpens(tx, { firmId: actor.firmId, contactId: actor.contactId, caseId: opens.caseId, itemIds: opens.items.map((i) => i.id), messageIds: opens.messages.map((m) => m.id), at: at.toISOString() });
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

/** What a guest has opened of what one grant reaches (who has access). */
export function seenSummary(contactId: string, scope: GrantScope, records: readonly SeenRecord[]): SeenSummary {
  const reached = records.filter((r) => r.contactId === contactId && (scope.kind === 'item' ? r.itemId === scope.itemId : scope.kind === 'case' ? r.caseId === scope.caseId : r.clientId === scope.clientId));
  const times = reached.map((r) => r.seenAt).sort();
  return { items: reached.filter((r) => r.itemId).length, messages: reached.filter((r) => r.messageId).length, firstAt: times[0] ?? null, lastAt: times[times.length - 1] ?? null };
}
