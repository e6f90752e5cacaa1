import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';
import { TEST_AUDIENCE } from '../support/tokens';

/**
 * Every refused request gets its precise 4xx, the one error shape, a log line with its request
 * id, and leaves the store exactly as it was. The table is the test: add a row per new route.
 */
type Role = 'none' | 'staff' | 'guest' | 'otherStaff' | 'rawHeader' | 'expired' | 'forged' | 'wrongAudience' | 'wrongIssuer' | 'unknownTenant' | 'noScope' | 'notYetValid' | 'strangerGuest';
interface Row {
  name: string;
  as: Role;
  method: string;
  path: (w: World) => string;
  body?: (w: World) => unknown;
  rawBody?: string;
  status: number;
  code?: string;
  field?: string;
}

interface World {
  caseA: string;
  caseA2: string;
  itemA: string;
  folderA: string;
  contactA: string;
  clientA: string;
  grantA: string;
  caseB: string;
  itemB: string;
  contactB: string;
  clientB: string;
  grantB: string;
  threadB: string;
}

const big = (n: number) => 'x'.repeat(n);

const rows: Row[] = [
  // Tokens
  { name: 'no token', as: 'none', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'basic auth instead of bearer', as: 'rawHeader', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'expired token', as: 'expired', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'forged signature', as: 'forged', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'wrong audience', as: 'wrongAudience', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'issuer of another tenant', as: 'wrongIssuer', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  // A member of a tenant with no firm yet: CaseRoom is not set up there (never "sign-in expired").
  { name: 'tenant without CaseRoom', as: 'unknownTenant', method: 'GET', path: () => '/api/cases', status: 403, code: 'not_set_up' },
  { name: 'token without the access_as_user scope', as: 'noScope', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'token not valid yet', as: 'notYetValid', method: 'GET', path: () => '/api/cases', status: 401, code: 'unauthenticated' },
  { name: 'guest account unknown to the firm', as: 'strangerGuest', method: 'GET', path: () => '/api/portal/cases', status: 403, code: 'forbidden' },
  // A guest on staff endpoints
  ...(
    [
      ['GET', '/api/cases'],
      ['GET', '/api/contacts'],
      ['GET', '/api/staff'],
      ['GET', '/api/clients'],
      ['GET', '/api/access'],
      ['GET', '/api/audit'],
      ['GET', '/api/audit/verify'],
    ] as const
  ).map(([method, path]): Row => ({ name: `guest calls ${method} ${path}`, as: 'guest', method, path: () => path, status: 403, code: 'forbidden' })),
  { name: 'guest creates a client', as: 'guest', method: 'POST', path: () => '/api/clients', body: () => ({ name: 'Mine now' }), status: 403, code: 'forbidden' },
  { name: 'guest opens a case', as: 'guest', method: 'POST', path: () => '/api/cases', body: (w) => ({ clientId: w.clientA, number: 'X-1', title: 'x' }), status: 403, code: 'forbidden' },
  { name: 'guest shares with itself', as: 'guest', method: 'POST', path: () => '/api/shares', body: (w) => ({ contactIds: [w.contactA], itemIds: [w.itemA] }), status: 403, code: 'forbidden' },
  { name: 'guest widens its own grant', as: 'guest', method: 'PUT', path: (w) => `/api/grants/${w.grantA}`, body: (w) => ({ scope: { kind: 'client', clientId: w.clientA, view: ['documents'] } }), status: 403, code: 'forbidden' },
  { name: 'guest reads a case through the staff route', as: 'guest', method: 'GET', path: (w) => `/api/cases/${w.caseA}`, status: 403, code: 'forbidden' },
  { name: 'guest turns the firm policy off', as: 'guest', method: 'PUT', path: () => '/api/firm/policy', body: () => ({ disabledSections: [] }), status: 403, code: 'forbidden' },
  { name: 'staff on the guest portal', as: 'staff', method: 'GET', path: () => '/api/portal/cases', status: 403, code: 'forbidden' },
  // Another firm's ids, for staff (IDOR)
  { name: 'read another firm case', as: 'staff', method: 'GET', path: (w) => `/api/cases/${w.caseB}`, status: 404, code: 'not_found' },
  { name: 'edit another firm case', as: 'staff', method: 'PATCH', path: (w) => `/api/cases/${w.caseB}`, body: () => ({ title: 'mine' }), status: 404, code: 'not_found' },
  { name: 'list another firm case items', as: 'staff', method: 'GET', path: (w) => `/api/cases/${w.caseB}/items`, status: 404, code: 'not_found' },
  { name: 'add a note to another firm case', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseB}/items`, body: () => ({ kind: 'note', title: 'x', body: 'y' }), status: 404, code: 'not_found' },
  { name: 'who has access to another firm case', as: 'staff', method: 'GET', path: (w) => `/api/cases/${w.caseB}/access`, status: 404, code: 'not_found' },
  { name: 'ledger of another firm case', as: 'staff', method: 'GET', path: (w) => `/api/cases/${w.caseB}/ledger`, status: 404, code: 'not_found' },
  { name: 'read another firm contact', as: 'staff', method: 'GET', path: (w) => `/api/contacts/${w.contactB}`, status: 404, code: 'not_found' },
  { name: 'toggle another firm contact portal', as: 'staff', method: 'PUT', path: (w) => `/api/contacts/${w.contactB}/portal-access`, body: () => ({ enabled: false }), status: 404, code: 'not_found' },
  { name: 'link another firm contact', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseA}/links`, body: (w) => ({ contactId: w.contactB }), status: 404, code: 'not_found' },
  { name: 'share another firm item', as: 'staff', method: 'POST', path: () => '/api/shares', body: (w) => ({ contactIds: [w.contactA], itemIds: [w.itemB] }), status: 404, code: 'not_found' },
  { name: 'share with another firm contact', as: 'staff', method: 'POST', path: () => '/api/shares', body: (w) => ({ contactIds: [w.contactB], itemIds: [w.itemA] }), status: 404, code: 'not_found' },
  { name: 'revoke another firm grant', as: 'staff', method: 'DELETE', path: (w) => `/api/grants/${w.grantB}`, status: 404, code: 'not_found' },
  { name: 'preview another firm grant', as: 'staff', method: 'POST', path: (w) => `/api/grants/${w.grantB}/preview`, body: (w) => ({ scope: { kind: 'case', caseId: w.caseA, view: ['notes'] } }), status: 404, code: 'not_found' },
  { name: 'edit another firm item', as: 'staff', method: 'PATCH', path: (w) => `/api/items/${w.itemB}`, body: () => ({ title: 'x' }), status: 404, code: 'not_found' },
  { name: 'delete another firm item', as: 'staff', method: 'DELETE', path: (w) => `/api/items/${w.itemB}`, status: 404, code: 'not_found' },
  { name: 'reply in another firm thread', as: 'staff', method: 'POST', path: (w) => `/api/threads/${w.threadB}/messages`, body: () => ({ body: 'hi' }), status: 404, code: 'not_found' },
  { name: 'read another firm client', as: 'staff', method: 'GET', path: (w) => `/api/clients/${w.clientB}`, status: 404, code: 'not_found' },
  { name: 'open a case for another firm client', as: 'staff', method: 'POST', path: () => '/api/cases', body: (w) => ({ clientId: w.clientB, number: 'X-9', title: 'x' }), status: 404, code: 'not_found' },
  {
    name: 'client grant on another firm client',
    as: 'staff',
    method: 'POST',
    path: () => '/api/grants',
    body: (w) => ({ contactId: w.contactA, scope: { kind: 'client', clientId: w.clientB, view: ['notes'] } }),
    status: 404,
    code: 'not_found',
  },
  { name: 'case grant on another firm case', as: 'staff', method: 'POST', path: () => '/api/grants', body: (w) => ({ contactId: w.contactA, scope: { kind: 'case', caseId: w.caseB, view: ['notes'] } }), status: 404, code: 'not_found' },
  { name: 'malformed id in the path', as: 'staff', method: 'GET', path: () => `/api/cases/1%20OR%201=1`, status: 404, code: 'not_found' },
  { name: 'unknown id in the path', as: 'staff', method: 'GET', path: () => `/api/cases/${randomUUID()}`, status: 404, code: 'not_found' },
  // A guest reaching for cases that are not theirs
  { name: 'guest opens another firm case', as: 'guest', method: 'GET', path: (w) => `/api/portal/cases/${w.caseB}`, status: 404, code: 'not_found' },
  { name: 'guest opens an unshared case of its own firm', as: 'guest', method: 'GET', path: (w) => `/api/portal/cases/${w.caseA2}`, status: 404, code: 'not_found' },
  { name: 'guest messages an unshared case', as: 'guest', method: 'POST', path: (w) => `/api/portal/cases/${w.caseA2}/messages`, body: () => ({ body: 'hello' }), status: 404, code: 'not_found' },
  { name: 'guest posts into another firm thread', as: 'guest', method: 'POST', path: (w) => `/api/portal/cases/${w.caseA}/messages`, body: (w) => ({ body: 'hello', threadId: w.threadB }), status: 404, code: 'not_found' },
  // Documents come only with their bytes (POST …/files): the route that recorded names and sizes alone is gone; a guest reaching past the portal's routes meets the staff API's refusal.
  { name: 'guest records a document without its bytes', as: 'guest', method: 'POST', path: (w) => `/api/portal/cases/${w.caseA}/uploads`, body: () => ({ files: [{ name: 'scan.pdf', sizeBytes: 10 }] }), status: 403, code: 'forbidden' },
  // Validation
  { name: 'name of the wrong type', as: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: 123 }), status: 400, code: 'validation_failed', field: 'name' },
  { name: 'oversized name', as: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: big(201) }), status: 400, code: 'validation_failed', field: 'name' },
  { name: 'blank name', as: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: '   ' }), status: 400, code: 'validation_failed', field: 'name' },
  { name: 'unknown field', as: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: 'A', firmId: randomUUID() }), status: 400, code: 'validation_failed' },
  { name: 'body is not JSON', as: 'staff', method: 'POST', path: () => '/api/clients', rawBody: '{"name": ', status: 400, code: 'validation_failed', field: 'body' },
  { name: 'body over 256 KB', as: 'staff', method: 'POST', path: () => '/api/clients', body: () => ({ name: big(300_000) }), status: 413, code: 'payload_too_large' },
  { name: 'case number with SQL in it', as: 'staff', method: 'POST', path: () => '/api/cases', body: (w) => ({ clientId: w.clientA, number: "1'; DROP TABLE cases;--", title: 'x' }), status: 400, code: 'validation_failed', field: 'number' },
  { name: 'duplicate case number', as: 'staff', method: 'POST', path: () => '/api/cases', body: (w) => ({ clientId: w.clientA, number: 'a-1', title: 'x' }), status: 409, code: 'conflict' },
  { name: 'contact with a bad email', as: 'staff', method: 'POST', path: () => '/api/contacts', body: () => ({ email: 'not-an-email', name: 'X', kind: 'client' }), status: 400, code: 'validation_failed', field: 'email' },
  { name: 'contact of an unknown kind', as: 'staff', method: 'POST', path: () => '/api/contacts', body: () => ({ email: 'x@y.example', name: 'X', kind: 'judge' }), status: 400, code: 'validation_failed', field: 'kind' },
  { name: 'grant with an unknown scope', as: 'staff', method: 'POST', path: () => '/api/grants', body: (w) => ({ contactId: w.contactA, scope: { kind: 'firm' } }), status: 400, code: 'validation_failed' },
  {
    name: 'grant with an unknown section',
    as: 'staff',
    method: 'POST',
    path: () => '/api/grants',
    body: (w) => ({ contactId: w.contactA, scope: { kind: 'case', caseId: w.caseA, view: ['everything'] } }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'grant that already expired',
    as: 'staff',
    method: 'POST',
    path: () => '/api/grants',
    body: (w) => ({ contactId: w.contactA, scope: { kind: 'case', caseId: w.caseA, view: ['notes'] }, expiresAt: '2001-01-01T00:00:00Z' }),
    status: 400,
    code: 'validation_failed',
    field: 'expiresAt',
  },
  {
    name: 'upload right on a single item',
    as: 'staff',
    method: 'POST',
    path: () => '/api/grants',
    body: (w) => ({ contactId: w.contactA, scope: { kind: 'item', caseId: w.caseA, itemId: w.itemA }, rights: 'upload' }),
    status: 400,
    code: 'validation_failed',
    field: 'rights',
  },
  {
    name: 'sharing with 51 people at once',
    as: 'staff',
    method: 'POST',
    path: () => '/api/shares',
    body: (w) => ({ contactIds: Array.from({ length: 51 }, () => randomUUID()), itemIds: [w.itemA] }),
    status: 400,
    code: 'validation_failed',
    field: 'contactIds',
  },
  { name: 'ids that are not ids', as: 'staff', method: 'POST', path: () => '/api/shares', body: () => ({ contactIds: ["' OR 1=1 --"], itemIds: ['../../etc/passwd'] }), status: 400, code: 'validation_failed' },
  { name: 'note longer than 20,000 characters', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseA}/items`, body: () => ({ kind: 'note', title: 'x', body: big(20_001) }), status: 400, code: 'validation_failed', field: 'body' },
  {
    name: 'event with a date that is not a date',
    as: 'staff',
    method: 'POST',
    path: (w) => `/api/cases/${w.caseA}/items`,
    body: () => ({ kind: 'event', title: 'x', startsAt: 'tomorrow' }),
    status: 400,
    code: 'validation_failed',
    field: 'startsAt',
  },
  { name: 'folder with a name SharePoint refuses', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseA}/items`, body: () => ({ kind: 'folder', title: 'a:b<c>' }), status: 400, code: 'validation_failed', field: 'title' },
  { name: 'folder with a reserved name', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseA}/items`, body: () => ({ kind: 'folder', title: 'CON' }), status: 400, code: 'validation_failed', field: 'title' },
  { name: 'folder inside another case', as: 'staff', method: 'POST', path: (w) => `/api/cases/${w.caseA2}/items`, body: (w) => ({ kind: 'folder', title: 'Sub', parentId: w.folderA }), status: 404, code: 'not_found' },
  {
    name: 'negative ledger amount',
    as: 'staff',
    method: 'POST',
    path: (w) => `/api/cases/${w.caseA}/ledger`,
    body: () => ({ kind: 'expense', amountCents: -5, description: 'x', occurredOn: '2030-01-01' }),
    status: 400,
    code: 'validation_failed',
    field: 'amountCents',
  },
  {
    name: 'fractional cents',
    as: 'staff',
    method: 'POST',
    path: (w) => `/api/cases/${w.caseA}/ledger`,
    body: () => ({ kind: 'payment', amountCents: 10.5, description: 'x', occurredOn: '2030-01-01' }),
    status: 400,
    code: 'validation_failed',
    field: 'amountCents',
  },
  { name: 'a field a note does not have', as: 'staff', method: 'PATCH', path: (w) => `/api/items/${w.itemA}`, body: () => ({ amountCents: 5 }), status: 400, code: 'validation_failed', field: 'amountCents' },
  { name: 'staff-only that is not a boolean', as: 'staff', method: 'PATCH', path: (w) => `/api/items/${w.itemA}`, body: () => ({ staffOnly: 'yes' }), status: 400, code: 'validation_failed', field: 'staffOnly' },
  { name: 'mark another firm item staff-only', as: 'staff', method: 'PATCH', path: (w) => `/api/items/${w.itemB}`, body: () => ({ staffOnly: true }), status: 404, code: 'not_found' },
  { name: 'audit page too large', as: 'staff', method: 'GET', path: () => '/api/audit?limit=100000', status: 400, code: 'validation_failed', field: 'limit' },
  { name: 'guest message too long', as: 'guest', method: 'POST', path: (w) => `/api/portal/cases/${w.caseA}/messages`, body: () => ({ body: big(10_001) }), status: 400, code: 'validation_failed', field: 'body' },
];

describe('hostile input', () => {
  let t: TestApp;
  let w: World;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await startTestApp();
    const a = await createFirm(t.db, HOME_TENANT, 'Firm A');
    const otherTenant = randomUUID();
    const b = await createFirm(t.db, otherTenant, 'Firm B');
    const staffA = await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId });
    const staffB = await t.identity.token({ tid: otherTenant, oid: b.staff.userId });
    const make = async (token: string) => {
      const client = (await t.call('POST', '/api/clients', token, { name: 'Client' })).body;
      const kase = (await t.call('POST', '/api/cases', token, { clientId: client.id, number: 'A-1', title: 'Case' })).body;
      const kase2 = (await t.call('POST', '/api/cases', token, { clientId: client.id, number: 'A-2', title: 'Other case' })).body;
      const item = (await t.call('POST', `/api/cases/${kase.id}/items`, token, { kind: 'note', title: 'Note', body: 'b' })).body;
      const folder = (await t.call('POST', `/api/cases/${kase.id}/items`, token, { kind: 'folder', title: 'Folder' })).body;
      const contact = (await t.call('POST', '/api/contacts', token, { email: `g${randomUUID().slice(0, 6)}@x.example`, name: 'Guest', kind: 'client', clientId: client.id })).body;
      await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, token, { enabled: true });
      await t.call('POST', `/api/cases/${kase.id}/links`, token, { contactId: contact.id });
      const thread = (await t.call('POST', `/api/cases/${kase.id}/threads`, token, { subject: 'Thread' })).body;
      const grant = (await t.call('POST', '/api/grants', token, { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['notes', 'messages', 'documents'], threadIds: [thread.id] } })).body;
      return { client, kase, kase2, item, folder, contact, thread, grant };
    };
    const A = await make(staffA);
    const B = await make(staffB);
    w = {
      caseA: A.kase.id,
      caseA2: A.kase2.id,
      itemA: A.item.id,
      folderA: A.folder.id,
      contactA: A.contact.id,
      clientA: A.client.id,
      grantA: A.grant.id,
      caseB: B.kase.id,
      itemB: B.item.id,
      contactB: B.contact.id,
      clientB: B.client.id,
      grantB: B.grant.id,
      threadB: B.thread.id,
    };
    const guestUser = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(a.firm.id, A.contact.id, guestUser);

    tokens.set('staff', staffA);
    tokens.set('otherStaff', staffB);
    tokens.set('guest', await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true }));
    tokens.set('expired', await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId, expiresIn: Math.floor(Date.now() / 1000) - 3600 }));
    tokens.set('forged', await t.identity.forged({ tid: HOME_TENANT, oid: a.staff.userId }));
    tokens.set('wrongAudience', await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId, aud: 'api://someone-else' }));
    tokens.set('wrongIssuer', await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId, iss: `https://login.test.example/${otherTenant}/v2.0` }));
    tokens.set('unknownTenant', await t.identity.token({ tid: randomUUID(), oid: a.staff.userId }));
    tokens.set('noScope', await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId, scp: 'User.Read' }));
    tokens.set('notYetValid', await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId, notBefore: '2h' }));
    tokens.set('strangerGuest', await t.identity.token({ tid: HOME_TENANT, oid: randomUUID(), guest: true }));
    expect(TEST_AUDIENCE).toMatch(/^api:/);
  });
  afterAll(() => t.close());

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await storeFingerprint(t.db);
    const requestId = `hostile-${randomUUID()}`;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    let token: string | null = tokens.get(row.as) ?? null;
    if (row.as === 'rawHeader') {
      token = null;
      headers.authorization = 'Basic dXNlcjpwYXNz';
    }
    const body = row.rawBody ?? row.body?.(w);
    const res = await t.call(row.method, row.path(w), token, body, row.rawBody ? { ...headers, 'content-type': 'application/json' } : headers);
    expect(res.status).toBe(row.status);
    expect(res.body.error).toMatchObject({ requestId, ...(row.code ? { code: row.code } : {}) });
    expect(typeof res.body.error.message).toBe('string');
    if (row.field) expect(res.body.error.field).toBe(row.field);
    expect(await storeFingerprint(t.db)).toBe(before);
    const logged = t.logs.some((l) => (l.req as { id?: string } | undefined)?.id === requestId && (l.level as number) >= 40);
    expect(logged).toBe(true);
  });

  it('stores SQL-looking and script-looking text literally, touching nothing else', async () => {
    const staff = tokens.get('staff') as string;
    const before = (await new Repo(t.db).listCases((await new Repo(t.db).firmByTenant(HOME_TENANT))!.id)).length;
    const nasty = `Robert'); DROP TABLE cases;-- <script>alert(1)</script>`;
    const res = await t.call('POST', '/api/clients', staff, { name: nasty });
    expect(res.status).toBe(201);
    expect((await t.call('GET', `/api/clients/${res.body.id}`, staff)).body.name).toBe(nasty);
    expect((await new Repo(t.db).listCases((await new Repo(t.db).firmByTenant(HOME_TENANT))!.id)).length).toBe(before);
  });
});
