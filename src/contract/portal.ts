import { z } from 'zod';
import { type ArchiveProblem, INVITATION_STATES, INVOICE_STATES, ITEM_KINDS, MANUAL_LEDGER_KINDS, SCOPE_KINDS, SECTIONS } from './enums';
import { optionalId, optionalSafeName, optionalText, text } from './fields';

// ---- requests ----

export const guestMessageBody = z.strictObject({
  body: text(10000),
  screen: optionalText(100),
  threadId: optionalId,
  subject: optionalSafeName(200),
});
/** What the tab sends with a guest's message (POST /portal/cases/{id}/messages). */
export type GuestMessage = z.input<typeof guestMessageBody>;

// ---- answers ----
// Strict objects: a guest's answers must never carry a field the contract does not name
// (who created an item, drive ids, staff-only flags), and the contract test parses them so.

const sectionList = z.array(z.enum(SECTIONS));

/** GET /portal/me: the guest's own status, answered even before the invitation is accepted. */
export const portalMeAnswer = z.strictObject({ name: z.string(), email: z.string(), firmName: z.string(), invitation: z.enum(INVITATION_STATES), portalAccess: z.boolean(), disabledSections: sectionList });
export type PortalMe = z.infer<typeof portalMeAnswer>;

/** GET /portal/cases: "my cases", with what the guest may see and do in each. */
export const portalCaseSummaryAnswer = z.strictObject({
  id: z.string(),
  number: z.string(),
  title: z.string(),
  /** The status in words ("On hold"), or null when the status section is not shown. */
  status: z.string().nullable(),
  sections: sectionList,
  canUpload: z.boolean(),
  via: z.enum(SCOPE_KINDS),
  /** The firm closed the case: the guest may still read it until then (no uploads, no messages). Null while open. */
  closedReadOnlyUntil: z.string().nullable(),
});
export type PortalCaseSummary = z.infer<typeof portalCaseSummaryAnswer>;

/** What a guest receives for an item: only the fields of its kind, never who created it or drive ids. */
export const guestItemAnswer = z.strictObject({
  id: z.string(),
  kind: z.enum(ITEM_KINDS),
  title: z.string(),
  parentId: z.string().nullable(),
  sizeBytes: z.number().nullable().optional(),
  mimeType: z.string().nullable().optional(),
  body: z.string().nullable().optional(),
  startsAt: z.string().nullable().optional(),
  endsAt: z.string().nullable().optional(),
  location: z.string().nullable().optional(),
  amountCents: z.number().nullable().optional(),
  dueOn: z.string().nullable().optional(),
  invoiceNumber: z.string().nullable().optional(),
  /** For invoices, in words: "Awaiting payment", "Partly paid", "Paid", "Void". */
  invoiceStatus: z.string().nullable().optional(),
  invoiceState: z.enum(INVOICE_STATES).optional(),
  paidCents: z.number().optional(),
  outstandingCents: z.number().optional(),
  updatedAt: z.string(),
  /** Documents: this guest has not opened it since it was shared with them or last changed (the portal's "New" marker). */
  isNew: z.boolean().optional(),
});
export type GuestItem = z.infer<typeof guestItemAnswer>;

/** A thread the guest may read; `from` is "you" for their own messages. */
export const guestThreadAnswer = z.strictObject({
  id: z.string(),
  subject: z.string(),
  messages: z.array(z.strictObject({ id: z.string(), from: z.string(), fromFirm: z.boolean(), body: z.string(), at: z.string() })),
});
export type GuestThread = z.infer<typeof guestThreadAnswer>;

/** A ledger line a guest may see (the budget section): never who entered it. */
export const guestLedgerLineAnswer = z.strictObject({ id: z.string(), kind: z.enum(MANUAL_LEDGER_KINDS), label: z.string(), description: z.string(), occurredOn: z.string(), amountCents: z.number() });
export type GuestLedgerLine = z.infer<typeof guestLedgerLineAnswer>;

const guestItems = z.array(guestItemAnswer).nullable();

/** GET /portal/cases/{id}: one case as the guest may see it; a section not shown is null. */
export const portalCaseAnswer = z.strictObject({
  case: z.strictObject({ id: z.string(), number: z.string(), title: z.string() }),
  sections: sectionList,
  canUpload: z.boolean(),
  /** Uploads may go to the case folder itself (a case or client grant with upload). */
  uploadAnywhere: z.boolean(),
  /** Folders an upload grant opens ("may upload into this folder"). */
  uploadFolderIds: z.array(z.string()),
  /** The firm closed the case: readable until then, no uploads, no messages. Null while open. */
  closedReadOnlyUntil: z.string().nullable(),
  status: z.strictObject({ status: z.string(), note: z.string().nullable() }).nullable(),
  team: z.strictObject({ name: z.string(), email: z.string(), phone: z.string().nullable(), title: z.string().nullable() }).nullable(),
  currency: z.string(),
  budget: z
    .strictObject({
      budgetCents: z.number().nullable(),
      retainerBalanceCents: z.number(),
      outstandingCents: z.number(),
      budgetRemainingCents: z.number().nullable(),
      spentCents: z.number(),
      lines: z.array(guestLedgerLineAnswer),
    })
    .nullable(),
  /** The case's document list: folders and documents the guest may see. */
  documents: guestItems,
  notes: guestItems,
  events: guestItems,
  invoices: guestItems,
  threads: z.array(guestThreadAnswer),
});
export type PortalCase = z.infer<typeof portalCaseAnswer>;

/** POST /portal/cases/{id}/messages. */
export interface GuestMessageAnswer {
  threadId: string;
  messageId: string;
}

/** A file of an uploaded archive that was left out; `path` is its path in the archive, invisible characters shown as <U+202E>. */
export interface ArchiveEntryNote {
  /** The archive's file name as uploaded. */
  archive: string;
  path: string;
  reason: string;
}
/** An entry refused (not stored) while the rest of its archive was. */
export interface RefusedArchiveEntry extends ArchiveEntryNote {
  problem: ArchiveProblem;
}

/**
 * The files routes' answer: the document items created (a .zip gives one per extracted file). A
 * guest's upload is accepted once its bytes are stored safely and written to SharePoint in the
 * background: `files` is then empty and `batch` says how far each file got (GET
 * /api/portal/uploads/{batch.id} follows it).
 */
export interface UploadAnswer {
  files: Array<{ id: string; title: string; parentId: string | null; sizeBytes: number | null }>;
  /** Operating-system clutter left out of archives on purpose (__MACOSX, ._ files, .DS_Store, Thumbs.db, desktop.ini). */
  skipped: ArchiveEntryNote[];
  /** Archive entries refused, each with its reason; the request's other files were stored. */
  refused: RefusedArchiveEntry[];
  batch?: UploadBatchStatus;
}

/** pending: stored safely by CaseRoom, not yet in SharePoint; in: in the case's files; refused: not added, with the reason. */
export type UploadFileState = 'pending' | 'in' | 'refused';

export interface UploadBatchFile {
  /** Path under the folder it was sent to ('Medical/scan.pdf'); SharePoint may add " 1" to a name already taken. */
  path: string;
  sizeBytes: number;
  state: UploadFileState;
  reason: string | null;
  /** The document, once the whole batch is in (its channel card goes out then). */
  itemId: string | null;
}

/** GET /api/portal/uploads/{id}: a guest's upload batch, file by file. `done` once no file is pending. */
export interface UploadBatchStatus {
  id: string;
  caseId: string;
  state: 'pending' | 'done';
  files: UploadBatchFile[];
  skipped: ArchiveEntryNote[];
  refused: RefusedArchiveEntry[];
}
