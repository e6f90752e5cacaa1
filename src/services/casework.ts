import { invalid, notFound } from '../domain/errors';
import { checkItemName } from '../domain/filenames';
import type { Queryable } from '../store/db';
import { enqueue } from '../store/outbox';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord, LedgerEntry, LedgerKind } from '../store/records';
import { type Actor, actorLabel, type ServiceDeps } from './context';
import { syncKey } from './events';

type StaffActor = Extract<Actor, { kind: 'staff' | 'system' }>;

export interface LedgerSummary {
  budgetCents: number | null;
  depositsCents: number;
  paymentsCents: number;
  invoicedCents: number;
  expensesCents: number;
  /** Money held for the client: deposits and payments less what was invoiced or spent. */
  retainerBalanceCents: number;
  /** Budget less what was invoiced or spent; null when the case has no budget. */
  budgetRemainingCents: number | null;
}

export function summarizeLedger(budgetCents: number | null, entries: readonly LedgerEntry[]): LedgerSummary {
  const total = (kind: LedgerKind) => entries.filter((e) => e.kind === kind).reduce((sum, e) => sum + e.amountCents, 0);
  const depositsCents = total('retainer_deposit');
  const paymentsCents = total('payment');
  const invoicedCents = total('invoice');
  const expensesCents = total('expense');
  return {
    budgetCents,
    depositsCents,
    paymentsCents,
    invoicedCents,
    expensesCents,
    retainerBalanceCents: depositsCents + paymentsCents - invoicedCents - expensesCents,
    budgetRemainingCents: budgetCents === null ? null : budgetCents - invoicedCents - expensesCents,
  };
}

export type NewItem =
  | { kind: 'note'; title: string; body: string }
  | { kind: 'event'; title: string; startsAt: string; endsAt: string | null; location: string | null }
  | { kind: 'invoice'; title: string; amountCents: number; dueOn: string; invoiceNumber: string; invoiceStatus: 'draft' | 'sent' | 'paid' | 'void' }
  | { kind: 'folder'; title: string; parentId: string | null }
  | { kind: 'document'; title: string; parentId: string | null; sizeBytes: number; mimeType: string | null; driveItemId: string | null };

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
      await enqueue(tx, { firmId: caseRecord.firmId, kind: 'sync-guest-access', payload: { contactId }, dedupeKey: syncKey(contactId) });
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
      if (input.kind === 'invoice') {
        await repo.insertLedgerEntry({ firmId: actor.firmId, caseId, kind: 'invoice', amountCents: input.amountCents, description: `Invoice ${input.invoiceNumber}: ${input.title}`, occurredOn: new Date(this.deps.clock.now()).toISOString().slice(0, 10), invoiceItemId: item.id, createdBy: actorLabel(actor) });
      }
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${input.kind}.created`, target: `case:${caseId}`, reason: null, data: { itemId: item.id, title: item.title } });
      // Guests with case or client scope gain the new document's folder permission through inheritance; resync keeps SharePoint exact.
      if (input.kind === 'folder' || input.kind === 'document') await this.resyncHoldersOf(repo, tx, c);
      return item;
    });
  }

  async updateItem(actor: StaffActor, itemId: string, input: Partial<Pick<ItemRecord, 'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amountCents' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus' | 'staffOnly'>> & { reason?: string | null }) {
    const { staffOnly, reason = null, ...patch } = input;
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const item = await repo.item(actor.firmId, itemId);
      if (!item) throw notFound('item');
      if (staffOnly !== undefined && staffOnly !== item.staffOnly) await this.markStaffOnly(tx, repo, actor, item, staffOnly, reason);
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
   * Staff-only on or off, audited with before and after. Every guest with a grant in the case is
   * re-synced (the domain rules stop or start reaching the item), and SharePoint is told to seal a
   * document or folder: unique permissions without any guest, so a guest's own Graph token cannot
   * read it whatever the case folder holds (docs/sharepoint-sharing.md).
   */
  private async markStaffOnly(tx: Queryable, repo: Repo, actor: StaffActor, item: ItemRecord, staffOnly: boolean, reason: string | null): Promise<void> {
    const c = await this.mustCase(repo, actor.firmId, item.caseId);
    await repo.updateItem(actor.firmId, item.id, { staffOnly });
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: staffOnly ? 'item.staff-only' : 'item.staff-only-lifted', target: `case:${item.caseId}`, reason, data: { itemId: item.id, title: item.title, before: { staffOnly: item.staffOnly }, after: { staffOnly } } });
    if (staffOnly && item.driveItemId && (item.kind === 'document' || item.kind === 'folder')) {
      await enqueue(tx, { firmId: actor.firmId, kind: 'seal-staff-only', payload: { itemId: item.id }, dedupeKey: `seal:${item.id}` });
    }
    const holders = new Set((await repo.grantsTouchingCase(c)).map((g) => g.contactId));
    for (const contactId of holders) await enqueue(tx, { firmId: actor.firmId, kind: 'sync-guest-access', payload: { contactId }, dedupeKey: syncKey(contactId) });
  }

  async deleteItem(actor: StaffActor, itemId: string, reason: string | null) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const item = await repo.item(actor.firmId, itemId);
      if (!item) throw notFound('item');
      const c = await this.mustCase(repo, actor.firmId, item.caseId);
      const holders = new Set((await repo.grantsTouchingCase(c)).map((g) => g.contactId));
      await repo.deleteItem(actor.firmId, itemId);
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: `${item.kind}.deleted`, target: `case:${item.caseId}`, reason, data: { itemId, title: item.title } });
      for (const contactId of holders) await enqueue(tx, { firmId: actor.firmId, kind: 'sync-guest-access', payload: { contactId }, dedupeKey: syncKey(contactId) });
      return { deleted: true };
    });
  }

  async ledger(actor: StaffActor, caseId: string) {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, caseId);
    const entries = await repo.ledger(caseId);
    return { entries, summary: summarizeLedger(c.budgetCents, entries) };
  }

  async addLedgerEntry(actor: StaffActor, caseId: string, input: { kind: LedgerKind; amountCents: number; description: string; occurredOn: string; invoiceItemId: string | null }) {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      await this.mustCase(repo, actor.firmId, caseId);
      if (input.invoiceItemId) {
        const invoice = await repo.item(actor.firmId, input.invoiceItemId);
        if (!invoice || invoice.caseId !== caseId || invoice.kind !== 'invoice') throw notFound('invoice');
      }
      const entry = await repo.insertLedgerEntry({ firmId: actor.firmId, caseId, createdBy: actorLabel(actor), ...input });
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'ledger.added', target: `case:${caseId}`, reason: null, data: { entryId: entry.id, kind: entry.kind, amountCents: entry.amountCents } });
      return entry;
    });
  }

  async threads(actor: StaffActor, caseId: string) {
    const repo = new Repo(this.deps.db);
    await this.mustCase(repo, actor.firmId, caseId);
    const threads = await repo.threadsOfCase(caseId);
    return Promise.all(threads.map(async (t) => ({ ...t, messages: await repo.messages(t.id) })));
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
      await enqueue(tx, { firmId: actor.firmId, kind: 'notify', payload: { event: { type: 'staff.replied', firmId: actor.firmId, caseId: thread.caseId, threadId, messageId: message.id, contactId: thread.startedByContactId } } });
      return message;
    });
  }

  async notificationPreferences(actor: Extract<Actor, { kind: 'staff' }>) {
    return new Repo(this.deps.db).notificationPreferences(actor.staffId);
  }

  async setNotificationPreference(actor: Extract<Actor, { kind: 'staff' }>, pref: { caseId: string | null; event: string; enabled: boolean; mention: boolean }) {
    const repo = new Repo(this.deps.db);
    if (pref.caseId && !(await repo.case(actor.firmId, pref.caseId))) throw notFound('case');
    await repo.setNotificationPreference({ firmId: actor.firmId, staffId: actor.staffId, ...pref });
    return repo.notificationPreferences(actor.staffId);
  }
}
