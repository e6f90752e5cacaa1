import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Repo } from '../../src/store/repo';
import { completeSetupInStore, createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';
import { TEST_STAFF_GROUP } from '../support/tokens';
import { openLive } from '../support/live-stream';

/**
 * Ethical walls through the staff API: for a case restricted to named staff, a staff member
 * outside the wall gets, from every route that takes an id of that case (or of its items,
 * grants and threads), exactly the answer a case that never existed gets: 404, same body. Lists,
 * the audit log and the live stream leave it out. The staff inside see everything as before.
 */

let t: TestApp;
let inside: string;
let outside: string;
const ids = { caseId: '', itemId: '', threadId: '', grantId: '', contactId: '', openCaseId: '', clientId: '' };
let insideStaffId = '';
let firmId = '';

const ok = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await t.call(method, path, token, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

beforeAll(async () => {
  t = await startTestApp();
  const firm = await createFirm(t.db, HOME_TENANT, 'Firm A');
  firmId = firm.firm.id;
  const ina = await new Repo(t.db).insertStaff({ firmId: firm.firm.id, userId: randomUUID(), name: 'Ina Inside', email: 'ina@firm.example', phone: null, title: 'Associate' });
  insideStaffId = ina.id;
  // Both are CaseRoom admins (the audit log is theirs): the wall holds for admins too.
  await completeSetupInStore(t.db, firm.firm.id, { name: 'Firm A', staffGroupId: TEST_STAFF_GROUP, admins: [ina, firm.staff].map((s) => ({ userId: s.userId, name: s.name, upn: s.email })) });
  inside = await t.identity.token({ tid: HOME_TENANT, oid: ina.userId });
  outside = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId });
  const client = await ok(inside, 'POST', '/api/clients', { name: 'Wallace Holdings' });
  ids.clientId = client.id;
  ids.caseId = (await ok(inside, 'POST', '/api/cases', { clientId: client.id, number: 'W-1', title: 'Walled merger' })).id;
  ids.openCaseId = (await ok(inside, 'POST', '/api/cases', { clientId: client.id, number: 'O-1', title: 'Open dispute' })).id;
  const contact = await ok(inside, 'POST', '/api/contacts', { email: 'gwen@guest.example', name: 'Gwen Guest', kind: 'client', clientId: client.id });
  ids.contactId = contact.id;
  await ok(inside, 'PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
  await ok(inside, 'POST', `/api/cases/${ids.caseId}/links`, { contactId: contact.id });
  await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, randomUUID());
  ids.itemId = (await ok(inside, 'POST', `/api/cases/${ids.caseId}/items`, { kind: 'note', title: 'Merger memo', body: 'terms' })).id;
  ids.threadId = (await ok(inside, 'POST', `/api/cases/${ids.caseId}/threads`, { subject: 'Merger questions' })).id;
  ids.grantId = (await ok(inside, 'POST', '/api/grants', { contactId: contact.id, scope: { kind: 'case', caseId: ids.caseId, view: ['documents', 'notes'], threadIds: [] }, rights: 'read' })).id;
  const wall = await ok(inside, 'PUT', `/api/cases/${ids.caseId}/wall`, { staffIds: [ina.id], reason: 'conflict: Pat acted for the other side' });
  expect(wall).toEqual({ caseId: ids.caseId, restricted: true, staffIds: [ina.id] });
});
afterAll(async () => {
  await t?.close();
});

type Id = keyof typeof ids;
interface RouteCase {
  method: string;
  path: string;
  body?: (i: typeof ids) => unknown;
  /** For body-named ids: the field that names the walled thing. */
  bodyOnly?: true;
}

/** A valid body for each route, so nothing but the wall can be the reason for a refusal. */
const BODY: Record<string, (i: typeof ids) => unknown> = {
  'patch /cases/:caseId': () => ({ title: 'Renamed' }),
  'post /cases/:caseId/close': () => ({ reason: null }),
  'post /cases/:caseId/reopen': () => ({ reason: null }),
  'post /cases/:caseId/items': () => ({ kind: 'note', title: 'Probe', body: 'x' }),
  'post /cases/:caseId/ledger': () => ({ kind: 'payment', amountCents: 100, description: 'probe', occurredOn: '2026-01-01' }),
  'post /cases/:caseId/threads': () => ({ subject: 'Probe' }),
  'post /cases/:caseId/links': (i) => ({ contactId: i.contactId }),
  'put /cases/:caseId/links/:contactId': () => ({ role: 'expert' }),
  'put /cases/:caseId/wall': () => ({ staffIds: [], reason: null }),
  'patch /items/:itemId': () => ({ title: 'Probe' }),
  'post /threads/:threadId/messages': () => ({ body: 'probe' }),
  'post /grants/:grantId/preview': (i) => ({ scope: { kind: 'case', caseId: i.openCaseId, view: ['documents'], threadIds: [] }, rights: 'read' }),
  'put /grants/:grantId': (i) => ({ scope: { kind: 'case', caseId: i.openCaseId, view: ['documents'], threadIds: [] }, rights: 'read' }),
  'patch /grants/:grantId/expiry': () => ({ expiresAt: '2099-01-01T00:00:00Z', reason: null }),
  'delete /grants/:grantId': () => ({ reason: null }),
};

/** Every staff route of src/http/routes.ts whose path takes a case, item, grant or thread id. */
function routesWithCaseIds(): RouteCase[] {
  const source = readFileSync(join(__dirname, '../../src/http/routes.ts'), 'utf8');
  const staffPart = source.slice(source.indexOf('export function staffRoutes'), source.indexOf('export function portalRoutes'));
  const found = [...staffPart.matchAll(/on\(\s*'(get|post|put|patch|delete)',\s*'([^']+)'/g)].map((m) => ({ method: m[1], path: m[2] }));
  return found.filter((r) => /:(caseId|itemId|grantId|threadId)\b/.test(r.path)).map((r) => ({ ...r, body: BODY[`${r.method} ${r.path}`] }));
}

/** Routes naming the walled case's things in their body. */
const BODY_ROUTES: RouteCase[] = [
  { method: 'post', path: '/shares', body: (i) => ({ contactIds: [i.contactId], itemIds: [i.itemId] }), bodyOnly: true },
  { method: 'post', path: '/shares/remove', body: (i) => ({ contactIds: [i.contactId], itemIds: [i.itemId], reason: null }), bodyOnly: true },
  { method: 'post', path: '/grants', body: (i) => ({ contactId: i.contactId, scope: { kind: 'case', caseId: i.caseId, view: ['documents'], threadIds: [] }, rights: 'read' }), bodyOnly: true },
  { method: 'post', path: '/grants', body: (i) => ({ contactId: i.contactId, scope: { kind: 'item', caseId: i.caseId, itemId: i.itemId }, rights: 'read' }), bodyOnly: true },
  { method: 'put', path: '/me/notification-preferences', body: (i) => ({ caseId: i.caseId, event: 'guest.uploaded', feed: true }), bodyOnly: true },
];

const fill = (path: string, i: Record<string, string>) => path.replace(/:(\w+)/g, (_m, name: string) => i[name as Id] ?? i[name]);
const withoutRequestId = (body: { error?: Record<string, unknown> }) => ({ ...body, error: { ...body.error, requestId: undefined } });

describe('a staff member outside the wall', () => {
  it('gets from every case route exactly what a case that does not exist gets, and changes nothing', async () => {
    const routes = [...routesWithCaseIds(), ...BODY_ROUTES];
    // The table follows the routes file: a new case route is probed without anyone adding it here.
    expect(routes.length).toBeGreaterThan(25);
    const before = await storeFingerprint(t.db);
    const missing = { caseId: randomUUID(), itemId: randomUUID(), threadId: randomUUID(), grantId: randomUUID(), contactId: ids.contactId, openCaseId: ids.openCaseId, clientId: ids.clientId };
    for (const r of routes) {
      const walled = await t.call(r.method.toUpperCase(), `/api${fill(r.path, ids)}`, outside, r.body?.(ids));
      const ghost = await t.call(r.method.toUpperCase(), `/api${fill(r.path, missing)}`, outside, r.body?.(missing));
      expect({ route: `${r.method} ${r.path}`, status: walled.status }).toEqual({ route: `${r.method} ${r.path}`, status: 404 });
      expect(withoutRequestId(walled.body)).toEqual(withoutRequestId(ghost.body));
    }
    expect(await storeFingerprint(t.db)).toBe(before);
  });

  it('does not find the case in lists, the client page, the contact page or the access lists', async () => {
    const cases = await ok(outside, 'GET', '/api/cases');
    expect(cases.map((c: { number: string }) => c.number)).toEqual(['O-1']);
    expect((await ok(outside, 'GET', `/api/cases?clientId=${ids.clientId}`)).map((c: { id: string }) => c.id)).toEqual([ids.openCaseId]);
    expect((await ok(outside, 'GET', `/api/clients/${ids.clientId}`)).cases.map((c: { id: string }) => c.id)).toEqual([ids.openCaseId]);
    expect((await ok(outside, 'GET', `/api/contacts/${ids.contactId}`)).linkedCaseIds).toEqual([]);
    expect(await ok(outside, 'GET', `/api/contacts/${ids.contactId}/access`)).toEqual([]);
    expect(JSON.stringify(await ok(outside, 'GET', '/api/access'))).not.toContain(ids.caseId);
  });

  it('reads no audit entry about the case, in the view or the export', async () => {
    const page = await ok(outside, 'GET', '/api/audit?limit=500');
    const text = JSON.stringify(page);
    expect(page.length).toBeGreaterThan(0);
    for (const needle of [ids.caseId, ids.itemId, ids.threadId, ids.grantId, 'W-1', 'Walled merger']) expect(text).not.toContain(needle);
    expect(JSON.stringify(await ok(outside, 'GET', `/api/audit?caseId=${ids.caseId}`))).toBe('[]');
    const exported = await t.call('GET', '/api/audit/export?format=json', outside);
    expect(exported.status).toBe(200);
    for (const needle of [ids.caseId, ids.itemId, 'W-1']) expect(JSON.stringify(exported.body.entries)).not.toContain(needle);
  });

  it('hears nothing naming the case on the live stream, while the staff inside do', async () => {
    const outsider = await openLive(`${t.app.url}/api/live`, outside);
    const insider = await openLive(`${t.app.url}/api/live`, inside);
    try {
      await ok(inside, 'POST', `/api/cases/${ids.caseId}/items`, { kind: 'note', title: 'Live probe', body: 'x' });
      await ok(inside, 'PATCH', `/api/cases/${ids.openCaseId}`, { title: 'Open dispute (renamed)' });
      await insider.waitFor((c) => c.caseId === ids.caseId, 'the walled case change for the insider');
      // The open case's change comes after the walled one: once the outsider hears it, she has heard all she will.
      await outsider.waitFor((c) => c.caseId === ids.openCaseId, 'the open case change for the outsider');
      await insider.waitFor((c) => c.caseId === ids.openCaseId, 'the open case change for the insider');
      expect(outsider.raw).not.toContain(ids.caseId);
    } finally {
      outsider.close();
      insider.close();
    }
  });
});

describe('a staff member inside the wall', () => {
  it('sees the case, its content, its access and its audit entries as before, with the Restricted mark', async () => {
    const cases = await ok(inside, 'GET', '/api/cases');
    expect(cases.map((c: { number: string; restricted: boolean }) => [c.number, c.restricted])).toEqual([
      ['O-1', false],
      ['W-1', true],
    ]);
    const detail = await ok(inside, 'GET', `/api/cases/${ids.caseId}`);
    expect(detail.restricted).toBe(true);
    for (const path of ['items', 'access', 'ledger', 'threads', 'wall']) expect((await t.call('GET', `/api/cases/${ids.caseId}/${path}`, inside)).status).toBe(200);
    expect((await ok(inside, 'GET', `/api/cases/${ids.caseId}/items`)).items.map((i: { title: string }) => i.title)).toContain('Merger memo');
    expect((await ok(inside, 'GET', `/api/contacts/${ids.contactId}`)).linkedCaseIds).toEqual([ids.caseId]);
    const audit = await ok(inside, 'GET', `/api/audit?caseId=${ids.caseId}`);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['case.created', 'case.wall.set']));
    const wallEntry = audit.find((e: { action: string }) => e.action === 'case.wall.set');
    expect(wallEntry.data).toEqual({ caseId: ids.caseId, from: [], to: [insideStaffId] });
    expect((await t.call('POST', `/api/threads/${ids.threadId}/messages`, inside, { body: 'A reply from inside' })).status).toBe(201);
  });

  it('lets the outsider back in when the wall comes down, audited with before and after', async () => {
    const removed = await ok(inside, 'DELETE', `/api/cases/${ids.caseId}/wall`);
    expect(removed).toEqual({ caseId: ids.caseId, restricted: false, staffIds: [] });
    expect((await t.call('GET', `/api/cases/${ids.caseId}`, outside)).status).toBe(200);
    const entries = await ok(outside, 'GET', `/api/audit?caseId=${ids.caseId}&action=case.wall`);
    expect(entries[0]).toMatchObject({ action: 'case.wall.removed', data: { from: [insideStaffId], to: [] } });
    // Put it back for anything after.
    await ok(inside, 'PUT', `/api/cases/${ids.caseId}/wall`, { staffIds: [insideStaffId] });
  });
});

describe('what a staff member outside the wall can still infer', () => {
  it('gets the same answer for a malformed body naming a walled id as for one naming a missing id', async () => {
    const probes: Array<[string, string, (caseId: string, itemId: string) => unknown]> = [
      ['POST', '/api/grants', (caseId) => ({ contactId: ids.contactId, scope: { kind: 'case', caseId, view: ['no-such-section'], threadIds: [] }, rights: 'read' })],
      ['POST', '/api/grants', (caseId, itemId) => ({ contactId: ids.contactId, scope: { kind: 'item', caseId, itemId }, rights: 'read', smuggled: true })],
      ['POST', '/api/shares', (_caseId, itemId) => ({ contactIds: [ids.contactId], itemIds: [itemId], expiresAt: 'not a date' })],
      ['PUT', '/api/me/notification-preferences', (caseId) => ({ caseId, event: 'no.such.event' })],
    ];
    const before = await storeFingerprint(t.db);
    for (const [method, path, body] of probes) {
      const walled = await t.call(method, path, outside, body(ids.caseId, ids.itemId));
      const ghost = await t.call(method, path, outside, body(randomUUID(), randomUUID()));
      expect({ path, status: walled.status, body: withoutRequestId(walled.body) }).toEqual({ path, status: ghost.status, body: withoutRequestId(ghost.body) });
      expect(walled.status).toBe(404);
    }
    expect(await storeFingerprint(t.db)).toBe(before);
  });

  it('refuses a body naming more items than a share takes with one 400, walled item or not', async () => {
    const others = Array.from({ length: 500 }, () => randomUUID());
    const walled = await t.call('POST', '/api/shares', outside, { contactIds: [ids.contactId], itemIds: [ids.itemId, ...others] });
    const ghost = await t.call('POST', '/api/shares', outside, { contactIds: [ids.contactId], itemIds: [randomUUID(), ...others] });
    expect(walled.status).toBe(400);
    expect(withoutRequestId(walled.body)).toEqual(withoutRequestId(ghost.body));
  });

  it('reads a client grant’s change in the audit log without the walled case’s items, and a verdict that does not count hidden entries', async () => {
    const colin = await ok(inside, 'POST', '/api/contacts', { email: 'colin@guest.example', name: 'Colin Client', kind: 'client', clientId: ids.clientId });
    await ok(inside, 'PUT', `/api/contacts/${colin.id}/portal-access`, { enabled: true });
    await t.app.services.sharing.markInvitationAccepted(firmId, colin.id, randomUUID());
    await ok(inside, 'POST', `/api/cases/${ids.openCaseId}/items`, { kind: 'note', title: 'Open memo', body: 'x' });
    const grant = await ok(inside, 'POST', '/api/grants', { contactId: colin.id, scope: { kind: 'client', clientId: ids.clientId, view: ['documents'] }, rights: 'read' });
    await ok(inside, 'PUT', `/api/grants/${grant.id}`, { scope: { kind: 'client', clientId: ids.clientId, view: ['documents', 'notes'] }, rights: 'read', reason: 'notes too' });

    const insiderView = (await ok(inside, 'GET', '/api/audit?action=grant.changed')).find((e: { data: { grantId: string } }) => e.data.grantId !== ids.grantId);
    expect(JSON.stringify(insiderView.data.gained.items)).toContain('Merger memo');
    expect(insiderView.withheld).toBeUndefined();
    const outsiderView = (await ok(outside, 'GET', '/api/audit?action=grant.changed'))[0];
    expect(outsiderView.data.gained.items.map((i: { title: string }) => i.title)).toEqual(['Open memo']);
    expect(outsiderView.withheld).toBe(true);
    for (const needle of [ids.caseId, ids.itemId, 'W-1', 'Walled merger', 'Merger memo']) expect(JSON.stringify(outsiderView)).not.toContain(needle);

    // The newest entry is about the walled case: the whole chain's head is one the outsider cannot read.
    await ok(inside, 'POST', `/api/cases/${ids.caseId}/items`, { kind: 'note', title: 'Later memo', body: 'x' });
    const readable = await ok(outside, 'GET', '/api/audit?limit=1000');
    const whole = await ok(inside, 'GET', '/api/audit/verify');
    expect(whole).toEqual({ ok: true, entries: expect.any(Number), headHash: expect.any(String) });
    const partial = await ok(outside, 'GET', '/api/audit/verify');
    expect(partial).toEqual({ ok: true, entries: readable.length, headHash: readable[0].hash, includesHidden: true });
    expect(partial.entries).toBeLessThan(whole.entries);
    const csv = await t.call('GET', '/api/audit/export?format=csv', outside);
    const verdictLine = String(csv.body).split('\r\n')[0];
    expect(verdictLine).toContain('chain verified (includes entries you cannot see)');
    expect(verdictLine).not.toMatch(/\d+ entries/);
    expect(verdictLine).not.toContain(whole.headHash);
  });

  it('is told only that a walled case’s number is taken, in the words used for any taken number', async () => {
    const walled = await t.call('POST', '/api/cases', outside, { clientId: ids.clientId, number: 'w-1', title: 'Probe' });
    const visible = await t.call('POST', '/api/cases', outside, { clientId: ids.clientId, number: 'o-1', title: 'Probe' });
    expect(walled.status).toBe(409);
    expect(withoutRequestId(walled.body)).toEqual(withoutRequestId(visible.body));
    for (const needle of [ids.caseId, 'W-1', 'w-1', 'Walled merger']) expect(JSON.stringify(walled.body)).not.toContain(needle);
  });
});
