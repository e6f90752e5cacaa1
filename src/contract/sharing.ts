import { z } from 'zod';
import { GRANT_STATES, RIGHTS, SCOPE_KINDS, SECTIONS, type Section } from './enums';
import { id, isoDateTime, reason, sections } from './fields';
import { itemAnswer } from './cases';
import { contactAnswer } from './people';
import { confirmField, type WithheldItem } from './guardrails';

// ---- requests ----

const threadIds = z.array(id).max(200).default([]);
/** What a grant reaches: one item, a whole case, or every case of a client (with the sections and threads it shows). */
export const grantScope = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('item'), caseId: id, itemId: id }),
  z.strictObject({ kind: z.literal('case'), caseId: id, view: sections, threadIds }),
  z.strictObject({ kind: z.literal('client'), clientId: id, view: sections, threadIds }),
]);
/** The one GrantScope: the domain's rules, the store's rows, the API and the tab all use this type. */
export type GrantScope = z.output<typeof grantScope>;

export const grantBody = z.strictObject({
  contactId: id,
  scope: grantScope,
  rights: z.enum(RIGHTS).default('read'),
  expiresAt: isoDateTime
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  reason,
  confirm: confirmField,
});
export const changeGrantBody = z.strictObject({ scope: grantScope, rights: z.enum(RIGHTS).default('read'), reason, confirm: confirmField });
export const extendGrantBody = z.strictObject({ expiresAt: isoDateTime.nullable(), reason });
export const revokeBody = z.strictObject({ reason }).optional().default({ reason: null });

export const shareItemsBody = z.strictObject({
  contactIds: z.array(id).min(1).max(50),
  itemIds: z.array(id).min(1).max(500),
  expiresAt: isoDateTime
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  reason,
  confirm: confirmField,
});
export const unshareItemsBody = z.strictObject({ contactIds: z.array(id).min(1).max(50), itemIds: z.array(id).min(1).max(500), reason });

// ---- answers ----

/** Answer-side scope: the same shape, read back from the server (no defaults, no id format checks). */
const scopeAnswer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item'), caseId: z.string(), itemId: z.string() }),
  z.object({ kind: z.literal('case'), caseId: z.string(), view: z.array(z.enum(SECTIONS)), threadIds: z.array(z.string()) }),
  z.object({ kind: z.literal('client'), clientId: z.string(), view: z.array(z.enum(SECTIONS)), threadIds: z.array(z.string()) }),
]);

/** POST /grants, and the grant inside every access entry. */
export const grantAnswer = z.object({ id: z.string(), contactId: z.string(), scope: scopeAnswer, rights: z.enum(RIGHTS), expiresAt: z.string().nullable(), privilegeConfirmed: z.boolean(), createdBy: z.string(), createdAt: z.string() });
export type Grant = z.infer<typeof grantAnswer>;

/**
 * What the guest has opened of what a grant reaches, from the portal's own reads (proof of
 * delivery). For an item grant: that item (0 or 1) and when; for a case or client grant: items
 * and staff messages of its case(s), first and latest first open.
 */
export const seenSummaryAnswer = z.object({ items: z.number(), messages: z.number(), firstAt: z.string().nullable(), lastAt: z.string().nullable() });
export type SeenSummary = z.infer<typeof seenSummaryAnswer>;

/** Who has access (GET /access, /cases/{id}/access, /contacts/{id}/access). */
export const accessEntryAnswer = z.object({
  grant: grantAnswer,
  contact: contactAnswer.pick({ id: true, name: true, email: true, kind: true, invitation: true, portalAccess: true }),
  state: z.enum(GRANT_STATES),
  /** Human label: "Knee MRI" for an item; "Full case" / "Full client" for a broad scope showing every section, else "Case: documents and events" (broadScopeLabel). */
  label: z.string(),
  seen: seenSummaryAnswer,
});
export type AccessEntry = z.infer<typeof accessEntryAnswer>;

/** How a contact reaches an item of the case, for the staff "Shared" labels. */
export const sharedWithAnswer = z.object({
  contactId: z.string(),
  name: z.string(),
  via: z.enum(SCOPE_KINDS),
  state: z.enum(['active', 'pending']),
  /** When the guest first opened the item in the portal; null: not opened yet (a folder has nothing to open). */
  seenAt: z.string().nullable(),
});
export type SharedWith = z.infer<typeof sharedWithAnswer>;
/** GET /cases/{id}/items: the case's items (its document list among them), who each is shared with, and the linked contacts. */
export const caseSharingAnswer = z.object({ items: z.array(itemAnswer), sharedWith: z.record(z.string(), z.array(sharedWithAnswer)), contacts: z.array(contactAnswer) });
export type CaseSharing = z.infer<typeof caseSharingAnswer>;

/** What a grant change gives or takes on one side, named for people. */
export interface PreviewSide {
  cases: Array<{ caseId: string; number: string; title: string }>;
  sections: Array<{ caseId: string; section: Section }>;
  items: Array<{ itemId: string; caseId: string; title: string; kind: string }>;
  upload: string[];
}
/** POST /grants/{id}/preview. */
export interface GrantPreview {
  gained: PreviewSide;
  lost: PreviewSide;
  /** Staff-only and privileged items the new terms cover but do not give, listed apart from the gains. */
  withheld: WithheldItem[];
}
/** PUT /grants/{id}. */
export interface ChangedGrantAnswer {
  grant: Grant;
  applied: GrantPreview;
}
/** POST /shares. */
export interface SharedAnswer {
  grants: number;
}
/** POST /shares/remove: what was removed, and what stays visible through a broader grant. */
export interface UnsharedAnswer {
  removed: number;
  stillVisible: Array<{ contactId: string; itemId: string }>;
}
/** DELETE /grants/{id}. */
export interface RevokedAnswer {
  removed: boolean;
}
/** POST /cases/{id}/links. */
export interface LinkedAnswer {
  linked: boolean;
  /** False when the contact was already linked. */
  changed: boolean;
}
/** DELETE /cases/{id}/links/{contactId}: unlinking withdraws the grants of that case. */
export interface UnlinkedAnswer {
  linked: boolean;
  withdrawnGrants: number;
}
