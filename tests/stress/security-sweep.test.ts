import { randomUUID } from 'node:crypto';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';

/**
 * The security sweep: hostile requests generated from the tables below, each with its precise
 * status and error code, and the store unchanged afterwards (storeFingerprint). Rows:
 * - every route × every forged/expired/wrong-audience/wrong-issuer/unknown-tenant/no-scope/missing token → 401;
 * - IDOR: every id-taking route × every role that must not reach the target (staff of another
 *   firm → 404; guests on staff routes → 403; a guest without access or of another firm on the
 *   portal → 404; a pending guest and a guest whose portal is off → 403 everywhere);
 * - illegal SharePoint names, 400-character names, blocked extensions, SQL-looking and
 *   oversized strings → 400 with the field named.
 * Script and SQL in free text are accepted and stored literally (the last block); where they are
 * rendered (tab, bot cards) escaping is covered by tests/browser and tests/bot.
 * Upload-path hostility (empty/oversized files, zip bombs, zip slip) is in upload-sweep.test.ts.
 */
type TokenKind = 'none' | 'basic' | 'expired' | 'forged' | 'wrongAudience' | 'wrongIssuer' | 'unknownTenant' | 'noScope' | 'notYetValid' | 'algNone';
type Role = 'staff' | 'uploader' | 'otherStaff' | 'noAccessGuest' | 'otherFirmGuest' | 'pendingGuest' | 'portalOffGuest';
const GUEST_ROLES = ['noAccessGuest', 'otherFirmGuest', 'pendingGuest', 'portalOffGuest'] as const;
const TOKEN_KINDS: TokenKind[] = ['none', 'basic', 'expired', 'forged', 'wrongAudience', 'wrongIssuer', 'unknownTenant', 'noScope', 'notYetValid', 'algNone'];

/** Firm A's target (no guest below may reach it) and firm B's own things. */
interface World {
  client: string;
  case: string;
  item: string;
  folder: string;
  contact: string;
  grant: string;
  thread: string;
  openCase: string;
  own: { client: string; contact: string; item: string; case: string };
}

interface Route {
  method: string;
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** Names firm A's target by id (path or body). */
  ids: boolean;
  portal?: boolean;
}

const R = (method: string, path: (w: World) => string, ids: boolean, body?: (w: World) => unknown, portal = false): Route => ({ method, path, ids, body, portal });
const ROUTES: Route[] = [
  R('GET', () => '/api/me', false),
  R('GET', () => '/api/staff', false),
  R('GET', () => '/api/firm/policy', false),
  R(
    'PUT',
    () => '/api/firm/policy',
    false,
    () => ({ disabledSections: [] }),
  ),
  R('GET', () => '/api/clients', false),
  R(
    'POST',
    () => '/api/clients',
    false,
    () => ({ name: 'New client' }),
  ),
  R('GET', (w) => `/api/clients/${w.client}`, true),
  R('GET', () => '/api/cases', false),
  R(
    'POST',
    () => '/api/cases',
    true,
    (w) => ({ clientId: w.client, number: 'X-1', title: 'Taken over' }),
  ),
  R('GET', (w) => `/api/cases/${w.case}`, true),
  R(
    'PATCH',
    (w) => `/api/cases/${w.case}`,
    true,
    () => ({ title: 'Mine now' }),
  ),
  R('GET', (w) => `/api/cases/${w.case}/items`, true),
  R(
    'POST',
    (w) => `/api/cases/${w.case}/items`,
    true,
    () => ({ kind: 'note', title: 'x', body: 'y' }),
  ),
  R('GET', (w) => `/api/cases/${w.case}/access`, true),
  R('GET', (w) => `/api/cases/${w.case}/ledger`, true),
  R(
    'POST',
    (w) => `/api/cases/${w.case}/ledger`,
    true,
    () => ({ kind: 'expense', amountCents: 100, description: 'x', occurredOn: '2030-01-01' }),
  ),
  R('GET', (w) => `/api/cases/${w.case}/threads`, true),
  R(
    'POST',
    (w) => `/api/cases/${w.case}/threads`,
    true,
    () => ({ subject: 'x' }),
  ),
  R(
    'POST',
    (w) => `/api/cases/${w.case}/links`,
    true,
    (w) => ({ contactId: w.own.contact }),
  ),
  R('DELETE', (w) => `/api/cases/${w.case}/links/${w.contact}`, true),
  R(
    'PATCH',
    (w) => `/api/items/${w.item}`,
    true,
    () => ({ title: 'x' }),
  ),
  R('DELETE', (w) => `/api/items/${w.item}`, true),
  R(
    'POST',
    (w) => `/api/threads/${w.thread}/messages`,
    true,
    () => ({ body: 'hi' }),
  ),
  R('GET', () => '/api/contacts', false),
  R(
    'POST',
    () => '/api/contacts',
    false,
    () => ({ email: `n${randomUUID().slice(0, 8)}@x.example`, name: 'N', kind: 'client' }),
  ),
  R('GET', (w) => `/api/contacts/${w.contact}`, true),
  R(
    'PATCH',
    (w) => `/api/contacts/${w.contact}`,
    true,
    () => ({ name: 'x' }),
  ),
  R(
    'PUT',
    (w) => `/api/contacts/${w.contact}/portal-access`,
    true,
    () => ({ enabled: false }),
  ),
  R('POST', (w) => `/api/contacts/${w.contact}/invitation/resend`, true),
  R('GET', (w) => `/api/contacts/${w.contact}/access`, true),
  R('GET', () => '/api/access', false),
  R(
    'POST',
    () => '/api/shares',
    true,
    (w) => ({ contactIds: [w.own.contact], itemIds: [w.item] }),
  ),
  R(
    'POST',
    () => '/api/shares',
    true,
    (w) => ({ contactIds: [w.contact], itemIds: [w.own.item] }),
  ),
  R(
    'POST',
    () => '/api/shares/remove',
    true,
    (w) => ({ contactIds: [w.contact], itemIds: [w.item] }),
  ),
  R(
    'POST',
    () => '/api/grants',
    true,
    (w) => ({ contactId: w.own.contact, scope: { kind: 'case', caseId: w.case, view: ['documents'] } }),
  ),
  R(
    'POST',
    () => '/api/grants',
    true,
    (w) => ({ contactId: w.own.contact, scope: { kind: 'client', clientId: w.client, view: ['documents'] } }),
  ),
  R(
    'POST',
    () => '/api/grants',
    true,
    (w) => ({ contactId: w.own.contact, scope: { kind: 'item', caseId: w.case, itemId: w.item } }),
  ),
  R(
    'POST',
    () => '/api/grants',
    true,
    (w) => ({ contactId: w.contact, scope: { kind: 'case', caseId: w.own.case, view: ['documents'] } }),
  ),
  R(
    'POST',
    (w) => `/api/grants/${w.grant}/preview`,
    true,
    (w) => ({ scope: { kind: 'case', caseId: w.case, view: ['notes'] } }),
  ),
  R(
    'PUT',
    (w) => `/api/grants/${w.grant}`,
    true,
    (w) => ({ scope: { kind: 'case', caseId: w.case, view: ['notes'] } }),
  ),
  R(
    'PATCH',
    (w) => `/api/grants/${w.grant}/expiry`,
    true,
    () => ({ expiresAt: null }),
  ),
  R('DELETE', (w) => `/api/grants/${w.grant}`, true),
  R('GET', () => '/api/audit', false),
  R('GET', () => '/api/audit/verify', false),
  R('GET', () => '/api/me/notification-preferences', false),
  R(
    'PUT',
    () => '/api/me/notification-preferences',
    true,
    (w) => ({ caseId: w.case, event: 'guest.uploaded', enabled: false }),
  ),
  R('GET', () => '/api/portal/me', false, undefined, true),
  R('GET', () => '/api/portal/cases', false, undefined, true),
  R('GET', (w) => `/api/portal/cases/${w.case}`, true, undefined, true),
  R(
    'POST',
    (w) => `/api/portal/cases/${w.case}/messages`,
    true,
    () => ({ body: 'let me in' }),
    true,
  ),
  R(
    'POST',
    (w) => `/api/portal/cases/${w.case}/messages`,
    true,
    (w) => ({ body: 'into a thread', threadId: w.thread }),
    true,
  ),
  R(
    'POST',
    (w) => `/api/portal/cases/${w.openCase}/messages`,
    true,
    (w) => ({ body: 'into a thread of another case', threadId: w.thread }),
    true,
  ),
];

interface Row {
  name: string;
  token: TokenKind | Role;
  method: string;
  path: (w: World) => string;
  body?: (w: World) => unknown;
  status: number;
  code: string;
  field?: string;
}
const label = (r: Route) => `${r.method} ${r.path(placeholderWorld)}${r.body ? ` ${JSON.stringify(r.body(placeholderWorld)).slice(0, 60)}` : ''}`;
const placeholderWorld: World = {
  client: ':client',
  case: ':case',
  item: ':item',
  folder: ':folder',
  contact: ':contact',
  grant: ':grant',
  thread: ':thread',
  openCase: ':openCase',
  own: { client: ':ownClient', contact: ':ownContact', item: ':ownItem', case: ':ownCase' },
};

const rows: Row[] = [];
// Tokens: every route, every broken token.
// A valid token of a tenant with no CaseRoom firm is a sign-in, not a broken one: "not set up" (403), never "sign in again".
for (const route of ROUTES)
  for (const kind of TOKEN_KINDS) {
    const notSetUp = kind === 'unknownTenant';
    rows.push({ name: `${kind} token: ${label(route)}`, token: kind, method: route.method, path: route.path, body: route.body, status: notSetUp ? 403 : 401, code: notSetUp ? 'not_set_up' : 'unauthenticated' });
  }
// IDOR: every id-taking route, every role that must not reach the target.
for (const route of ROUTES) {
  if (route.ids && !route.portal) rows.push({ name: `staff of another firm: ${label(route)}`, token: 'otherStaff', method: route.method, path: route.path, body: route.body, status: 404, code: 'not_found' });
  if (route.portal) rows.push({ name: `staff on the portal: ${label(route)}`, token: 'otherStaff', method: route.method, path: route.path, body: route.body, status: 403, code: 'forbidden' });
  for (const role of GUEST_ROLES) {
    const locked = role === 'pendingGuest' || role === 'portalOffGuest';
    if (!route.portal) rows.push({ name: `${role} on a staff route: ${label(route)}`, token: role, method: route.method, path: route.path, body: route.body, status: 403, code: 'forbidden' });
    else if (locked) rows.push({ name: `${role}: ${label(route)}`, token: role, method: route.method, path: route.path, body: route.body, status: 403, code: 'forbidden' });
    else if (route.ids) rows.push({ name: `${role}: ${label(route)}`, token: role, method: route.method, path: route.path, body: route.body, status: 404, code: 'not_found' });
  }
}
// Names SharePoint refuses, as folder titles (staff) and as uploaded file names (a guest who may upload).
const ILLEGAL_NAMES = [
  'a"b',
  'a*b',
  'a:b',
  'a<b',
  'a>b',
  'a?b',
  'a/b',
  'a\\b',
  'a|b',
  'tab\there',
  'nul\u0000byte',
  'bell\u0007',
  'del\u007f',
  'ends with a dot.',
  ' leading space',
  'trailing space ',
  'CON',
  'prn.txt',
  'AUX',
  'NUL',
  'COM1',
  'lpt9.pdf',
  'desktop.ini',
  '.lock',
  'x_vti_y',
  '~$lockfile.docx',
  '   ',
  'x'.repeat(256),
];
for (const name of ILLEGAL_NAMES) {
  // Staff titles are trimmed before they are checked (a folder " x " is created as "x"); file names are not.
  if (name.trim() === name || name.trim() === '')
    rows.push({
      name: `folder named ${JSON.stringify(name).slice(0, 40)}`,
      token: 'staff',
      method: 'POST',
      path: (w) => `/api/cases/${w.case}/items`,
      body: () => ({ kind: 'folder', title: name }),
      status: 400,
      code: 'validation_failed',
      field: 'title',
    });
}
// Documents come only with their bytes: the route that recorded names and sizes alone is gone
// (file names, extensions, sizes and folders of real uploads: tests/http/zip-and-names.test.ts, tests/integration/files.test.ts).
rows.push({
  name: 'a document recorded without its bytes',
  token: 'uploader',
  method: 'POST',
  path: (w) => `/api/portal/cases/${w.openCase}/uploads`,
  body: () => ({ files: [{ name: 'scan.pdf', sizeBytes: 10 }] }),
  // Past the portal's routes a guest meets the staff API, which refuses guests.
  status: 403,
  code: 'forbidden',
});
// SQL-looking strings where ids go, and oversized strings.
const SQLISH = ["' OR '1'='1", '1; DROP TABLE cases;--', "00000000-0000-0000-0000-000000000000' --", 'UNION SELECT * FROM staff', '%27%20OR%201%3D1'];
for (const s of SQLISH) {
  rows.push({ name: `SQL in a case id path: ${s}`, token: 'staff', method: 'GET', path: () => `/api/cases/${encodeURIComponent(s)}`, status: 404, code: 'not_found' });
  rows.push({ name: `SQL in a portal case id path: ${s}`, token: 'uploader', method: 'GET', path: () => `/api/portal/cases/${encodeURIComponent(s)}`, status: 404, code: 'not_found' });
  rows.push({
    name: `SQL in a body id: ${s}`,
    token: 'staff',
    method: 'POST',
    path: () => '/api/grants',
    body: () => ({ contactId: s, scope: { kind: 'case', caseId: s, view: ['notes'] } }),
    status: 400,
    code: 'validation_failed',
    field: 'contactId',
  });
  rows.push({ name: `SQL in a query id: ${s}`, token: 'staff', method: 'GET', path: () => `/api/cases?clientId=${encodeURIComponent(s)}`, status: 400, code: 'validation_failed' });
  rows.push({ name: `SQL as a case number: ${s}`, token: 'staff', method: 'POST', path: () => '/api/cases', body: (w) => ({ clientId: w.client, number: s, title: 't' }), status: 400, code: 'validation_failed', field: 'number' });
}
const big = (n: number) => 'x'.repeat(n);
rows.push(
  { name: 'client name of 201 characters', token: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: big(201) }), status: 400, code: 'validation_failed', field: 'name' },
  { name: 'case title of 201 characters', token: 'staff', method: 'PATCH', path: (w) => `/api/cases/${w.case}`, body: () => ({ title: big(201) }), status: 400, code: 'validation_failed', field: 'title' },
  { name: 'status note of 2,001 characters', token: 'staff', method: 'PATCH', path: (w) => `/api/cases/${w.case}`, body: () => ({ statusNote: big(2001) }), status: 400, code: 'validation_failed', field: 'statusNote' },
  { name: 'note body of 20,001 characters', token: 'staff', method: 'POST', path: (w) => `/api/cases/${w.case}/items`, body: () => ({ kind: 'note', title: 't', body: big(20_001) }), status: 400, code: 'validation_failed', field: 'body' },
  { name: 'thread subject of 201 characters', token: 'staff', method: 'POST', path: (w) => `/api/cases/${w.case}/threads`, body: () => ({ subject: big(201) }), status: 400, code: 'validation_failed', field: 'subject' },
  { name: 'staff reply of 10,001 characters', token: 'staff', method: 'POST', path: (w) => `/api/threads/${w.thread}/messages`, body: () => ({ body: big(10_001) }), status: 400, code: 'validation_failed', field: 'body' },
  { name: 'guest message of 10,001 characters', token: 'uploader', method: 'POST', path: (w) => `/api/portal/cases/${w.openCase}/messages`, body: () => ({ body: big(10_001) }), status: 400, code: 'validation_failed', field: 'body' },
  {
    name: 'guest message subject of 201 characters',
    token: 'uploader',
    method: 'POST',
    path: (w) => `/api/portal/cases/${w.openCase}/messages`,
    body: () => ({ body: 'b', subject: big(201) }),
    status: 400,
    code: 'validation_failed',
    field: 'subject',
  },
  { name: 'contact name of 201 characters', token: 'staff', method: 'POST', path: () => '/api/contacts', body: () => ({ email: 'long@x.example', name: big(201), kind: 'client' }), status: 400, code: 'validation_failed', field: 'name' },
  { name: 'email of 255 characters', token: 'staff', method: 'POST', path: () => '/api/contacts', body: () => ({ email: `${big(245)}@x.example`, name: 'n', kind: 'client' }), status: 400, code: 'validation_failed', field: 'email' },
  { name: 'reason of 1,001 characters', token: 'staff', method: 'DELETE', path: (w) => `/api/grants/${w.grant}`, body: () => ({ reason: big(1001) }), status: 400, code: 'validation_failed', field: 'reason' },
  {
    name: 'ledger description of 501 characters',
    token: 'staff',
    method: 'POST',
    path: (w) => `/api/cases/${w.case}/ledger`,
    body: () => ({ kind: 'expense', amountCents: 1, description: big(501), occurredOn: '2030-01-01' }),
    status: 400,
    code: 'validation_failed',
    field: 'description',
  },
  { name: 'JSON body over 256 KB', token: 'staff', method: 'POST', path: (w) => `/api/cases/${w.case}/items`, body: () => ({ kind: 'note', title: 't', body: big(300_000) }), status: 413, code: 'payload_too_large' },
  { name: 'JSON nested 10,000 deep', token: 'staff', method: 'POST', path: () => '/api/clients', body: () => `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, status: 400, code: 'validation_failed' },
  { name: '__proto__ in the body', token: 'staff', method: 'POST', path: () => '/api/clients', body: () => JSON.parse('{"name":"x","__proto__":{"admin":true}}'), status: 400, code: 'validation_failed' },
  {
    name: '501 items shared at once',
    token: 'staff',
    method: 'POST',
    path: () => '/api/shares',
    body: (w) => ({ contactIds: [w.contact], itemIds: Array.from({ length: 501 }, () => randomUUID()) }),
    status: 400,
    code: 'validation_failed',
    field: 'itemIds',
  },
  { name: 'audit query with SQL in target', token: 'staff', method: 'GET', path: () => `/api/audit?target=${encodeURIComponent("x' OR 1=1 --".padEnd(101, 'x'))}`, status: 400, code: 'validation_failed', field: 'target' },
);

// Free text is stored literally: script and SQL come back byte for byte. Rendered by the tab and the bot cards (escaped there).
// Bidi controls are the exception in names (refused: src/contract/names.ts), not in free text; see the test after these.
const LITERALS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "Robert'); DROP TABLE cases;--", '{{7*7}} ${7*7} <%= 7*7 %>', 'null', '🙂 Ünïcödé'];
const BIDI_TEXT = '\u202eevil.pdf\u202c';

describe('security sweep', () => {
  let t: TestApp;
  let w: World;
  const tokens = new Map<string, string | null>();
  const rawHeaders = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    const a = await createFirm(t.db, HOME_TENANT, 'Firm A');
    const tenantB = randomUUID();
    const b = await createFirm(t.db, tenantB, 'Firm B');
    const staffA = await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId });
    const staffB = await t.identity.token({ tid: tenantB, oid: b.staff.userId });
    const ok = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await t.call(method, path, token, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const guest = async (token: string, firmId: string, tenant: string, caseId: string, view: string[], rights: 'read' | 'upload', accept = true) => {
      const contact = await ok('POST', '/api/contacts', token, { email: `g${randomUUID().slice(0, 8)}@guest.example`, name: 'Guest', kind: 'client' });
      await ok('PUT', `/api/contacts/${contact.id}/portal-access`, token, { enabled: true });
      await ok('POST', `/api/cases/${caseId}/links`, token, { contactId: contact.id });
      const grant = await ok('POST', '/api/grants', token, { contactId: contact.id, scope: { kind: 'case', caseId, view }, rights });
      const userId = randomUUID();
      if (accept) await t.app.services.sharing.markInvitationAccepted(firmId, contact.id, userId);
      return { contact, grant, userId, token: await t.identity.token({ tid: tenant, oid: userId, guest: true }) };
    };
    // Firm A: the target case (nobody below may reach it) and an open case the uploader may use.
    const client = await ok('POST', '/api/clients', staffA, { name: 'Target client' });
    const target = await ok('POST', '/api/cases', staffA, { clientId: client.id, number: 'T-1', title: 'Target' });
    const open = await ok('POST', '/api/cases', staffA, { clientId: client.id, number: 'O-1', title: 'Open' });
    const item = await ok('POST', `/api/cases/${target.id}/items`, staffA, { kind: 'note', title: 'Secret', body: 'secret' });
    const folder = await ok('POST', `/api/cases/${target.id}/items`, staffA, { kind: 'folder', title: 'Folder' });
    const thread = await ok('POST', `/api/cases/${target.id}/threads`, staffA, { subject: 'Private' });
    const holder = await guest(staffA, a.firm.id, HOME_TENANT, target.id, ['notes', 'documents', 'messages'], 'read');
    const uploader = await guest(staffA, a.firm.id, HOME_TENANT, open.id, ['documents', 'notes', 'messages'], 'upload');
    const noAccess = await guest(staffA, a.firm.id, HOME_TENANT, open.id, ['notes'], 'read');
    // Pending: invited, grant waiting, never signed in; its token names a user the store does not know yet.
    const pending = await guest(staffA, a.firm.id, HOME_TENANT, target.id, ['notes', 'documents'], 'read', false);
    // Portal switched off after the guest had access to the target.
    const off = await guest(staffA, a.firm.id, HOME_TENANT, target.id, ['notes', 'documents'], 'read');
    await ok('PUT', `/api/contacts/${off.contact.id}/portal-access`, staffA, { enabled: false });
    // Firm B: its own client, case, item, contact and guest.
    const bClient = await ok('POST', '/api/clients', staffB, { name: 'B client' });
    const bCase = await ok('POST', '/api/cases', staffB, { clientId: bClient.id, number: 'T-1', title: 'B case' });
    const bItem = await ok('POST', `/api/cases/${bCase.id}/items`, staffB, { kind: 'note', title: 'B note', body: 'b' });
    const bGuest = await guest(staffB, b.firm.id, tenantB, bCase.id, ['notes', 'documents', 'messages'], 'upload');
    w = {
      client: client.id,
      case: target.id,
      item: item.id,
      folder: folder.id,
      contact: holder.contact.id,
      grant: holder.grant.id,
      thread: thread.id,
      openCase: open.id,
      own: { client: bClient.id, contact: bGuest.contact.id, item: bItem.id, case: bCase.id },
    };

    const staffUser = a.staff.userId;
    tokens.set('staff', staffA);
    tokens.set('uploader', uploader.token);
    tokens.set('otherStaff', staffB);
    tokens.set('noAccessGuest', noAccess.token);
    tokens.set('otherFirmGuest', bGuest.token);
    tokens.set('pendingGuest', pending.token);
    tokens.set('portalOffGuest', off.token);
    tokens.set('none', null);
    rawHeaders.set('basic', 'Basic dXNlcjpwYXNz');
    tokens.set('expired', await t.identity.token({ tid: HOME_TENANT, oid: staffUser, expiresIn: Math.floor(Date.now() / 1000) - 3600 }));
    tokens.set('forged', await t.identity.forged({ tid: HOME_TENANT, oid: staffUser }));
    tokens.set('wrongAudience', await t.identity.token({ tid: HOME_TENANT, oid: staffUser, aud: 'api://someone-else' }));
    tokens.set('wrongIssuer', await t.identity.token({ tid: HOME_TENANT, oid: staffUser, iss: `https://login.test.example/${tenantB}/v2.0` }));
    tokens.set('unknownTenant', await t.identity.token({ tid: randomUUID(), oid: staffUser }));
    tokens.set('noScope', await t.identity.token({ tid: HOME_TENANT, oid: staffUser, scp: 'User.Read' }));
    tokens.set('notYetValid', await t.identity.token({ tid: HOME_TENANT, oid: staffUser, notBefore: '2h' }));
    const [header, payload] = staffA.split('.');
    const unsignedHeader = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' })).toString('base64url');
    tokens.set('algNone', `${unsignedHeader}.${payload}.`);
  }, 60_000);
  afterAll(() => t?.close());

  it('keeps a table of at least 200 hostile requests', () => {
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await storeFingerprint(t.db);
    const requestId = `sweep-${randomUUID()}`;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const raw = rawHeaders.get(row.token);
    if (raw) headers.authorization = raw;
    const token = raw ? null : (tokens.get(row.token) ?? null);
    if (!raw && row.token !== 'none' && !token) throw new Error(`no token for ${row.token}`);
    const res = await t.call(row.method, row.path(w), token, row.body?.(w), headers);
    expect({ status: res.status, code: res.body?.error?.code, ...(row.field ? { field: res.body?.error?.field } : {}) }).toEqual({ status: row.status, code: row.code, ...(row.field ? { field: row.field } : {}) });
    expect(res.body.error.requestId).toBe(requestId);
    expect(await storeFingerprint(t.db)).toBe(before);
  });

  it.each(LITERALS.map((s) => [s] as const))('stores %j literally in every free-text field and changes nothing else', async (text) => {
    const staff = tokens.get('staff') as string;
    const guest = tokens.get('uploader') as string;
    const counts = async () =>
      (await t.db.query<{ cases: number; staff: number; grants: number }>('SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM staff) AS staff, (SELECT count(*)::int FROM grants) AS grants'))[0];
    const before = await counts();
    const client = await t.call('POST', '/api/clients', staff, { name: text });
    expect(client.status).toBe(201);
    expect((await t.call('GET', `/api/clients/${client.body.id}`, staff)).body.name).toBe(text);
    const note = await t.call('POST', `/api/cases/${w.openCase}/items`, staff, { kind: 'note', title: text, body: text });
    expect(note.status).toBe(201);
    await t.call('POST', '/api/shares', staff, { contactIds: [], itemIds: [note.body.id] });
    const message = await t.call('POST', `/api/portal/cases/${w.openCase}/messages`, guest, { body: text, subject: text });
    expect(message.status).toBe(201);
    const view = (await t.call('GET', `/api/portal/cases/${w.openCase}`, guest)).body;
    const thread = view.threads.find((th: { id: string }) => th.id === message.body.threadId);
    expect(thread.subject).toBe(text);
    expect(thread.messages.at(-1).body).toBe(text);
    expect(view.notes.find((n: { id: string }) => n.id === note.body.id)).toMatchObject({ title: text, body: text });
    expect(await counts()).toEqual(before);
  });

  it('refuses a bidi override in names (client, note title, thread subject) and keeps it literally in free text', async () => {
    const staff = tokens.get('staff') as string;
    const guest = tokens.get('uploader') as string;
    for (const [path, token, body, field] of [
      ['/api/clients', staff, { name: BIDI_TEXT }, 'name'],
      [`/api/cases/${w.openCase}/items`, staff, { kind: 'note', title: BIDI_TEXT, body: 'b' }, 'title'],
      [`/api/portal/cases/${w.openCase}/messages`, guest, { body: 'hello', subject: BIDI_TEXT }, 'subject'],
    ] as const) {
      const res = await t.call('POST', path, token, body);
      expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }).toEqual({ status: 400, code: 'validation_failed', field });
      expect(res.body.error.message).toMatch(/right-to-left override \(U\+202E\)/);
    }
    const note = await t.call('POST', `/api/cases/${w.openCase}/items`, staff, { kind: 'note', title: 'Plain title', body: BIDI_TEXT });
    expect(note.status).toBe(201);
    const message = await t.call('POST', `/api/portal/cases/${w.openCase}/messages`, guest, { body: BIDI_TEXT });
    expect(message.status).toBe(201);
    const view = (await t.call('GET', `/api/portal/cases/${w.openCase}`, guest)).body;
    expect(view.threads.find((th: { id: string }) => th.id === message.body.threadId).messages.at(-1).body).toBe(BIDI_TEXT);
  });
});
