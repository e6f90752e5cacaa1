import { randomUUID } from 'node:crypto';
import { SECTIONS } from '../../src/contract/enums';
import { Repo } from '../../src/store/repo';
import { completeSetupInStore, createFirm, HOME_TENANT, okCall, startTestApp, type TestApp } from '../support/app';
import { freshPglite } from '../support/db';
import { type CountingDb, countingDb } from '../support/query-count';
import { TEST_STAFF_GROUP } from '../support/tokens';

type Listed = { id: string; number: string; restricted: boolean };

/**
 * Round trips per read request on P7's paths (bench/PROFILE.md: under load the server's cost is
 * its round trips to PostgreSQL), and GET /cases a page at a time. Pat is outside a wall on one
 * case, Ina inside it.
 */
describe('reads on the portal and staff paths', () => {
  let t: TestApp;
  let db: CountingDb;
  let pat: string;
  let ina: string;
  let guest: string;
  const ids = {} as { clientA: string; clientB: string; kase: string; walled: string };

  const countOf = async (path: string, token: string): Promise<number> => {
    let status = 0;
    const n = await db.countDuring(async () => {
      status = (await t.call('GET', path, token)).status;
    });
    expect({ path, status }).toEqual({ path, status: 200 });
    return n;
  };
  const addNotes = async (count: number) => {
    for (let k = 0; k < count; k++) await okCall(t, pat, 'POST', `/api/cases/${ids.kase}/items`, { kind: 'note', title: `Note ${randomUUID().slice(0, 6)}`, body: 'Shared with the client' });
  };
  const newCase = async (clientId: string, number: string, token = pat): Promise<string> => (await okCall(t, token, 'POST', '/api/cases', { clientId, number, title: `Case ${number}` })).id;

  beforeAll(async () => {
    db = countingDb(await freshPglite());
    t = await startTestApp({ db });
    const firm = await createFirm(t.db, HOME_TENANT, 'Firm A');
    const inside = await new Repo(t.db).insertStaff({ firmId: firm.firm.id, userId: randomUUID(), name: 'Ina Inside', email: 'ina@firm.example', phone: null, title: 'Associate' });
    await completeSetupInStore(t.db, firm.firm.id, { name: 'Firm A', staffGroupId: TEST_STAFF_GROUP, admins: [inside, firm.staff].map((s) => ({ userId: s.userId, name: s.name, upn: s.email })) });
    pat = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
    ina = await t.identity.token({ tid: HOME_TENANT, oid: inside.userId, name: 'Ina Inside' });
    ids.clientA = (await okCall(t, pat, 'POST', '/api/clients', { name: 'García family' })).id;
    ids.clientB = (await okCall(t, pat, 'POST', '/api/clients', { name: 'Berg GmbH' })).id;
    ids.kase = await newCase(ids.clientA, 'Q-1');
    ids.walled = await newCase(ids.clientA, 'Q-2', ina);
    await okCall(t, ina, 'POST', `/api/cases/${ids.walled}/items`, { kind: 'note', title: 'Conflict memo', body: 'inside only' });
    await okCall(t, ina, 'PUT', `/api/cases/${ids.walled}/wall`, { staffIds: [inside.id], reason: 'conflict: Pat acted for the other side' });
    await newCase(ids.clientA, 'Q-3');
    await newCase(ids.clientA, 'Q-4');
    await newCase(ids.clientB, 'Q-5');
    const contact = await okCall(t, pat, 'POST', '/api/contacts', { email: `ana@${randomUUID().slice(0, 6)}.example`, name: 'Ana García', kind: 'client', clientId: ids.clientA });
    await okCall(t, pat, 'PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
    await okCall(t, pat, 'POST', `/api/cases/${ids.kase}/links`, { contactId: contact.id });
    await okCall(t, pat, 'POST', '/api/grants', { contactId: contact.id, scope: { kind: 'case', caseId: ids.kase, view: [...SECTIONS], threadIds: [] } });
    const guestUser = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, guestUser);
    guest = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true, name: 'Ana García' });
    await addNotes(2);
    // Two threads the guest started, one answered by the firm: the case page reads their messages.
    for (const subject of ['Question about the deed', 'Question about the fee']) {
      const sent = await okCall(t, guest, 'POST', `/api/portal/cases/${ids.kase}/messages`, { body: `${subject}?`, screen: null, threadId: null, subject });
      await okCall(t, pat, 'POST', `/api/threads/${sent.threadId}/messages`, { body: 'We will look into it.' });
    }
  });
  afterAll(() => t.close());

  /** P7's requests, each once to warm (a guest's first opens are recorded), then counted. */
  const p7 = async () => {
    const paths: Array<[string, string, string]> = [
      ['guest my cases', '/api/portal/cases', guest],
      ['guest case page', `/api/portal/cases/${ids.kase}`, guest],
      ['guest profile', '/api/portal/me', guest],
      ['staff case list', '/api/cases?limit=100', pat],
      ['staff case items', `/api/cases/${ids.kase}/items`, pat],
    ];
    const counts: Record<string, number> = {};
    for (const [name, path, token] of paths) {
      await countOf(path, token);
      counts[name] = await countOf(path, token);
    }
    return counts;
  };

  it('reads the case, its items and the walls once per request, however many items the case holds', async () => {
    const few = await p7();
    await addNotes(12);
    const many = await p7();
    expect(many).toEqual(few);
    // Before (bench/PROFILE.md): the case page read the items twice (15), the items panel the case and walls twice (12);
    // then the case page recorded repeat opens in a 4-statement transaction and read each thread's messages apart (16 with two threads),
    // and staff sign-in read `contacts` before `staff` (case list 5, items 9); then every request read the firm and the caller apart (one more each),
    // the guest's cases apart from her links (my cases 5), and the case page its link, team member, threads and messages apart (12).
    expect(many).toEqual({ 'guest my cases': 3, 'guest case page': 8, 'guest profile': 1, 'staff case list': 3, 'staff case items': 7 });
    const page = (await t.call('GET', `/api/portal/cases/${ids.kase}`, guest)).body;
    expect(page.notes).toHaveLength(14);
    const threads = page.threads.map((th: { subject: string; messages: Array<{ from: string; body: string }> }) => ({ subject: th.subject, messages: th.messages.map((m) => `${m.from}: ${m.body}`) }));
    expect(threads).toEqual([
      { subject: 'Question about the deed', messages: ['you: Question about the deed?', 'Pat Partner: We will look into it.'] },
      { subject: 'Question about the fee', messages: ['you: Question about the fee?', 'Pat Partner: We will look into it.'] },
    ]);
  });

  it('still treats a member token as the guest when a contact has that user as its guest account, staff row or not', async () => {
    const firmId = (await new Repo(t.db).firmByTenant(HOME_TENANT))?.id as string;
    const both = await new Repo(t.db).insertStaff({ firmId, userId: randomUUID(), name: 'Sam Both', email: 'sam@firm.example', phone: null, title: null });
    const contact = await okCall(t, pat, 'POST', '/api/contacts', { email: `sam@${randomUUID().slice(0, 6)}.example`, name: 'Sam as a client', kind: 'client', clientId: ids.clientA });
    await okCall(t, pat, 'PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
    await t.app.services.sharing.markInvitationAccepted(firmId, contact.id, both.userId);
    const member = await t.identity.token({ tid: HOME_TENANT, oid: both.userId, name: 'Sam Both' });
    expect((await t.call('GET', '/api/portal/me', member)).status).toBe(200);
    expect((await t.call('GET', '/api/cases', member)).status).toBe(403);
  });

  it('still hides a walled case’s items from staff outside the wall, as if it never existed, and shows them inside', async () => {
    const walled = await t.call('GET', `/api/cases/${ids.walled}/items`, pat);
    const ghost = await t.call('GET', `/api/cases/${randomUUID()}/items`, pat);
    expect(walled.status).toBe(404);
    expect(walled.body.error.message).toBe(ghost.body.error.message);
    const seen = await t.call('GET', `/api/cases/${ids.walled}/items`, ina);
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((i: { title: string }) => i.title)).toEqual(['Conflict memo']);
  });

  const pages = async (token: string, limit: number, clientId?: string): Promise<Listed[][]> => {
    const out: Listed[][] = [];
    for (let after: string | undefined; ;) {
      const query = new URLSearchParams({ limit: String(limit), ...(clientId ? { clientId } : {}), ...(after ? { after } : {}) });
      const page: Listed[] = await okCall(t, token, 'GET', `/api/cases?${query.toString()}`);
      out.push(page);
      if (page.length < limit) return out;
      after = page[page.length - 1].number;
    }
  };
  const numbers = (list: Listed[][]) => list.map((page) => page.map((c) => c.number));

  it('pages the case list in number order; a walled case takes no place in the pages of those outside it', async () => {
    expect(numbers(await pages(pat, 2))).toEqual([['Q-1', 'Q-3'], ['Q-4', 'Q-5'], []]);
    const inside = await pages(ina, 2);
    expect(numbers(inside)).toEqual([['Q-1', 'Q-2'], ['Q-3', 'Q-4'], ['Q-5']]);
    expect(inside.flat().find((c) => c.number === 'Q-2')?.restricted).toBe(true);
    expect(numbers(await pages(pat, 1, ids.clientB))).toEqual([['Q-5'], []]);
    // Without a limit: the whole list, as before (every page together).
    expect(await okCall(t, ina, 'GET', '/api/cases')).toEqual(inside.flat());
  });

  it('refuses a limit or cursor it cannot use', async () => {
    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', `limit=5&after=${'9'.repeat(41)}`, 'limit=5&clientId=not-an-id']) {
      const res = await t.call('GET', `/api/cases?${query}`, pat);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });
});
