import { caseClosed, conflict, DomainError, forbidden, invalid, notFound } from '../domain/errors';
import { checkItemName } from '../domain/filenames';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord, MessageThread } from '../store/records';
import type { CaseLedger, DeletedAnswer, FirmSettings, ManualLedgerKind, NewItemRequest, StaffThread } from '../contract';
import { INVOICE_STATE_LABEL, type InvoiceFacts, invoiceStanding, statusAfterPayment, summarizeLedger } from '../domain/ledger';
import { type Actor, actorLabel, type ServiceDeps } from './context';
import { requestGuestSync, requestNotify, requestStaffOnlySeal } from './job-requests';
import { requestGuestDigestsForCase } from './guest-digest';
import { seenInCase } from '../store/seen';
import type { DriveItemsPort } from '../m365/drive-items';
import { type ChangeSource, type NewPlace, placeInStore, removeFromStore, subtreeOf } from './item-lifecycle';
import { readersByMessage } from './seen';
import { loadGuestCase } from './guest-access';
import { replyBody } from '../contract/cases';
import { unsafeNameCharacter } from '../contract/names';

/** How a staff member sent a reply from Teams to a bridged thread's guest: an @mention of CaseRoom, or the card's Reply to client. */
export type BridgeReplyVia = 'teams-mention' | 'teams-card';
export interface BridgeReplySent {
  message: { id: string; body: string };
  guest: { id: string; name: string };
  caseNumber: string;
}

/** A reply's text as the tab's reply is checked (length), and refused with invisible characters that change how it displays (./contract/names.ts). */
function checkReplyText(body: string): string {
  const parsed = replyBody.shape.body.safeParse(body);
  if (!parsed.success) throw invalid('body', `the reply ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
  const unsafe = unsafeNameCharacter(parsed.data);
  if (unsafe) throw invalid('body', `the reply contains ${unsafe.description} at character ${unsafe.position}: invisible characters that change how text displays are not sent to a client; retype the reply without them`);
  return parsed.data;
}

type StaffActor = Extract<Actor, { kind: 'staff' | 'system' }>;

/** The store's invoice items as the ledger rules read them. */
/** Why a staff reply on a closed case is refused, from the tab and from Teams alike. */
const REPLY_ON_CLOSED = 'replies no longer reach its guests; nothing was sent';

export const invoiceFacts = (items: readonly ItemRecord[]): InvoiceFacts[] => items.filter((i) => i.kind === 'invoice').map((i) => ({ id: i.id, amountCents: i.amountCents ?? 0, status: i.invoiceStatus ?? 'sent' }));

/**
 * A case's ledger lines, invoices with their standing, and the summary (see src/domain/ledger.ts
 * for what each figure means). `caseInvoices`: the case's invoices (all of them) when the caller
 * has already read its items.
 */
export async function caseMoney(repo: Repo, c: CaseRecord, caseInvoices?: readonly ItemRecord[]) {
  const [lines, items] = await Promise.all([repo.ledger(c.id), caseInvoices ?? repo.itemsOfCase(c.id)]);
  const invoices = items.filter((i) => i.kind === 'invoice');
  return {
    lines,
    invoices: invoices.map((i) => {
      const standing = invoiceStanding(invoiceFacts([i])[0], lines);
      return { ...i, state: standing.state, stateLabel: INVOICE_STATE_LABEL[standing.state], paidCents: standing.paidCents, outstandingCents: standing.outstandingCents };
    }),
    summary: summarizeLedger(c.budgetCents, lines, invoiceFacts(invoices)),
  };
}

/** An item to create: what the API accepts, or a document the server records after an upload. */
export type NewItem = NewItemRequest | { kind: 'document'; title: string; parentId: string | null; sizeBytes: number; mimeType: string | null; driveItemId: string | null };

/** Staff work on a case's content: notes, events, invoices, folders, documents, ledger, threads. */
export class CaseworkService {
  private sharePoint: DriveItemsPort | null = null;

  constructor(private readonly deps: ServiceDeps) {}

  /**
   * Folders, renames, moves and deletions go to SharePoint first once the Microsoft 365 part is
   * composed (it is built after the core services, so it connects itself here). Without it, or
   * for a case whose folder does not exist yet (provisioning creates the folders then), the store
   * alone changes.
   */
  connectSharePoint(port: DriveItemsPort): void {
    this.sharePoint = port;
  }

  /** SharePoint's drive and the case folder's item, when CaseRoom can change SharePoint for this case. */
  private driveOf(c: CaseRecord): { driveId: string; folderItemId: string } | null {
    return this.sharePoint && c.driveId && c.folderItemId ? { driveId: c.driveId, folderItemId: c.folderItemId } : null;
  }

  /** A folder of this case to put something in (null: the case folder's top), checked; its SharePoint item. */
  private async targetFolder(repo: Repo, c: CaseRecord, folderId: string | null, field: string): Promise<{ folder: ItemRecord | null; driveItemId: string | null }> {
    if (!folderId) return { folder: null, driveItemId: c.folderItemId };
    const folder = await repo.item(c.firmId, folderId);
    // Another case's folder (or another firm's) is reported exactly like one that does not exist.
    if (!folder || folder.caseId !== c.id || folder.kind !== 'folder') throw notFound(field === 'parentId' ? 'folder' : field);
    return { folder, driveItemId: folder.driveItemId };
  }

  private staffSource(actor: StaffActor, reason: string | null): ChangeSource {
    return { actor: actorLabel(actor), actorName: actor.name, source: 'caseroom', reason };
  }

  /** A new folder is made in SharePoint first (a taken name is a 409 and nothing is recorded); its drive item id is kept. */
  private async folderInSharePoint(actor: StaffActor, caseId: string, input: Extract<NewItem, { kind: 'folder' }>): Promise<string | null> {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, caseId, actor);
    const drive = this.driveOf(c);
    const name = checkItemName(input.title);
    if (!name.ok) throw invalid('title', name.reason);
    const { driveItemId } = await this.targetFolder(repo, c, input.parentId, 'parentId');
    if (!drive) return null;
    if (!driveItemId) throw conflict('the parent folder is not in SharePoint yet; try again in a minute');
    return (await (this.sharePoint as DriveItemsPort).createFolder(drive.driveId, driveItemId, input.title)).id;
  }

  /** A case the actor is walled off is missing, exactly as one that never existed. */
  private async mustCase(repo: Repo, firmId: string, caseId: string, actor?: Actor): Promise<CaseRecord> {
    const c = await repo.case(firmId, caseId);
    if (!c || (actor && (await repo.hiddenCasesFor(actor)).has(c.id))) throw notFound('case');
    return c;
  }

  private async resyncHoldersOf(repo: Repo, tx: Queryable, caseRecord: CaseRecord): Promise<void> {
    for (const contactId of new Set((await repo.grantsTouchingCase(caseRecord)).map((g) => g.contactId))) {
      await requestGuestSync(tx, caseRecord.firmId, contactId);
    }
  }

  async createItem(actor: StaffActor, caseId: string, input: NewItem): Promise<ItemRecord> {
    const folderDriveItemId = input.kind === 'folder' ? await this.folderInSharePoint(actor, caseId, input) : null;
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const c = await this.mustCase(repo, actor.firmId, caseId, actor);
      if (input.kind === 'folder' || input.kind === 'document') {
        const name = checkItemName(input.title);
        if (!name.ok) throw invalid('title', name.reason);
        if (input.parentId) {
          const parent = await repo.item(actor.firmId, input.parentId);
          if (!parent || parent.caseId !== caseId || parent.kind !== 'folder') throw notFound('folder');
        }
      }
      const item = await repo.insertItem({ firmId: actor.firmId, caseId, createdBy: actorLabel(actor), ...input, ...(folderDriveItemId ? { driveItemId: folderDriveItemId } : {}) });
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${input.kind}.created`, target: `case:${caseId}`, reason: null, data: { itemId: item.id, title: item.title } });
      // Guests with case or client scope gain the new document's folder permission through inheritance; resync keeps SharePoint exact.
      if (input.kind === 'folder' || input.kind === 'document') await this.resyncHoldersOf(repo, tx, c);
      // A note, event or invoice in a section a guest's view shows is news for their digest (which decides what they see).
      else await requestGuestDigestsForCase(tx, c);
      return item;
    });
  }

  async updateItem(
    actor: StaffActor,
    itemId: string,
    input: Partial<Pick<ItemRecord, 'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amountCents' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus' | 'staffOnly' | 'privileged' | 'parentId'>> & { reason?: string | null },
  ) {
    const { staffOnly, privileged, reason = null, parentId, ...patch } = input;
    const outside = new Repo(this.deps.db);
    const current = await outside.item(actor.firmId, itemId);
    // Walled off is missing, before anything reaches SharePoint.
    if (!current || (await outside.hiddenCasesFor(actor)).has(current.caseId)) throw notFound('item');
    const isFile = current.kind === 'folder' || current.kind === 'document';
    if (parentId !== undefined && !isFile) throw invalid('parentId', `a ${current.kind} is not in a folder`);
    // A file or folder is renamed or moved in SharePoint first; the store follows only once SharePoint agreed.
    const place = isFile && (patch.title !== undefined || parentId !== undefined) ? await this.placeInSharePoint(actor, current, patch.title, parentId) : null;
    if (isFile) delete patch.title;
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const item = await repo.item(actor.firmId, itemId);
      if (!item || (await repo.hiddenCasesFor(actor)).has(item.caseId)) throw notFound('item');
      if (place) await placeInStore(tx, await this.mustCase(repo, actor.firmId, item.caseId, actor), item, place, this.staffSource(actor, reason), this.deps.clock.now());
      // CaseRoom's own memo of what a guest did (a note it wrote for her) stays staff-only whatever scope anyone holds.
      if (staffOnly === false && item.staffOnly && item.kind === 'note' && item.createdBy.startsWith('guest:')) throw conflict(`${item.title} is CaseRoom's memo of a guest's message or upload: it stays staff-only`);
      if (staffOnly !== undefined && staffOnly !== item.staffOnly) await this.markWithheld(tx, repo, actor, item, 'staffOnly', staffOnly, reason);
      if (privileged !== undefined && privileged !== item.privileged) await this.markWithheld(tx, repo, actor, (await repo.item(actor.firmId, itemId)) as ItemRecord, 'privileged', privileged, reason);
      if (Object.keys(patch).length === 0) return (await repo.item(actor.firmId, itemId)) as ItemRecord;
      const allowed: Record<ItemRecord['kind'], string[]> = {
        note: ['title', 'body'],
        event: ['title', 'startsAt', 'endsAt', 'location'],
        invoice: ['title', 'amountCents', 'dueOn', 'invoiceNumber', 'invoiceStatus'],
        folder: [],
        document: [],
      };
      for (const key of Object.keys(patch)) if (!allowed[item.kind].includes(key)) throw invalid(key, `a ${item.kind} has no field ${key}`);
      const updated = (await repo.updateItem(actor.firmId, itemId, patch)) as ItemRecord;
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${item.kind}.updated`, target: `case:${item.caseId}`, reason: null, data: { itemId, patch } });
      return updated;
    });
  }

  /**
   * Checks a rename or move of a file or folder and makes it in SharePoint (when the case has its
   * folder there): the name as for uploads, the destination a folder of the same case that is not
   * the item itself or inside it. Returns what the store is to record.
   */
  private async placeInSharePoint(actor: StaffActor, item: ItemRecord, title: string | undefined, parentId: string | null | undefined): Promise<NewPlace> {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, item.caseId);
    if (title !== undefined) {
      const name = checkItemName(title);
      if (!name.ok) throw invalid('title', name.reason);
    }
    const moving = parentId !== undefined && parentId !== item.parentId;
    let destination: string | null = null;
    if (moving) {
      const target = await this.targetFolder(repo, c, parentId, 'parentId');
      if (target.folder && subtreeOf(item, await repo.itemsOfCase(c.id)).some((x) => x.id === target.folder?.id)) throw invalid('parentId', 'a folder cannot be moved into itself or a folder inside it');
      destination = target.driveItemId;
    }
    const renaming = title !== undefined && title !== item.title;
    const drive = this.driveOf(c);
    if (drive && item.driveItemId && (renaming || moving)) {
      if (moving && !destination) throw conflict('the destination folder is not in SharePoint yet; try again in a minute');
      await (this.sharePoint as DriveItemsPort).update(drive.driveId, item.driveItemId, { ...(renaming ? { name: title } : {}), ...(moving ? { parentDriveItemId: destination as string } : {}) });
    }
    return { ...(renaming ? { title } : {}), ...(moving ? { parentId } : {}) };
  }

  /**
   * Staff-only or privileged on or off, audited with before and after. Every guest with a grant in
   * the case is re-synced (the domain rules stop or start reaching the item), and SharePoint is told
   * to seal a document or folder: unique permissions without any guest, so a guest's own Graph token
   * cannot read it whatever the case folder holds (docs/sharepoint-sharing.md). A privileged item's
   * confirmed shares are given back by the seal's own guest syncs (StaffOnlySeal).
   */
  private async markWithheld(tx: Queryable, repo: Repo, actor: StaffActor, item: ItemRecord, flag: 'staffOnly' | 'privileged', on: boolean, reason: string | null): Promise<void> {
    const c = await this.mustCase(repo, actor.firmId, item.caseId, actor);
    await repo.updateItem(actor.firmId, item.id, { [flag]: on });
    const word = flag === 'staffOnly' ? 'staff-only' : 'privileged';
    await repo.appendAudit({
      firmId: actor.firmId,
      actor: actorLabel(actor),
      action: on ? `item.${word}` : `item.${word}-lifted`,
      target: `case:${item.caseId}`,
      reason,
      data: { itemId: item.id, title: item.title, before: { [flag]: item[flag] }, after: { [flag]: on } },
    });
    if (on && item.driveItemId && (item.kind === 'document' || item.kind === 'folder')) {
      await requestStaffOnlySeal(tx, actor.firmId, item.id);
    }
    const holders = new Set((await repo.grantsTouchingCase(c)).map((g) => g.contactId));
    for (const contactId of holders) await requestGuestSync(tx, actor.firmId, contactId);
  }

  /**
   * A file or folder goes to SharePoint's recycle bin first (restorable there for 93 days), then
   * leaves the store with everything inside it; grants on it end, audited, and its guests are
   * re-synced (src/services/item-lifecycle.ts). A note, event or invoice lives only in the store.
   */
  async deleteItem(actor: StaffActor, itemId: string, reason: string | null): Promise<DeletedAnswer> {
    const repo = new Repo(this.deps.db);
    const current = await repo.item(actor.firmId, itemId);
    if (!current) throw notFound('item');
    const drive = this.driveOf(await this.mustCase(repo, actor.firmId, current.caseId, actor));
    if (drive && current.driveItemId && (current.kind === 'folder' || current.kind === 'document')) await (this.sharePoint as DriveItemsPort).remove(drive.driveId, current.driveItemId);
    return this.deps.db.transaction(async (tx) => {
      const item = await new Repo(tx).item(actor.firmId, itemId);
      // Gone meanwhile (the delta check saw SharePoint's deletion first): already recorded.
      if (item) await removeFromStore(tx, await this.mustCase(new Repo(tx), actor.firmId, item.caseId), item, this.staffSource(actor, reason), this.deps.clock.now());
      return { deleted: true };
    });
  }

  async ledger(actor: StaffActor, caseId: string): Promise<CaseLedger> {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, caseId, actor);
    const firm = await repo.firm(actor.firmId);
    const money = await caseMoney(repo, c);
    return { currency: firm?.currency ?? 'USD', entries: money.lines, invoices: money.invoices, summary: money.summary };
  }

  /**
   * Records a retainer deposit, an expense or a payment. A payment may name a sent invoice: it
   * may not exceed what is still owed, and one that settles the rest marks the invoice paid.
   */
  async addLedgerEntry(actor: StaffActor, caseId: string, input: { kind: ManualLedgerKind; amountCents: number; description: string; occurredOn: string; invoiceItemId: string | null }) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      await this.mustCase(repo, actor.firmId, caseId, actor);
      if (input.invoiceItemId && input.kind !== 'payment') throw invalid('invoiceItemId', 'only a payment is made against an invoice');
      const invoice = input.invoiceItemId ? await repo.item(actor.firmId, input.invoiceItemId) : null;
      if (input.invoiceItemId && (!invoice || invoice.caseId !== caseId || invoice.kind !== 'invoice')) throw notFound('invoice');
      if (invoice) {
        const standing = invoiceStanding(invoiceFacts([invoice])[0], await repo.ledger(caseId));
        if (standing.state !== 'sent' && standing.state !== 'partly_paid') throw conflict(`invoice ${invoice.invoiceNumber} is ${INVOICE_STATE_LABEL[standing.state].toLowerCase()}; only an invoice awaiting payment can be paid`);
        if (input.amountCents > standing.outstandingCents) throw conflict(`the payment is more than the ${standing.outstandingCents} cents still owed on invoice ${invoice.invoiceNumber}`);
      }
      const entry = await repo.insertLedgerEntry({ firmId: actor.firmId, caseId, createdBy: actorLabel(actor), ...input });
      await repo.appendAudit({
        firmId: actor.firmId,
        actor: actorLabel(actor),
        action: 'ledger.added',
        target: `case:${caseId}`,
        reason: null,
        data: { entryId: entry.id, kind: entry.kind, amountCents: entry.amountCents, invoiceItemId: entry.invoiceItemId },
      });
      if (invoice) {
        const next = statusAfterPayment(invoiceFacts([invoice])[0], await repo.ledger(caseId));
        if (next !== invoice.invoiceStatus) {
          await repo.updateItem(actor.firmId, invoice.id, { invoiceStatus: next });
          await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'invoice.updated', target: `case:${caseId}`, reason: 'paid in full', data: { itemId: invoice.id, patch: { invoiceStatus: next } } });
        }
      }
      return entry;
    });
  }

  async threads(actor: StaffActor, caseId: string): Promise<StaffThread[]> {
    const repo = new Repo(this.deps.db);
    await this.mustCase(repo, actor.firmId, caseId, actor);
    const threads = await repo.threadsOfCase(caseId);
    const seen = await seenInCase(this.deps.db, actor.firmId, caseId);
    const contacts = new Map((await repo.contactsByIds(actor.firmId, [...new Set(seen.map((r) => r.contactId))])).map((c) => [c.id, c.name]));
    const readers = readersByMessage(seen, (contactId) => contacts.get(contactId));
    return Promise.all(threads.map(async (t) => ({ ...t, messages: (await repo.messages(t.id)).map((m) => ({ ...m, seenBy: readers.get(m.id) ?? [] })) })));
  }

  async createThread(actor: StaffActor, caseId: string, subject: string) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      await this.mustCase(repo, actor.firmId, caseId, actor);
      const thread = await repo.insertThread({ firmId: actor.firmId, caseId, subject, startedByContactId: null });
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'thread.created', target: `case:${caseId}`, reason: null, data: { threadId: thread.id, subject } });
      return thread;
    });
  }

  /** A staff reply in a portal thread; the guest sees it on the next load and gets a feed notification. */
  async reply(actor: Extract<Actor, { kind: 'staff' }>, threadId: string, body: string) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const thread = await repo.thread(actor.firmId, threadId);
      if (!thread || (await repo.hiddenCasesFor(actor)).has(thread.caseId)) throw notFound('thread');
      const c = await this.mustCase(repo, actor.firmId, thread.caseId, actor);
      // The portal no longer shows a closed case's messages: a reply would reach nobody.
      if (c.closedAt) throw caseClosed(c.number, REPLY_ON_CLOSED);
      return this.recordStaffReply(tx, actor, thread, c, body, {});
    });
  }

  /**
   * A reply a staff member chose to send from Teams to the guest who opened a bridged thread
   * (@mentioning CaseRoom, or the card's Reply to client). Stricter than the tab's reply: the text
   * is checked as every typed text is (length, invisible characters), a closed case refuses (409),
   * and a guest who can no longer see the case in the portal gets nothing. Sent or refused, the
   * audit log says who sent what to whom, and how.
   */
  async replyToGuest(actor: Extract<Actor, { kind: 'staff' }>, threadId: string, body: string, via: BridgeReplyVia): Promise<BridgeReplySent> {
    try {
      const text = checkReplyText(body);
      return await this.deps.db.transaction(async (tx) => {
        const repo = new Repo(tx);
        const { thread, c, guest } = await this.bridgedRecipient(repo, actor.firmId, threadId);
        const message = await this.recordStaffReply(tx, actor, thread, c, text, { via, contactId: guest.id, to: guest.name, body: text });
        return { message, guest: { id: guest.id, name: guest.name }, caseNumber: c.number };
      });
    } catch (err) {
      // The refused transaction rolled back: its audit entry is written on its own, under the case
      // and naming the guest (`contactId`), so the audit log's case and person filters find it.
      if (err instanceof DomainError) {
        const repo = new Repo(this.deps.db);
        const thread = await repo.thread(actor.firmId, threadId);
        const target = thread ? `case:${thread.caseId}` : `thread:${threadId}`;
        await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'message.staff.refused', target, reason: err.message, data: { threadId, via, code: err.code, contactId: thread?.startedByContactId ?? null, body } });
      }
      throw err;
    }
  }

  /** The guest a bridged thread answers, when a reply may still reach her. */
  private async bridgedRecipient(repo: Repo, firmId: string, threadId: string) {
    const thread = await repo.thread(firmId, threadId);
    if (!thread) throw notFound('thread');
    const c = await this.mustCase(repo, firmId, thread.caseId);
    if (c.closedAt) throw caseClosed(c.number, REPLY_ON_CLOSED);
    const guest = thread.startedByContactId ? await repo.contact(firmId, thread.startedByContactId) : null;
    if (!guest) throw conflict('this thread was not started by a guest, so there is nobody in the portal to answer; nothing was sent');
    const firm = await repo.firm(firmId);
    if (!firm) throw notFound('firm');
    // The same decision the portal makes when the guest opens the case (src/services/portal.ts visibleThreads).
    const sees = !firm.disabledSections.includes('messages') && (await loadGuestCase(repo, firm, guest, c.id, this.deps.clock.now())) !== null;
    if (!sees) throw forbidden(`${guest.name} no longer has access to case ${c.number} in the client portal, so nothing was sent`);
    return { thread, c, guest };
  }

  private async recordStaffReply(tx: Queryable, actor: Extract<Actor, { kind: 'staff' }>, thread: MessageThread, c: CaseRecord, body: string, auditExtra: Record<string, unknown>) {
    const repo = new Repo(tx);
    const message = await repo.insertMessage({ firmId: actor.firmId, threadId: thread.id, authorKind: 'staff', authorId: actor.staffId, authorName: actor.name, body, screen: null });
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'message.staff', target: `case:${thread.caseId}`, reason: null, data: { threadId: thread.id, messageId: message.id, ...auditExtra } });
    await requestNotify(tx, { type: 'staff.replied', firmId: actor.firmId, caseId: thread.caseId, threadId: thread.id, messageId: message.id, contactId: thread.startedByContactId });
    await requestGuestDigestsForCase(tx, c, [thread.startedByContactId]);
    return message;
  }

  /** The currency every amount of the firm is shown in; amounts stay as they are (cents of whatever currency the firm bills in). */
  /** In the caller's transaction `tx` (PUT /firm/settings changes several settings at once, all or nothing). */
  async setFirmCurrency(tx: Queryable, actor: StaffActor, currency: string, reason: string | null): Promise<Pick<FirmSettings, 'currency'>> {
    const repo = new Repo(tx);
    const firm = await repo.firm(actor.firmId);
    if (!firm) throw notFound('firm');
    await repo.setFirmCurrency(actor.firmId, currency);
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'firm.currency', target: `firm:${actor.firmId}`, reason, data: { from: firm.currency, to: currency } });
    return { currency };
  }

  async notificationPreferences(actor: Extract<Actor, { kind: 'staff' }>) {
    return new Repo(this.deps.db).notificationPreferences(actor.staffId);
  }

  async setNotificationPreference(actor: Extract<Actor, { kind: 'staff' }>, pref: { caseId: string | null; event: string; enabled?: boolean; mention?: boolean; feed?: boolean | null }) {
    const repo = new Repo(this.deps.db);
    if (pref.caseId) await this.mustCase(repo, actor.firmId, pref.caseId, actor);
    await repo.setNotificationPreference({ firmId: actor.firmId, staffId: actor.staffId, ...pref });
    return repo.notificationPreferences(actor.staffId);
  }
}
