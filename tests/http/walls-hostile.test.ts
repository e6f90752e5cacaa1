import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';

/**
 * Hostile use of PUT/DELETE /cases/{id}/wall: another firm's staff and cases, a guest, strangers
 * in the wall, locking oneself out, and a walled-off staff member trying to take the wall down.
 */

let t: TestApp;
let pat: string;
let ina: string;
let guest: string;
let otherFirmStaff: string;
let otherFirmStaffId = '';
let patId = '';
let inaId = '';
let caseId = '';
let otherFirmCaseId = '';

beforeAll(async () => {
  t = await startTestApp();
  const firm = await createFirm(t.db, HOME_TENANT, 'Firm A');
  patId = firm.staff.id;
  const inaRow = await new Repo(t.db).insertStaff({ firmId: firm.firm.id, userId: randomUUID(), name: 'Ina Inside', email: 'ina@firm.example', phone: null, title: null });
  inaId = inaRow.id;
  pat = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId });
  ina = await t.identity.token({ tid: HOME_TENANT, oid: inaRow.userId });
  const client = (await t.call('POST', '/api/clients', pat, { name: 'Client' })).body;
  caseId = (await t.call('POST', '/api/cases', pat, { clientId: client.id, number: 'H-1', title: 'Hostile' })).body.id;
  const contact = (await t.call('POST', '/api/contacts', pat, { email: 'g@x.example', name: 'Gina Guest', kind: 'client', clientId: client.id })).body;
  await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, pat, { enabled: true });
  await t.call('POST', `/api/cases/${caseId}/links`, pat, { contactId: contact.id });
  await t.call('POST', '/api/grants', pat, { contactId: contact.id, scope: { kind: 'case', caseId, view: ['documents'], threadIds: [] }, rights: 'read' });
  const guestUser = randomUUID();
  await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, guestUser);
  guest = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true });

  const otherTenant = randomUUID();
  const other = await createFirm(t.db, otherTenant, 'Firm B');
  otherFirmStaffId = other.staff.id;
  otherFirmStaff = await t.identity.token({ tid: otherTenant, oid: other.staff.userId });
  const otherClient = (await t.call('POST', '/api/clients', otherFirmStaff, { name: 'B client' })).body;
  otherFirmCaseId = (await t.call('POST', '/api/cases', otherFirmStaff, { clientId: otherClient.id, number: 'B-1', title: 'B case' })).body.id;
});
afterAll(async () => {
  await t?.close();
});

const wall = (token: string, id: string, staffIds: string[]) => t.call('PUT', `/api/cases/${id}/wall`, token, { staffIds });

describe('setting a wall, refused', () => {
  it('refuses a wall that leaves the setter out, an empty one, and one naming another firm’s staff, and changes nothing', async () => {
    const before = await storeFingerprint(t.db);
    const lockedOut = await wall(pat, caseId, [inaId]);
    expect(lockedOut.status).toBe(400);
    expect(lockedOut.body.error).toMatchObject({ code: 'validation_failed', field: 'staffIds', message: expect.stringContaining('include yourself') });
    expect((await wall(pat, caseId, [])).status).toBe(400);
    const stranger = await wall(pat, caseId, [patId, otherFirmStaffId]);
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.message).toContain(otherFirmStaffId);
    expect((await wall(pat, caseId, [patId, 'not-an-id'])).status).toBe(400);
    expect((await t.call('PUT', `/api/cases/${caseId}/wall`, pat, { staffIds: [patId], extra: true })).status).toBe(400);
    expect(await storeFingerprint(t.db)).toBe(before);
    expect((await t.call('GET', `/api/cases/${caseId}/wall`, pat)).body).toEqual({ caseId, restricted: false, staffIds: [] });
  });

  it('answers 404 for another tenant’s case, and another tenant’s staff cannot reach ours', async () => {
    expect((await wall(pat, otherFirmCaseId, [patId])).status).toBe(404);
    expect((await t.call('DELETE', `/api/cases/${otherFirmCaseId}/wall`, pat)).status).toBe(404);
    expect((await wall(otherFirmStaff, caseId, [otherFirmStaffId])).status).toBe(404);
    expect((await t.call('GET', `/api/cases/${caseId}/wall`, otherFirmStaff)).status).toBe(404);
    expect((await wall(pat, randomUUID(), [patId])).status).toBe(404);
  });

  it('is staff-only: a guest of the case gets 403', async () => {
    expect((await wall(guest, caseId, [patId])).status).toBe(403);
    expect((await t.call('DELETE', `/api/cases/${caseId}/wall`, guest)).status).toBe(403);
  });
});

describe('a wall, once up', () => {
  it('cannot be changed or removed from outside; the setter may remove himself only by naming someone else', async () => {
    expect((await wall(ina, caseId, [inaId])).status).toBe(200);
    // Pat is outside now: the case is not there for him, even to take the wall down or put himself in.
    expect((await t.call('DELETE', `/api/cases/${caseId}/wall`, pat)).status).toBe(404);
    expect((await wall(pat, caseId, [patId, inaId])).status).toBe(404);
    // Ina cannot leave by naming only Pat: she would lock herself out.
    expect((await wall(ina, caseId, [patId])).status).toBe(400);
    expect((await wall(ina, caseId, [inaId, patId])).body).toEqual({ caseId, restricted: true, staffIds: [inaId, patId].sort() });
    expect((await t.call('GET', `/api/cases/${caseId}`, pat)).status).toBe(200);
    // The guest is not affected by walls: her portal still shows the case.
    expect((await t.call('GET', `/api/portal/cases/${caseId}`, guest)).status).toBe(200);
  });
});
