import { randomUUID } from 'node:crypto';
import { feedRecipients, preferencesFor } from '../../bot/store';
import { Repo } from '../../src/store/repo';
import { type createFirm, HOME_TENANT, okCall, startTwoFirmApp, type TestApp } from '../support/app';

/**
 * The staff `feed` preference (Teams activity-feed notices of guest uploads and messages) through
 * GET/PUT /me/notification-preferences: validated, kept apart from the channel switches, and out
 * of reach of guests and of another firm's staff.
 */

let t: TestApp;
let firmA: Awaited<ReturnType<typeof createFirm>>;
let staffA: string;
let staffB: string;
let guestA: string;
let caseA: { id: string };
const PREFS = '/api/me/notification-preferences';

beforeAll(async () => {
  ({ t, firmA, staffA, staffB } = await startTwoFirmApp());
  const ok = (method: string, path: string, body?: unknown) => okCall(t, staffA, method, path, body);
  const client = await ok('POST', '/api/clients', { name: 'Client' });
  caseA = await ok('POST', '/api/cases', { clientId: client.id, number: 'A-1', title: 'Case' });
  const contact = await ok('POST', '/api/contacts', { email: 'g@x.example', name: 'Gina Guest', kind: 'client', clientId: client.id });
  await ok('PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
  await ok('POST', `/api/cases/${caseA.id}/links`, { contactId: contact.id });
  const guestUser = randomUUID();
  await t.app.services.sharing.markInvitationAccepted(firmA.firm.id, contact.id, guestUser);
  guestA = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true });
});
afterAll(async () => {
  await t?.close();
});

describe('staff feed preference', () => {
  it('is set alone, read back, and leaves the channel card and @mention on their defaults', async () => {
    const set = await t.call('PUT', PREFS, staffA, { event: 'guest.uploaded', feed: false });
    expect(set.status).toBe(200);
    expect(set.body).toEqual([{ caseId: null, event: 'guest.uploaded', enabled: null, mention: null, feed: false }]);
    // The assigned staff member is still @mentioned by default: a feed-only row is no channel preference.
    expect((await preferencesFor(t.db, firmA.firm.id, caseA.id, 'guest.uploaded')).size).toBe(0);
    // Setting the channel switches keeps the feed choice, and the other way round.
    await t.call('PUT', PREFS, staffA, { event: 'guest.uploaded', enabled: true, mention: true });
    await t.call('PUT', PREFS, staffA, { event: 'guest.uploaded', caseId: caseA.id, feed: true });
    expect((await t.call('GET', PREFS, staffA)).body).toEqual([
      { caseId: null, event: 'guest.uploaded', enabled: true, mention: true, feed: false },
      { caseId: caseA.id, event: 'guest.uploaded', enabled: null, mention: null, feed: true },
    ]);
    // The per-case choice wins over the firm-wide one.
    const c = (await new Repo(t.db).case(firmA.firm.id, caseA.id))!;
    expect([...(await feedRecipients(t.db, c, 'guest.uploaded'))]).toEqual([firmA.staff.id]);
  });

  it('refuses a feed for other events, an empty change, and mention without enabled', async () => {
    const before = (await t.call('GET', PREFS, staffA)).body;
    const shared = await t.call('PUT', PREFS, staffA, { event: 'items.shared', feed: true });
    expect(shared.status).toBe(400);
    expect(shared.body.error.field).toBe('feed');
    expect((await t.call('PUT', PREFS, staffA, { event: 'guest.message' })).status).toBe(400);
    expect((await t.call('PUT', PREFS, staffA, { event: 'guest.message', mention: true, feed: true })).status).toBe(400);
    expect((await t.call('PUT', PREFS, staffA, { event: 'guest.message', feed: 'yes' })).status).toBe(400);
    expect((await t.call('GET', PREFS, staffA)).body).toEqual(before);
  });

  it('a guest can neither read nor set staff preferences', async () => {
    expect((await t.call('GET', PREFS, guestA)).status).toBe(403);
    expect((await t.call('PUT', PREFS, guestA, { event: 'guest.uploaded', feed: true })).status).toBe(403);
    const rows = await t.db.query('SELECT 1 FROM notification_preferences WHERE event = $1', ['guest.message']);
    expect(rows).toHaveLength(0);
  });

  it('another firm’s staff sees none of them and cannot aim a preference at this firm’s case', async () => {
    expect((await t.call('GET', PREFS, staffB)).body).toEqual([]);
    const aimed = await t.call('PUT', PREFS, staffB, { event: 'guest.uploaded', caseId: caseA.id, feed: true });
    expect(aimed.status).toBe(404);
    expect((await t.call('GET', PREFS, staffB)).body).toEqual([]);
    const c = (await new Repo(t.db).case(firmA.firm.id, caseA.id))!;
    expect([...(await feedRecipients(t.db, c, 'guest.uploaded'))]).toEqual([firmA.staff.id]);
  });
});
