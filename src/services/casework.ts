import { conflict, invalid, notFound } from '../domain/errors';
import { checkItemName } from '../domain/filenames';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord } from '../store/records';
import type { CaseLedger, DeletedAnswer, FirmSettings, ManualLedgerKind, NewItemRequest, StaffThread } from '../contract';
import { INVOICE_STATE_LABEL, type InvoiceFacts, invoiceStanding, statusAfterPayment, summarizeLedger } from '../domain/ledger';
import { type Actor, actorLabel, type ServiceDeps } from './context';
import { requestGuestSync, requestNotify, requestStaffOnlySeal } from './job-requests';
import { requestGuestDigestsForCase } from './guest-digest';
import { seenInCase } from '../store/seen';
import { readersByMessage } from './seen';

type StaffActor = Extract<Actor, { kind: 'staff' | 'system' }>;

/** The store's invoice items as the ledger rules read them. */
export const invoiceFacts = (items: readonly ItemRecord[]): InvoiceFacts[] => items.filter((i) => i.kind === 'invoice').map((i) => ({ id: i.id, amountCents: i.amountCents ?? 0, status: i.invoiceStatus ?? 'sent' }));

/** A case's ledger lines, invoices with their standing, and the summary (see src/domain/ledger.ts for what each figure means). */
export async function caseMoney(repo: Repo, c: CaseRecord) {
  const [lines, items] = await Promise.all([repo.ledger(c.id), repo.itemsOfCase(c.id)]);
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
  constructor(private readonly deps: ServiceDeps) {}

  private async mustCase(repo: Repo, firmId: string, caseId: string): Promise<CaseRecord> {
    const c = await repo.case(firmId, caseId);
    if (!c) throw notFound('case');
    return c;
  }

  private async resyncHoldersOf(repo: Repo, tx: Queryable, caseRecord: CaseRecord): Promise<void> {
    for (const contactId of new Set((await repo.grantsTouchingCase(caseRecord)).map((g) => g.contactId))) {
      await requestGuestSync(tx, caseRecord.firmId, contactId);
    }
  }

  async createItem(actor: StaffActor, caseId: string, input: NewItem): Promise<ItemRecord> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const c = await this.mustCase(repo, actor.firmId, caseId);
      if (input.kind === 'folder' || input.kind === 'document') {
        const name = checkItemName(input.title);
        if (!name.ok) throw invalid('title', name.reason);
        if (input.parentId) {
          const parent = await repo.item(actor.firmId, input.parentId);
          if (!parent || parent.caseId !== caseId || parent.kind !== 'folder') throw notFound('folder');
        }
      }
      const item = await repo.insertItem({ firmId: actor.firmId, caseId, createdBy: actorLabel(actor), ...input });
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
    input: Partial<Pick<ItemRecord, 'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amountCents' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus' | 'staffOnly' | 'privileged'>> & { reason?: string | null },
  ) {
    const { staffOnly, privileged, reason = null, ...patch } = input;
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const item = await repo.item(actor.firmId, itemId);
      if (!item) throw notFound('item');
      // CaseRoom's own memo of what a guest did (a note it wrote for her) stays staff-only whatever scope anyone holds.
      if (staffOnly === false && item.staffOnly && item.kind === 'note' && item.createdBy.startsWith('guest:')) throw conflict(`${item.title} is CaseRoom's memo of a guest's message or upload: it stays staff-only`);
      if (staffOnly !== undefined && staffOnly !== item.staffOnly) await this.markWithheld(tx, repo, actor, item, 'staffOnly', staffOnly, reason);
      if (privileged !== undefined && privileged !== item.privileged) await this.markWithheld(tx, repo, actor, (await repo.item(actor.firmId, itemId)) as ItemRecord, 'privileged', privileged, reason);
      if (Object.keys(patch).length === 0) return (await repo.item(actor.firmId, itemId)) as ItemRecord;
      const allowed: Record<ItemRecord['kind'], string[]> = {
        note: ['title', 'body'],
        event: ['title', 'startsAt', 'endsAt', 'location'],
        invoice: ['title', 'amountCents', 'dueOn', 'invoiceNumber', 'invoiceStatus'],
        folder: ['title'],
        document: ['title'],
      };
      for (const key of Object.keys(patch)) if (!allowed[item.kind].includes(key)) throw invalid(key, `a ${item.kind} has no field ${key}`);
      if (patch.title !== undefined && (item.kind === 'folder' || item.kind === 'document')) {
        const name = checkItemName(patch.title);
        if (!name.ok) throw invalid('title', name.reason);
      }
      const updated = (await repo.updateItem(actor.firmId, itemId, patch)) as ItemRecord;
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${item.kind}.updated`, target: `case:${item.caseId}`, reason: null, data: { itemId, patch } });
      return updated;
    });
  }

  /**
   * Staff-only or privileged on or off, audited with before and after. Every guest with a grant in
   * the case is re-synced (the domain rules stop or start reaching the item), and SharePoint is told
   * to seal a document or folder: unique permissions without any guest, so a guest's own Graph token
   * cannot read it whatever the case folder holds (docs/sharepoint-sharing.md). A privileged item's
   * confirmed shares are given back by the seal's own guest syncs (StaffOnlySeal).
   */
  private async markWithheld(tx: Queryable, repo: Repo, actor: StaffActor, item: ItemRecord, flag: 'staffOnly' | 'privileged', on: boolean, reason: string | null): Promise<void> {
    const c = await this.mustCase(repo, actor.firmId, item.caseId);
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

  async deleteItem(actor: StaffActor, itemId: string, reason: string | null): Promise<DeletedAnswer> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const item = await repo.item(actor.firmId, itemId);
      if (!item) throw notFound('item');
      const c = await this.mustCase(repo, actor.firmId, item.caseId);
      const holders = new Set((await repo.grantsTouchingCase(c)).map((g) => g.contactId));
      await repo.deleteItem(actor.firmId, itemId);
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${item.kind}.deleted`, target: `case:${item.caseId}`, reason, data: { itemId, title: item.title } });
      for (const contactId of holders) await requestGuestSync(tx, actor.firmId, contactId);
      return { deleted: true };
    });
  }

  async ledger(actor: StaffActor, caseId: string): Promise<CaseLedger> {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, caseId);
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
      await this.mustCase(repo, actor.firmId, caseId);
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
    await this.mustCase(repo, actor.firmId, caseId);
    const threads = await repo.threadsOfCase(caseId);
    const seen = await seenInCase(this.deps.db, actor.firmId, caseId);
    const contacts = new Map((await repo.contactsByIds(actor.firmId, [...new Set(seen.map((r) => r.contactId))])).map((c) => [c.id, c.name]));
    const readers = readersByMessage(seen, (contactId) => contacts.get(contactId));
    return Promise.all(threads.map(async (t) => ({ ...t, messages: (await repo.messages(t.id)).map((m) => ({ ...m, seenBy: readers.get(m.id) ?? [] })) })));
  }

  async createThread(actor: StaffActor, caseId: string, subject: string) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      await this.mustCase(repo, actor.firmId, caseId);
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
      if (!thread) throw notFound('thread');
      const message = await repo.insertMessage({ firmId: actor.firmId, threadId, authorKind: 'staff', authorId: actor.staffId, authorName: actor.name, body, screen: null });
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'message.staff', target: `case:${thread.caseId}`, reason: null, data: { threadId, messageId: message.id } });
      await requestNotify(tx, { type: 'staff.replied', firmId: actor.firmId, caseId: thread.caseId, threadId, messageId: message.id, contactId: thread.startedByContactId });
      await requestGuestDigestsForCase(tx, await this.mustCase(repo, actor.firmId, thread.caseId), [thread.startedByContactId]);
      return message;
    });
  }

  /** The currency every amount of the firm is shown in; amounts stay as they are (cents of whatever currency the firm bills in). */
  async setFirmCurrency(actor: StaffActor, currency: string, reason: string | null): Promise<Pick<FirmSettings, 'currency'>> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const firm = await repo.firm(actor.firmId);
      if (!firm) throw notFound('firm');
      await repo.setFirmCurrency(actor.firmId, currency);
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'firm.currency', target: `firm:${actor.firmId}`, reason, data: { from: firm.currency, to: currency } });
      return { currency, accessReviewSchedule: firm.accessReviewSchedule };
    });
  }

  async notificationPreferences(actor: Extract<Actor, { kind: 'staff' }>) {
    return new Repo(this.deps.db).notificationPreferences(actor.staffId);
  }

  async setNotificationPreference(actor: Extract<Actor, { kind: 'staff' }>, pref: { caseId: string | null; event: string; enabled?: boolean; mention?: boolean; feed?: boolean | null }) {
    const repo = new Repo(this.deps.db);
    if (pref.caseId && !(await repo.case(actor.firmId, pref.caseId))) throw notFound('case');
    await repo.setNotificationPreference({ firmId: actor.firmId, staffId: actor.staffId, ...pref });
    return repo.notificationPreferences(actor.staffId);
  }
}
