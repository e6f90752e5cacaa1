import type * as api from '../contract';
import type { ContactKind, GrantScope, InvitationState, ItemKind, Rights, Section } from '../domain/model';

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
}

export interface Staff extends api.Staff {
  firmId: string;
  userId: string;
}

export interface Client extends api.Client {
  firmId: string;
}

export type CaseStatus = api.CaseStatus;

export interface CaseRecord extends api.Case {
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

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
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

export const toFirm = (r: Row): Firm => ({
  id: r.id as string,
  tenantId: r.tenant_id as string,
  name: r.name as string,
  disabledSections: (r.disabled_sections as Section[]) ?? [],
  senderMailbox: (r.sender_mailbox as string | null) ?? null,
  digestWindowSeconds: r.digest_window_seconds === undefined || r.digest_window_seconds === null ? 900 : Number(r.digest_window_seconds),
  currency: (r.currency as string | undefined) ?? 'USD',
});

export const toStaff = (r: Row): Staff => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  userId: r.user_id as string,
  name: r.name as string,
  email: r.email as string,
  phone: (r.phone as string | null) ?? null,
  title: (r.title as string | null) ?? null,
});

export const toClient = (r: Row): Client => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  name: r.name as string,
  createdAt: iso(r.created_at) as string,
});

export const toCase = (r: Row): CaseRecord => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  clientId: r.client_id as string,
  number: r.number as string,
  title: r.title as string,
  status: r.status as CaseStatus,
  statusNote: (r.status_note as string | null) ?? null,
  assignedStaffId: (r.assigned_staff_id as string | null) ?? null,
  budgetCents: num(r.budget_cents),
  teamId: (r.team_id as string | null) ?? null,
  channelId: (r.channel_id as string | null) ?? null,
  driveId: (r.drive_id as string | null) ?? null,
  folderItemId: (r.folder_item_id as string | null) ?? null,
  provisioning: r.provisioning as CaseRecord['provisioning'],
  createdAt: iso(r.created_at) as string,
});

export const toContact = (r: Row): ContactRecord => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  clientId: (r.client_id as string | null) ?? null,
  email: r.email as string,
  name: r.name as string,
  kind: r.kind as ContactKind,
  phone: (r.phone as string | null) ?? null,
  portalAccess: r.portal_access as boolean,
  invitation: r.invitation_state as InvitationState,
  guestUserId: (r.guest_user_id as string | null) ?? null,
  invitedAt: iso(r.invited_at),
  acceptedAt: iso(r.accepted_at),
  digestOptOut: r.digest_opt_out === true,
  lastDigestAt: iso(r.last_digest_at),
  lastDigestError: (r.last_digest_error as string | null) ?? null,
});

export const toItem = (r: Row): ItemRecord => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  caseId: r.case_id as string,
  kind: r.kind as ItemKind,
  parentId: (r.parent_id as string | null) ?? null,
  title: r.title as string,
  staffOnly: r.staff_only as boolean,
  driveItemId: (r.drive_item_id as string | null) ?? null,
  sizeBytes: num(r.size_bytes),
  mimeType: (r.mime_type as string | null) ?? null,
  body: (r.body as string | null) ?? null,
  startsAt: iso(r.starts_at),
  endsAt: iso(r.ends_at),
  location: (r.location as string | null) ?? null,
  amountCents: num(r.amount_cents),
  dueOn: dateOnly(r.due_on),
  invoiceNumber: (r.invoice_number as string | null) ?? null,
  invoiceStatus: (r.invoice_status as ItemRecord['invoiceStatus']) ?? null,
  createdBy: r.created_by as string,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

export const toGrant = (r: Row): GrantRecord => {
  const kind = r.scope_kind as GrantScope['kind'];
  const view = ((r.sections as Section[] | null) ?? []).slice();
  const threadIds = ((r.thread_ids as string[] | null) ?? []).slice();
  const scope: GrantScope =
    kind === 'item' ? { kind, caseId: r.case_id as string, itemId: r.item_id as string } : kind === 'case' ? { kind, caseId: r.case_id as string, view, threadIds } : { kind, clientId: r.client_id as string, view, threadIds };
  return {
    id: r.id as string,
    firmId: r.firm_id as string,
    contactId: r.contact_id as string,
    scope,
    rights: r.rights as Rights,
    expiresAt: iso(r.expires_at),
    createdBy: r.created_by as string,
    createdAt: iso(r.created_at) as string,
  };
};

export const toLedgerEntry = (r: Row): LedgerEntry => ({
  id: r.id as string,
  caseId: r.case_id as string,
  kind: r.kind as LedgerKind,
  amountCents: Number(r.amount_cents),
  description: r.description as string,
  occurredOn: dateOnly(r.occurred_on) as string,
  invoiceItemId: (r.invoice_item_id as string | null) ?? null,
  createdBy: r.created_by as string,
  createdAt: iso(r.created_at) as string,
});

export const toThread = (r: Row): MessageThread => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  caseId: r.case_id as string,
  subject: r.subject as string,
  startedByContactId: (r.started_by_contact_id as string | null) ?? null,
  channelConversationId: (r.channel_conversation_id as string | null) ?? null,
  createdAt: iso(r.created_at) as string,
});

export const toMessage = (r: Row): Message => ({
  id: r.id as string,
  threadId: r.thread_id as string,
  authorKind: r.author_kind as Message['authorKind'],
  authorId: r.author_id as string,
  authorName: r.author_name as string,
  body: r.body as string,
  screen: (r.screen as string | null) ?? null,
  createdAt: iso(r.created_at) as string,
});
