import type * as api from '../contract';
import { DEFAULT_EXPIRY_REMINDER_DAYS } from '../contract';
import type { GrantScope, InvitationState, Section } from '../domain/model';
import type { NamedAdmin, StaffRole } from '../domain/setup';
import { isoOrNull } from './timestamps';

/**
 * What the store hands to services: camelCase records with ISO date strings. A record the API
 * returns extends the contract's answer with the server-only fields, so the row mapping below
 * is checked against the contract: rename a field there, and this file stops compiling.
 */

export interface Firm {
  id: string;
  tenantId: string;
  name: string;
  disabledSections: Section[];
  /** The mailbox guests' digests are sent from; null: the MAIL_SENDER setting. */
  senderMailbox: string | null;
  /** At most one digest per guest per this many seconds. */
  digestWindowSeconds: number;
  /** ISO 4217 code the firm bills in. */
  currency: string;
  /** Days before a grant's expiry that a reminder is due (largest first); empty: none. */
  expiryReminderDays: number[];
  /** How often each case's guests are reviewed. */
  accessReviewSchedule: api.AccessReviewSchedule;
  /** E-mail domains never shared with, and those sharing with needs a confirmation for (lower-case). */
  blockedDomains: string[];
  warnedDomains: string[];
  /** What closing a case does to its guests, and for how many days read-only lasts. */
  closeCaseGuestAccess: api.CloseCaseGuestAccess;
  closeCaseReadOnlyDays: number;
  /** First-run set-up: when it was completed (null: not set up) and by whom (a user id). */
  setupCompletedAt: string | null;
  setupCompletedBy: string | null;
  /** The Entra security group whose members are staff. */
  staffGroupId: string | null;
  staffGroupName: string | null;
  /** The CaseRoom admins set-up named. */
  admins: NamedAdmin[];
  /** What a new case-wide grant starts with (null: every section) and how many days new grants last (null: no expiry). */
  guestDefaultSections: Section[] | null;
  guestDefaultExpiryDays: number | null;
}

export interface Staff extends api.Staff {
  firmId: string;
  userId: string;
  role: StaffRole;
}

export interface Client extends api.Client {
  firmId: string;
}

export type CaseStatus = api.CaseStatus;

export interface CaseRecord extends Omit<api.Case, 'restricted'> {
  firmId: string;
  teamId: string | null;
  channelId: string | null;
  driveId: string | null;
  folderItemId: string | null;
}

export interface ContactRecord extends api.Contact {
  firmId: string;
  guestUserId: string | null;
  /** The guest asked not to be e-mailed. */
  digestOptOut: boolean;
  lastDigestAt: string | null;
  /** Why the last digest could not be sent (cleared by the next one that is); for staff. */
  lastDigestError: string | null;
  /** The language staff chose for this contact's e-mail (BCP 47), or null. */
  language: string | null;
  /** The locale the guest's portal last reported (Accept-Language), or null. */
  portalLocale: string | null;
}

export interface ItemRecord extends api.Item {
  firmId: string;
  driveItemId: string | null;
}

export interface GrantRecord extends api.Grant {
  firmId: string;
}

export type LedgerKind = api.LedgerKind;

export interface LedgerEntry extends api.LedgerEntry {
  caseId: string;
  createdAt: string;
}

export interface MessageThread extends api.Thread {
  firmId: string;
  caseId: string;
  channelConversationId: string | null;
}

export interface Message extends api.Message {
  threadId: string;
  authorId: string;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const dateOnly = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // A DATE arrives as local midnight; format it back in local time so the day never shifts.
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
  }
  return String(v).slice(0, 10);
};

/**
 * How a field is read from its column (named by the field in snake_case): as it arrives (`value`),
 * or converted; a `?` kind turns a missing value into null. A function reads what a column kind cannot.
 */
type ColumnKind<V> = null extends V
  ? 'value?' | (string | null extends V ? 'timestamp?' | 'date?' : never) | (number | null extends V ? 'number?' : never)
  : 'value' | (string extends V ? 'timestamp' | 'date' : never) | (number extends V ? 'number' : never) | (boolean extends V ? 'flag' : never);
type ColumnSpec<T> = { [K in keyof T]-?: ColumnKind<T[K]> | ((r: Row) => T[K]) };

const readColumn = {
  value: (v: unknown) => v,
  'value?': (v: unknown) => v ?? null,
  timestamp: isoOrNull,
  'timestamp?': isoOrNull,
  number: (v: unknown) => Number(v),
  'number?': num,
  date: dateOnly,
  'date?': dateOnly,
  flag: (v: unknown) => v === true,
};
type ColumnName = keyof typeof readColumn;

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One mapper from a row to a record; fields come out in the spec's order (answers are compared as JSON). */
const rowMapper = <T>(spec: ColumnSpec<T>): ((r: Row) => T) => {
  const fields = Object.entries(spec as Record<string, ColumnName | ((r: Row) => unknown)>).map(([field, read]) => {
    if (typeof read === 'function') return { field, read };
    const column = snakeCase(field);
    const convert = readColumn[read];
    return { field, read: (r: Row) => convert(r[column]) };
  });
  return (r) => {
    const record: Record<string, unknown> = {};
    for (const { field, read } of fields) record[field] = read(r);
    return record as T;
  };
};

export const toFirm = rowMapper<Firm>({
  id: 'value',
  tenantId: 'value',
  name: 'value',
  disabledSections: (r) => (r.disabled_sections as Section[]) ?? [],
  senderMailbox: 'value?',
  digestWindowSeconds: (r) => (r.digest_window_seconds === undefined || r.digest_window_seconds === null ? 900 : Number(r.digest_window_seconds)),
  currency: (r) => (r.currency as string | undefined) ?? 'USD',
  expiryReminderDays: (r) => (Array.isArray(r.expiry_reminder_days) ? (r.expiry_reminder_days as unknown[]).map(Number) : [...DEFAULT_EXPIRY_REMINDER_DAYS]),
  accessReviewSchedule: (r) => (r.access_review_schedule as api.AccessReviewSchedule | undefined) ?? 'off',
  blockedDomains: (r) => (r.blocked_domains as string[] | undefined) ?? [],
  warnedDomains: (r) => (r.warned_domains as string[] | undefined) ?? [],
  closeCaseGuestAccess: (r) => (r.close_case_guest_access as api.CloseCaseGuestAccess | undefined) ?? 'withdraw',
  closeCaseReadOnlyDays: (r) => Number(r.close_case_read_only_days ?? 30),
  setupCompletedAt: 'timestamp?',
  setupCompletedBy: 'value?',
  staffGroupId: 'value?',
  staffGroupName: 'value?',
  admins: (r) => (Array.isArray(r.admins) ? (r.admins as NamedAdmin[]) : []),
  guestDefaultSections: (r) => (Array.isArray(r.guest_default_sections) ? (r.guest_default_sections as Section[]) : null),
  guestDefaultExpiryDays: 'number?',
});

export const toStaff = rowMapper<Staff>({ id: 'value', firmId: 'value', userId: 'value', name: 'value', email: 'value', phone: 'value?', title: 'value?', role: (r) => (r.role === 'admin' ? 'admin' : 'staff') });

export const toClient = rowMapper<Client>({ id: 'value', firmId: 'value', name: 'value', createdAt: 'timestamp' });

export const toCase = rowMapper<CaseRecord>({
  id: 'value',
  firmId: 'value',
  clientId: 'value',
  number: 'value',
  title: 'value',
  status: 'value',
  statusNote: 'value?',
  assignedStaffId: 'value?',
  budgetCents: 'number?',
  teamId: 'value?',
  channelId: 'value?',
  driveId: 'value?',
  folderItemId: 'value?',
  provisioning: 'value',
  createdAt: 'timestamp',
  closedAt: 'timestamp?',
  guestReadUntil: 'timestamp?',
});

export const toContact = rowMapper<ContactRecord>({
  id: 'value',
  firmId: 'value',
  clientId: 'value?',
  email: 'value',
  name: 'value',
  kind: 'value',
  phone: 'value?',
  portalAccess: 'value',
  invitation: (r) => r.invitation_state as InvitationState,
  guestUserId: 'value?',
  invitedAt: 'timestamp?',
  acceptedAt: 'timestamp?',
  digestOptOut: 'flag',
  lastDigestAt: 'timestamp?',
  lastDigestError: 'value?',
  language: 'value?',
  portalLocale: 'value?',
});

export const toItem = rowMapper<ItemRecord>({
  id: 'value',
  firmId: 'value',
  caseId: 'value',
  kind: 'value',
  parentId: 'value?',
  title: 'value',
  staffOnly: 'value',
  privileged: 'flag',
  driveItemId: 'value?',
  sizeBytes: 'number?',
  mimeType: 'value?',
  body: 'value?',
  startsAt: 'timestamp?',
  endsAt: 'timestamp?',
  location: 'value?',
  amountCents: 'number?',
  dueOn: 'date?',
  invoiceNumber: 'value?',
  invoiceStatus: 'value?',
  createdBy: 'value',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
});

const grantScope = (r: Row): GrantScope => {
  const kind = r.scope_kind as GrantScope['kind'];
  const view = ((r.sections as Section[] | null) ?? []).slice();
  const threadIds = ((r.thread_ids as string[] | null) ?? []).slice();
  return kind === 'item' ? { kind, caseId: r.case_id as string, itemId: r.item_id as string } : kind === 'case' ? { kind, caseId: r.case_id as string, view, threadIds } : { kind, clientId: r.client_id as string, view, threadIds };
};

export const toGrant = rowMapper<GrantRecord>({ id: 'value', firmId: 'value', contactId: 'value', scope: grantScope, rights: 'value', expiresAt: 'timestamp?', privilegeConfirmed: 'flag', createdBy: 'value', createdAt: 'timestamp' });

export const toLedgerEntry = rowMapper<LedgerEntry>({
  id: 'value',
  caseId: 'value',
  kind: 'value',
  amountCents: 'number',
  description: 'value',
  occurredOn: 'date',
  invoiceItemId: 'value?',
  createdBy: 'value',
  createdAt: 'timestamp',
});

export const toThread = rowMapper<MessageThread>({ id: 'value', firmId: 'value', caseId: 'value', subject: 'value', startedByContactId: 'value?', channelConversationId: 'value?', createdAt: 'timestamp' });

export const toMessage = rowMapper<Message>({ id: 'value', threadId: 'value', authorKind: 'value', authorId: 'value', authorName: 'value', body: 'value', screen: 'value?', createdAt: 'timestamp' });
