import type { CaseAccess } from '../domain/access';
import { caseClosed, forbidden, invalid, notFound } from '../domain/errors';
import { checkUploadName } from '../domain/filenames';
import { preferredLocale } from '../domain/digest-strings';
import type { Section } from '../domain/model';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import type { ContactRecord, Firm, ItemRecord, Staff } from '../store/records';
import { INVOICE_STATE_LABEL, invoiceStanding } from '../domain/ledger';
import type { GuestItem, GuestLedgerLine, GuestMessageAnswer, GuestThread, PortalCase, PortalCaseSummary, PortalMe } from '../contract';
import { caseMoney, invoiceFacts } from './casework';
import { type Actor, actorLabel, guestRowsOf, type ServiceDeps } from './context';
import { type GuestCaseDetail, loadGuestCase, listGuestCases, wouldSeeIfOpen } from './guest-access';
import { requestNotify } from './job-requests';
import { recordGuestOpens } from './seen';
import { lastOpensInCase } from '../store/seen';

type GuestActor = Extract<Actor, { kind: 'guest' }>;

/** A ledger line the guest may see (in the budget section): deposits, expenses and payments, never who entered them. */
const GUEST_LINE_LABEL = { retainer_deposit: 'Retainer deposit', expense: 'Expense', payment: 'Payment' } as const;

/** A document is new to the guest until they open it after it was shared with them or last changed. */
function withNewMarks(items: GuestItem[], lastOpens: ReadonlyMap<string, string>): GuestItem[] {
  return items.map((i) => {
    if (i.kind !== 'document') return i;
    const opened = lastOpens.get(i.id);
    return { ...i, isNew: opened === undefined || Date.parse(i.updatedAt) > Date.parse(opened) };
  });
}

function toGuestItem(i: ItemRecord): GuestItem {
  const base = { id: i.id, kind: i.kind, title: i.title, parentId: i.parentId, updatedAt: i.updatedAt };
  switch (i.kind) {
    case 'document':
      return { ...base, sizeBytes: i.sizeBytes, mimeType: i.mimeType };
    case 'folder':
      return base;
    case 'note':
      return { ...base, body: i.body };
    case 'event':
      return { ...base, startsAt: i.startsAt, endsAt: i.endsAt, location: i.location };
    case 'invoice':
      return { ...base, amountCents: i.amountCents, dueOn: i.dueOn, invoiceNumber: i.invoiceNumber, invoiceStatus: i.invoiceStatus };
  }
}

const STATUS_LABEL = { open: 'Open', on_hold: 'On hold', closed: 'Closed' } as const;

/**
 * The guest's side. Every read starts from the domain's access decision for this guest; a
 * case or item outside it is "not found", never "forbidden", so ids reveal nothing.
 */
export class PortalService {
  constructor(private readonly deps: ServiceDeps) {}

  private async context(repo: Repo, actor: GuestActor): Promise<{ firm: Firm; contact: ContactRecord }> {
    const known = guestRowsOf(actor);
    if (known) return known;
    const firm = await repo.firm(actor.firmId);
    const contact = await repo.contact(actor.firmId, actor.contactId);
    if (!firm || !contact) throw notFound('contact');
    return { firm, contact };
  }

  async me(actor: GuestActor): Promise<PortalMe> {
    const repo = new Repo(this.deps.db);
    const { firm, contact } = await this.context(repo, actor);
    return { name: contact.name, email: contact.email, firmName: firm.name, invitation: contact.invitation, portalAccess: contact.portalAccess, disabledSections: firm.disabledSections };
  }

  /** The portal reports the guest's locale (its Accept-Language) when it opens: their e-mail digest is then written in that language, unless staff chose one. */
  async rememberLocale(actor: GuestActor, acceptLanguage: string | undefined): Promise<void> {
    const locale = preferredLocale(acceptLanguage);
    if (locale) await new Repo(this.deps.db).setPortalLocale(actor.contactId, locale);
  }

  async myCases(actor: GuestActor): Promise<PortalCaseSummary[]> {
    const repo = new Repo(this.deps.db);
    const { firm, contact } = await this.context(repo, actor);
    const list = await listGuestCases(repo, firm, contact, this.deps.clock.now());
    return list.cases.map(({ record, access }) => ({
      id: record.id,
      number: record.number,
      title: record.title,
      status: access.sections.includes('status') ? STATUS_LABEL[record.status] : null,
      sections: access.sections,
      canUpload: access.canUpload,
      via: access.via,
      closedReadOnlyUntil: access.readOnlyUntil,
    }));
  }

  /**
   * The cases the guest can see now, by the rules "My cases" uses; null when she may not use the
   * portal at all any more (contact gone, portal access off, invitation not accepted), as the
   * portal's routes would refuse her. Live pages ask this before telling her anything.
   */
  async visibleCaseIds(actor: GuestActor): Promise<Set<string> | null> {
    const repo = new Repo(this.deps.db);
    const [firm, contact] = await Promise.all([repo.firm(actor.firmId), repo.contact(actor.firmId, actor.contactId)]);
    if (!firm || !contact || !contact.portalAccess || contact.invitation !== 'accepted' || contact.guestUserId !== actor.userId) return null;
    const list = await listGuestCases(repo, firm, contact, this.deps.clock.now());
    return new Set(list.cases.map((c) => c.record.id));
  }

  async caseView(actor: GuestActor, caseId: string): Promise<PortalCase> {
    const repo = new Repo(this.deps.db);
    const { firm, contact } = await this.context(repo, actor);
    const detail = await loadGuestCase(repo, firm, contact, caseId, this.deps.clock.now());
    if (!detail) throw notFound('case');
    const { record, access, items, invoicesOfCase, assignedStaff } = detail;
    const has = (s: Section) => access.sections.includes(s);
    const itemsOf = (...kinds: ItemRecord['kind'][]) => items.filter((i) => kinds.includes(i.kind)).map(toGuestItem);
    const team: Pick<Staff, 'name' | 'email' | 'phone' | 'title'> | null = has('team') && assignedStaff ? { name: assignedStaff.name, email: assignedStaff.email, phone: assignedStaff.phone, title: assignedStaff.title } : null;
    const money = has('budget') || has('invoices') ? await caseMoney(repo, record, invoicesOfCase) : null;
    const summary = has('budget') && money ? money.summary : null;
    const lines = (money?.lines ?? []).flatMap((l): GuestLedgerLine[] =>
      l.kind === 'invoice' ? [] : [{ id: l.id, kind: l.kind, label: GUEST_LINE_LABEL[l.kind], description: l.description, occurredOn: l.occurredOn, amountCents: l.amountCents }],
    );
    // Drafts are the firm's work in progress; a guest never sees one, whatever was shared.
    const invoices = itemsOf('invoice')
      .filter((i) => i.invoiceStatus !== 'draft')
      .map((i) => {
        const stored = items.find((r) => r.id === i.id) as ItemRecord;
        const standing = invoiceStanding(invoiceFacts([stored])[0], money?.lines ?? []);
        return { ...i, invoiceState: standing.state, invoiceStatus: INVOICE_STATE_LABEL[standing.state], paidCents: standing.paidCents, outstandingCents: standing.outstandingCents };
      });
    return {
      case: { id: record.id, number: record.number, title: record.title },
      sections: access.sections,
      canUpload: access.canUpload,
      uploadAnywhere: access.uploadAnywhere,
      uploadFolderIds: [...access.uploadFolderIds],
      closedReadOnlyUntil: access.readOnlyUntil,
      status: has('status') ? { status: STATUS_LABEL[record.status], note: record.statusNote } : null,
      team,
      currency: firm.currency,
      budget: summary && {
        budgetCents: summary.budgetCents,
        retainerBalanceCents: summary.retainerBalanceCents,
        outstandingCents: summary.outstandingCents,
        budgetRemainingCents: summary.budgetRemainingCents,
        spentCents: summary.invoicedCents + summary.expensesCents,
        lines,
      },
      documents: has('documents') ? withNewMarks(itemsOf('folder', 'document'), await lastOpensInCase(this.deps.db, firm.id, contact.id, record.id)) : null,
      notes: has('notes') ? itemsOf('note') : null,
      events: has('events') ? itemsOf('event') : null,
      invoices: has('invoices') ? invoices : null,
      threads: await this.visibleThreads(repo, firm, contact, record.id, access.threadIds),
    };
  }

  /**
   * The case page as the guest's portal loads it: the case view, and the guest's first opens of
   * what it shows in full (notes, events, invoices, staff messages) recorded as seen. Documents
   * count when their content is fetched (documentOpened). CaseRoom's own reads use caseView.
   */
  async openCase(actor: GuestActor, caseId: string): Promise<PortalCase> {
    const view = await this.caseView(actor, caseId);
    const shown = [...(view.notes ?? []), ...(view.events ?? []), ...(view.invoices ?? [])];
    const staffMessages = view.threads.flatMap((t) => t.messages.filter((m) => m.fromFirm).map((m) => ({ id: m.id, threadId: t.id })));
    await recordGuestOpens(this.deps.db, actor, { caseId: view.case.id, items: shown, messages: staffMessages }, this.deps.clock.now());
    return view;
  }

  /** The guest's portal fetched this document's content (preview or download): their first open is recorded as seen. */
  async documentOpened(actor: GuestActor, item: ItemRecord): Promise<void> {
    await recordGuestOpens(this.deps.db, actor, { caseId: item.caseId, items: [item], messages: [] }, this.deps.clock.now());
  }

  /** A document the guest may download: the caller streams it from SharePoint with the guest's own token. */
  async documentForDownload(actor: GuestActor, caseId: string, itemId: string): Promise<ItemRecord> {
    const item = await this.visibleFileItem(actor, caseId, itemId);
    if (item?.kind !== 'document') throw notFound('document');
    return item;
  }

  /**
   * A document or folder of the case the guest may see now (the check documentForDownload makes),
   * or null: callers answer "not found" for null, so nothing outside the guest's view is told apart.
   */
  async visibleFileItem(actor: GuestActor, caseId: string, itemId: string): Promise<ItemRecord | null> {
    const repo = new Repo(this.deps.db);
    const { firm, contact } = await this.context(repo, actor);
    const detail = await loadGuestCase(repo, firm, contact, caseId, this.deps.clock.now());
    return detail?.items.find((i) => i.id === itemId && (i.kind === 'document' || i.kind === 'folder')) ?? null;
  }

  private async visibleThreads(repo: Repo, firm: Firm, contact: ContactRecord, caseId: string, chosen: ReadonlySet<string>): Promise<GuestThread[]> {
    if (firm.disabledSections.includes('messages')) return [];
    return (await repo.guestThreadsWithMessages(caseId, contact.id, [...chosen])).map(({ thread: t, messages }) => ({
      id: t.id,
      subject: t.subject,
      messages: messages.map((m) => ({ id: m.id, from: m.authorKind === 'guest' ? (m.authorId === contact.id ? 'you' : m.authorName) : m.authorName, fromFirm: m.authorKind === 'staff', body: m.body, at: m.createdAt })),
    }));
  }

  /** Lets the guest write to the firm about a case they can see; memorialised as a staff-only, no-charge note. */
  async sendMessage(actor: GuestActor, caseId: string, input: { body: string; screen: string | null; threadId: string | null; subject: string | null }): Promise<GuestMessageAnswer> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const { firm, contact } = await this.context(repo, actor);
      if (firm.disabledSections.includes('messages')) throw forbidden('messaging is switched off by the firm');
      const detail = await this.openGuestCase(repo, firm, contact, caseId, 'messages to the firm are no longer accepted here');
      let thread = input.threadId ? await repo.thread(firm.id, input.threadId) : null;
      if (input.threadId && (!thread || thread.caseId !== caseId || (thread.startedByContactId !== contact.id && !detail.access.threadIds.has(thread.id)))) throw notFound('thread');
      if (!thread) thread = await repo.insertThread({ firmId: firm.id, caseId, subject: input.subject ?? `Message from ${contact.name}`, startedByContactId: contact.id });
      const message = await repo.insertMessage({ firmId: firm.id, threadId: thread.id, authorKind: 'guest', authorId: contact.id, authorName: contact.name, body: input.body, screen: input.screen });
      await this.memorialize(repo, actor, caseId, `Message from ${contact.name}`, `${contact.name} wrote${input.screen ? ` (from ${input.screen})` : ''}:\n\n${input.body}`);
      await repo.appendAudit({ firmId: firm.id, actor: actorLabel(actor), action: 'message.guest', target: `case:${caseId}`, reason: null, data: { threadId: thread.id, messageId: message.id, screen: input.screen } });
      await requestNotify(tx, { type: 'guest.message', firmId: firm.id, caseId, contactId: contact.id, threadId: thread.id, messageId: message.id });
      return { threadId: thread.id, messageId: message.id };
    });
  }

  /**
   * Records files a guest uploaded (the bytes are already in SharePoint, or about to be). Only
   * where a grant allows upload; each name is checked; the upload is memorialised and staff told.
   */
  async recordUploads(actor: GuestActor, caseId: string, files: Array<{ name: string; sizeBytes: number; mimeType: string | null; driveItemId: string | null; parentId: string | null }>, burstKey?: string): Promise<GuestItem[]> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const { firm, contact } = await this.context(repo, actor);
      await this.assertCanUpload(repo, firm, contact, caseId);
      files.forEach((f, index) => {
        const check = checkUploadName(f.name);
        if (!check.ok) throw invalid(`files.${index}.name`, check.reason);
      });
      for (const parentId of new Set(files.flatMap((f) => (f.parentId ? [f.parentId] : [])))) {
        const parent = await repo.item(firm.id, parentId);
        if (!parent || parent.caseId !== caseId || parent.kind !== 'folder') throw notFound('folder');
      }
      const created: ItemRecord[] = [];
      for (const f of files) {
        const existing = f.driveItemId ? await repo.itemByDriveItem(firm.id, f.driveItemId) : null;
        created.push(
          existing ?? (await repo.insertItem({ firmId: firm.id, caseId, kind: 'document', title: f.name, parentId: f.parentId, sizeBytes: f.sizeBytes, mimeType: f.mimeType, driveItemId: f.driveItemId, createdBy: actorLabel(actor) })),
        );
      }
      await this.memorialize(
        repo,
        actor,
        caseId,
        `Upload from ${contact.name}`,
        `${contact.name} uploaded ${
          files.length === 1
            ? files[0].name
            : `${files.length} files: ${files
                .slice(0, 20)
                .map((f) => f.name)
                .join(', ')}${files.length > 20 ? ', …' : ''}`
        }.`,
      );
      await repo.appendAudit({ firmId: firm.id, actor: actorLabel(actor), action: 'documents.uploaded', target: `case:${caseId}`, reason: null, data: { itemIds: created.map((i) => i.id) } });
      await this.notifyUpload(
        tx,
        firm.id,
        caseId,
        contact.id,
        created.map((i) => i.id),
        burstKey,
      );
      return created.map(toGuestItem);
    });
  }

  /** The guest's access to the case, when it includes uploading somewhere in it. */
  async assertCanUpload(repo: Repo, firm: Firm, contact: ContactRecord, caseId: string): Promise<CaseAccess> {
    const detail = await this.openGuestCase(repo, firm, contact, caseId, 'uploads are no longer accepted');
    if (!detail.access.canUpload) throw forbidden('your access to this case does not include uploading');
    return detail.access;
  }

  /**
   * The case as the guest sees it, when she may still add to it. A closed case she could see
   * before it closed (read-only now, or withdrawn) is a typed 409 saying so; one she never saw
   * stays a 404, so ids reveal nothing.
   */
  private async openGuestCase(repo: Repo, firm: Firm, contact: ContactRecord, caseId: string, refused: string): Promise<GuestCaseDetail> {
    const now = this.deps.clock.now();
    const detail = await loadGuestCase(repo, firm, contact, caseId, now);
    if (detail && detail.access.readOnlyUntil === null) return detail;
    if (detail || (await wouldSeeIfOpen(repo, firm, contact, caseId, now))) throw caseClosed(detail?.record.number ?? '', refused);
    throw notFound('case');
  }

  private async notifyUpload(tx: Queryable, firmId: string, caseId: string, contactId: string, itemIds: string[], burstKey?: string) {
    await requestNotify(tx, { type: 'guest.uploaded', firmId, caseId, contactId, itemIds, burstKey: burstKey ?? `${caseId}:${contactId}` });
  }

  /** A staff-only case note recording what the guest did; no time is billed for it. */
  private async memorialize(repo: Repo, actor: GuestActor, caseId: string, title: string, body: string) {
    await repo.insertItem({ firmId: actor.firmId, caseId, kind: 'note', title: `${title} (no charge)`, body, staffOnly: true, createdBy: actorLabel(actor) });
  }
}
