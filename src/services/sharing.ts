import { type CaseAccess, caseAccess, caseStanding, grantState, isBelowAny, isEffectivelyPrivileged, withholdingOf } from '../domain/access';
import { caseClosed, conflict, invalid, notFound } from '../domain/errors';
import { type ContactKind, type GrantScope, type Rights, type Section, SECTION_OF_KIND } from '../domain/model';
import { type AccessDiff, diffAccess } from '../domain/preview';
import { visibleTo } from '../domain/walls';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import type { CaseRecord, ContactRecord, Firm, GrantRecord, ItemRecord } from '../store/records';
import type {
  AccessEntry,
  CaseSharing,
  ChangedGrantAnswer,
  Confirmation,
  FirmPolicy,
  GrantPreview,
  GuardrailReason,
  LinkedAnswer,
  PartyRole,
  PreviewSide,
  RevokedAnswer,
  ScopeChangePreview,
  SharedAnswer,
  SharedWith,
  UnlinkedAnswer,
  UnsharedAnswer,
  WithheldItem,
} from '../contract';
import { type GrantTerms, sameTarget, sameTerms, stillHeld, termsOf } from '../domain/guardrails';
import { auditingRefusals, guard, reasonsFor } from './guardrails';
import { broadScopeLabel, matchingViewName } from '../contract/views';
import { FirmViewsRepo } from '../store/firm-views';
import { type Actor, actorLabel, type ServiceDeps, staffFirmOf, visibleCaseOf } from './context';
import type { CaseRoomEvent } from '../domain/events';
import { requestCaseProvisioning, requestGuestInvitation, requestGuestSync, requestNotify } from './job-requests';
import { asDomainContact, asGrant, asItemRef, asPolicy } from './guest-access';
import { seenByContacts, seenInCase } from '../store/seen';
import { firstOpensByItem, grantReaches, seenSummary } from './seen';

export interface GrantInput {
  contactId: string;
  scope: GrantScope;
  rights: Rights;
  expiresAt: string | null;
  reason: string | null;
  /** The acknowledgement of a 409 confirmation_required answer (guardrails, or a change to access already held). */
  confirm?: Confirmation;
}

type StaffActor = Extract<Actor, { kind: 'staff' | 'system' }>;

/** A client grant's preview, without the cases the reader is walled off (they still count for the guest). */
function withoutCases(preview: GrantPreview, hidden: ReadonlySet<string>): GrantPreview {
  if (hidden.size === 0) return preview;
  const side = (s: PreviewSide): PreviewSide => ({
    ...s,
    cases: s.cases.filter((c) => !hidden.has(c.caseId)),
    sections: s.sections.filter((x) => !hidden.has(x.caseId)),
    items: s.items.filter((i) => !hidden.has(i.caseId)),
    upload: s.upload,
  });
  return { gained: side(preview.gained), lost: side(preview.lost), withheld: preview.withheld.filter((w) => !hidden.has(w.caseId)) };
}

/**
 * Staff-side changes to the sharing model. Each public method is one transaction that checks
 * the three locks, writes the change, appends to the audit chain, and queues the Microsoft
 * 365 work and notifications in the outbox, so nothing is half-done after a crash.
 */
export class SharingService {
  constructor(private readonly deps: ServiceDeps) {}

  private async inTx<T>(work: (repo: Repo, tx: Queryable) => Promise<T>): Promise<T> {
    return auditingRefusals(this.deps.db, () => this.deps.db.transaction((tx) => work(new Repo(tx), tx)));
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  private async firm(repo: Repo, firmId: string): Promise<Firm> {
    const firm = await repo.firm(firmId);
    if (!firm) throw notFound('firm');
    return firm;
  }

  /** With an actor: a case they are walled off is missing, exactly as one that never existed. */
  private async mustCase(repo: Repo, firmId: string, caseId: string, actor?: Actor): Promise<CaseRecord> {
    const c = await repo.case(firmId, caseId);
    if (!c || (actor && (await repo.hiddenCasesFor(actor)).has(c.id))) throw notFound('case');
    return c;
  }

  /** A grant of a case the actor is walled off is missing too. */
  private async visibleGrant(repo: Repo, actor: Actor, grantId: string): Promise<GrantRecord | null> {
    const grant = await repo.grant(actor.firmId, grantId);
    if (!grant || (grant.scope.kind !== 'client' && (await repo.hiddenCasesFor(actor)).has(grant.scope.caseId))) return null;
    return grant;
  }

  private async mustContact(repo: Repo, firmId: string, contactId: string, forUpdate = false): Promise<ContactRecord> {
    const c = forUpdate ? await repo.contactForUpdate(firmId, contactId) : await repo.contact(firmId, contactId);
    if (!c) throw notFound('contact');
    return c;
  }

  /** Applies a patch (after the checks `apply` makes) and audits it as given, in one transaction. */
  private async patchAudited<T>(actor: StaffActor, action: string, target: string, patch: object, apply: (repo: Repo) => Promise<T>): Promise<T> {
    return this.inTx(async (repo) => {
      const updated = await apply(repo);
      await this.audit(repo, actor, action, target, null, patch);
      return updated;
    });
  }

  private async audit(repo: Repo, actor: Actor, action: string, target: string, reason: string | null, data: unknown): Promise<void> {
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action, target, reason, data });
  }

  private async notify(tx: Queryable, event: CaseRoomEvent): Promise<void> {
    await requestNotify(tx, event);
  }

  private async syncGuest(tx: Queryable, firmId: string, contactId: string): Promise<void> {
    await requestGuestSync(tx, firmId, contactId);
  }

  // ---- clients, cases, contacts ----

  async createClient(actor: StaffActor, input: { name: string }) {
    return this.inTx(async (repo) => {
      const client = await repo.insertClient(actor.firmId, input.name);
      await this.audit(repo, actor, 'client.created', `client:${client.id}`, null, { name: client.name });
      return client;
    });
  }

  /** `assignedStaffId` absent: the staff member creating the case is responsible for it; null: nobody. */
  async createCase(actor: StaffActor, input: { clientId: string; number: string; title: string; assignedStaffId?: string | null; budgetCents: number | null; status?: CaseRecord['status'] }) {
    const assignedStaffId = input.assignedStaffId !== undefined ? input.assignedStaffId : actor.kind === 'staff' ? actor.staffId : null;
    return this.inTx(async (repo, tx) => {
      const client = await repo.client(actor.firmId, input.clientId);
      if (!client) throw notFound('client');
      if (assignedStaffId && !(await repo.staff(actor.firmId, assignedStaffId))) throw notFound('staff member');
      // Case numbers are unique in a firm, walled cases included, so a number taken by a case the
      // actor is walled off from is refused too: unavoidable, but the answer says only that the
      // number is taken, the same whoever holds it, and names nothing of the case that has it.
      const existing = (await repo.listCases(actor.firmId)).find((c) => c.number.toLowerCase() === input.number.toLowerCase());
      if (existing) throw conflict('This case number is already in use; choose another.');
      const created = await repo.insertCase({ firmId: actor.firmId, ...input, assignedStaffId });
      await this.audit(repo, actor, 'case.created', `case:${created.id}`, null, { number: created.number, title: created.title, clientId: client.id });
      await requestCaseProvisioning(tx, actor.firmId, created.id);
      // A client grant covers cases opened later: its holders are linked to the new case at once.
      const holders = new Set((await repo.grantsOfFirm(actor.firmId)).filter((g) => g.scope.kind === 'client' && g.scope.clientId === client.id).map((g) => g.contactId));
      for (const contactId of holders) {
        await repo.link(actor.firmId, created.id, contactId, actorLabel(actor));
        await this.audit(repo, actor, 'case.linked', `case:${created.id}`, 'client grant covers new cases', { contactId });
        await this.syncGuest(tx, actor.firmId, contactId);
      }
      return created;
    });
  }

  async updateCase(actor: StaffActor, caseId: string, patch: Partial<Pick<CaseRecord, 'title' | 'status' | 'statusNote' | 'assignedStaffId' | 'budgetCents'>>) {
    return this.patchAudited(actor, 'case.updated', `case:${caseId}`, patch, async (repo) => {
      const current = await this.mustCase(repo, actor.firmId, caseId, actor);
      // Closing withdraws guest access and reopening restores it, each previewed: a status edit does neither.
      if (patch.status !== undefined && patch.status !== current.status && (patch.status === 'closed' || current.closedAt)) {
        throw conflict(current.closedAt ? 'reopen the case to change its status (POST /cases/{id}/reopen)' : 'close the case with POST /cases/{id}/close, which withdraws guest access');
      }
      if (patch.assignedStaffId && !(await repo.staff(actor.firmId, patch.assignedStaffId))) throw notFound('staff member');
      return (await repo.updateCase(actor.firmId, caseId, patch)) as CaseRecord;
    });
  }

  async createContact(actor: StaffActor, input: { email: string; name: string; kind: ContactKind; phone: string | null; clientId: string | null }) {
    return this.inTx(async (repo) => {
      if (input.clientId && !(await repo.client(actor.firmId, input.clientId))) throw notFound('client');
      if (await repo.contactByEmail(actor.firmId, input.email)) throw conflict('a contact with this email already exists');
      const contact = await repo.insertContact({ firmId: actor.firmId, ...input });
      await this.audit(repo, actor, 'contact.created', `contact:${contact.id}`, null, { email: contact.email, kind: contact.kind });
      return contact;
    });
  }

  async updateContact(actor: StaffActor, contactId: string, patch: { name?: string; kind?: ContactKind; phone?: string | null; clientId?: string | null; language?: string | null }) {
    return this.patchAudited(actor, 'contact.updated', `contact:${contactId}`, patch, async (repo) => {
      await this.mustContact(repo, actor.firmId, contactId);
      if (patch.clientId && !(await repo.client(actor.firmId, patch.clientId))) throw notFound('client');
      return (await repo.updateContact(actor.firmId, contactId, patch)) as ContactRecord;
    });
  }

  /** Lock 1. Off withdraws every grant of the contact; on starts the B2B invitation. */
  async setPortalAccess(actor: StaffActor, contactId: string, enabled: boolean, reason: string | null, confirm?: Confirmation) {
    return this.inTx(async (repo, tx) => {
      const contact = await this.mustContact(repo, actor.firmId, contactId, true);
      if (contact.portalAccess === enabled) return contact;
      // Inviting someone: their address against the firm's lists, their role in every case they are linked to.
      const confirmed = enabled
        ? await guard(repo, {
            actor,
            action: 'portal.enabled',
            target: `contact:${contactId}`,
            reasons: await reasonsFor(repo, await this.firm(repo, actor.firmId), contact, await repo.linkedCaseIds(contact.id)),
            scopeChanges: [],
            confirm,
            request: { enabled },
          })
        : null;
      await repo.setPortalAccess(contactId, enabled);
      let withdrawn = 0;
      if (!enabled) {
        withdrawn = await repo.deleteGrantsOfContact(contactId);
        await this.syncGuest(tx, actor.firmId, contactId);
      } else if (contact.invitation === 'none') {
        await repo.setInvitation(contactId, 'pending', null);
        await requestGuestInvitation(tx, actor.firmId, contactId);
      } else {
        await this.syncGuest(tx, actor.firmId, contactId);
      }
      await this.audit(repo, actor, enabled ? 'portal.enabled' : 'portal.disabled', `contact:${contactId}`, reason ?? confirmed, { withdrawnGrants: withdrawn });
      return (await repo.contact(actor.firmId, contactId)) as ContactRecord;
    });
  }

  async resendInvitation(actor: StaffActor, contactId: string) {
    return this.inTx(async (repo, tx) => {
      const contact = await this.mustContact(repo, actor.firmId, contactId);
      if (!contact.portalAccess) throw conflict('portal access is off for this contact');
      if (contact.invitation === 'accepted') throw conflict('the invitation was already accepted');
      await requestGuestInvitation(tx, actor.firmId, contactId);
      await this.audit(repo, actor, 'invitation.resent', `contact:${contactId}`, null, {});
      return contact;
    });
  }

  /** Called when Entra reports the invitation redeemed: pending grants become effective. */
  async markInvitationAccepted(firmId: string, contactId: string, guestUserId: string) {
    return this.inTx(async (repo, tx) => {
      const contact = await this.mustContact(repo, firmId, contactId, true);
      if (contact.invitation === 'accepted' && contact.guestUserId === guestUserId) return contact;
      const updated = await repo.setInvitation(contactId, 'accepted', guestUserId);
      await this.audit(repo, { kind: 'system', firmId, name: 'invitations' }, 'invitation.accepted', `contact:${contactId}`, null, { guestUserId });
      await this.syncGuest(tx, firmId, contactId);
      await this.notify(tx, { type: 'invitation.accepted', firmId, contactId, caseIds: await repo.linkedCaseIds(contactId) });
      return updated;
    });
  }

  /** Records the guest user id once the invitation is sent (state stays pending). */
  async markInvitationSent(firmId: string, contactId: string, guestUserId: string) {
    return this.inTx(async (repo) => {
      await this.mustContact(repo, firmId, contactId, true);
      return repo.setInvitation(contactId, 'pending', guestUserId);
    });
  }

  // ---- lock 2: links ----

  async link(actor: StaffActor, caseId: string, contactId: string, role: PartyRole | null = null): Promise<LinkedAnswer> {
    return this.inTx(async (repo) => {
      assertOpen(await this.mustCase(repo, actor.firmId, caseId, actor), 'nobody new is linked to it');
      await this.mustContact(repo, actor.firmId, contactId);
      const added = await repo.link(actor.firmId, caseId, contactId, actorLabel(actor), role);
      if (added) await this.audit(repo, actor, 'case.linked', `case:${caseId}`, null, { contactId, role: (await repo.rolesInCase(caseId)).get(contactId) });
      return { linked: true, changed: added };
    });
  }

  async unlink(actor: StaffActor, caseId: string, contactId: string, reason: string | null): Promise<UnlinkedAnswer> {
    return this.inTx(async (repo, tx) => {
      await this.mustCase(repo, actor.firmId, caseId, actor);
      await this.mustContact(repo, actor.firmId, contactId, true);
      const removed = await repo.unlink(caseId, contactId);
      if (!removed) throw notFound('link');
      const withdrawn = await repo.deleteGrantsOnCase(contactId, caseId);
      await this.audit(repo, actor, 'case.unlinked', `case:${caseId}`, reason, { contactId, withdrawnGrants: withdrawn });
      await this.syncGuest(tx, actor.firmId, contactId);
      return { linked: false, withdrawnGrants: withdrawn };
    });
  }

  // ---- lock 3: grants ----

  /** Staff-only items, and everything inside a staff-only folder, are never shared (no scope reaches them). */
  private async assertNotStaffOnly(repo: Repo, firmId: string, items: readonly ItemRecord[]): Promise<void> {
    const parents = new Map<string, ItemRecord | null>();
    for (const item of items) {
      let at: ItemRecord | null = item;
      for (let depth = 0; at && depth < 1000; depth++) {
        if (at.staffOnly) throw conflict(`${item.title}${at === item ? '' : ` (in ${at.title})`} is staff-only and cannot be shared`);
        const parentId: string | null = at.parentId;
        if (parentId === null) break;
        if (!parents.has(parentId)) parents.set(parentId, await repo.item(firmId, parentId));
        at = parents.get(parentId) ?? null;
      }
    }
  }

  /** Which of these items are privileged, or inside a privileged folder: sharing one needs a confirmation per guest. */
  private async privilegedAmong(repo: Repo, items: readonly ItemRecord[]): Promise<Set<string>> {
    const byId = new Map((await repo.itemsOfCases([...new Set(items.map((i) => i.caseId))])).map((i) => [i.id, asItemRef(i)]));
    return new Set(items.filter((i) => isEffectivelyPrivileged(byId.get(i.id) ?? asItemRef(i), byId)).map((i) => i.id));
  }

  /**
   * The guardrail reasons for giving this guest item shares of privileged items: one per item,
   * except where she already holds a live share of it, confirmed, on the same terms (nothing changes).
   */
  private privilegedReasons(contact: ContactRecord, items: readonly ItemRecord[], privileged: ReadonlySet<string>, held: readonly GrantRecord[], terms: Omit<GrantTerms, 'scope'>): GuardrailReason[] {
    return items
      .filter((item) => privileged.has(item.id))
      .filter((item) => {
        const scope: GrantScope = { kind: 'item', caseId: item.caseId, itemId: item.id };
        return !held.some((g) => sameTarget(g.scope, scope) && g.privilegeConfirmed && stillHeld(g, this.now()) && sameTerms(g, { scope, ...terms }));
      })
      .map((item): GuardrailReason => ({ kind: 'privileged', contactId: contact.id, contactName: contact.name, caseId: item.caseId, itemId: item.id, itemTitle: item.title }));
  }

  /** The privileged reasons of a grant request: only an item scope on a privileged item has any. */
  private async privilegedReasonsOfScope(repo: Repo, firmId: string, contact: ContactRecord, held: readonly GrantRecord[], terms: GrantTerms): Promise<GuardrailReason[]> {
    if (terms.scope.kind !== 'item') return [];
    const item = await repo.item(firmId, terms.scope.itemId);
    if (!item) throw notFound('item');
    return this.privilegedReasons(contact, [item], await this.privilegedAmong(repo, [item]), held, terms);
  }

  private async assertCanGrant(repo: Repo, firmId: string, contact: ContactRecord, scope: GrantScope, rights: Rights, expiresAt: string | null): Promise<void> {
    if (!contact.portalAccess) throw conflict(`portal access is off for ${contact.name}: turn it on before sharing`);
    if (expiresAt !== null && Date.parse(expiresAt) <= this.now().getTime()) throw invalid('expiresAt', 'expiry must be in the future');
    if (scope.kind === 'item') {
      const item = await repo.item(firmId, scope.itemId);
      if (!item || item.caseId !== scope.caseId) throw notFound('item');
      assertOpen(await this.mustCase(repo, firmId, scope.caseId), 'nothing new is shared on it');
      if (rights !== 'read' && item.kind !== 'folder') throw invalid('rights', 'only a folder can be shared with upload rights (uploads go into it); share this item to read');
      await this.assertNotStaffOnly(repo, firmId, [item]);
      if (!(await repo.isLinked(scope.caseId, contact.id))) throw conflict(`${contact.name} is not linked to this case`);
    } else if (scope.kind === 'case') {
      assertOpen(await this.mustCase(repo, firmId, scope.caseId), 'nothing new is shared on it');
      if (!(await repo.isLinked(scope.caseId, contact.id))) throw conflict(`${contact.name} is not linked to this case`);
      await this.assertThreads(repo, firmId, scope.threadIds, [scope.caseId]);
    } else {
      if (!(await repo.client(firmId, scope.clientId))) throw notFound('client');
      const caseIds = (await repo.listCases(firmId, scope.clientId)).map((c) => c.id);
      await this.assertThreads(repo, firmId, scope.threadIds, caseIds);
    }
  }

  private async assertThreads(repo: Repo, firmId: string, threadIds: string[], caseIds: string[]): Promise<void> {
    for (const threadId of threadIds) {
      const thread = await repo.thread(firmId, threadId);
      if (!thread || !caseIds.includes(thread.caseId)) throw notFound('thread');
    }
  }

  /** A client grant links its holder to every case of the client (now; later ones on creation). */
  private async linkClientCases(repo: Repo, actor: StaffActor, contactId: string, clientId: string): Promise<void> {
    // A closed case is left out: reopening gives back what closing took, not more.
    for (const c of (await repo.listCases(actor.firmId, clientId)).filter((x) => !x.closedAt)) {
      if (await repo.link(actor.firmId, c.id, contactId, actorLabel(actor))) {
        await this.audit(repo, actor, 'case.linked', `case:${c.id}`, 'client grant', { contactId });
      }
    }
  }

  /** What a grant.added or grant.removed notice says: who, for whom, and the cases the scope reaches. */
  private async grantNotice(repo: Repo, actor: StaffActor, contactId: string, scope: GrantScope) {
    return { firmId: actor.firmId, actorId: actorLabel(actor), caseIds: await this.caseIdsOfScope(repo, actor.firmId, scope), actor: actor.name, contactId, scope };
  }

  private async caseIdsOfScope(repo: Repo, firmId: string, scope: GrantScope): Promise<string[]> {
    return scope.kind === 'client' ? (await repo.listCases(firmId, scope.clientId)).map((c) => c.id) : [scope.caseId];
  }

  /**
   * Gives access. Giving someone access they already hold on other terms (another view, rights or
   * expiry) is a scope change: answered with its preview until confirmed, then audited before and after.
   */
  async grant(actor: StaffActor, input: GrantInput): Promise<GrantRecord> {
    return this.inTx(async (repo, tx) => {
      const contact = await this.mustContact(repo, actor.firmId, input.contactId, true);
      await this.assertCanGrant(repo, actor.firmId, contact, input.scope, input.rights, input.expiresAt);
      const firm = await this.firm(repo, actor.firmId);
      const all = await repo.grantsOfContact(contact.id);
      const existing = all.find((g) => sameTarget(g.scope, input.scope)) ?? null;
      const held = existing && stillHeld(existing, this.now()) ? existing : null;
      const privileged = await this.privilegedReasonsOfScope(repo, actor.firmId, contact, all, input);
      if (held && sameTerms(held, input) && privileged.length === 0) return held;
      const scopeChanges = held && !sameTerms(held, input) ? [await this.scopeChange(repo, firm, contact, all, held, input)] : [];
      const reasons = [...(await reasonsFor(repo, firm, contact, await this.caseIdsOfScope(repo, actor.firmId, input.scope))), ...privileged];
      const confirmed = await guard(repo, { actor, action: held ? 'grant.changed' : 'grant.added', target: `contact:${contact.id}`, reasons, scopeChanges, confirm: input.confirm, request: termsOf(input) });
      if (input.scope.kind === 'client') await this.linkClientCases(repo, actor, contact.id, input.scope.clientId);
      const saved = await repo.upsertGrant({
        firmId: actor.firmId,
        contactId: contact.id,
        scope: input.scope,
        rights: input.rights,
        expiresAt: input.expiresAt,
        createdBy: actorLabel(actor),
        // A privileged item's share was confirmed just now (guard asked for it): the only way one is confirmed.
        privilegeConfirmed: privileged.length > 0,
      });
      const change = { grantId: saved.id, before: existing && termsOf(existing), after: termsOf(saved) };
      await this.syncGuest(tx, actor.firmId, contact.id);
      const [preview] = scopeChanges;
      if (held && preview) {
        await this.audit(repo, actor, 'grant.changed', `contact:${contact.id}`, input.reason ?? confirmed, { ...change, gained: preview.gained, lost: preview.lost });
        const caseIds = await this.caseIdsOfScope(repo, actor.firmId, saved.scope);
        const itemIds = (side: PreviewSide) => side.items.map((i) => i.itemId);
        await this.notify(tx, {
          type: 'grant.changed',
          firmId: actor.firmId,
          caseIds,
          actor: actor.name,
          contactId: contact.id,
          before: held.scope,
          after: saved.scope,
          gainedItemIds: itemIds(preview.gained),
          lostItemIds: itemIds(preview.lost),
        });
      } else {
        await this.audit(repo, actor, 'grant.added', `contact:${contact.id}`, input.reason ?? confirmed, { ...change, scope: saved.scope, rights: saved.rights, expiresAt: saved.expiresAt });
        await this.notify(tx, { type: 'grant.added', ...(await this.grantNotice(repo, actor, contact.id, saved.scope)), rights: saved.rights });
      }
      return saved;
    });
  }

  /** Ticks: share many items with many contacts at once, all or nothing. */
  async shareItems(actor: StaffActor, input: { contactIds: string[]; itemIds: string[]; expiresAt: string | null; reason: string | null; confirm?: Confirmation }): Promise<SharedAnswer> {
    return this.inTx(async (repo, tx) => {
      const contacts = await this.loadContacts(repo, actor.firmId, input.contactIds);
      const items = await this.loadItems(repo, actor, input.itemIds);
      await this.assertNotStaffOnly(repo, actor.firmId, items);
      // The items are loaded (they exist in this firm); what is left to check depends on the
      // guest and the case only, so it is asked once per case rather than once per document.
      const firstOfCase = [...groupBy(items, (i) => i.caseId).values()].map((caseItems) => caseItems[0]);
      for (const contact of contacts) {
        for (const item of firstOfCase) {
          await this.assertCanGrant(repo, actor.firmId, contact, { kind: 'item', caseId: item.caseId, itemId: item.id }, 'read', input.expiresAt);
        }
      }
      // Ticking an item someone already holds on other terms (an expiry, upload rights) replaces those terms: a scope change.
      const firm = await this.firm(repo, actor.firmId);
      const caseIds = [...new Set(items.map((i) => i.caseId))];
      const reasons: GuardrailReason[] = [];
      const scopeChanges: ScopeChangePreview[] = [];
      // A privileged item is shared only by a confirmation naming the guest and the item (audited as such).
      const privileged = await this.privilegedAmong(repo, items);
      // Each guest's grants, read once: nothing below changes them before that guest's own upsert.
      const grantsOf = new Map<string, GrantRecord[]>();
      for (const contact of contacts) {
        reasons.push(...(await reasonsFor(repo, firm, contact, caseIds)));
        const all = await repo.grantsOfContact(contact.id);
        grantsOf.set(contact.id, all);
        reasons.push(...this.privilegedReasons(contact, items, privileged, all, { rights: 'read', expiresAt: input.expiresAt }));
        for (const item of items) {
          const next: GrantTerms = { scope: { kind: 'item', caseId: item.caseId, itemId: item.id }, rights: 'read', expiresAt: input.expiresAt };
          const held = all.find((g) => sameTarget(g.scope, next.scope) && stillHeld(g, this.now()) && !sameTerms(g, next));
          if (held) scopeChanges.push(await this.scopeChange(repo, firm, contact, all, held, next));
        }
      }
      const confirmed = await guard(repo, {
        actor,
        action: 'items.shared',
        target: `case:${caseIds.join(',')}`,
        reasons,
        scopeChanges,
        confirm: input.confirm,
        request: { contactIds: input.contactIds, itemIds: input.itemIds, expiresAt: input.expiresAt },
      });
      let grants = 0;
      // What each guest is newly given (or given with another expiry): a re-share that changes nothing is news to nobody.
      const changedOf = new Map<string, ItemRecord[]>();
      for (const contact of contacts) {
        const held = new Map((grantsOf.get(contact.id) ?? []).flatMap((g) => (g.scope.kind === 'item' ? [[g.scope.itemId, g] as const] : [])));
        // A privileged item held unconfirmed (shared before it was marked) is news once confirmed: she sees it again.
        const isNews = (i: ItemRecord) => {
          const g = held.get(i.id);
          return !g || !sameInstant(g.expiresAt, input.expiresAt) || (privileged.has(i.id) && !g.privilegeConfirmed);
        };
        changedOf.set(contact.id, items.filter(isNews));
        grants += await repo.upsertItemGrants({
          firmId: actor.firmId,
          contactId: contact.id,
          items: items.map((i) => ({ caseId: i.caseId, itemId: i.id, privilegeConfirmed: privileged.has(i.id) })),
          expiresAt: input.expiresAt,
          createdBy: actorLabel(actor),
        });
        const changed = scopeChanges.filter((c) => c.contactId === contact.id).map((c) => ({ grantId: c.grantId, before: c.before, after: c.after }));
        await this.audit(repo, actor, 'items.shared', `contact:${contact.id}`, input.reason ?? confirmed, { itemIds: items.map((i) => i.id), expiresAt: input.expiresAt, changed });
        await this.syncGuest(tx, actor.firmId, contact.id);
      }
      // One notice per case and per set of changed items: usually one for everyone; none when nothing changed.
      for (const caseId of groupBy(items, (i) => i.caseId).keys()) {
        const contactsBySet = new Map<string, { contactIds: string[]; itemIds: string[] }>();
        for (const contact of contacts) {
          const itemIds = (changedOf.get(contact.id) ?? []).filter((i) => i.caseId === caseId).map((i) => i.id);
          if (itemIds.length === 0) continue;
          const entry = contactsBySet.get(itemIds.join(',')) ?? { contactIds: [], itemIds };
          entry.contactIds.push(contact.id);
          contactsBySet.set(itemIds.join(','), entry);
        }
        for (const { contactIds, itemIds } of contactsBySet.values()) {
          await this.notify(tx, { type: 'items.shared', firmId: actor.firmId, actorId: actorLabel(actor), caseId, actor: actor.name, contactIds, itemIds });
        }
      }
      return { grants };
    });
  }

  /** Unticks. An item a broader (case or client) grant still reaches stays visible; the answer says which. */
  async unshareItems(actor: StaffActor, input: { contactIds: string[]; itemIds: string[]; reason: string | null }): Promise<UnsharedAnswer> {
    return this.inTx(async (repo, tx) => {
      const contacts = await this.loadContacts(repo, actor.firmId, input.contactIds);
      const items = await this.loadItems(repo, actor, input.itemIds);
      const itemIds = new Set(items.map((i) => i.id));
      let removed = 0;
      const stillVisible: Array<{ contactId: string; itemId: string }> = [];
      const firm = await this.firm(repo, actor.firmId);
      for (const contact of contacts) {
        const grants = await repo.grantsOfContact(contact.id);
        for (const g of grants) {
          if (g.scope.kind === 'item' && itemIds.has(g.scope.itemId)) {
            await repo.deleteGrant(g.id);
            removed++;
          }
        }
        const remaining = (await repo.grantsOfContact(contact.id)).map(asGrant);
        for (const [caseId, caseItems] of groupBy(items, (i) => i.caseId)) {
          const caseRecord = await this.mustCase(repo, actor.firmId, caseId);
          const access = caseAccess({ ...asDomainContact(contact), invitation: 'accepted' }, remaining, await repo.isLinked(caseId, contact.id), caseRecord, (await repo.itemsOfCase(caseId)).map(asItemRef), asPolicy(firm), this.now());
          for (const item of caseItems) if (access?.itemIds.has(item.id)) stillVisible.push({ contactId: contact.id, itemId: item.id });
        }
        await this.audit(repo, actor, 'items.unshared', `contact:${contact.id}`, input.reason, { itemIds: [...itemIds] });
        await this.syncGuest(tx, actor.firmId, contact.id);
      }
      for (const [caseId, caseItems] of groupBy(items, (i) => i.caseId)) {
        await this.notify(tx, { type: 'items.unshared', firmId: actor.firmId, actorId: actorLabel(actor), caseId, actor: actor.name, contactIds: contacts.map((c) => c.id), itemIds: caseItems.map((i) => i.id) });
      }
      return { removed, stillVisible };
    });
  }

  private async loadContacts(repo: Repo, firmId: string, ids: string[]): Promise<ContactRecord[]> {
    const unique = [...new Set(ids)];
    const found = await repo.contactsByIds(firmId, unique);
    if (found.length !== unique.length) throw notFound('contact');
    return found;
  }

  private async loadItems(repo: Repo, actor: Actor, ids: string[]): Promise<ItemRecord[]> {
    const unique = [...new Set(ids)];
    const hidden = await repo.hiddenCasesFor(actor);
    const found = (await repo.itemsByIds(actor.firmId, unique)).filter((i) => !hidden.has(i.caseId));
    if (found.length !== unique.length) throw notFound('item');
    return found;
  }

  /** The guest's access to every case a grant could reach, before or after a change. */
  private async accessSnapshot(repo: Repo, firm: Firm, contact: ContactRecord, grants: GrantRecord[], caseIds: string[], extraLinks: string[] = []): Promise<Map<string, CaseAccess>> {
    const linked = new Set([...(await repo.linkedCaseIds(contact.id)), ...extraLinks]);
    const result = new Map<string, CaseAccess>();
    // Previews describe what the guest will see once the invitation is accepted.
    const asGuest = { ...asDomainContact(contact), invitation: 'accepted' as const };
    for (const c of await repo.casesByIds(firm.id, caseIds)) {
      const access = caseAccess(asGuest, grants.map(asGrant), linked.has(c.id), c, (await repo.itemsOfCase(c.id)).map(asItemRef), asPolicy(firm), this.now());
      if (access) result.set(c.id, access);
    }
    return result;
  }

  private async planChange(repo: Repo, firmId: string, grantId: string, next: { scope: GrantScope; rights: Rights }) {
    const firm = await this.firm(repo, firmId);
    const current = await repo.grant(firmId, grantId);
    if (!current) throw notFound('grant');
    const contact = await this.mustContact(repo, firmId, current.contactId);
    await this.assertCanGrant(repo, firmId, contact, next.scope, next.rights, current.expiresAt);
    const all = await repo.grantsOfContact(contact.id);
    // Moving this access onto a target another of their grants covers would silently replace that one (its view, rights, expiry).
    const other = all.find((g) => g.id !== current.id && sameTarget(g.scope, next.scope));
    if (other) throw conflict(`${contact.name} already has other access to that ${next.scope.kind}: change or remove that access instead`);
    const { diff, describe } = await this.replacement(repo, firm, contact, all, current, { ...next, expiresAt: current.expiresAt });
    return { firm, current, contact, diff, describe };
  }

  /** What replacing one of the guest's grants by other terms changes for them, exactly and named for people. */
  private async replacement(repo: Repo, firm: Firm, contact: ContactRecord, all: GrantRecord[], current: GrantRecord, next: GrantTerms) {
    const proposed = all.map((g) => (g.id === current.id ? { ...g, ...termsOf(next) } : g));
    const caseIds = [...new Set([...(await this.caseIdsOfScope(repo, firm.id, current.scope)), ...(await this.caseIdsOfScope(repo, firm.id, next.scope))])];
    const extraLinks = next.scope.kind === 'client' ? (await repo.listCases(firm.id, next.scope.clientId)).map((c) => c.id) : [];
    const before = await this.accessSnapshot(repo, firm, contact, all, caseIds);
    const after = await this.accessSnapshot(repo, firm, contact, proposed, caseIds, extraLinks);
    const diff = diffAccess(before, after);
    const caseItems = await repo.itemsOfCases(caseIds);
    const titles = new Map(caseItems.map((i) => [i.id, { title: i.title, kind: i.kind, caseId: i.caseId }]));
    const cases = new Map((await repo.casesByIds(firm.id, caseIds)).map((c) => [c.id, { number: c.number, title: c.title }]));
    return { diff, describe: { ...describeDiff(diff, titles, cases), withheld: withheldUnder(after, caseItems) } };
  }

  /** The preview a confirmation_required answer carries for a grant that giving access again would replace. */
  private async scopeChange(repo: Repo, firm: Firm, contact: ContactRecord, all: GrantRecord[], current: GrantRecord, next: GrantTerms): Promise<ScopeChangePreview> {
    const { describe } = await this.replacement(repo, firm, contact, all, current, next);
    return { contactId: contact.id, contactName: contact.name, grantId: current.id, before: termsOf(current), after: termsOf(next), ...describe };
  }

  /** Exactly what the guest would gain and lose; nothing is written. */
  async previewGrantChange(actor: StaffActor, grantId: string, next: { scope: GrantScope; rights: Rights }): Promise<GrantPreview> {
    return this.inTx(async (repo) => withoutCases((await this.planChange(repo, actor.firmId, grantId, next)).describe, await repo.hiddenCasesFor(actor)));
  }

  async changeGrant(actor: StaffActor, grantId: string, next: { scope: GrantScope; rights: Rights; reason: string | null; confirm?: Confirmation }): Promise<ChangedGrantAnswer> {
    return this.inTx(async (repo, tx) => {
      const { firm, current, contact, diff, describe } = await this.planChange(repo, actor.firmId, grantId, next);
      // The change itself was previewed (POST /grants/{id}/preview); what it newly gives still passes the guardrails.
      const gains = describe.gained.cases.length + describe.gained.sections.length + describe.gained.items.length + describe.gained.upload.length > 0;
      // An item scope on a privileged item gains nothing until confirmed: it asks whatever the preview says.
      const privileged = await this.privilegedReasonsOfScope(repo, actor.firmId, contact, [], { ...next, expiresAt: current.expiresAt });
      const reasons = [...(gains ? await reasonsFor(repo, firm, contact, await this.caseIdsOfScope(repo, actor.firmId, next.scope)) : []), ...privileged];
      const confirmed = await guard(repo, { actor, action: 'grant.changed', target: `contact:${contact.id}`, reasons, scopeChanges: [], confirm: next.confirm, request: { grantId, scope: next.scope, rights: next.rights } });
      await repo.deleteGrant(current.id);
      if (next.scope.kind === 'client') await this.linkClientCases(repo, actor, contact.id, next.scope.clientId);
      const saved = await repo.upsertGrant({ firmId: actor.firmId, contactId: contact.id, scope: next.scope, rights: next.rights, expiresAt: current.expiresAt, createdBy: actorLabel(actor), privilegeConfirmed: privileged.length > 0 });
      await this.audit(repo, actor, 'grant.changed', `contact:${contact.id}`, next.reason ?? confirmed, { grantId: saved.id, before: termsOf(current), after: termsOf(saved), gained: describe.gained, lost: describe.lost });
      await this.syncGuest(tx, actor.firmId, contact.id);
      const caseIds = [...new Set([...(await this.caseIdsOfScope(repo, actor.firmId, current.scope)), ...(await this.caseIdsOfScope(repo, actor.firmId, saved.scope))])];
      await this.notify(tx, { type: 'grant.changed', firmId: actor.firmId, caseIds, actor: actor.name, contactId: contact.id, before: current.scope, after: saved.scope, gainedItemIds: diff.gained.itemIds, lostItemIds: diff.lost.itemIds });
      return { grant: saved, applied: withoutCases(describe, await repo.hiddenCasesFor(actor)) };
    });
  }

  async extendGrant(actor: StaffActor, grantId: string, expiresAt: string | null, reason: string | null) {
    return this.inTx(async (repo, tx) => {
      const current = await this.visibleGrant(repo, actor, grantId);
      if (!current) throw notFound('grant');
      if (expiresAt !== null && Date.parse(expiresAt) <= this.now().getTime()) throw invalid('expiresAt', 'expiry must be in the future');
      // Shortening access to a closed case is always allowed; lengthening it would undo the closing.
      if (current.scope.kind !== 'client' && laterThan(expiresAt, current.expiresAt)) assertOpen(await this.mustCase(repo, actor.firmId, current.scope.caseId), 'access to it cannot be extended');
      const saved = await repo.upsertGrant({ firmId: actor.firmId, contactId: current.contactId, scope: current.scope, rights: current.rights, expiresAt, createdBy: current.createdBy, privilegeConfirmed: current.privilegeConfirmed });
      await this.audit(repo, actor, 'grant.extended', `contact:${current.contactId}`, reason, { grantId, before: termsOf(current), after: termsOf(saved) });
      await this.syncGuest(tx, actor.firmId, current.contactId);
      return saved;
    });
  }

  async revokeGrant(actor: StaffActor, grantId: string, reason: string | null): Promise<RevokedAnswer> {
    return this.inTx(async (repo, tx) => {
      const current = await this.visibleGrant(repo, actor, grantId);
      if (!current) throw notFound('grant');
      await repo.deleteGrant(grantId);
      await this.audit(repo, actor, 'grant.removed', `contact:${current.contactId}`, reason, { grantId, scope: current.scope, before: termsOf(current), after: null });
      await this.syncGuest(tx, actor.firmId, current.contactId);
      await this.notify(tx, { type: 'grant.removed', ...(await this.grantNotice(repo, actor, current.contactId, current.scope)) });
      return { removed: true };
    });
  }

  // ---- who has access ----

  private async describeEntries(repo: Repo, firmId: string, grants: GrantRecord[]): Promise<AccessEntry[]> {
    const contacts = new Map((await repo.contactsByIds(firmId, [...new Set(grants.map((g) => g.contactId))])).map((c) => [c.id, c]));
    const itemTitles = new Map(
      (
        await repo.itemsByIds(
          firmId,
          grants.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])),
        )
      ).map((i) => [i.id, i.title]),
    );
    const places = await this.placesOf(repo, firmId, grants);
    const savedViews = await new FirmViewsRepo(this.deps.db).list(firmId);
    const seen = await seenByContacts(this.deps.db, firmId, [...contacts.keys()]);
    const reachOf = await grantReaches(repo, firmId, grants);
    const entries: AccessEntry[] = [];
    for (const grant of grants) {
      const contact = contacts.get(grant.contactId);
      if (!contact) continue;
      const linked = grant.scope.kind === 'client' ? true : await repo.isLinked(grant.scope.caseId, contact.id);
      const label =
        grant.scope.kind === 'item'
          ? (itemTitles.get(grant.scope.itemId) ?? 'item')
          : broadScopeLabel(grant.scope.kind, grant.scope.view, places.get(grant.scope.kind === 'case' ? grant.scope.caseId : grant.scope.clientId) ?? `the ${grant.scope.kind}`, matchingViewName(grant.scope.view, savedViews));
      entries.push({
        grant,
        contact: { id: contact.id, name: contact.name, email: contact.email, kind: contact.kind, invitation: contact.invitation, portalAccess: contact.portalAccess },
        state: grantState(asDomainContact(contact), asGrant(grant), linked, this.now()),
        label,
        seen: seenSummary(contact.id, reachOf(grant.scope), seen),
      });
    }
    return entries;
  }

  /** Case numbers and client names, by id, for the labels of case and client grants. */
  private async placesOf(repo: Repo, firmId: string, grants: GrantRecord[]): Promise<Map<string, string>> {
    const caseIds = [...new Set(grants.flatMap((g) => (g.scope.kind === 'case' ? [g.scope.caseId] : [])))];
    const hasClientGrant = grants.some((g) => g.scope.kind === 'client');
    const [cases, clients] = await Promise.all([repo.casesByIds(firmId, caseIds), hasClientGrant ? repo.listClients(firmId) : []]);
    return new Map([...cases.map((c): [string, string] => [c.id, c.number]), ...clients.map((c): [string, string] => [c.id, c.name])]);
  }

  async whoHasAccessToCase(actor: StaffActor, caseId: string): Promise<AccessEntry[]> {
    const repo = new Repo(this.deps.db);
    const c = await this.mustCase(repo, actor.firmId, caseId, actor);
    const linked = new Set(await repo.linkedContacts(c.id).then((cs) => cs.map((x) => x.id)));
    const grants = (await repo.grantsTouchingCase(c)).filter((g) => g.scope.kind !== 'client' || linked.has(g.contactId));
    const entries = await this.describeEntries(repo, actor.firmId, grants);
    // A closed case past its read-only days reaches nobody: its grants are kept (for reopening) but withdrawn here.
    return caseStanding(c, this.now()) === 'withdrawn' ? entries.map((e) => (e.state === 'expired' ? e : { ...e, state: 'withdrawn' as const })) : entries;
  }

  /** A contact's grants, leaving out those on cases walled off from the actor. */
  async accessOfContact(actor: StaffActor, contactId: string): Promise<AccessEntry[]> {
    const repo = new Repo(this.deps.db);
    await this.mustContact(repo, actor.firmId, contactId);
    return this.describeEntries(repo, actor.firmId, visibleTo(await repo.grantsOfContact(contactId), await repo.hiddenCasesFor(actor), caseOfGrant));
  }

  /** Every grant of the firm, leaving out those on cases walled off from the actor. */
  async firmAccess(actor: StaffActor): Promise<AccessEntry[]> {
    const repo = new Repo(this.deps.db);
    return this.describeEntries(repo, actor.firmId, visibleTo(await repo.grantsOfFirm(actor.firmId), await repo.hiddenCasesFor(actor), caseOfGrant));
  }

  /** For each item of a case: who it is shared with and how (staff "Shared" labels and ticks). */
  async sharingOfCase(actor: StaffActor, caseId: string): Promise<CaseSharing> {
    const repo = new Repo(this.deps.db);
    // A read: what authentication and the walls guard read for this request serves (src/services/context.ts).
    const firm = staffFirmOf(actor) ?? (await this.firm(repo, actor.firmId));
    const c = visibleCaseOf(actor, caseId) ?? (await this.mustCase(repo, actor.firmId, caseId, actor));
    const [items, contacts, seen] = await Promise.all([repo.itemsOfCase(c.id), repo.linkedContacts(c.id), seenInCase(this.deps.db, actor.firmId, c.id)]);
    // Only grants that can reach this case: a linked guest's shares on other cases play no part here.
    const grants = await repo.grantsOfContactsOnCase(
      contacts.map((x) => x.id),
      c,
    );
    const opened = firstOpensByItem(seen);
    const byItem = new Map<string, SharedWith[]>();
    for (const contact of contacts) {
      if (!contact.portalAccess) continue;
      const mine = grants.filter((g) => g.contactId === contact.id).map(asGrant);
      const access = caseAccess({ ...asDomainContact(contact), invitation: 'accepted' }, mine, true, c, items.map(asItemRef), asPolicy(firm), this.now());
      if (!access) continue;
      const explicit = new Set(mine.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])));
      for (const itemId of access.itemIds) {
        const list = byItem.get(itemId) ?? [];
        list.push({ contactId: contact.id, name: contact.name, via: explicit.has(itemId) ? 'item' : access.via, state: contact.invitation === 'accepted' ? 'active' : 'pending', seenAt: opened.get(itemId)?.get(contact.id) ?? null });
        byItem.set(itemId, list);
      }
    }
    return { items, sharedWith: Object.fromEntries(byItem), contacts };
  }

  // ---- firm policy and audit ----

  /** The firm's guest policy; a field left out stays as it is. */
  async setFirmPolicy(actor: StaffActor, change: { disabledSections?: Section[]; expiryReminderDays?: number[] }, reason: string | null): Promise<FirmPolicy> {
    return this.inTx(async (repo, tx) => {
      const firm = await this.firm(repo, actor.firmId);
      const disabledSections = change.disabledSections ?? firm.disabledSections;
      const expiryReminderDays = change.expiryReminderDays ?? firm.expiryReminderDays;
      await repo.setDisabledSections(actor.firmId, disabledSections);
      await repo.setExpiryReminderDays(actor.firmId, expiryReminderDays);
      const before = { disabledSections: firm.disabledSections, expiryReminderDays: firm.expiryReminderDays };
      await this.audit(repo, actor, 'firm.policy', `firm:${actor.firmId}`, reason, { from: before, to: { disabledSections, expiryReminderDays } });
      // Documents on/off changes SharePoint permissions for every guest of the firm.
      if (firm.disabledSections.includes('documents') !== disabledSections.includes('documents')) {
        for (const contact of await repo.listContacts(actor.firmId)) if (contact.portalAccess) await this.syncGuest(tx, actor.firmId, contact.id);
      }
      return { disabledSections, expiryReminderDays };
    });
  }
}

/** The single case a grant is on; null for a client grant (it names none). */
const caseOfGrant = (g: GrantRecord) => (g.scope.kind === 'client' ? null : g.scope.caseId);

/** New links and shares on a closed case are refused (409 case_closed); reopening allows them again. */
function assertOpen(c: CaseRecord, what: string): void {
  if (c.closedAt) throw caseClosed(c.number, what);
}
/** Whether expiry `a` ends access later than `b` (null: never ends). */
const laterThan = (a: string | null, b: string | null): boolean => (a === null ? b !== null : b !== null && Date.parse(a) > Date.parse(b));

/** Two expiry times (or "never", null) are the same moment, whatever their ISO spelling. */
const sameInstant = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : new Date(a).getTime() === new Date(b).getTime());

function groupBy<T>(values: readonly T[], key: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const v of values) {
    const k = key(v);
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  return groups;
}

/** A grant change described for people: the contract's preview answer. */
export type DescribedDiff = GrantPreview;

/**
 * Staff-only and privileged items in what the guest will see (a section a broad scope shows, or below
 * a folder she is given), which the grant does not give: a preview lists them apart from the gains.
 */
export function withheldUnder(access: ReadonlyMap<string, CaseAccess>, items: readonly ItemRecord[]): WithheldItem[] {
  const byId = new Map(items.map((i) => [i.id, asItemRef(i)]));
  const withheld: WithheldItem[] = [];
  for (const item of items) {
    const seen = access.get(item.caseId);
    const why = withholdingOf(byId.get(item.id) ?? asItemRef(item), byId);
    if (!seen || !why || seen.itemIds.has(item.id)) continue;
    const covered = seen.via === 'item' ? isBelowAny(asItemRef(item), seen.itemIds, byId) : seen.sections.includes(SECTION_OF_KIND[item.kind]);
    if (covered) withheld.push({ itemId: item.id, caseId: item.caseId, title: item.title, kind: item.kind, why });
  }
  return withheld.sort((a, b) => a.caseId.localeCompare(b.caseId) || a.title.localeCompare(b.title));
}

export function describeDiff(diff: AccessDiff, items: Map<string, { title: string; kind: string; caseId: string }>, cases: Map<string, { number: string; title: string }>): Omit<DescribedDiff, 'withheld'> {
  const side = (s: AccessDiff['gained']): PreviewSide => ({
    cases: s.caseIds.map((caseId) => ({ caseId, number: cases.get(caseId)?.number ?? '', title: cases.get(caseId)?.title ?? '' })),
    sections: s.sections,
    items: s.itemIds.map((itemId) => ({ itemId, caseId: items.get(itemId)?.caseId ?? '', title: items.get(itemId)?.title ?? '', kind: items.get(itemId)?.kind ?? '' })),
    upload: s.uploadCaseIds,
  });
  return { gained: side(diff.gained), lost: side(diff.lost) };
}
