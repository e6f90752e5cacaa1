/**
 * The tab's only way to the server: HTTP with a bearer token. The shapes below mirror the
 * JSON the API returns (src/services/*); the tab never imports server code.
 */

export const SECTIONS = ['status', 'team', 'budget', 'documents', 'notes', 'events', 'invoices', 'messages'] as const;
export type Section = (typeof SECTIONS)[number];
export type ItemKind = 'document' | 'folder' | 'note' | 'event' | 'invoice';
export type InvitationState = 'none' | 'pending' | 'accepted';
export type ContactKind = 'client' | 'co-counsel' | 'expert' | 'other';
export type CaseStatus = 'open' | 'on_hold' | 'closed';
export type InvoiceStatus = 'draft' | 'sent' | 'paid' | 'void';
export type GrantStateName = 'pending' | 'active' | 'expired' | 'withdrawn';
export type Rights = 'read' | 'upload';

export type GrantScope =
  | { kind: 'item'; caseId: string; itemId: string }
  | { kind: 'case'; caseId: string; view: Section[]; threadIds: string[] }
  | { kind: 'client'; clientId: string; view: Section[]; threadIds: string[] };

export interface Staff { id: string; name: string; email: string; phone: string | null; title: string | null }
export interface Client { id: string; name: string; createdAt: string }
export interface CaseRecord {
  id: string;
  clientId: string;
  number: string;
  title: string;
  status: CaseStatus;
  statusNote: string | null;
  assignedStaffId: string | null;
  budgetCents: number | null;
  provisioning: 'pending' | 'ready' | 'failed';
  createdAt: string;
}
export interface Contact {
  id: string;
  clientId: string | null;
  email: string;
  name: string;
  kind: ContactKind;
  phone: string | null;
  portalAccess: boolean;
  invitation: InvitationState;
  invitedAt: string | null;
  acceptedAt: string | null;
}
/** Where the case's channel and folder stand (the server's src/services/cases-teams.ts caseSetup). */
export interface CaseSetup {
  state: 'ready' | 'setting-up' | 'waiting-for-cases-team' | 'failed';
  message: string | null;
}
export interface CaseDetail extends CaseRecord {
  client: Client | null;
  assignedStaff: Staff | null;
  linkedContacts: Contact[];
  setup?: CaseSetup;
  /** Set when the firm's cases teams are nearly full: ask the Teams admin to add CaseRoom to another team. */
  teamsNotice?: string | null;
}
export interface Item {
  id: string;
  caseId: string;
  kind: ItemKind;
  parentId: string | null;
  title: string;
  staffOnly: boolean;
  sizeBytes: number | null;
  mimeType: string | null;
  body: string | null;
  startsAt: string | null;
  endsAt: string | null;
  location: string | null;
  amountCents: number | null;
  dueOn: string | null;
  invoiceNumber: string | null;
  invoiceStatus: InvoiceStatus | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
export interface SharedWith { contactId: string; name: string; via: 'item' | 'case' | 'client'; state: 'active' | 'pending' }
export interface CaseSharing { items: Item[]; sharedWith: Record<string, SharedWith[]>; contacts: Contact[] }
export interface Grant { id: string; contactId: string; scope: GrantScope; rights: Rights; expiresAt: string | null; createdBy: string; createdAt: string }
export interface AccessEntry {
  grant: Grant;
  contact: Pick<Contact, 'id' | 'name' | 'email' | 'kind' | 'invitation' | 'portalAccess'>;
  state: GrantStateName;
  label: string;
}
export interface PreviewSide {
  cases: Array<{ caseId: string; number: string; title: string }>;
  sections: Array<{ caseId: string; section: Section }>;
  items: Array<{ itemId: string; caseId: string; title: string; kind: string }>;
  upload: string[];
}
export interface GrantPreview { gained: PreviewSide; lost: PreviewSide }
export type LedgerKind = 'retainer_deposit' | 'expense' | 'invoice' | 'payment';
export interface LedgerEntry { id: string; kind: LedgerKind; amountCents: number; description: string; occurredOn: string; invoiceItemId: string | null; createdBy: string }
export interface LedgerSummary {
  budgetCents: number | null;
  depositsCents: number;
  paymentsCents: number;
  invoicedCents: number;
  expensesCents: number;
  retainerBalanceCents: number;
  budgetRemainingCents: number | null;
  /** What the client still owes on sent invoices (see src/domain/ledger.ts). */
  outstandingCents: number;
}
export interface Message { id: string; authorKind: 'staff' | 'guest'; authorName: string; body: string; screen: string | null; createdAt: string }
export interface StaffThread { id: string; subject: string; startedByContactId: string | null; createdAt: string; messages: Message[] }
export interface AuditEntry { seq: number; at: string; actor: string; action: string; target: string; reason: string | null; data: unknown; hash: string; prevHash: string; actorName: string; targetName: string }
export type AuditVerdict = { ok: true; entries: number; headHash: string } | { ok: false; entries: number; brokenAtSeq: number; problem: string };
export interface StaffMe extends Staff { kind: 'staff'; firm: { id: string; name: string } | null }

export type NewItem =
  | { kind: 'note'; title: string; body: string }
  | { kind: 'event'; title: string; startsAt: string; endsAt: string | null; location: string | null }
  | { kind: 'invoice'; title: string; amountCents: number; dueOn: string; invoiceNumber: string; invoiceStatus: InvoiceStatus }
  | { kind: 'folder'; title: string; parentId: string | null };
export type ItemPatch = Partial<Pick<Item, 'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amountCents' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus'>>;

// ---- guest side ----
export interface PortalMe { name: string; email: string; firmName: string; invitation: InvitationState; portalAccess: boolean; disabledSections: Section[] }
export interface PortalCaseSummary { id: string; number: string; title: string; status: string | null; sections: Section[]; canUpload: boolean; via: 'item' | 'case' | 'client' }
export interface GuestItem {
  id: string;
  kind: ItemKind;
  title: string;
  parentId: string | null;
  sizeBytes?: number | null;
  mimeType?: string | null;
  body?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  location?: string | null;
  amountCents?: number | null;
  dueOn?: string | null;
  invoiceNumber?: string | null;
  invoiceStatus?: string | null;
  invoiceState?: InvoiceState;
  paidCents?: number;
  outstandingCents?: number;
  updatedAt: string;
}
export interface GuestThread { id: string; subject: string; messages: Array<{ id: string; from: string; fromFirm: boolean; body: string; at: string }> }
export interface PortalCase {
  case: { id: string; number: string; title: string };
  sections: Section[];
  canUpload: boolean;
  /** Uploads may go to the case folder itself (a case or client grant with upload). */
  uploadAnywhere: boolean;
  /** Folders an upload grant opens ("may upload into this folder"). */
  uploadFolderIds: string[];
  status: { status: string; note: string | null } | null;
  team: { name: string; email: string; phone: string | null; title: string | null } | null;
  currency: string;
  budget: { budgetCents: number | null; retainerBalanceCents: number; outstandingCents: number; budgetRemainingCents: number | null; spentCents: number; lines: GuestLedgerLine[] } | null;
  documents: GuestItem[] | null;
  notes: GuestItem[] | null;
  events: GuestItem[] | null;
  invoices: GuestItem[] | null;
  threads: GuestThread[];
}

/** The API's error shape, `{ error: { code, message, requestId, field? } }`, as a throwable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const FRIENDLY: Record<string, string> = {
  unauthenticated: 'Your sign-in has expired. Sign in again to continue.',
  throttled: 'Microsoft 365 is busy right now. Wait a moment and try again.',
  unavailable: 'The service is briefly unavailable. Try again in a minute.',
  payload_too_large: 'That is too large to upload.',
  unsupported_media_type: 'That type of file is not accepted.',
  internal_error: 'Something went wrong on our side. It has been logged; try again.',
  network: 'Could not reach CaseRoom. Check your connection and try again.',
};

/** One sentence a person can act on. Validation and conflict messages from the API are already plain. */
export function plainMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const friendly = FRIENDLY[err.code];
    if (friendly && err.code !== 'payload_too_large' && err.code !== 'unsupported_media_type') return friendly;
    const text = err.message.charAt(0).toUpperCase() + err.message.slice(1);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; requestId?: string; field?: string } };
    if (body.error?.code) return new ApiError(res.status, body.error.code, body.error.message ?? res.statusText, body.error.requestId ?? null, body.error.field);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, res.status >= 500 ? 'internal_error' : 'http_error', `the server answered ${res.status} ${res.statusText}`, res.headers.get('x-request-id'));
}

export type TokenSource = () => Promise<string>;
export interface UploadProgress { loaded: number; total: number }

export class ApiClient {
  constructor(private readonly token: TokenSource, private readonly base = '/api') {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${await this.token()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(0, 'network', FRIENDLY.network, null);
    }
    if (!res.ok) throw await toApiError(res);
    return (await res.json()) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Fetches a file with the bearer token and returns it as a Blob (for preview and download). */
  async blob(path: string): Promise<Blob> {
    const res = await fetch(`${this.base}${path}`, { headers: { Authorization: `Bearer ${await this.token()}` } });
    if (!res.ok) throw await toApiError(res);
    return res.blob();
  }

  /** Multipart upload through XMLHttpRequest so the caller sees progress per file. */
  async upload<T>(path: string, file: File, fields: Record<string, string>, onProgress: (p: UploadProgress) => void, signal?: AbortSignal): Promise<T> {
    const token = await this.token();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, file.name);
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}${path}`);
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
      xhr.onerror = () => reject(new ApiError(0, 'network', FRIENDLY.network, null));
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'the upload was cancelled', null));
      xhr.onload = () => {
        let parsed: unknown;
        try {
          parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          parsed = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(parsed as T);
          return;
        }
        const e = (parsed as { error?: { code?: string; message?: string; requestId?: string; field?: string } } | null)?.error;
        reject(new ApiError(xhr.status, e?.code ?? 'http_error', e?.message ?? `the server answered ${xhr.status}`, e?.requestId ?? null, e?.field));
      };
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(form);
    });
  }
}

/** The files route's answer: the document items it created (a .zip gives one per extracted file). */
export interface UploadAnswer { files: Array<{ id: string; title: string; parentId: string | null; sizeBytes: number | null }> }

/** Fields sent before the file: its size (so the server can stream it straight through) and the target folder. */
const uploadFields = (file: File, folder: string | null): Record<string, string> => ({ ...(folder ? { folder } : {}), size: String(file.size) });

/** Staff endpoints (/api/...). */
export function staffApi(c: ApiClient) {
  return {
    me: () => c.get<StaffMe>('/me'),
    staff: () => c.get<Staff[]>('/staff'),
    clients: () => c.get<Client[]>('/clients'),
    createClient: (name: string) => c.request<Client>('POST', '/clients', { name }),
    cases: (clientId?: string) => c.get<CaseRecord[]>(`/cases${clientId ? `?clientId=${encodeURIComponent(clientId)}` : ''}`),
    createCase: (body: { clientId: string; number: string; title: string; assignedStaffId?: string | null; budgetCents?: number | null }) => c.request<CaseRecord>('POST', '/cases', body),
    caseDetail: (caseId: string) => c.get<CaseDetail>(`/cases/${caseId}`),
    updateCase: (caseId: string, patch: Partial<Pick<CaseRecord, 'title' | 'status' | 'statusNote' | 'assignedStaffId' | 'budgetCents'>>) => c.request<CaseRecord>('PATCH', `/cases/${caseId}`, patch),
    caseItems: (caseId: string) => c.get<CaseSharing>(`/cases/${caseId}/items`),
    createItem: (caseId: string, item: NewItem) => c.request<Item>('POST', `/cases/${caseId}/items`, item),
    updateItem: (itemId: string, patch: ItemPatch) => c.request<Item>('PATCH', `/items/${itemId}`, patch),
    deleteItem: (itemId: string) => c.request<{ deleted: boolean }>('DELETE', `/items/${itemId}`),
    caseAccess: (caseId: string) => c.get<AccessEntry[]>(`/cases/${caseId}/access`),
    ledger: (caseId: string) => c.get<CaseLedger>(`/cases/${caseId}/ledger`),
    addLedger: (caseId: string, body: { kind: Exclude<LedgerKind, 'invoice'>; amountCents: number; description: string; occurredOn: string; invoiceItemId?: string | null }) => c.request<LedgerEntry>('POST', `/cases/${caseId}/ledger`, body),
    threads: (caseId: string) => c.get<StaffThread[]>(`/cases/${caseId}/threads`),
    createThread: (caseId: string, subject: string) => c.request<StaffThread>('POST', `/cases/${caseId}/threads`, { subject }),
    reply: (threadId: string, body: string) => c.request<Message>('POST', `/threads/${threadId}/messages`, { body }),
    link: (caseId: string, contactId: string) => c.request<{ linked: boolean }>('POST', `/cases/${caseId}/links`, { contactId }),
    unlink: (caseId: string, contactId: string) => c.request<{ linked: boolean; withdrawnGrants: number }>('DELETE', `/cases/${caseId}/links/${contactId}`),
    contacts: () => c.get<Contact[]>('/contacts'),
    contact: (contactId: string) => c.get<Contact & { linkedCaseIds: string[] }>(`/contacts/${contactId}`),
    createContact: (body: { email: string; name: string; kind: ContactKind; phone?: string | null; clientId?: string | null }) => c.request<Contact>('POST', '/contacts', body),
    setPortalAccess: (contactId: string, enabled: boolean, reason: string | null = null) => c.request<Contact>('PUT', `/contacts/${contactId}/portal-access`, { enabled, reason }),
    resendInvitation: (contactId: string) => c.request<Contact>('POST', `/contacts/${contactId}/invitation/resend`, {}),
    contactAccess: (contactId: string) => c.get<AccessEntry[]>(`/contacts/${contactId}/access`),
    firmAccess: () => c.get<AccessEntry[]>('/access'),
    share: (contactIds: string[], itemIds: string[], reason: string | null = null) => c.request<{ grants: number }>('POST', '/shares', { contactIds, itemIds, reason }),
    unshare: (contactIds: string[], itemIds: string[], reason: string | null = null) => c.request<{ removed: number; stillVisible: Array<{ contactId: string; itemId: string }> }>('POST', '/shares/remove', { contactIds, itemIds, reason }),
    grant: (body: { contactId: string; scope: GrantScope; rights: Rights; reason?: string | null }) => c.request<Grant>('POST', '/grants', body),
    previewGrant: (grantId: string, scope: GrantScope, rights: Rights) => c.request<GrantPreview>('POST', `/grants/${grantId}/preview`, { scope, rights }),
    changeGrant: (grantId: string, scope: GrantScope, rights: Rights, reason: string | null = null) => c.request<{ grant: Grant; applied: GrantPreview }>('PUT', `/grants/${grantId}`, { scope, rights, reason }),
    revokeGrant: (grantId: string, reason: string | null = null) => c.request<{ removed: boolean }>('DELETE', `/grants/${grantId}`, { reason }),
    /** Newest first; pass the last entry's seq as `beforeSeq` for the next page. */
    audit: (filters: AuditFilters = {}, beforeSeq: number | null = null, limit = 100) => c.get<AuditEntry[]>(`/audit?${auditParams({ ...filters, ...(beforeSeq ? { beforeSeq: String(beforeSeq) } : {}), limit: String(limit) })}`),
    auditExport: (format: 'csv' | 'json', filters: AuditFilters = {}) => c.blob(`/audit/export?${auditParams({ ...filters, format })}`),
    firmSettings: () => c.get<FirmSettings>('/firm/settings'),
    setFirmSettings: (body: FirmSettings & { reason?: string | null }) => c.request<FirmSettings>('PUT', '/firm/settings', body),
    verifyAudit: () => c.get<AuditVerdict>('/audit/verify'),
    /** `folder` is a path inside the case folder ('Medical records/2026'); a .zip is unpacked there. */
    /** `folderId`: a folder the guest may upload into; null for the case folder. */
    uploadFile: (caseId: string, file: File, folderId: string | null, onProgress: (p: UploadProgress) => void, signal?: AbortSignal) =>
      c.upload<UploadAnswer>(`/cases/${caseId}/files`, file, { ...(folderId ? { folderId } : {}), size: String(file.size) }, onProgress, signal),
  };
}
export type StaffApi = ReturnType<typeof staffApi>;

/** Guest endpoints (/api/portal/...). */
export function portalApi(c: ApiClient) {
  return {
    me: () => c.get<PortalMe>('/portal/me'),
    cases: () => c.get<PortalCaseSummary[]>('/portal/cases'),
    caseView: (caseId: string) => c.get<PortalCase>(`/portal/cases/${caseId}`),
    sendMessage: (caseId: string, body: { body: string; screen: string | null; threadId?: string | null; subject?: string | null }) =>
      c.request<{ threadId: string; messageId: string }>('POST', `/portal/cases/${caseId}/messages`, body),
    documentPath: (caseId: string, itemId: string) => `/portal/cases/${caseId}/documents/${itemId}/content`,
    document: (caseId: string, itemId: string) => c.blob(`/portal/cases/${caseId}/documents/${itemId}/content`),
    uploadFile: (caseId: string, file: File, folder: string | null, onProgress: (p: UploadProgress) => void, signal?: AbortSignal) =>
      c.upload<UploadAnswer>(`/portal/cases/${caseId}/files`, file, uploadFields(file, folder), onProgress, signal),
  };
}
export type PortalApi = ReturnType<typeof portalApi>;

// ---- ledger and audit (issue 14) ----
/** An invoice's standing: a sent invoice with some payment applied is partly paid. */
export type InvoiceState = 'draft' | 'sent' | 'partly_paid' | 'paid' | 'void';
export interface LedgerInvoice extends Item { state: InvoiceState; stateLabel: string; paidCents: number; outstandingCents: number }
export interface CaseLedger { currency: string; entries: LedgerEntry[]; invoices: LedgerInvoice[]; summary: LedgerSummary }
export interface GuestLedgerLine { id: string; kind: 'retainer_deposit' | 'expense' | 'payment'; label: string; description: string; occurredOn: string; amountCents: number }
export interface FirmSettings { currency: string }
export interface AuditFilters { caseId?: string; personId?: string; action?: string; from?: string; to?: string }

/** Query string of the filters that are set; empty ones are left out (the API refuses empty values). */
function auditParams(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => Boolean(e[1]))).toString();
}
