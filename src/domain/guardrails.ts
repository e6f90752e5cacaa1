import { type PartyRole, type Rights } from '../contract/enums';
import type { DomainPolicy, GuardrailReason } from '../contract/guardrails';
import type { GrantScope } from '../contract/sharing';

/**
 * The guardrails on letting someone in, as pure rules: who is on the other side of a case, which
 * addresses the firm blocks or warns about, and when giving access replaces access already held.
 * The services load the facts and act on the verdict; nothing here touches the store.
 */

/** The domain an address is at, lower-case (the part after the last @). */
export const domainOfEmail = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** The listed domain the address falls under: the domain itself or any subdomain of it (`x.opposing-firm.com` falls under `opposing-firm.com`). */
export function listedDomainOf(email: string, listed: readonly string[]): string | null {
  const at = domainOfEmail(email);
  const matches = listed.filter((d) => at === d || at.endsWith(`.${d}`));
  // The most specific entry names the reason best.
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

export interface PartyFacts {
  id: string;
  name: string;
  email: string;
  /** The contact's role in each case the access would reach. */
  roles: ReadonlyArray<{ caseId: string; caseNumber: string; role: PartyRole }>;
}

/** Every reason giving this contact access needs a confirmation or is refused; blocked-domain reasons cannot be confirmed. */
export function guardrailReasons(party: PartyFacts, policy: DomainPolicy): GuardrailReason[] {
  const who = { contactId: party.id, contactName: party.name };
  const reasons: GuardrailReason[] = [];
  const blocked = listedDomainOf(party.email, policy.blocked);
  if (blocked) reasons.push({ kind: 'blocked-domain', ...who, email: party.email, domain: blocked });
  const warned = listedDomainOf(party.email, policy.warned);
  if (warned) reasons.push({ kind: 'warned-domain', ...who, email: party.email, domain: warned });
  for (const r of party.roles) {
    if (r.role === 'opposing-party' || r.role === 'opposing-counsel') reasons.push({ kind: r.role, ...who, caseId: r.caseId, caseNumber: r.caseNumber });
  }
  return reasons;
}

export const isRefusal = (r: GuardrailReason): boolean => r.kind === 'blocked-domain';

/** One sentence for a reason, for error messages, the bot and the audit. */
export function describeReason(r: GuardrailReason): string {
  switch (r.kind) {
    case 'opposing-party':
      return `${r.contactName} is the opposing party in ${r.caseNumber}`;
    case 'opposing-counsel':
      return `${r.contactName} is opposing counsel in ${r.caseNumber}`;
    case 'warned-domain':
      return `${r.email} is at ${r.domain}, a domain the firm warns about`;
    case 'blocked-domain':
      return `${r.email} is at ${r.domain}, a domain the firm blocks`;
    case 'scope-change':
      return `${r.contactName} already has this access: giving it again replaces it`;
    case 'privileged':
      return `${r.itemTitle} is privileged: sharing it with ${r.contactName} needs a confirmed reason`;
  }
}

export interface GrantTerms {
  scope: GrantScope;
  rights: Rights;
  expiresAt: string | null;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && new Set([...a, ...b]).size === a.length;
const sameInstant = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b));

/** Whether giving `next` to someone holding `current` on the same target changes nothing (then it is a no-op, not a scope change). */
export function sameTerms(current: GrantTerms, next: GrantTerms): boolean {
  if (current.rights !== next.rights || !sameInstant(current.expiresAt, next.expiresAt)) return false;
  const a = current.scope;
  const b = next.scope;
  if (a.kind === 'item' || b.kind === 'item') return a.kind === b.kind;
  return sameSet(a.view, b.view) && sameSet(a.threadIds, b.threadIds);
}

/** An expired grant gives nothing: replacing it takes nothing away, so it needs no confirmation. */
export const stillHeld = (g: { expiresAt: string | null }, now: Date): boolean => g.expiresAt === null || Date.parse(g.expiresAt) > now.getTime();

/** Whether two scopes name the same target (the store keeps one grant per contact and target). */
export function sameTarget(a: GrantScope, b: GrantScope): boolean {
  if (a.kind === 'item') return b.kind === 'item' && a.itemId === b.itemId;
  if (a.kind === 'case') return b.kind === 'case' && a.caseId === b.caseId;
  return b.kind === 'client' && a.clientId === b.clientId;
}

/** A grant as the audit records it before and after a change. */
export const termsOf = (g: GrantTerms): GrantTerms => ({ scope: g.scope, rights: g.rights, expiresAt: g.expiresAt });
