import type { Confirmation, ConfirmationRequired, DomainPolicy, GuardrailReason, PartyRole, PartyRoleAnswer, PolicyRefusal, ScopeChangePreview } from '../contract';
import { DomainError, notFound } from '../domain/errors';
import { describeReason, guardrailReasons, isRefusal } from '../domain/guardrails';
import type { Db } from '../store/db';
import { Repo } from '../store/repo';
import type { ContactRecord, Firm } from '../store/records';
import { type Actor, actorLabel } from './context';

/**
 * The guardrails every path that lets someone in goes through (the tab, the API, the bot's share
 * command and share-back button, bulk shares): opposing parties and warned domains need a
 * confirmation with a reason, blocked domains are refused, and giving access someone already
 * holds on different terms is a scope change that needs one too. Each confirmation and each
 * refusal is audited with its reason.
 */

/** A refusal that cannot be confirmed. It carries its audit entry: the refused transaction rolls back, so the entry is written after it. */
export class PolicyRefusalError extends DomainError {
  constructor(
    readonly refused: PolicyRefusal,
    readonly auditEntry: { firmId: string; actor: string; action: string; target: string; reason: string; data: unknown },
  ) {
    super('refused_by_policy', `${refused.reasons.map(describeReason).join('; ')}: the firm's policy refuses sharing with this address, and it cannot be confirmed`, undefined, undefined, { refused });
  }
}

const confirmationRequired = (body: ConfirmationRequired): DomainError =>
  new DomainError('confirmation_required', `${body.reasons.map(describeReason).join('; ')}. Confirm with a reason to go ahead (send confirm: { reason })`, undefined, undefined, { confirmationRequired: body });

export const policyOf = (firm: Firm): DomainPolicy => ({ blocked: firm.blockedDomains, warned: firm.warnedDomains });

/** The contact's guardrail reasons for access reaching these cases (their role in each, their address against the firm's lists). */
export async function reasonsFor(repo: Repo, firm: Firm, contact: ContactRecord, caseIds: readonly string[]): Promise<GuardrailReason[]> {
  const roles = await repo.partyRoles(contact.id, [...new Set(caseIds)]);
  const numbers = new Map(
    (
      await repo.casesByIds(
        firm.id,
        roles.map((r) => r.caseId),
      )
    ).map((c) => [c.id, c.number]),
  );
  return guardrailReasons({ id: contact.id, name: contact.name, email: contact.email, roles: roles.map((r) => ({ ...r, caseNumber: numbers.get(r.caseId) ?? '' })) }, policyOf(firm));
}

export interface GuardInput {
  actor: Actor;
  /** The change being guarded, as audit actions name it (grant.added, items.shared, portal.enabled…). */
  action: string;
  target: string;
  reasons: GuardrailReason[];
  scopeChanges: ScopeChangePreview[];
  confirm: Confirmation;
  /** What was asked for, kept in the audit entry of a refusal or confirmation. */
  request: unknown;
}

/**
 * Refuses (blocked domain), asks for a confirmation (anything else to acknowledge and no
 * `confirm`), or audits the confirmation and lets the change go ahead. Returns the reason
 * the person gave, or null when nothing needed confirming.
 */
export async function guard(repo: Repo, g: GuardInput): Promise<string | null> {
  const reasons = [...g.reasons, ...g.scopeChanges.map((c): GuardrailReason => ({ kind: 'scope-change', contactId: c.contactId, contactName: c.contactName, grantId: c.grantId }))];
  const refusals = reasons.filter(isRefusal);
  if (refusals.length) {
    throw new PolicyRefusalError(
      { reasons: refusals },
      { firmId: g.actor.firmId, actor: actorLabel(g.actor), action: 'sharing.refused', target: g.target, reason: refusals.map(describeReason).join('; '), data: { refusedAction: g.action, reasons: refusals, request: g.request } },
    );
  }
  if (reasons.length === 0) return null;
  if (!g.confirm) throw confirmationRequired({ reasons, scopeChanges: g.scopeChanges });
  await repo.appendAudit({
    firmId: g.actor.firmId,
    actor: actorLabel(g.actor),
    action: 'sharing.confirmed',
    target: g.target,
    reason: g.confirm.reason,
    data: { confirmedAction: g.action, reasons, scopeChanges: g.scopeChanges, request: g.request },
  });
  return g.confirm.reason;
}

/** Runs a transaction; a policy refusal is audited after its rollback, in a transaction of its own, then passed on. */
export async function auditingRefusals<T>(db: Db, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PolicyRefusalError) await db.transaction((tx) => new Repo(tx).appendAudit(err.auditEntry));
    throw err;
  }
}

type StaffActor = Extract<Actor, { kind: 'staff' }>;

/** The firm's blocked and warned domains (already normalised by the contract), audited before and after. */
export async function setDomainPolicy(db: Db, actor: StaffActor, next: DomainPolicy & { reason: string | null }): Promise<DomainPolicy> {
  return db.transaction(async (tx) => {
    const repo = new Repo(tx);
    const firm = await repo.firm(actor.firmId);
    if (!firm) throw notFound('firm');
    await repo.setDomainPolicy(actor.firmId, next.blocked, next.warned);
    const after = { blocked: next.blocked, warned: next.warned };
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'firm.domain-policy', target: `firm:${actor.firmId}`, reason: next.reason, data: { before: policyOf(firm), after } });
    return after;
  });
}

/** A contact's role in one case; the role decides whether sharing with them there needs a confirmation. */
export async function setPartyRole(db: Db, actor: StaffActor, caseId: string, contactId: string, role: PartyRole, reason: string | null): Promise<PartyRoleAnswer> {
  return db.transaction(async (tx) => {
    const repo = new Repo(tx);
    if (!(await repo.case(actor.firmId, caseId))) throw notFound('case');
    if (!(await repo.contact(actor.firmId, contactId))) throw notFound('contact');
    const before = await repo.setPartyRole(caseId, contactId, role);
    if (before === null) throw notFound('link');
    if (before !== role) await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'party.role', target: `case:${caseId}`, reason, data: { contactId, before, after: role } });
    return { caseId, contactId, role };
  });
}
