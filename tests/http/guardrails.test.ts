import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/**
 * Parties and guardrails through the HTTP API (issue 12): a contact's role in each case, the
 * firm's blocked and warned domains, the 409 confirmation_required answer until the request
 * carries `confirm: { reason }`, the 403 refusal that cannot be confirmed, and "Add a guest" on
 * someone who already has access being a previewed scope change audited before and after.
 */
describe('guardrails on sharing', () => {
  let t: TestApp;
  let staffToken: string;
  let firm: Awaited<ReturnType<typeof createFirm>>;

  beforeEach(async () => {
    t = await startTestApp();
    firm = await createFirm(t.db, HOME_TENANT);
    staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
  });
  afterEach(() => t.close());

  const call = (method: string, path: string, body?: unknown) => t.call(method, path, staffToken, body);

  async function setupCase() {
    const client = (await call('POST', '/api/clients', { name: 'Jane Doe' })).body;
    const kase = (await call('POST', '/api/cases', { clientId: client.id, number: 'PI-1', title: 'Doe v. Roe' })).body;
    const report = (await call('POST', `/api/cases/${kase.id}/items`, { kind: 'note', title: 'Report', body: 'The report' })).body;
    const notes = (await call('POST', `/api/cases/${kase.id}/items`, { kind: 'note', title: 'Chronology', body: 'dates' })).body;
    return { client, kase, report, notes };
  }

  /** A contact linked to the case in a role, with portal access on (confirmed where the guardrails ask). */
  async function party(caseId: string, email: string, name: string, role: string) {
    const contact = (await call('POST', '/api/contacts', { email, name, kind: 'other' })).body;
    expect((await call('POST', `/api/cases/${caseId}/links`, { contactId: contact.id, role })).status).toBe(201);
    return contact as { id: string; email: string; name: string };
  }

  const auditOf = async (action: string) => (await new Repo(t.db).auditEntries(firm.firm.id, { limit: 1000 })).filter((e) => e.action === action);
  const grantsOf = (contactId: string) => new Repo(t.db).grantsOfContact(contactId);

  it('asks for a confirmation before sharing with opposing counsel, then shares and audits the reason', async () => {
    const { kase, report } = await setupCase();
    const counsel = await party(kase.id, 'olga@opposing-firm.com', 'Olga Opp', 'opposing-counsel');
    expect((await call('GET', `/api/cases/${kase.id}`)).body.linkedContacts).toEqual([expect.objectContaining({ id: counsel.id, role: 'opposing-counsel' })]);

    // Inviting opposing counsel is itself guarded.
    let res = await call('PUT', `/api/contacts/${counsel.id}/portal-access`, { enabled: true });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('confirmation_required');
    expect(res.body.error.confirmationRequired.reasons).toEqual([{ kind: 'opposing-counsel', contactId: counsel.id, contactName: 'Olga Opp', caseId: kase.id, caseNumber: 'PI-1' }]);
    expect((await new Repo(t.db).contact(firm.firm.id, counsel.id))?.portalAccess).toBe(false);
    res = await call('PUT', `/api/contacts/${counsel.id}/portal-access`, { enabled: true, confirm: { reason: 'settlement exchange agreed with the client' } });
    expect(res.status).toBe(200);

    // Sharing a document: 409 naming why, nothing shared.
    res = await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'confirmation_required', confirmationRequired: { reasons: [{ kind: 'opposing-counsel', caseNumber: 'PI-1' }], scopeChanges: [] } });
    expect(res.body.error.message).toMatch(/Olga Opp is opposing counsel in PI-1/);
    expect(await grantsOf(counsel.id)).toEqual([]);

    // A confirmation without a reason is not one.
    expect((await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm: { reason: '  ' } })).status).toBe(400);

    res = await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm: { reason: 'served under the protocol' } });
    expect(res.status).toBe(200);
    expect((await grantsOf(counsel.id)).map((g) => g.scope)).toEqual([{ kind: 'item', caseId: kase.id, itemId: report.id }]);
    const confirmed = await auditOf('sharing.confirmed');
    expect(confirmed.map((e) => [e.reason, (e.data as { confirmedAction: string }).confirmedAction])).toEqual([
      ['settlement exchange agreed with the client', 'portal.enabled'],
      ['served under the protocol', 'items.shared'],
    ]);
    expect((await auditOf('items.shared'))[0]).toMatchObject({ reason: 'served under the protocol', target: `contact:${counsel.id}` });
  });

  it('keeps the firm’s domain lists lower-case and valid, and matches subdomains', async () => {
    let res = await call('PUT', '/api/firm/domain-policy', { blocked: [' Opposing-Firm.COM ', '@rival.example.'], warned: ['Gmail.com', 'gmail.com'], reason: 'conflicts check' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ blocked: ['opposing-firm.com', 'rival.example'], warned: ['gmail.com'] });
    expect((await call('GET', '/api/firm/domain-policy')).body).toEqual(res.body);
    expect((await auditOf('firm.domain-policy'))[0]).toMatchObject({ reason: 'conflicts check', data: { before: { blocked: [], warned: [] }, after: res.body } });

    for (const bad of [
      { blocked: ['not a domain'], warned: [] },
      { blocked: ['*.example.com'], warned: [] },
      { blocked: ['com'], warned: [] },
      { blocked: ['a.example'], warned: ['A.example'] },
      { blocked: [], warned: [], extra: true },
    ]) {
      res = await call('PUT', '/api/firm/domain-policy', bad);
      expect({ bad, status: res.status, code: res.body.error?.code }).toEqual({ bad, status: 400, code: 'validation_failed' });
    }
    expect((await call('GET', '/api/firm/domain-policy')).body).toEqual({ blocked: ['opposing-firm.com', 'rival.example'], warned: ['gmail.com'] });

    // A warned domain covers its subdomains, and only them (not "notgmail.com").
    const { kase } = await setupCase();
    const warned = await party(kase.id, 'sam@mail.gmail.com', 'Sam Sub', 'expert');
    const lookalike = await party(kase.id, 'lee@notgmail.com', 'Lee Look', 'expert');
    res = await call('PUT', `/api/contacts/${warned.id}/portal-access`, { enabled: true });
    expect(res.status).toBe(409);
    expect(res.body.error.confirmationRequired.reasons).toEqual([{ kind: 'warned-domain', contactId: warned.id, contactName: 'Sam Sub', email: 'sam@mail.gmail.com', domain: 'gmail.com' }]);
    expect((await call('PUT', `/api/contacts/${lookalike.id}/portal-access`, { enabled: true })).status).toBe(200);
  });

  it('refuses a blocked domain on every path, even confirmed, changes nothing and audits the refusal', async () => {
    const { client, kase, report } = await setupCase();
    const ally = await party(kase.id, 'ann@opposing-firm.com', 'Ann Before', 'co-counsel');
    // Given access before the firm blocked the domain.
    expect((await call('PUT', `/api/contacts/${ally.id}/portal-access`, { enabled: true })).status).toBe(200);
    const held = (await call('POST', '/api/grants', { contactId: ally.id, scope: { kind: 'item', caseId: kase.id, itemId: report.id } })).body;
    const fresh = await party(kase.id, 'bob@x.opposing-firm.com', 'Bob New', 'expert');
    expect((await call('PUT', '/api/firm/domain-policy', { blocked: ['opposing-firm.com'], warned: [] })).status).toBe(200);

    const grantsBefore = JSON.stringify(await new Repo(t.db).grantsOfFirm(firm.firm.id));
    const outboxBefore = (await t.db.query('SELECT id FROM outbox')).length;
    const confirm = { reason: 'partner says it is fine' };
    const attempts: Array<[string, string, unknown]> = [
      ['PUT', `/api/contacts/${fresh.id}/portal-access`, { enabled: true, confirm }],
      ['POST', '/api/shares', { contactIds: [ally.id], itemIds: [report.id], expiresAt: null }],
      ['POST', '/api/shares', { contactIds: [ally.id], itemIds: [report.id], confirm }],
      ['POST', '/api/grants', { contactId: ally.id, scope: { kind: 'case', caseId: kase.id, view: ['documents'] }, confirm }],
      ['POST', '/api/grants', { contactId: ally.id, scope: { kind: 'client', clientId: client.id, view: ['documents'] } }],
      ['PUT', `/api/grants/${held.id}`, { scope: { kind: 'case', caseId: kase.id, view: ['notes'] }, confirm }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'refused_by_policy' });
      expect(res.body.error.refused.reasons[0]).toMatchObject({ kind: 'blocked-domain', domain: 'opposing-firm.com' });
    }
    // The bot's share command and the upload card's share-back go through the same service.
    await expect(
      t.app.services.sharing.shareItems(
        { kind: 'staff', firmId: firm.firm.id, staffId: firm.staff.id, userId: firm.staff.userId, name: 'Pat Partner', role: 'admin' },
        { contactIds: [ally.id], itemIds: [report.id], expiresAt: null, reason: 'shared from Teams (@CaseRoom share)' },
      ),
    ).rejects.toMatchObject({ code: 'refused_by_policy' });

    expect(JSON.stringify(await new Repo(t.db).grantsOfFirm(firm.firm.id))).toBe(grantsBefore);
    expect((await t.db.query('SELECT id FROM outbox')).length).toBe(outboxBefore);
    expect(await new Repo(t.db).contact(firm.firm.id, fresh.id)).toMatchObject({ portalAccess: false, invitation: 'none' });
    const refusals = await auditOf('sharing.refused');
    expect(refusals).toHaveLength(attempts.length + 1);
    for (const r of refusals) expect(r.reason).toMatch(/is at opposing-firm\.com, a domain the firm blocks/);
    expect((await call('GET', '/api/audit/verify')).body).toMatchObject({ ok: true });
    // Taking access away is never refused.
    expect((await call('DELETE', `/api/grants/${held.id}`)).status).toBe(200);
  });

  it('treats "Add a guest" on someone who already has access as a scope change: preview, confirmation, before and after', async () => {
    const { kase, report, notes } = await setupCase();
    const expert = await party(kase.id, 'eve@expert.example', 'Eve Expert', 'expert');
    expect((await call('PUT', `/api/contacts/${expert.id}/portal-access`, { enabled: true })).status).toBe(200);
    const guestUserId = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firm.firm.id, expert.id, guestUserId);
    const guestToken = await t.identity.token({ tid: HOME_TENANT, oid: guestUserId, guest: true, name: 'Eve Expert' });
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const first = await call('POST', '/api/grants', { contactId: expert.id, scope: { kind: 'case', caseId: kase.id, view: ['notes', 'status'] }, expiresAt });
    expect(first.status).toBe(201);

    // The same terms again change nothing and need nothing.
    const again = await call('POST', '/api/grants', { contactId: expert.id, scope: { kind: 'case', caseId: kase.id, view: ['status', 'notes'] }, expiresAt });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await auditOf('grant.changed')).toEqual([]);

    // Another view and no expiry: the preview, and nothing replaced.
    const next = { contactId: expert.id, scope: { kind: 'case', caseId: kase.id, view: ['status'] }, expiresAt: null };
    let res = await call('POST', '/api/grants', next);
    expect(res.status).toBe(409);
    const { reasons, scopeChanges } = res.body.error.confirmationRequired;
    expect(reasons).toEqual([{ kind: 'scope-change', contactId: expert.id, contactName: 'Eve Expert', grantId: first.body.id }]);
    expect(scopeChanges).toHaveLength(1);
    expect(scopeChanges[0].before).toMatchObject({ rights: 'read', expiresAt: first.body.expiresAt, scope: { view: ['notes', 'status'] } });
    expect(scopeChanges[0].after).toMatchObject({ rights: 'read', expiresAt: null, scope: { view: ['status'] } });
    expect(scopeChanges[0].lost.sections).toEqual([{ caseId: kase.id, section: 'notes' }]);
    expect(scopeChanges[0].lost.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual([report.id, notes.id].sort());
    expect(scopeChanges[0].gained.items).toEqual([]);
    const stored = (await grantsOf(expert.id))[0];
    expect(stored).toMatchObject({ expiresAt: first.body.expiresAt, scope: { view: ['notes', 'status'] } });
    expect((await t.call('GET', `/api/portal/cases/${kase.id}`, guestToken)).body.notes).toHaveLength(2);

    res = await call('POST', '/api/grants', { ...next, confirm: { reason: 'report delivered; status only from now on' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: first.body.id, expiresAt: null, scope: { view: ['status'] } });
    expect((await t.call('GET', `/api/portal/cases/${kase.id}`, guestToken)).body.notes).toBeNull();
    const [changed] = await auditOf('grant.changed');
    expect(changed).toMatchObject({
      reason: 'report delivered; status only from now on',
      data: { grantId: first.body.id, before: { expiresAt: first.body.expiresAt, scope: { view: ['notes', 'status'] } }, after: { expiresAt: null, scope: { view: ['status'] } } },
    });

    // Ticking an item already shared with an expiry, now without one, is a change too.
    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect((await call('POST', '/api/shares', { contactIds: [expert.id], itemIds: [report.id], expiresAt: until })).status).toBe(200);
    res = await call('POST', '/api/shares', { contactIds: [expert.id], itemIds: [report.id] });
    expect(res.status).toBe(409);
    expect(res.body.error.confirmationRequired.scopeChanges[0]).toMatchObject({ before: { expiresAt: expect.any(String) }, after: { expiresAt: null } });
    expect((await grantsOf(expert.id)).find((g) => g.scope.kind === 'item')?.expiresAt).not.toBeNull();

    // Moving the item access onto the case she already holds would silently replace her case access: refused, nothing changed.
    const held = await grantsOf(expert.id);
    const itemGrant = held.find((g) => g.scope.kind === 'item')!;
    const onto = { scope: { kind: 'case', caseId: kase.id, view: ['documents', 'notes'] }, confirm: { reason: 'widen' } };
    for (const [method, path] of [
      ['POST', `/api/grants/${itemGrant.id}/preview`],
      ['PUT', `/api/grants/${itemGrant.id}`],
    ]) {
      res = await call(method, path, onto);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 409, code: 'conflict' });
      expect(res.body.error.message).toMatch(/Eve Expert already has other access to that case/);
    }
    expect(await grantsOf(expert.id)).toEqual(held);
  });

  it('refuses guests and other firms on these routes, and bad input', async () => {
    const { kase, report } = await setupCase();
    const counsel = await party(kase.id, 'olga@opposing-firm.com', 'Olga Opp', 'opposing-counsel');
    await call('PUT', `/api/contacts/${counsel.id}/portal-access`, { enabled: true, confirm: { reason: 'exchange' } });
    const guestUserId = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firm.firm.id, counsel.id, guestUserId);
    const guestToken = await t.identity.token({ tid: HOME_TENANT, oid: guestUserId, guest: true, name: 'Olga Opp' });

    // The guest herself reaches none of it, confirmation or not.
    const confirm = { reason: 'I am allowed' };
    for (const [method, path, body] of [
      ['GET', '/api/firm/domain-policy', undefined],
      ['PUT', '/api/firm/domain-policy', { blocked: [], warned: [] }],
      ['PUT', `/api/cases/${kase.id}/links/${counsel.id}`, { role: 'client' }],
      ['POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm }],
      ['POST', '/api/grants', { contactId: counsel.id, scope: { kind: 'case', caseId: kase.id, view: ['documents'] }, confirm }],
    ] as Array<[string, string, unknown]>) {
      expect({ path, status: (await t.call(method, path, guestToken, body)).status }).toEqual({ path, status: 403 });
    }
    expect((await call('GET', `/api/cases/${kase.id}`)).body.linkedContacts[0].role).toBe('opposing-counsel');

    // Another firm's staff: our case and contact do not exist for them; their policy is their own.
    const other = await createFirm(t.db);
    const otherToken = await t.identity.token({ tid: other.tenantId, oid: other.staff.userId, name: 'Mallory' });
    await call('PUT', '/api/firm/domain-policy', { blocked: ['rival.example'], warned: [] });
    expect((await t.call('PUT', `/api/cases/${kase.id}/links/${counsel.id}`, otherToken, { role: 'client' })).status).toBe(404);
    expect((await t.call('POST', `/api/cases/${kase.id}/links`, otherToken, { contactId: counsel.id, role: 'client' })).status).toBe(404);
    expect((await t.call('POST', '/api/shares', otherToken, { contactIds: [counsel.id], itemIds: [report.id], confirm })).status).toBe(404);
    expect((await t.call('GET', '/api/firm/domain-policy', otherToken)).body).toEqual({ blocked: [], warned: [] });
    expect((await call('GET', `/api/cases/${kase.id}`)).body.linkedContacts[0].role).toBe('opposing-counsel');

    // Bad input.
    expect((await call('PUT', `/api/cases/${kase.id}/links/${counsel.id}`, { role: 'boss' })).status).toBe(400);
    expect((await call('POST', `/api/cases/${kase.id}/links`, { contactId: counsel.id, role: 'judge' })).status).toBe(400);
    expect((await call('PUT', `/api/cases/${kase.id}/links/${randomUUID()}`, { role: 'client' })).status).toBe(404);
    expect((await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm: { reason: 'ok', skip: true } })).status).toBe(400);
    expect((await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm: { reason: 'x'.repeat(1001) } })).status).toBe(400);
    expect((await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id], confirm: true })).status).toBe(400);

    // Changing the role is audited, and decides the guardrail from then on.
    expect((await call('PUT', `/api/cases/${kase.id}/links/${counsel.id}`, { role: 'co-counsel', reason: 'switched sides' })).status).toBe(200);
    expect((await auditOf('party.role'))[0]).toMatchObject({ reason: 'switched sides', data: { contactId: counsel.id, before: 'opposing-counsel', after: 'co-counsel' } });
    expect((await call('POST', '/api/shares', { contactIds: [counsel.id], itemIds: [report.id] })).status).toBe(200);
  });
});
