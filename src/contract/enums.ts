/**
 * The API's closed sets of words, shared by the server, its domain rules and the tab. Plain
 * constants without zod, so the tab bundle can import them at run time for nothing.
 */

/** Portal sections a case-scope or client-scope view can show. */
export const SECTIONS = ['status', 'team', 'budget', 'documents', 'notes', 'events', 'invoices', 'messages'] as const;
export type Section = (typeof SECTIONS)[number];

export const ITEM_KINDS = ['document', 'folder', 'note', 'event', 'invoice'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const CONTACT_KINDS = ['client', 'co-counsel', 'expert', 'other'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** B2B invitation state as Entra reports it (`externalUserState`), plus "never invited". */
export const INVITATION_STATES = ['none', 'pending', 'accepted'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export const RIGHTS = ['read', 'upload'] as const;
export type Rights = (typeof RIGHTS)[number];

/** The three reaches of a grant: one item, a whole case, or every case of a client. */
export const SCOPE_KINDS = ['item', 'case', 'client'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** Where a grant stands for its guest (see src/domain/access.ts grantState). */
export const GRANT_STATES = ['pending', 'active', 'expired', 'withdrawn'] as const;
export type GrantStateName = (typeof GRANT_STATES)[number];

export const CASE_STATUSES = ['open', 'on_hold', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** What closing a case does to its guests (a firm setting): withdraw at once, or read-only until a date. */
export const CLOSE_CASE_GUEST_ACCESS = ['withdraw', 'read-only-until'] as const;
export type CloseCaseGuestAccess = (typeof CLOSE_CASE_GUEST_ACCESS)[number];
export const MAX_CLOSE_CASE_READ_ONLY_DAYS = 365;

/** Whether the case's channel and folder exist in Microsoft 365 yet. */
export const PROVISIONING_STATES = ['pending', 'ready', 'failed'] as const;
export type Provisioning = (typeof PROVISIONING_STATES)[number];

/** An invoice item's stored status. */
export const INVOICE_STATUSES = ['draft', 'sent', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** The status a person sees: a sent invoice with some payment applied is "partly paid". */
export const INVOICE_STATES = ['draft', 'sent', 'partly_paid', 'paid', 'void'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export const LEDGER_KINDS = ['retainer_deposit', 'expense', 'invoice', 'payment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
/** Ledger lines staff enter by hand; invoices are items (POST /cases/:id/items). */
export const MANUAL_LEDGER_KINDS = ['retainer_deposit', 'expense', 'payment'] as const;
export type ManualLedgerKind = (typeof MANUAL_LEDGER_KINDS)[number];

export const MESSAGE_AUTHOR_KINDS = ['staff', 'guest'] as const;
export type MessageAuthorKind = (typeof MESSAGE_AUTHOR_KINDS)[number];

/** The events staff may switch their Teams notifications on or off for. */
export const NOTIFICATION_EVENTS = ['guest.uploaded', 'guest.message', 'items.shared', 'items.unshared', 'grant.changed', 'grant.expiring', 'invitation.accepted', 'drift.found'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
/** With no preference set, the case's assigned staff member is @mentioned for these (they need a person). */
export const MENTION_ASSIGNED_BY_DEFAULT: readonly NotificationEvent[] = ['guest.uploaded', 'guest.message', 'grant.expiring', 'drift.found'];
/** The events a staff member may ask a Teams activity-feed notice for (a preference's `feed`). */
export const FEED_EVENTS = ['guest.uploaded', 'guest.message'] as const satisfies readonly NotificationEvent[];
export type FeedEvent = (typeof FEED_EVENTS)[number];

/**
 * Why an archive, or one entry of it, is refused. An entry's problem refuses that entry only (the
 * rest of the archive is stored); `corrupt` (unreadable directory), `too_many_entries` and
 * `too_large` refuse the whole archive before anything is written.
 */
export const ARCHIVE_PROBLEMS = ['corrupt', 'zip_slip', 'bad_name', 'duplicate', 'empty', 'too_many_entries', 'too_large', 'ratio', 'encrypted', 'blocked_type', 'symlink'] as const;
export type ArchiveProblem = (typeof ARCHIVE_PROBLEMS)[number];

export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** How often each case's guests are reviewed (a firm setting); 'off' starts no reviews. */
export const ACCESS_REVIEW_SCHEDULES = ['off', 'monthly', 'quarterly'] as const;
export type AccessReviewSchedule = (typeof ACCESS_REVIEW_SCHEDULES)[number];
/** What a reviewer decides for one guest of a case. */
export const ACCESS_REVIEW_DECISIONS = ['keep', 'shorten', 'remove'] as const;
export type AccessReviewDecision = (typeof ACCESS_REVIEW_DECISIONS)[number];

/** A contact's part in one case (stored per case and contact; a contact can be a client in one case and an expert in another). */
export const PARTY_ROLES = ['client', 'co-counsel', 'expert', 'opposing-party', 'opposing-counsel', 'other'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];
/** Roles that make sharing with the contact on that case need a confirmation with a reason. */
export const OPPOSING_ROLES: readonly PartyRole[] = ['opposing-party', 'opposing-counsel'];

/**
 * The live stream's event names (GET /api/live for staff, GET /api/portal/live for guests, a
 * text/event-stream): `ready` once it is open, `change` with a LiveChange (src/contract/live.ts)
 * whenever something the viewer can see may have changed. Comments (": keep-alive") are heartbeats.
 */
export const LIVE_EVENTS = { ready: 'ready', change: 'change' } as const;
