import { z } from 'zod';
import { CASE_STATUSES, INVOICE_STATUSES, ITEM_KINDS, MESSAGE_AUTHOR_KINDS, PARTY_ROLES, PROVISIONING_STATES } from './enums';
import { cents, id, isoDate, isoDateTime, nullableNumber, nullableText, optionalId, optionalText, safeName, text } from './fields';
import { clientAnswer, contactAnswer, staffAnswer } from './people';

// ---- requests ----

export const caseStatus = z.enum(CASE_STATUSES);
/**
 * GET /cases: the firm's cases in number order, all of them when `limit` is absent. With
 * `limit`, one page: the cases numbered after `after` (the last number of the previous page);
 * a page shorter than `limit` is the last. Cases hidden from the caller by a wall take no place in a page.
 */
export const caseListQuery = z.object({
  clientId: id.optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .optional(),
  after: text(40).optional(),
});
export const createCaseBody = z.strictObject({
  clientId: id,
  number: text(40).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'letters, digits and . _ / - only' }),
  title: safeName(200),
  /** The staff member responsible for the case (access reviews go to them); absent: whoever creates it, null: nobody. */
  assignedStaffId: id.nullable().optional(),
  budgetCents: cents
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  status: caseStatus.optional(),
});
export const updateCaseBody = z.strictObject({
  title: safeName(200).optional(),
  status: caseStatus.optional(),
  // No transform here: an absent key must stay absent, or a PATCH of the title would erase the note.
  statusNote: z.string().trim().max(2000, { message: 'must be at most 2000 characters' }).nullable().optional(),
  assignedStaffId: id.nullable().optional(),
  budgetCents: cents.nullable().optional(),
});
/** Links a contact to a case (the second of the three locks), in a role (absent: their contact kind). */
export const linkBody = z.strictObject({ contactId: id, role: z.enum(PARTY_ROLES).optional() });

export const newItemBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('note'), title: safeName(200), body: z.string().max(20000) }),
  z.strictObject({
    kind: z.literal('event'),
    title: safeName(200),
    startsAt: isoDateTime,
    endsAt: isoDateTime
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    location: optionalText(200),
  }),
  z.strictObject({ kind: z.literal('invoice'), title: safeName(200), amountCents: cents, dueOn: isoDate, invoiceNumber: text(40), invoiceStatus: z.enum(INVOICE_STATUSES).default('sent') }),
  z.strictObject({ kind: z.literal('folder'), title: safeName(255), parentId: optionalId }),
]);
/** What the tab sends to create an item (POST /cases/{id}/items). */
export type NewItem = z.input<typeof newItemBody>;
/** The same, as the server reads it once parsed (defaults filled in). */
export type NewItemRequest = z.output<typeof newItemBody>;
export const updateItemBody = z.strictObject({
  title: safeName(255).optional(),
  body: z.string().max(20000).optional(),
  startsAt: isoDateTime.optional(),
  endsAt: isoDateTime.nullable().optional(),
  location: z.string().max(200).nullable().optional(),
  amountCents: cents.optional(),
  dueOn: isoDate.optional(),
  invoiceNumber: text(40).optional(),
  invoiceStatus: z.enum(INVOICE_STATUSES).optional(),
  /** Staff-only: no grant of any scope reaches it (or, for a folder, anything inside it). */
  staffOnly: z.boolean().optional(),
  /** Moves a document or folder into this folder of the same case (null: the case folder's top); in SharePoint first. */
  parentId: id.nullable().optional(),
  /** Privileged: reached by no scope and no folder grant above it, only by an explicit item share staff confirm with a reason. */
  privileged: z.boolean().optional(),
  reason: optionalText(1000),
});
/** What the tab sends to change an item (PATCH /items/{id}). */
export type ItemPatch = z.input<typeof updateItemBody>;

/** PUT /cases/{id}/wall: restricts the case to these staff (the caller among them). DELETE removes the wall. */
export const caseWallBody = z.strictObject({ staffIds: z.array(id).max(500), reason: optionalText(1000) });
export type CaseWallChange = z.input<typeof caseWallBody>;

export const threadBody = z.strictObject({ subject: safeName(200) });
export const replyBody = z.strictObject({ body: text(10000) });

// ---- answers ----

/** A case as staff list it (GET /cases, POST /cases, PATCH /cases/{id}). */
export const caseAnswer = z.object({
  id: z.string(),
  clientId: z.string(),
  number: z.string(),
  title: z.string(),
  status: caseStatus,
  statusNote: nullableText,
  assignedStaffId: nullableText,
  budgetCents: nullableNumber,
  provisioning: z.enum(PROVISIONING_STATES),
  createdAt: z.string(),
  /** Set while the case is closed (POST /cases/{id}/close); guests have lost access, or read only until guestReadUntil. */
  closedAt: nullableText,
  guestReadUntil: nullableText,
  /** Restricted to named staff (an ethical wall): only they see it anywhere. */
  restricted: z.boolean().optional(),
});
export type Case = z.infer<typeof caseAnswer>;

/** GET/PUT/DELETE /cases/{id}/wall: who the case is restricted to (empty: everyone on the staff). */
export const caseWallAnswer = z.strictObject({ caseId: z.string(), restricted: z.boolean(), staffIds: z.array(z.string()) });
export type CaseWall = z.infer<typeof caseWallAnswer>;

/** Where the case's channel and folder stand (src/services/cases-teams.ts caseSetup). */
export const caseSetupAnswer = z.union([z.strictObject({ state: z.literal('ready'), message: z.null() }), z.strictObject({ state: z.enum(['setting-up', 'waiting-for-cases-team', 'failed']), message: z.string() })]);
export type CaseSetup = z.infer<typeof caseSetupAnswer>;

/** GET /cases/{id}: the case with its client, assigned staff, linked contacts and setup. */
export const caseDetailAnswer = caseAnswer.extend({
  client: clientAnswer.nullable(),
  assignedStaff: staffAnswer.nullable(),
  /** Each with their role in this case. */
  linkedContacts: z.array(contactAnswer.extend({ role: z.enum(PARTY_ROLES) })),
  setup: caseSetupAnswer,
  /** Set when the firm's cases teams are nearly full: ask the Teams admin to add CaseRoom to another team. */
  teamsNotice: nullableText,
});
export type CaseDetail = z.infer<typeof caseDetailAnswer>;

/** An item of a case as staff see it: every kind's fields, null where the kind has none. */
export const itemAnswer = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z.enum(ITEM_KINDS),
  parentId: nullableText,
  title: z.string(),
  staffOnly: z.boolean(),
  privileged: z.boolean(),
  sizeBytes: nullableNumber,
  mimeType: nullableText,
  body: nullableText,
  startsAt: nullableText,
  endsAt: nullableText,
  location: nullableText,
  amountCents: nullableNumber,
  dueOn: nullableText,
  invoiceNumber: nullableText,
  invoiceStatus: z.enum(INVOICE_STATUSES).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Item = z.infer<typeof itemAnswer>;

/** DELETE /items/{id}. */
export interface DeletedAnswer {
  deleted: boolean;
}

export const messageAnswer = z.object({ id: z.string(), authorKind: z.enum(MESSAGE_AUTHOR_KINDS), authorName: z.string(), body: z.string(), screen: nullableText, createdAt: z.string() });
export type Message = z.infer<typeof messageAnswer>;
export const threadAnswer = z.object({ id: z.string(), subject: z.string(), startedByContactId: nullableText, createdAt: z.string() });
export type Thread = z.infer<typeof threadAnswer>;
/** GET /cases/{id}/threads: each thread with its messages. */
/** A guest who read a staff message in the portal, and when they first did. */
export const messageSeenAnswer = z.object({ contactId: z.string(), name: z.string(), seenAt: z.string() });
export type MessageSeen = z.infer<typeof messageSeenAnswer>;
export const staffThreadAnswer = threadAnswer.extend({ messages: z.array(messageAnswer.extend({ seenBy: z.array(messageSeenAnswer) })) });
export type StaffThread = z.infer<typeof staffThreadAnswer>;

/** POST /cases/:caseId/documents/:itemId/preview (staff) and /portal/cases/:caseId/documents/:itemId/preview (guests): SharePoint's short-lived preview page of the document, for a frame. */
export const documentPreviewAnswer = z.strictObject({ url: z.string().url() });
export type DocumentPreviewLink = z.infer<typeof documentPreviewAnswer>;
