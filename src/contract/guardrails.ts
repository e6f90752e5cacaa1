import { z } from 'zod';
import { PARTY_ROLES, type PartyRole, type Rights } from './enums';
import { reason, text } from './fields';
import type { GrantScope, PreviewSide } from './sharing';

// ---- requests ----

/**
 * Sent again with a request the API answered 409 `confirmation_required`: the person acknowledges
 * every reason that answer named and says why. Its reason is audited with the change.
 */
export const confirmField = z.strictObject({ reason: text(1000) }).optional();
export type Confirmation = z.output<typeof confirmField>;

/** A DNS name: letters, digits and hyphens per label, at least two labels (no bare TLDs, no wildcards). */
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Accepts ` Opposing-Firm.COM `, `@opposing-firm.com` and `opposing-firm.com.`; stores `opposing-firm.com`. */
export const emailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/^@/, '').replace(/\.$/, ''))
  .pipe(z.string().regex(DOMAIN_NAME, { message: 'must be a domain such as opposing-firm.com' }));
const domainList = z
  .array(emailDomain)
  .max(500)
  .transform((ds) => [...new Set(ds)].sort());
/** PUT /firm/domain-policy: addresses at a blocked domain are never shared with; a warned one needs a confirmation. */
export const domainPolicyBody = z.strictObject({ blocked: domainList, warned: domainList, reason }).refine((p) => !p.blocked.some((d) => p.warned.includes(d)), { message: 'a domain cannot be both blocked and warned', path: ['warned'] });

/** POST /cases/{id}/links may name the contact's role in the case; PUT /cases/{id}/links/{contactId} changes it. */
export const partyRoleField = z.enum(PARTY_ROLES);
export const partyRoleBody = z.strictObject({ role: partyRoleField, reason });

// ---- answers ----

/** GET and PUT /firm/domain-policy. */
export interface DomainPolicy {
  blocked: string[];
  warned: string[];
}

/** Why a share, an invitation or a grant needs a confirmation (or, for a blocked domain, is refused). */
export type GuardrailReason =
  | { kind: 'opposing-party' | 'opposing-counsel'; contactId: string; contactName: string; caseId: string; caseNumber: string }
  | { kind: 'warned-domain' | 'blocked-domain'; contactId: string; contactName: string; email: string; domain: string }
  | { kind: 'scope-change'; contactId: string; contactName: string; grantId: string }
  /** Sharing a privileged item (or one inside a privileged folder): confirmed with a reason per guest and item, and audited so. */
  | { kind: 'privileged'; contactId: string; contactName: string; caseId: string; itemId: string; itemTitle: string };

/** What replacing a grant someone already holds would do: the exact gains and losses, the rights and the expiry before and after. */
export interface ScopeChangePreview {
  contactId: string;
  contactName: string;
  grantId: string;
  before: { scope: GrantScope; rights: Rights; expiresAt: string | null };
  after: { scope: GrantScope; rights: Rights; expiresAt: string | null };
  gained: PreviewSide;
  lost: PreviewSide;
  /** Listed apart from the gains: what the new scope does not reach (staff-only), or reaches only by a confirmed item share (privileged). */
  withheld: WithheldItem[];
}

/** An item of a case a grant covers that the grant does not give: "not shared: staff-only", "needs confirmation: privileged". */
export interface WithheldItem {
  itemId: string;
  caseId: string;
  title: string;
  kind: string;
  why: 'staff-only' | 'privileged';
}

/** The 409 answer's body: `{ error: { code: 'confirmation_required', message, requestId, confirmationRequired } }`. */
export interface ConfirmationRequired {
  reasons: GuardrailReason[];
  scopeChanges: ScopeChangePreview[];
}
/** The 403 answer's body for a blocked domain: `{ error: { code: 'refused_by_policy', message, requestId, refused } }`. It cannot be confirmed. */
export interface PolicyRefusal {
  reasons: GuardrailReason[];
}

/** A linked contact with their role in the case (GET /cases/{id} linkedContacts). */
export interface PartyRoleAnswer {
  caseId: string;
  contactId: string;
  role: PartyRole;
}
