import { randomUUID } from 'node:crypto';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';
import { type LiveReader, openLive } from '../support/live-stream';

/**
 * Live pages' change streams (GET /api/live, GET /api/portal/live) through the real app: a guest
 * hears of changes in cases she can see now and of nothing else (another case of her firm,
 * another firm), staff hear their firm's cases, refusals come as the API's errors, and closing
 * the server ends every stream.
 */

jest.setTimeout(120_000);

const HEARTBEAT_MS = 300;

interface Firm {
  staffToken: string;
  caseId: string;
  clientId: string;
}

async function firmWithCase(t: TestApp, tenantId: string, name: string): Promise<Firm> {
  const { staff } = await createFirm(t.db, tenantId, name);
  const staffToken = await t.identity.token({ tid: tenantId, oid: staff.userId, name: 'Pat Partner' });
  const client = (await t.call('POST', '/api/clients', staffToken, { name: `${name} client` })).body;
  const kase = (await t.call('POST', '/api/cases', staffToken, { clientId: client.id, number: `${name}-1`, title: `${name} matter` })).body;
  return { staffToken, caseId: kase.id, clientId: client.id };
}

/** A guest of the firm, linked to `caseId`, invitation accepted, with `itemIds` shared with her. */
async function guestOn(t: TestApp, tenantId: string, f: Firm, caseId: string, email: string, itemIds: string[]): Promise<{ contactId: string; token: string }> {
  const contact = (await t.call('POST', '/api/contacts', f.staffToken, { email, name: email.split('@')[0], kind: 'client', clientId: f.clientId })).body;
  expect((await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, f.staffToken, { enabled: true })).status).toBe(200);
  expect((await t.call('POST', `/api/cases/${caseId}/links`, f.staffToken, { contactId: contact.id })).status).toBe(201);
  const guestUserId = randomUUID();
  const firmId = (await t.db.query<{ firm_id: string }>('SELECT firm_id FROM contacts WHERE id = $1', [contact.id]))[0].firm_id;
  await t.app.services.sharing.markInvitationAccepted(firmId, contact.id, guestUserId);
  if (itemIds.length) expect((await t.call('POST', '/api/shares', f.staffToken, { contactIds: [contact.id], itemIds })).status).toBe(200);
  return { contactId: contact.id, token: await t.identity.token({ tid: tenantId, oid: guestUserId, guest: true }) };
}

const note = async (t: TestApp, f: Firm, caseId: string, title: string): Promise<string> => {
  const res = await t.call('POST', `/api/cases/${caseId}/items`, f.staffToken, { kind: 'note', title, body: `${title}: details only the API may show` });
  expect(res.status).toBe(201);
  return res.body.id;
};

const ready = (r: LiveReader) => r.waitUntil((x) => x.raw.includes('event: ready'), 'ready event');

describe('live change streams', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  let otherCaseA: string;
  let gina: { contactId: string; token: string };
  let hank: { contactId: string; token: string };
  let bGuest: { contactId: string; token: string };
  const OTHER_TENANT = randomUUID();
  const readers: LiveReader[] = [];
  const open = async (path: string, token: string | null) => {
    const r = await openLive(`${t.app.url}${path}`, token);
    readers.push(r);
    if (r.status === 200) await ready(r);
    return r;
  };

  beforeAll(async () => {
    t = await startTestApp({ live: { heartbeatMs: HEARTBEAT_MS } });
    a = await firmWithCase(t, HOME_TENANT, 'Alpha');
    b = await firmWithCase(t, OTHER_TENANT, 'Beta');
    otherCaseA = (await t.call('POST', '/api/cases', a.staffToken, { clientId: a.clientId, number: 'Alpha-2', title: 'Alpha other matter' })).body.id;
    gina = await guestOn(t, HOME_TENANT, a, a.caseId, 'gina@client.example', [await note(t, a, a.caseId, 'Welcome')]);
    hank = await guestOn(t, HOME_TENANT, a, otherCaseA, 'hank@client.example', [await note(t, a, otherCaseA, 'Hank welcome')]);
    // Linked to the other case too, with nothing of it shared: linking alone shows her nothing there.
    expect((await t.call('POST', `/api/cases/${otherCaseA}/links`, a.staffToken, { contactId: gina.contactId })).status).toBe(201);
    bGuest = await guestOn(t, OTHER_TENANT, b, b.caseId, 'bea@client.example', [await note(t, b, b.caseId, 'Beta welcome')]);
  });

  afterEach(() => {
    for (const r of readers.splice(0)) r.close();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is an event stream with heartbeats, opened with the bearer token', async () => {
    const r = await open('/api/portal/live', gina.token);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    await r.waitUntil((x) => x.heartbeats >= 2, 'two heartbeats');
    expect(r.raw).toContain(': keep-alive\n\n');
  });

  it('tells a guest of a newly shared item in her case, and nothing of a case she cannot see or of another firm', async () => {
    const ginaLive = await open('/api/portal/live', gina.token);
    const hankLive = await open('/api/portal/live', hank.token);
    const beaLive = await open('/api/portal/live', bGuest.token);

    // Changes she must not hear of: another case of her firm (shared with Hank), another firm's case.
    const forHank = await note(t, a, otherCaseA, 'Hank only: settlement figure');
    expect((await t.call('POST', '/api/shares', a.staffToken, { contactIds: [hank.contactId], itemIds: [forHank] })).status).toBe(200);
    await note(t, b, b.caseId, 'Beta only: strategy');
    await hankLive.waitFor((c) => c.caseId === otherCaseA, "Hank's case event");
    await beaLive.waitFor((c) => c.caseId === b.caseId, "Bea's case event");

    // Then one she must hear of: a new item shared with her. Events come in commit order.
    const shared = await note(t, a, a.caseId, 'Hearing moved to May');
    expect((await t.call('POST', '/api/shares', a.staffToken, { contactIds: [gina.contactId], itemIds: [shared] })).status).toBe(200);
    await ginaLive.waitFor((c) => c.caseId === a.caseId, "an event for Gina's case");

    expect(ginaLive.changes.map((c) => c.caseId).filter((id) => id !== a.caseId && id !== null)).toEqual([]);
    expect(ginaLive.raw).not.toContain(otherCaseA);
    expect(ginaLive.raw).not.toContain(b.caseId);
    // The event says where to look, never what changed.
    expect(ginaLive.raw).not.toMatch(/Hearing moved|settlement|strategy/);
    expect(hankLive.raw).not.toContain(a.caseId);
    expect(beaLive.raw).not.toContain(a.caseId);
    expect(beaLive.raw).not.toContain(otherCaseA);

    // Refetching through the API shows her the item.
    const view = (await t.call('GET', `/api/portal/cases/${a.caseId}`, gina.token)).body;
    expect(view.notes.map((n: { title: string }) => n.title)).toContain('Hearing moved to May');
  });

  it('tells a guest whose case was withdrawn only to look again, never that case', async () => {
    const caseId = (await t.call('POST', '/api/cases', a.staffToken, { clientId: a.clientId, number: 'Alpha-3', title: 'Alpha short matter' })).body.id;
    const ivy = await guestOn(t, HOME_TENANT, a, caseId, 'ivy@client.example', [await note(t, a, caseId, 'Ivy note')]);
    const ivyLive = await open('/api/portal/live', ivy.token);
    expect((await t.call('DELETE', `/api/cases/${caseId}/links/${ivy.contactId}`, a.staffToken)).status).toBe(200);
    await ivyLive.waitFor((c) => c.caseId === null, 'a look-again event');
    await note(t, a, caseId, 'After she left');
    // A later change she can see comes through, and nothing about the withdrawn case came before it.
    const ginaNote = await note(t, a, a.caseId, 'For Gina');
    await t.call('POST', '/api/shares', a.staffToken, { contactIds: [gina.contactId], itemIds: [ginaNote] });
    const ginaLive = await open('/api/portal/live', gina.token);
    await t.call('PATCH', `/api/items/${ginaNote}`, a.staffToken, { title: 'For Gina (edited)' });
    await ginaLive.waitFor((c) => c.caseId === a.caseId, "Gina's event");
    // Changes are handled in commit order, so the withdrawal's look-again is the last one she got;
    // the setup's own events may arrive just after the stream opens and name the case while she
    // still saw it, but nothing after the withdrawal may.
    expect(ivyLive.raw.slice(ivyLive.raw.lastIndexOf('"caseId":null'))).not.toContain(caseId);
  });

  it("tells staff of a guest's message and upload in their firm's case, and another firm's staff nothing", async () => {
    const staffA = await open('/api/live', a.staffToken);
    const staffB = await open('/api/live', b.staffToken);
    expect((await t.call('POST', `/api/portal/cases/${a.caseId}/messages`, gina.token, { body: 'Is the hearing still on?' })).status).toBe(201);
    await staffA.waitFor((c) => c.caseId === a.caseId, 'an event for the message');

    const before = staffA.changes.length;
    expect((await t.call('POST', '/api/grants', a.staffToken, { contactId: gina.contactId, scope: { kind: 'case', caseId: a.caseId, view: ['documents'] }, rights: 'upload' })).status).toBe(201);
    await staffA.waitUntil((r) => r.changes.length > before, 'an event for the grant');

    await note(t, b, b.caseId, 'Beta sentinel');
    await staffB.waitFor((c) => c.caseId === b.caseId, "firm B's own event");
    expect(staffB.raw).not.toContain(a.caseId);
    expect(staffA.raw).not.toContain(b.caseId);
  });

  it('refuses as the API refuses: no token, a token in the URL, the wrong side', async () => {
    const cases: Array<[string, string | null, number, string]> = [
      ['/api/live', null, 401, 'unauthenticated'],
      [`/api/portal/live?access_token=${encodeURIComponent(gina.token)}`, null, 401, 'unauthenticated'],
      ['/api/live', gina.token, 403, 'forbidden'],
      ['/api/portal/live', a.staffToken, 403, 'forbidden'],
    ];
    for (const [path, token, status, code] of cases) {
      const r = await open(path, token);
      expect({ path, status: r.status, code: (r.refusal as { error?: { code?: string } })?.error?.code }).toEqual({ path, status, code });
    }
  });

  it("ends a guest's stream when her portal access is switched off, and refuses her next one", async () => {
    const caseId = (await t.call('POST', '/api/cases', a.staffToken, { clientId: a.clientId, number: 'Alpha-4', title: 'Alpha closed matter' })).body.id;
    const joe = await guestOn(t, HOME_TENANT, a, caseId, 'joe@client.example', [await note(t, a, caseId, 'Joe note')]);
    const joeLive = await open('/api/portal/live', joe.token);
    expect((await t.call('PUT', `/api/contacts/${joe.contactId}/portal-access`, a.staffToken, { enabled: false, reason: 'matter closed' })).status).toBe(200);
    await expect(joeLive.ended).resolves.toEqual({ how: 'ended' });
    expect(joeLive.raw).not.toContain(caseId);
    const again = await open('/api/portal/live', joe.token);
    expect(again.status).toBe(403);
  });

  it('allows five streams a person, then answers 429 with Retry-After until one closes', async () => {
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await open('/api/live', a.staffToken));
    const sixth = await open('/api/live', a.staffToken);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((sixth.refusal as { error: { code: string } }).error.code).toBe('throttled');
    // Someone else is not affected.
    expect((await open('/api/portal/live', gina.token)).status).toBe(200);
    five[0].close();
    await five[0].ended;
    const deadline = Date.now() + 30_000;
    let again = await open('/api/live', a.staffToken);
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      again = await open('/api/live', a.staffToken);
    }
    expect(again.status).toBe(200);
  });
});

describe('a stream that has lived its time', () => {
  it('ends by itself (the tab then reconnects with a fresh token)', async () => {
    const t = await startTestApp({ live: { heartbeatMs: 200, maxStreamMs: 1000 } });
    try {
      const f = await firmWithCase(t, HOME_TENANT, 'Delta');
      const live = await openLive(`${t.app.url}/api/live`, f.staffToken);
      await ready(live);
      await expect(live.ended).resolves.toEqual({ how: 'ended' });
      const again = await openLive(`${t.app.url}/api/live`, f.staffToken);
      expect(again.status).toBe(200);
      again.close();
    } finally {
      await t.close();
    }
  });
});

describe('stopping the server', () => {
  it('ends every open stream, so close() does not hang', async () => {
    const t = await startTestApp();
    try {
      const f = await firmWithCase(t, HOME_TENANT, 'Gamma');
      const guest = await guestOn(t, HOME_TENANT, f, f.caseId, 'gus@client.example', [await note(t, f, f.caseId, 'Gamma note')]);
      const staffLive = await openLive(`${t.app.url}/api/live`, f.staffToken);
      const guestLive = await openLive(`${t.app.url}/api/portal/live`, guest.token);
      await Promise.all([ready(staffLive), ready(guestLive)]);
      // Whoever closes the server, the app or its host calling server.close().
      const closed = new Promise<void>((resolve, reject) => t.app.server.close((err) => (err ? reject(err) : resolve())));
      await expect(staffLive.ended).resolves.toEqual({ how: 'ended' });
      await expect(guestLive.ended).resolves.toEqual({ how: 'ended' });
      await closed;
    } finally {
      await t.close();
    }
  });
});
