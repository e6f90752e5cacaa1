import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/** The sharing model end to end through the HTTP API: three locks, scopes, pending, expiry, preview, audit. */
describe('sharing through the API', () => {
  let t: TestApp;
  let staffToken: string;
  let firm: Awaited<ReturnType<typeof createFirm>>;

  beforeEach(async () => {
    t = await startTestApp();
    firm = await createFirm(t.db, HOME_TENANT);
    staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
  });
  afterEach(() => t.close());

  async function setupCase() {
    const client = (await t.call('POST', '/api/clients', staffToken, { name: 'Jane Doe' })).body;
    const kase = (await t.call('POST', '/api/cases', staffToken, { clientId: client.id, number: 'PI-1', title: 'Doe v. Roe', assignedStaffId: firm.staff.id, budgetCents: 100000 })).body;
    const report = (await t.call('POST', `/api/cases/${kase.id}/items`, staffToken, { kind: 'note', title: 'Report', body: 'The report' })).body;
    const secret = (await t.call('POST', `/api/cases/${kase.id}/items`, staffToken, { kind: 'note', title: 'Strategy', body: 'internal' })).body;
    const contact = (await t.call('POST', '/api/contacts', staffToken, { email: 'jane@doe.example', name: 'Jane Doe', kind: 'client', clientId: client.id })).body;
    return { client, kase, report, secret, contact };
  }

  async function acceptAs(contactId: string) {
    const guestUserId = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contactId, guestUserId);
    return t.identity.token({ tid: HOME_TENANT, oid: guestUserId, guest: true, name: 'Jane Doe' });
  }

  it('opens only when all three locks open, and each lock withdraws what it opened', async () => {
    const { kase, report, secret, contact } = await setupCase();

    // Lock 1 closed: sharing refused.
    let res = await t.call('POST', '/api/shares', staffToken, { contactIds: [contact.id], itemIds: [report.id] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/portal access is off/);

    expect((await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true })).status).toBe(200);
    // Lock 2 closed: not linked.
    res = await t.call('POST', '/api/shares', staffToken, { contactIds: [contact.id], itemIds: [report.id] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/not linked/);

    expect((await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id })).status).toBe(201);
    const guestToken = await acceptAs(contact.id);
    // Linking shares nothing.
    expect((await t.call('GET', '/api/portal/cases', guestToken)).body).toEqual([]);

    expect((await t.call('POST', '/api/shares', staffToken, { contactIds: [contact.id], itemIds: [report.id] })).status).toBe(200);
    const cases = (await t.call('GET', '/api/portal/cases', guestToken)).body;
    expect(cases.map((c: { id: string }) => c.id)).toEqual([kase.id]);
    const view = (await t.call('GET', `/api/portal/cases/${kase.id}`, guestToken)).body;
    expect(view.notes.map((n: { id: string }) => n.id)).toEqual([report.id]);
    expect(view.notes.map((n: { id: string }) => n.id)).not.toContain(secret.id);
    expect(view.budget).toBeNull();

    // Unlinking withdraws that case's grants.
    expect((await t.call('DELETE', `/api/cases/${kase.id}/links/${contact.id}`, staffToken)).status).toBe(200);
    expect((await t.call('GET', '/api/portal/cases', guestToken)).body).toEqual([]);
    expect((await t.call('GET', `/api/portal/cases/${kase.id}`, guestToken)).status).toBe(404);
    expect(await new Repo(t.db).grantsOfContact(contact.id)).toEqual([]);

    // Relink + case grant, then portal off withdraws everything.
    await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
    res = await t.call('POST', '/api/grants', staffToken, { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['status', 'budget', 'notes'] } });
    expect(res.status).toBe(201);
    const caseView = (await t.call('GET', `/api/portal/cases/${kase.id}`, guestToken)).body;
    expect(caseView.notes.map((n: { id: string }) => n.id).sort()).toEqual([report.id, secret.id].sort());
    expect(caseView.budget.budgetCents).toBe(100000);
    expect(caseView.documents).toBeNull();
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: false, reason: 'matter closed' });
    expect((await t.call('GET', '/api/portal/cases', guestToken)).status).toBe(403);
    expect(await new Repo(t.db).grantsOfContact(contact.id)).toEqual([]);
  });

  it('keeps grants pending until the invitation is accepted', async () => {
    const { kase, report, contact } = await setupCase();
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true });
    await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
    await t.call('POST', '/api/shares', staffToken, { contactIds: [contact.id], itemIds: [report.id] });
    const access = (await t.call('GET', `/api/cases/${kase.id}/access`, staffToken)).body;
    expect(access).toHaveLength(1);
    expect(access[0].state).toBe('pending');
    expect(t.recorder.calls.length).toBe(0);
    await t.app.worker.drain();
    expect(t.recorder.calls.map((c) => c.kind)).toEqual(expect.arrayContaining(['invite-guest', 'sync-guest-access', 'notify']));
    await acceptAs(contact.id);
    expect((await t.call('GET', `/api/cases/${kase.id}/access`, staffToken)).body[0].state).toBe('active');
  });

  it('previews a scope change as the exact items gained and lost, and applies the same', async () => {
    const { client, kase, report, secret, contact } = await setupCase();
    const other = (await t.call('POST', '/api/cases', staffToken, { clientId: client.id, number: 'PI-2', title: 'Doe estate', assignedStaffId: null, budgetCents: null })).body;
    const otherNote = (await t.call('POST', `/api/cases/${other.id}/items`, staffToken, { kind: 'note', title: 'Estate note', body: 'x' })).body;
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true });
    await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
    const grant = (await t.call('POST', '/api/grants', staffToken, { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['notes'] } })).body;

    const widen = { scope: { kind: 'client', clientId: client.id, view: ['notes', 'status'] } };
    const preview = await t.call('POST', `/api/grants/${grant.id}/preview`, staffToken, widen);
    expect(preview.status).toBe(200);
    expect(preview.body.gained.items.map((i: { itemId: string }) => i.itemId)).toEqual([otherNote.id]);
    expect(preview.body.gained.cases.map((c: { number: string }) => c.number)).toEqual(['PI-2']);
    expect(preview.body.lost.items).toEqual([]);
    // Nothing written by a preview.
    expect((await new Repo(t.db).grant(firm.firm.id, grant.id))?.scope.kind).toBe('case');

    const applied = await t.call('PUT', `/api/grants/${grant.id}`, staffToken, widen);
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toEqual(preview.body);

    const narrow = { scope: { kind: 'item', caseId: kase.id, itemId: report.id } };
    const narrowPreview = (await t.call('POST', `/api/grants/${applied.body.grant.id}/preview`, staffToken, narrow)).body;
    expect(narrowPreview.lost.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual([otherNote.id, secret.id].sort());
    expect(narrowPreview.gained.items).toEqual([]);
  });

  it('stops an expired grant without anyone acting', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    await t.close();
    t = await startTestApp({ clock: { now: () => now } });
    firm = await createFirm(t.db, HOME_TENANT);
    staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId });
    const { kase, report, contact } = await setupCase();
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true });
    await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
    const guestToken = await acceptAs(contact.id);
    expect((await t.call('POST', '/api/shares', staffToken, { contactIds: [contact.id], itemIds: [report.id], expiresAt: '2030-01-02T00:00:00Z' })).status).toBe(200);
    expect((await t.call('GET', '/api/portal/cases', guestToken)).body).toHaveLength(1);
    now = new Date('2030-01-02T00:00:01Z');
    expect((await t.call('GET', '/api/portal/cases', guestToken)).body).toEqual([]);
    expect((await t.call('GET', `/api/cases/${kase.id}/access`, staffToken)).body[0].state).toBe('expired');
  });

  it('chains every change in the audit log and detects tampering', async () => {
    const { kase, contact } = await setupCase();
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true, reason: 'engaged' });
    await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
    const entries = (await t.call('GET', '/api/audit', staffToken)).body;
    // Newest first.
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['client.created', 'case.created', 'note.created', 'note.created', 'contact.created', 'portal.enabled', 'case.linked'].reverse());
    expect(entries.find((e: { action: string }) => e.action === 'portal.enabled').reason).toBe('engaged');
    expect((await t.call('GET', '/api/audit/verify', staffToken)).body).toMatchObject({ ok: true, entries: 7 });

    // The application cannot rewrite history...
    await expect(t.db.query(`UPDATE audit_log SET reason = 'x' WHERE seq = 6`)).rejects.toThrow(/append-only/);
    // ...and someone who bypasses the trigger is caught by the chain.
    await t.db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; UPDATE audit_log SET reason = 'forged' WHERE seq = 6; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    expect((await t.call('GET', '/api/audit/verify', staffToken)).body).toMatchObject({ ok: false, brokenAtSeq: 6 });
  });

  it('changes only the case fields a PATCH names', async () => {
    const { kase } = await setupCase();
    expect((await t.call('PATCH', `/api/cases/${kase.id}`, staffToken, { status: 'on_hold', statusNote: 'Waiting for the court' })).status).toBe(200);
    const renamed = await t.call('PATCH', `/api/cases/${kase.id}`, staffToken, { title: 'Doe v. Roe (appeal)' });
    expect(renamed.body).toMatchObject({ title: 'Doe v. Roe (appeal)', status: 'on_hold', statusNote: 'Waiting for the court', budgetCents: 100000 });
  });

  it('answers /healthz without a token, naming the store and Microsoft 365 mode', async () => {
    const res = await t.call('GET', '/healthz', null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', store: 'pglite', m365: 'simulator', simulatorUrl: 'https://simulator.invalid' });
  });
});
