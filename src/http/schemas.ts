import { z } from 'zod';
import { CONTACT_KINDS, RIGHTS, SECTIONS } from '../domain/model';

/** Request shapes. Strict objects: an unknown field is a mistake worth telling the caller about. */
const id = z.uuid({ message: 'must be an id' });
const text = (max: number) => z.string().trim().min(1, { message: 'must not be empty' }).max(max, { message: `must be at most ${max} characters` });
const optionalText = (max: number) => z.string().trim().max(max, { message: `must be at most ${max} characters` }).nullable().optional().transform((v) => (v ? v : null));
const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO date-time with a time zone' });
const isoDate = z.iso.date({ message: 'must be a date (YYYY-MM-DD)' });
const cents = z.number().int({ message: 'must be a whole number of cents' }).min(0).max(1e13);
const reason = optionalText(1000);

export const idParam = id;

export const createClientBody = z.strictObject({ name: text(200) });

export const caseStatus = z.enum(['open', 'on_hold', 'closed']);
export const createCaseBody = z.strictObject({
  clientId: id,
  number: text(40).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'letters, digits and . _ / - only' }),
  title: text(200),
  assignedStaffId: id.nullable().optional().transform((v) => v ?? null),
  budgetCents: cents.nullable().optional().transform((v) => v ?? null),
  status: caseStatus.optional(),
});
export const updateCaseBody = z.strictObject({
  title: text(200).optional(),
  status: caseStatus.optional(),
  // No transform here: an absent key must stay absent, or a PATCH of the title would erase the note.
  statusNote: z.string().trim().max(2000, { message: 'must be at most 2000 characters' }).nullable().optional(),
  assignedStaffId: id.nullable().optional(),
  budgetCents: cents.nullable().optional(),
});

export const createContactBody = z.strictObject({
  email: z.email({ message: 'must be an email address' }).max(254),
  name: text(200),
  kind: z.enum(CONTACT_KINDS),
  phone: optionalText(40),
  clientId: id.nullable().optional().transform((v) => v ?? null),
});
export const updateContactBody = z.strictObject({
  name: text(200).optional(),
  kind: z.enum(CONTACT_KINDS).optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  clientId: id.nullable().optional(),
});
/** A guest's e-mail digest opt-out (PUT /contacts/{id}/digest). */
export const digestOptOutBody = z.strictObject({ optOut: z.boolean(), reason });
/** The firm's digest mail settings (PUT /firm/mail): the sending mailbox and the window between two digests. */
export const firmMailBody = z.strictObject({
  senderMailbox: z.email({ message: 'must be an email address' }).max(254).nullable().optional(),
  digestWindowSeconds: z.number().int({ message: 'must be whole seconds' }).min(1).max(86400).optional(),
  reason,
});
export const portalAccessBody = z.strictObject({ enabled: z.boolean(), reason });
export const linkBody = z.strictObject({ contactId: id });

const sections = z.array(z.enum(SECTIONS)).max(SECTIONS.length).refine((s) => new Set(s).size === s.length, { message: 'must not repeat a section' });
const threadIds = z.array(id).max(200).default([]);
export const grantScope = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('item'), caseId: id, itemId: id }),
  z.strictObject({ kind: z.literal('case'), caseId: id, view: sections, threadIds }),
  z.strictObject({ kind: z.literal('client'), clientId: id, view: sections, threadIds }),
]);
export const grantBody = z.strictObject({
  contactId: id,
  scope: grantScope,
  rights: z.enum(RIGHTS).default('read'),
  expiresAt: isoDateTime.nullable().optional().transform((v) => v ?? null),
  reason,
});
export const changeGrantBody = z.strictObject({ scope: grantScope, rights: z.enum(RIGHTS).default('read'), reason });
export const extendGrantBody = z.strictObject({ expiresAt: isoDateTime.nullable(), reason });
export const revokeBody = z.strictObject({ reason }).optional().default({ reason: null });

export const shareItemsBody = z.strictObject({
  contactIds: z.array(id).min(1).max(50),
  itemIds: z.array(id).min(1).max(500),
  expiresAt: isoDateTime.nullable().optional().transform((v) => v ?? null),
  reason,
});
export const unshareItemsBody = z.strictObject({ contactIds: z.array(id).min(1).max(50), itemIds: z.array(id).min(1).max(500), reason });

export const newItemBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('note'), title: text(200), body: z.string().max(20000) }),
  z.strictObject({ kind: z.literal('event'), title: text(200), startsAt: isoDateTime, endsAt: isoDateTime.nullable().optional().transform((v) => v ?? null), location: optionalText(200) }),
  z.strictObject({ kind: z.literal('invoice'), title: text(200), amountCents: cents, dueOn: isoDate, invoiceNumber: text(40), invoiceStatus: z.enum(['draft', 'sent', 'paid', 'void']).default('sent') }),
  z.strictObject({ kind: z.literal('folder'), title: text(255), parentId: id.nullable().optional().transform((v) => v ?? null) }),
]);
export const updateItemBody = z.strictObject({
  title: text(255).optional(),
  body: z.string().max(20000).optional(),
  startsAt: isoDateTime.optional(),
  endsAt: isoDateTime.nullable().optional(),
  location: z.string().max(200).nullable().optional(),
  amountCents: cents.optional(),
  dueOn: isoDate.optional(),
  invoiceNumber: text(40).optional(),
  invoiceStatus: z.enum(['draft', 'sent', 'paid', 'void']).optional(),
  /** Staff-only: no grant of any scope reaches it (or, for a folder, anything inside it). */
  staffOnly: z.boolean().optional(),
  reason,
});

export const ledgerBody = z.strictObject({
  // Invoices are items (POST /cases/:id/items); the ledger records money moving.
  kind: z.enum(['retainer_deposit', 'expense', 'payment']),
  amountCents: cents.refine((v) => v > 0, { message: 'must be more than zero' }),
  description: text(500),
  occurredOn: isoDate,
  invoiceItemId: id.nullable().optional().transform((v) => v ?? null),
});

export const threadBody = z.strictObject({ subject: text(200) });
export const replyBody = z.strictObject({ body: text(10000) });
export const policyBody = z.strictObject({ disabledSections: sections, reason });
export const notificationPrefBody = z.strictObject({ caseId: id.nullable().default(null), event: z.enum(['guest.uploaded', 'guest.message', 'items.shared', 'items.unshared', 'grant.changed', 'grant.expiring', 'invitation.accepted', 'drift.found']), enabled: z.boolean(), mention: z.boolean().default(false) });

export const guestMessageBody = z.strictObject({
  body: text(10000),
  screen: optionalText(100),
  threadId: id.nullable().optional().transform((v) => v ?? null),
  subject: optionalText(200),
});
export const uploadMetadataBody = z.strictObject({
  files: z
    .array(z.strictObject({ name: z.string().max(400), sizeBytes: z.number().int().min(1, { message: 'empty files are not accepted' }).max(250 * 1024 * 1024 * 1024), mimeType: z.string().max(200).nullable().optional().transform((v) => v ?? null), parentId: id.nullable().optional().transform((v) => v ?? null) }))
    .min(1)
    .max(1000),
});

const seqNumber = z.string().regex(/^\d{1,9}$/, { message: 'must be a whole number' }).transform(Number);
/** Filters shared by the audit page and its export. Dates are whole days in UTC, both ends included. */
const auditFilters = {
  caseId: id.optional(),
  personId: id.optional(),
  action: z.string().max(60).regex(/^[a-z][a-z_.-]*$/, { message: 'letters, dots, dashes and underscores only' }).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
};
const datesInOrder = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
/** Strict: an unknown or repeated parameter is refused (a repeated one arrives as an array, not a string). */
export const auditQuery = z
  .strictObject({
    ...auditFilters,
    afterSeq: seqNumber.optional(),
    beforeSeq: seqNumber.optional(),
    limit: z.string().regex(/^\d{1,7}$/, { message: 'must be a whole number' }).transform(Number).pipe(z.number().int().min(1).max(1000)).default(200),
    target: z.string().max(100).optional(),
  })
  .refine(datesInOrder, { message: 'must not be before from', path: ['to'] });
export const auditExportQuery = z.strictObject({ ...auditFilters, format: z.enum(['csv', 'json']) }).refine(datesInOrder, { message: 'must not be before from', path: ['to'] });
export const firmSettingsBody = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' }).refine((c) => Intl.supportedValuesOf('currency').includes(c), { message: 'is not a currency' }),
  reason,
});
