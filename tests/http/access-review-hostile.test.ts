import { randomUUID } from 'node:crypto';
import { AccessReviewService } from '../../src/services/access-reviews';
import { systemClock } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';
import { harnessFetch } from '../support/http';

/**
 * Access reviews' routes and decisions against people who should not reach them: another
 * firm's staff, a guest, no token, bad settings, and a decision aimed at another firm's review.
 */

let t: TestApp;
let firmA: Awaited<ReturnType<typeof createFirm>>;
let firmB: Awaited<ReturnType<typeof createFirm>>;
let staffA: string;
let staffB: string;
let guestA: string;
let reviewA: { reviewId: string; contactId: string; fingerprint: string; caseId: string };

const actorOf = (f: Awaited<ReturnType<typeof createFirm>>) => ({ kind: 'staff' as const, firmId: f.firm.id, staffId: f.staff.id, userId: f.staff.userId, name: f.staff.name, role: 'admin' as const });
const reviews = () => new AccessReviewService({ db: t.db, clock: systemClock, sharing: t.app.services.sharing });
const report = async (token: string | null) => {
  const res = await harnessFetch(`${t.app.url}/api/access-reviews/report`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};

beforeAll(async () => {
  t = await startTestApp();
  firmA = await createFirm(t.db, HOME_TENANT, 'Firm A');
  const otherTenant = randomUUID();
  firmB = await createFirm(t.db, otherTenant, 'Firm B');
  staffA = await t.identity.token({ tid: HOME_TENANT, oid: firmA.staff.userId });
  staffB = await t.identity.token({ tid: otherTenant, oid: firmB.staff.userId });
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await t.call(method, path, staffA, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const client = await ok('POST', '/api/clients', { name: 'Client' });
  const kase = await ok('POST', '/api/cases', { clientId: client.id, number: 'A-1', title: 'Case' });
  // A name a spreadsheet would run as a formula: the report must show it as text.
  const contact = await ok('POST', '/api/contacts', { email: 'g@x.example', name: '=HYPERLINK("http://evil.example")', kind: 'client', clientId: client.id });
  await ok('PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
  await ok('POST', `/api/cases/${kase.id}/links`, { contactId: contact.id });
  await ok('POST', '/api/grants', { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['documents'], threadIds: [] } });
  const guestUser = randomUUID();
  await t.app.services.sharing.markInvitationAccepted(firmA.firm.id, contact.id, guestUser);
  guestA = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true });

  const c = (await new Repo(t.db).case(firmA.firm.id, kase.id))!;
  const guests = await reviews().guestsOfCase(c);
  const begun = (await t.db.transaction((tx) => reviews().startReview(tx, c, guests, (id) => `review:${id}`)))!;
  reviewA = { reviewId: begun.reviewId, contactId: contact.id, fingerprint: guests[0].fingerprint, caseId: kase.id };
});
afterAll(async () => {
  await t?.close();
});

describe('access review hostile cases', () => {
  it('a case made without a responsible staff member gets its creator; another firm’s staff member cannot be made responsible', async () => {
    const c = (await t.call('GET', `/api/cases/${reviewA.caseId}`, staffA)).body;
    expect(c.assignedStaffId).toBe(firmA.staff.id);
    expect(c.assignedStaff).toMatchObject({ id: firmA.staff.id });
    const foreign = await t.call('PATCH', `/api/cases/${reviewA.caseId}`, staffA, { assignedStaffId: firmB.staff.id });
    expect(foreign.status).toBe(404);
    expect((await t.call('PATCH', `/api/cases/${reviewA.caseId}`, staffB, { assignedStaffId: firmB.staff.id })).status).toBe(404);
    expect((await t.call('GET', `/api/cases/${reviewA.caseId}`, staffA)).body.assignedStaffId).toBe(firmA.staff.id);
  });

  it('refuses bad review schedules, guests and unknown fields, changing nothing', async () => {
    const before = await storeFingerprint(t.db);
    const refused = [
      [staffA, { accessReviewSchedule: 'weekly' }, 400],
      [staffA, { accessReviewSchedule: null }, 400],
      [staffA, {}, 400],
      [staffA, { accessReviewSchedule: 'monthly', firmId: firmB.firm.id }, 400],
      [guestA, { accessReviewSchedule: 'monthly' }, 403],
      [null, { accessReviewSchedule: 'monthly' }, 401],
    ] as const;
    for (const [token, body, status] of refused) expect({ body, status: (await t.call('PUT', '/api/firm/settings', token, body)).status }).toEqual({ body, status });
    expect(await storeFingerprint(t.db)).toBe(before);
    // Another firm's staff member sets their own firm's schedule only.
    expect((await t.call('PUT', '/api/firm/settings', staffB, { accessReviewSchedule: 'quarterly' })).body).toMatchObject({ currency: 'USD', accessReviewSchedule: 'quarterly' });
    expect((await t.call('GET', '/api/firm/settings', staffA)).body.accessReviewSchedule).toBe('off');
  });

  it('another firm’s staff member cannot decide in this firm’s review', async () => {
    const before = await storeFingerprint(t.db);
    const outcome = await reviews().decide(actorOf(firmB), { reviewId: reviewA.reviewId, contactId: reviewA.contactId, decision: 'remove', expected: reviewA.fingerprint });
    expect(outcome).toEqual({ outcome: 'stale', why: 'this review no longer exists' });
    expect(await storeFingerprint(t.db)).toBe(before);
    expect(await new Repo(t.db).isLinked(reviewA.caseId, reviewA.contactId)).toBe(true);
  });

  it('the report is for the firm’s staff only: a guest and no token are refused, another firm sees none of it', async () => {
    expect(await reviews().decide(actorOf(firmA), { reviewId: reviewA.reviewId, contactId: reviewA.contactId, decision: 'keep', expected: reviewA.fingerprint })).toMatchObject({ outcome: 'decided', completed: true });
    const mine = await report(staffA);
    expect(mine.status).toBe(200);
    expect(mine.type).toMatch(/^text\/csv/);
    const rows = mine.text.trim().split('\r\n');
    expect(rows).toHaveLength(2);
    // The formula is defused: a leading apostrophe makes the spreadsheet show it as text.
    expect(rows[1]).toMatch(/^"A-1 Case","'=HYPERLINK\(""http:\/\/evil\.example""\)","documents","\d{4}-\d\d-\d\d","keep","Pat Partner"$/);

    const theirs = await report(staffB);
    expect(theirs.status).toBe(200);
    expect(theirs.text.trim().split('\r\n')).toEqual([rows[0]]);
    expect((await report(guestA)).status).toBe(403);
    expect((await report(null)).status).toBe(401);
  });
});
