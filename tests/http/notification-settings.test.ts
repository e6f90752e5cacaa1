import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';

/**
 * The staff settings screen's route (GET/PUT /api/me/notification-preferences) against hostile
 * callers: a guest, another firm's case id, bad input. Every refusal leaves the store as it was;
 * a staff member only ever reads and writes their own switches.
 */
describe('notification settings: hostile callers', () => {
  let t: TestApp;
  let staffA: string;
  let colleagueA: string;
  let guest: string;
  let caseA: string;
  let caseB: string;

  beforeAll(async () => {
    t = await startTestApp();
    const a = await createFirm(t.db, HOME_TENANT, 'Firm A');
    const otherTenant = randomUUID();
    const b = await createFirm(t.db, otherTenant, 'Firm B');
    staffA = await t.identity.token({ tid: HOME_TENANT, oid: a.staff.userId });
    const staffB = await t.identity.token({ tid: otherTenant, oid: b.staff.userId });
    const guestContact = await t.app.services.sharing.createContact(
      { kind: 'staff', firmId: a.firm.id, staffId: a.staff.id, userId: a.staff.userId, name: a.staff.name, role: 'admin' },
      { email: 'g@x.example', name: 'Gus Guest', kind: 'client', phone: null, clientId: null },
    );
    await t.call('PUT', `/api/contacts/${guestContact.id}/portal-access`, staffA, { enabled: true });
    const guestUser = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(a.firm.id, guestContact.id, guestUser);
    guest = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true });
    const second = await new Repo(t.db).insertStaff({ firmId: a.firm.id, userId: randomUUID(), name: 'Cleo Colleague', email: 'cleo@firm.example', phone: null, title: null });
    colleagueA = await t.identity.token({ tid: HOME_TENANT, oid: second.userId });
    const client = async (token: string) => (await t.call('POST', '/api/clients', token, { name: 'Client' })).body.id as string;
    caseA = (await t.call('POST', '/api/cases', staffA, { clientId: await client(staffA), number: 'A-1', title: 'Case A' })).body.id;
    caseB = (await t.call('POST', '/api/cases', staffB, { clientId: await client(staffB), number: 'B-1', title: 'Case B' })).body.id;
  });
  afterAll(() => t.close());

  const refused: Array<[string, () => string, string, () => unknown, number, string]> = [
    ['a guest reads staff settings', () => guest, 'GET', () => undefined, 403, 'forbidden'],
    ['a guest writes staff settings', () => guest, 'PUT', () => ({ caseId: null, event: 'guest.uploaded', enabled: false, mention: false }), 403, 'forbidden'],
    ['no token', () => '', 'PUT', () => ({ caseId: null, event: 'guest.uploaded', enabled: false, mention: false }), 401, 'unauthenticated'],
    ["a preference on another firm's case", () => staffA, 'PUT', () => ({ caseId: caseB, event: 'guest.uploaded', enabled: true, mention: true }), 404, 'not_found'],
    ['an event that does not exist', () => staffA, 'PUT', () => ({ caseId: null, event: 'everything', enabled: true, mention: true }), 400, 'validation_failed'],
    ['a switch that is not a boolean', () => staffA, 'PUT', () => ({ caseId: null, event: 'guest.uploaded', enabled: 'yes' }), 400, 'validation_failed'],
    ["someone else's staff id smuggled in", () => staffA, 'PUT', () => ({ caseId: null, event: 'guest.uploaded', enabled: true, mention: true, staffId: randomUUID() }), 400, 'validation_failed'],
    ['a case id that is not an id', () => staffA, 'PUT', () => ({ caseId: "1' OR '1'='1", event: 'guest.uploaded', enabled: true, mention: true }), 400, 'validation_failed'],
  ];

  it.each(refused)('%s is refused and changes nothing', async (_name, token, method, body, status, code) => {
    const before = await storeFingerprint(t.db);
    const res = await t.call(method, '/api/me/notification-preferences', token() || null, body());
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(await storeFingerprint(t.db)).toBe(before);
  });

  it("a staff member's switches are theirs alone, firm-wide and per case", async () => {
    const saved = await t.call('PUT', '/api/me/notification-preferences', staffA, { caseId: caseA, event: 'guest.message', enabled: true, mention: false });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual([{ caseId: caseA, event: 'guest.message', enabled: true, mention: false, feed: null }]);
    expect((await t.call('GET', '/api/me/notification-preferences', colleagueA)).body).toEqual([]);
  });
});
