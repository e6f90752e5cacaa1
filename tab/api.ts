/**
 * The tab's only way to the server: HTTP with a bearer token. Every request and answer shape is
 * the server's own API contract (src/contract), imported as types only so zod stays out of the
 * bundle; the enums come from src/contract/enums, which holds plain constants.
 */
import { currentStrings } from './strings';
import type {
  AccessEntry,
  AccessRepairQueued,
  SharePointAccessOfCase,
  AuditEntry,
  AuditFilters,
  AuditVerdict,
  Case,
  CaseClosedAnswer,
  CaseClosePreview,
  CaseDetail,
  CaseLedger,
  CaseReopenedAnswer,
  CaseReopenPreview,
  CaseSharing,
  CaseWall,
  ChangedGrantAnswer,
  Client,
  Confirmation,
  ConfirmationRequired,
  DocumentPreviewLink,
  DomainPolicy,
  PartyRole,
  PartyRoleAnswer,
  PolicyRefusal,
  Contact,
  ContactDetail,
  ContactKind,
  DeletedAnswer,
  FirmSettings,
  FirmSettingsChange,
  FirmPolicy,
  FirmView,
  FirmViewChange,
  FirmViewDeleted,
  FirmViewInput,
  GrantPreview,
  Grant,
  GrantScope,
  GuestMessage,
  GuestMessageAnswer,
  Item,
  ItemPatch,
  LedgerEntry,
  LinkedAnswer,
  Message,
  NewItem,
  NewLedgerEntry,
  NotificationPrefChange,
  NotificationPreference,
  PortalCase,
  PortalCaseSummary,
  PortalMe,
  RevokedAnswer,
  Rights,
  SharedAnswer,
  Staff,
  StaffMe,
  StaffThread,
  SetupStatus,
  SetupBody,
  SetupGroup,
  MailboxCheck,
  Thread,
  UnlinkedAnswer,
  UnsharedAnswer,
  UploadAnswer,
  UploadBatchStatus,
} from '../src/contract';

export { FEED_EVENTS, LIVE_EVENTS, MENTION_ASSIGNED_BY_DEFAULT, NOTIFICATION_EVENTS, PARTY_ROLES, SECTIONS } from '../src/contract/enums';
export type {
  AccessEntry,
  AuditEntry,
  AuditFilters,
  AuditVerdict,
  CaseClosePreview,
  CaseReopenPreview,
  ClosureGuestChange,
  CaseDetail,
  CaseLedger,
  CaseSetup,
  CaseSharing,
  CaseWall,
  CaseStatus,
  Client,
  Confirmation,
  ConfirmationRequired,
  Contact,
  ContactKind,
  DomainPolicy,
  FeedEvent,
  FirmSettings,
  FirmPolicy,
  FirmView,
  GuardrailReason,
  PartyRole,
  ScopeChangePreview,
  WithheldItem,
  Grant,
  GrantPreview,
  GrantScope,
  GrantStateName,
  GuestItem,
  GuestLedgerLine,
  GuestThread,
  InvitationState,
  InvoiceState,
  InvoiceStatus,
  Item,
  ItemKind,
  ItemPatch,
  LedgerEntry,
  LedgerInvoice,
  LedgerKind,
  LedgerSummary,
  LiveChange,
  Message,
  NewItem,
  NotificationEvent,
  NotificationPrefChange,
  NotificationPreference,
  PortalCase,
  PortalCaseSummary,
  PortalMe,
  PreviewSide,
  Rights,
  Section,
  SharedWith,
  Staff,
  StaffMe,
  StaffThread,
  SetupStatus,
  SetupBody,
  SetupGroup,
  MailboxCheck,
  UploadAnswer,
  UploadBatchStatus,
} from '../src/contract';
/** The tab's name for a case as staff list it (the contract's `Case`). */
export type CaseRecord = Case;

/** The API's error shape, `{ error: { code, message, requestId, field? } }`, as a throwable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly field?: string,
    /** Set on a 409 `confirmation_required`: what the person must acknowledge (with a reason) to go ahead. */
    readonly confirmationRequired?: ConfirmationRequired,
    /** Set on a 403 `refused_by_policy`: why the firm's policy refuses it (it cannot be confirmed). */
    readonly refused?: PolicyRefusal,
    /** Set on a 403 `not_set_up` / `not_staff`: whether this person may open set-up. */
    readonly canSetUp?: boolean,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const friendly = (code: string): string | undefined => currentStrings().shell.apiError[code];

/** One sentence a person can act on. Validation and conflict messages from the API are already plain. */
export function plainMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const words = friendly(err.code);
    if (words && err.code !== 'payload_too_large' && err.code !== 'unsupported_media_type') return words;
    const text = err.message.charAt(0).toUpperCase() + err.message.slice(1);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  }
  if (err instanceof Error) return err.message;
  return currentStrings().shell.somethingWrong;
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; requestId?: string; field?: string; confirmationRequired?: ConfirmationRequired; refused?: PolicyRefusal; canSetUp?: boolean } };
    const e = body.error;
    if (e?.code) return new ApiError(res.status, e.code, e.message ?? res.statusText, e.requestId ?? null, e.field, e.confirmationRequired, e.refused, e.canSetUp === true);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, res.status >= 500 ? 'internal_error' : 'http_error', `the server answered ${res.status} ${res.statusText}`, res.headers.get('x-request-id'));
}

export type TokenSource = () => Promise<string>;
export interface UploadProgress {
  loaded: number;
  total: number;
}

export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '/api',
  ) {}

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
      throw new ApiError(0, 'network', friendly('network') ?? 'network', null);
    }
    if (!res.ok) throw await toApiError(res);
    return (await res.json()) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /**
   * Opens a text/event-stream (live pages) with the bearer token in the Authorization header, as
   * every call sends it: EventSource cannot send headers, and a token must never be in a URL.
   * The caller reads the body and aborts through `signal`.
   */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: { Authorization: `Bearer ${await this.token()}`, Accept: 'text/event-stream' }, cache: 'no-store', signal });
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
      xhr.onerror = () => reject(new ApiError(0, 'network', friendly('network') ?? 'network', null));
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

/** Fields sent before the file: its size (so the server can stream it straight through) and the target folder. */
const uploadFields = (file: File, folder: string | null): Record<string, string> => ({ ...(folder ? { folder } : {}), size: String(file.size) });

/** A page of GET /cases: bounded answers (a busy firm's whole list was ~100 KB a call, bench/PROFILE.md). */
const CASE_PAGE = 100;

/** Every case the reader may see, fetched a page at a time; a page shorter than asked is the last. */
async function allCasePages(c: ApiClient, clientId?: string): Promise<Case[]> {
  const cases: Case[] = [];
  for (;;) {
    const query = new URLSearchParams({ limit: String(CASE_PAGE), ...(clientId ? { clientId } : {}), ...(cases.length ? { after: cases[cases.length - 1].number } : {}) });
    const page = await c.get<Case[]>(`/cases?${query.toString()}`);
    cases.push(...page);
    if (page.length < CASE_PAGE) return cases;
  }
}

/** Staff endpoints (/api/...). */
export function staffApi(c: ApiClient) {
  return {
    me: () => c.get<StaffMe>('/me'),
    setupStatus: () => c.get<SetupStatus>('/setup'),
    saveSetup: (body: SetupBody) => c.request<SetupStatus>('PUT', '/setup', body),
    searchGroups: (search: string) => c.get<SetupGroup[]>(`/setup/groups?search=${encodeURIComponent(search)}`),
    checkMailbox: (address: string) => c.request<MailboxCheck>('POST', '/setup/mailbox-check', { address }),
    staff: () => c.get<Staff[]>('/staff'),
    clients: () => c.get<Client[]>('/clients'),
    createClient: (name: string) => c.request<Client>('POST', '/clients', { name }),
    cases: (clientId?: string) => allCasePages(c, clientId),
    createCase: (body: { clientId: string; number: string; title: string; assignedStaffId?: string | null; budgetCents?: number | null }) => c.request<Case>('POST', '/cases', body),
    caseDetail: (caseId: string) => c.get<CaseDetail>(`/cases/${caseId}`),
    updateCase: (caseId: string, patch: Partial<Pick<Case, 'title' | 'status' | 'statusNote' | 'assignedStaffId' | 'budgetCents'>>) => c.request<Case>('PATCH', `/cases/${caseId}`, patch),
    caseItems: (caseId: string) => c.get<CaseSharing>(`/cases/${caseId}/items`),
    createItem: (caseId: string, item: NewItem) => c.request<Item>('POST', `/cases/${caseId}/items`, item),
    updateItem: (itemId: string, patch: ItemPatch) => c.request<Item>('PATCH', `/items/${itemId}`, patch),
    deleteItem: (itemId: string) => c.request<DeletedAnswer>('DELETE', `/items/${itemId}`),
    /** A document's bytes from SharePoint, read with the signed-in person's own token (preview and download). */
    document: (caseId: string, itemId: string) => c.blob(`/cases/${caseId}/documents/${itemId}/content`),
    /** SharePoint's short-lived preview page of a document (Word, Excel, PowerPoint…), asked with the signed-in person's own token: for a frame. */
    documentPreview: (caseId: string, itemId: string) => c.request<DocumentPreviewLink>('POST', `/cases/${caseId}/documents/${itemId}/preview`, {}),
    caseAccess: (caseId: string) => c.get<AccessEntry[]>(`/cases/${caseId}/access`),
    /** Per guest and SharePoint target: what CaseRoom intends beside what SharePoint holds now (read live). */
    sharePointAccess: (caseId: string) => c.get<SharePointAccessOfCase>(`/cases/${caseId}/access/sharepoint`),
    /** Queues the sync of every guest of the case; SharePoint is brought back to CaseRoom's intent in the background. */
    repairAccess: (caseId: string) => c.request<AccessRepairQueued>('POST', `/cases/${caseId}/access/repair`, {}),
    ledger: (caseId: string) => c.get<CaseLedger>(`/cases/${caseId}/ledger`),
    addLedger: (caseId: string, body: NewLedgerEntry) => c.request<LedgerEntry>('POST', `/cases/${caseId}/ledger`, body),
    threads: (caseId: string) => c.get<StaffThread[]>(`/cases/${caseId}/threads`),
    createThread: (caseId: string, subject: string) => c.request<Thread>('POST', `/cases/${caseId}/threads`, { subject }),
    reply: (threadId: string, body: string) => c.request<Message>('POST', `/threads/${threadId}/messages`, { body }),
    link: (caseId: string, contactId: string, role?: PartyRole) => c.request<LinkedAnswer>('POST', `/cases/${caseId}/links`, { contactId, role }),
    setPartyRole: (caseId: string, contactId: string, role: PartyRole) => c.request<PartyRoleAnswer>('PUT', `/cases/${caseId}/links/${contactId}`, { role }),
    domainPolicy: () => c.get<DomainPolicy>('/firm/domain-policy'),
    setDomainPolicy: (body: DomainPolicy & { reason?: string | null }) => c.request<DomainPolicy>('PUT', '/firm/domain-policy', body),
    unlink: (caseId: string, contactId: string) => c.request<UnlinkedAnswer>('DELETE', `/cases/${caseId}/links/${contactId}`),
    contacts: () => c.get<Contact[]>('/contacts'),
    contact: (contactId: string) => c.get<ContactDetail>(`/contacts/${contactId}`),
    createContact: (body: { email: string; name: string; kind: ContactKind; phone?: string | null; clientId?: string | null }) => c.request<Contact>('POST', '/contacts', body),
    setPortalAccess: (contactId: string, enabled: boolean, reason: string | null = null, confirm?: Confirmation) => c.request<Contact>('PUT', `/contacts/${contactId}/portal-access`, { enabled, reason, confirm }),
    resendInvitation: (contactId: string) => c.request<Contact>('POST', `/contacts/${contactId}/invitation/resend`, {}),
    contactAccess: (contactId: string) => c.get<AccessEntry[]>(`/contacts/${contactId}/access`),
    firmAccess: () => c.get<AccessEntry[]>('/access'),
    /** `expiresAt` null: no expiry. */
    share: (contactIds: string[], itemIds: string[], reason: string | null = null, confirm?: Confirmation, expiresAt: string | null = null) => c.request<SharedAnswer>('POST', '/shares', { contactIds, itemIds, reason, confirm, expiresAt }),
    unshare: (contactIds: string[], itemIds: string[], reason: string | null = null) => c.request<UnsharedAnswer>('POST', '/shares/remove', { contactIds, itemIds, reason }),
    grant: (body: { contactId: string; scope: GrantScope; rights: Rights; expiresAt?: string | null; reason?: string | null; confirm?: Confirmation }) => c.request<Grant>('POST', '/grants', body),
    previewGrant: (grantId: string, scope: GrantScope, rights: Rights) => c.request<GrantPreview>('POST', `/grants/${grantId}/preview`, { scope, rights }),
    changeGrant: (grantId: string, scope: GrantScope, rights: Rights, reason: string | null = null, confirm?: Confirmation) => c.request<ChangedGrantAnswer>('PUT', `/grants/${grantId}`, { scope, rights, reason, confirm }),
    /** PATCH /grants/{id}/expiry: a new end (or null: no expiry) for a grant, its scope untouched. */
    setGrantExpiry: (grantId: string, expiresAt: string | null, reason: string | null = null) => c.request<Grant>('PATCH', `/grants/${grantId}/expiry`, { expiresAt, reason }),
    revokeGrant: (grantId: string, reason: string | null = null) => c.request<RevokedAnswer>('DELETE', `/grants/${grantId}`, { reason }),
    /** Newest first; pass the last entry's seq as `beforeSeq` for the next page. */
    audit: (filters: AuditFilters = {}, beforeSeq: number | null = null, limit = 100) => c.get<AuditEntry[]>(`/audit?${auditParams({ ...filters, ...(beforeSeq ? { beforeSeq: String(beforeSeq) } : {}), limit: String(limit) })}`),
    auditExport: (format: 'csv' | 'json', filters: AuditFilters = {}) => c.blob(`/audit/export?${auditParams({ ...filters, format })}`),
    /** The signed-in staff member's own notification switches (channel card, @mention, activity feed). */
    notificationPreferences: () => c.get<NotificationPreference[]>('/me/notification-preferences'),
    /** What is not sent is kept: `{ event, feed }` alone changes only the activity-feed choice (null: back to the default). */
    setNotificationPreference: (body: NotificationPrefChange) => c.request<NotificationPreference[]>('PUT', '/me/notification-preferences', body),
    /** The firm's saved views, by name (every staff member may read them). */
    firmViews: () => c.get<FirmView[]>('/firm/views'),
    createFirmView: (body: FirmViewInput) => c.request<FirmView>('POST', '/firm/views', body),
    /** Renames or changes a view; grants already given from it keep their sections. */
    changeFirmView: (viewId: string, body: FirmViewChange) => c.request<FirmView>('PATCH', `/firm/views/${viewId}`, body),
    deleteFirmView: (viewId: string, reason: string | null = null) => c.request<FirmViewDeleted>('DELETE', `/firm/views/${viewId}`, { reason }),
    /** The sections switched off for every guest of the firm. */
    firmPolicy: () => c.get<FirmPolicy>('/firm/policy'),
    setFirmPolicy: (disabledSections: FirmPolicy['disabledSections'], reason: string | null = null) => c.request<FirmPolicy>('PUT', '/firm/policy', { disabledSections, reason }),
    firmSettings: () => c.get<FirmSettings>('/firm/settings'),
    setFirmSettings: (body: FirmSettingsChange) => c.request<FirmSettings>('PUT', '/firm/settings', body),
    /** Each guest of each case's latest access review with the decision taken (CSV). */
    accessReviewReport: () => c.blob('/access-reviews/report'),
    /** Closing withdraws guest access as the firm's setting says; each preview is exactly what the action applies. */
    closeCasePreview: (caseId: string) => c.request<CaseClosePreview>('POST', `/cases/${caseId}/close/preview`, {}),
    closeCase: (caseId: string, reason: string | null) => c.request<CaseClosedAnswer>('POST', `/cases/${caseId}/close`, { reason }),
    reopenCasePreview: (caseId: string) => c.request<CaseReopenPreview>('POST', `/cases/${caseId}/reopen/preview`, {}),
    reopenCase: (caseId: string, reason: string | null) => c.request<CaseReopenedAnswer>('POST', `/cases/${caseId}/reopen`, { reason }),
    verifyAudit: () => c.get<AuditVerdict>('/audit/verify'),
    /** The case's ethical wall: the staff it is restricted to (empty: everyone on the staff). */
    caseWall: (caseId: string) => c.get<CaseWall>(`/cases/${caseId}/wall`),
    /** Restricts the case to these staff; the caller must be among them. */
    setCaseWall: (caseId: string, staffIds: string[], reason: string | null = null) => c.request<CaseWall>('PUT', `/cases/${caseId}/wall`, { staffIds, reason }),
    removeCaseWall: (caseId: string) => c.request<CaseWall>('DELETE', `/cases/${caseId}/wall`),
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
    sendMessage: (caseId: string, body: GuestMessage) => c.request<GuestMessageAnswer>('POST', `/portal/cases/${caseId}/messages`, body),
    documentPath: (caseId: string, itemId: string) => `/portal/cases/${caseId}/documents/${itemId}/content`,
    document: (caseId: string, itemId: string) => c.blob(`/portal/cases/${caseId}/documents/${itemId}/content`),
    /** SharePoint's short-lived preview page of a shared Office document, asked with the guest's own token: for a frame. */
    documentPreview: (caseId: string, itemId: string) => c.request<DocumentPreviewLink>('POST', `/portal/cases/${caseId}/documents/${itemId}/preview`, {}),
    uploadFile: (caseId: string, file: File, folder: string | null, onProgress: (p: UploadProgress) => void, signal?: AbortSignal) =>
      c.upload<UploadAnswer>(`/portal/cases/${caseId}/files`, file, uploadFields(file, folder), onProgress, signal),
    /** An accepted upload on its way to SharePoint, file by file. */
    uploadBatch: (batchId: string) => c.get<UploadBatchStatus>(`/portal/uploads/${batchId}`),
  };
}
export type PortalApi = ReturnType<typeof portalApi>;

/** Query string of the filters that are set; empty ones are left out (the API refuses empty values). */
function auditParams(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => Boolean(e[1]))).toString();
}
