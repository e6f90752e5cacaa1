import { randomUUID } from 'node:crypto';
import { hashAuditEntry } from '../../src/domain/audit-chain';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/** The case ledger as staff and guests read it, and the audit page's API: filters, order, names, export. */
describe('ledger and audit through the API', () => {
  let t: TestApp;
  let staffToken: string;
  let firm: Awaited<ReturnType<typeof createFirm>>;

  beforeEach(async () => {
    t = await startTestApp();
    firm = await createFirm(t.db, HOME_TENANT);
    staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
  });
  afterEach(() => t.close());

  const ok = async (method: string, path: string, body?: unknown, token = staffToken) => {
    const res = await t.call(method, path, token, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  async function caseWithGuests() {
    const client = await ok('POST', '/api/clients', { name: 'Jane Doe' });
    const kase = await ok('POST', '/api/cases', { clientId: client.id, number: 'PI-1', title: 'Doe v. Roe', assignedStaffId: firm.staff.id, budgetCents: 1_000_000 });
    const guest = async (name: string, email: string, view: string[]) => {
      const contact = await ok('POST', '/api/contacts', { email, name, kind: 'client', clientId: client.id });
      await ok('PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
      await ok('POST', `/api/cases/${kase.id}/links`, { contactId: contact.id });
      await ok('POST', '/api/grants', { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view, threadIds: [] } });
      const guestUserId = randomUUID();
      await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, guestUserId);
      return { contact, token: await t.identity.token({ tid: HOME_TENANT, oid: guestUserId, guest: true, name }) };
    };
    return { client, kase, jane: await guest('Jane Doe', 'jane@doe.example', ['budget', 'invoices']), expert: await guest('Ed Expert', 'ed@expert.example', ['documents']) };
  }

  const invoice = (caseId: string, invoiceNumber: string, amountCents: number, invoiceStatus: string) =>
    ok('POST', `/api/cases/${caseId}/items`, { kind: 'invoice', title: `Fees ${invoiceNumber}`, amountCents, dueOn: '2030-02-01', invoiceNumber, invoiceStatus });
  const money = (caseId: string, kind: string, amountCents: number, invoiceItemId: string | null = null) =>
    t.call('POST', `/api/cases/${caseId}/ledger`, staffToken, { kind, amountCents, description: `${kind} ${amountCents}`, occurredOn: '2030-01-15', invoiceItemId });

  it('a sent invoice on a case with no deposit leaves the retainer at zero and is outstanding', async () => {
    const { kase, jane } = await caseWithGuests();
    await invoice(kase.id, 'INV-1', 150_000, 'sent');
    expect((await ok('GET', `/api/cases/${kase.id}/ledger`)).summary).toMatchObject({ retainerBalanceCents: 0, outstandingCents: 150_000 });
    const view = await ok('GET', `/api/portal/cases/${kase.id}`, undefined, jane.token);
    expect(view.budget).toMatchObject({ retainerBalanceCents: 0, outstandingCents: 150_000 });
    expect(view.invoices[0].invoiceStatus).toBe('Awaiting payment');
  });

  it('counts deposits, expenses, invoices in every state and payments the same way for staff and guests', async () => {
    const { kase, jane, expert } = await caseWithGuests();
    expect((await money(kase.id, 'retainer_deposit', 300_000)).status).toBe(201);
    expect((await money(kase.id, 'expense', 5_000)).status).toBe(201);
    const draft = await invoice(kase.id, 'INV-D', 90_000, 'draft');
    const voided = await invoice(kase.id, 'INV-V', 70_000, 'sent');
    await ok('PATCH', `/api/items/${voided.id}`, { invoiceStatus: 'void' });
    await invoice(kase.id, 'INV-S', 120_000, 'sent');
    const partly = await invoice(kase.id, 'INV-P', 100_000, 'sent');
    const byPayment = await invoice(kase.id, 'INV-B', 50_000, 'sent');
    const fromRetainer = await invoice(kase.id, 'INV-R', 80_000, 'sent');
    await ok('PATCH', `/api/items/${fromRetainer.id}`, { invoiceStatus: 'paid' });
    expect((await money(kase.id, 'payment', 40_000, partly.id)).status).toBe(201);
    expect((await money(kase.id, 'payment', 50_000, byPayment.id)).status).toBe(201);
    expect((await money(kase.id, 'payment', 10_000)).status).toBe(201);

    // Refused: paying a draft, paying more than is owed, paying a paid invoice, an invoice as a ledger line.
    expect((await money(kase.id, 'payment', 1_000, draft.id)).status).toBe(409);
    expect((await money(kase.id, 'payment', 60_001, partly.id)).status).toBe(409);
    expect((await money(kase.id, 'payment', 1_000, byPayment.id)).status).toBe(409);
    expect((await money(kase.id, 'invoice', 1_000)).status).toBe(400);
    expect((await money(kase.id, 'expense', 1_000, partly.id)).status).toBe(400);

    const expected = {
      budgetCents: 1_000_000,
      depositsCents: 300_000,
      expensesCents: 5_000,
      paymentsCents: 100_000,
      invoicedCents: 350_000,
      outstandingCents: 180_000,
      retainerBalanceCents: 300_000 + 10_000 - 5_000 - 80_000,
      budgetRemainingCents: 1_000_000 - 350_000 - 5_000,
    };
    const staffLedger = await ok('GET', `/api/cases/${kase.id}/ledger`);
    expect(staffLedger.currency).toBe('USD');
    expect(staffLedger.summary).toEqual(expected);
    const states = Object.fromEntries(staffLedger.invoices.map((i: { invoiceNumber: string; stateLabel: string }) => [i.invoiceNumber, i.stateLabel]));
    expect(states).toEqual({ 'INV-D': 'Draft', 'INV-V': 'Void', 'INV-S': 'Awaiting payment', 'INV-P': 'Partly paid', 'INV-B': 'Paid', 'INV-R': 'Paid' });
    // The payment that settled INV-B marked it paid in the store, and said so in the audit log.
    expect(staffLedger.invoices.find((i: { id: string }) => i.id === byPayment.id).invoiceStatus).toBe('paid');

    const view = await ok('GET', `/api/portal/cases/${kase.id}`, undefined, jane.token);
    expect(view.currency).toBe('USD');
    expect(view.budget).toMatchObject({ budgetCents: 1_000_000, retainerBalanceCents: expected.retainerBalanceCents, outstandingCents: 180_000, budgetRemainingCents: expected.budgetRemainingCents, spentCents: 355_000 });
    expect(view.budget.lines.map((l: { label: string; amountCents: number }) => `${l.label} ${l.amountCents}`).sort()).toEqual(['Expense 5000', 'Payment 10000', 'Payment 40000', 'Payment 50000', 'Retainer deposit 300000']);
    expect(view.budget.lines[0]).not.toHaveProperty('createdBy');
    const guestStates = Object.fromEntries(view.invoices.map((i: { invoiceNumber: string; invoiceStatus: string }) => [i.invoiceNumber, i.invoiceStatus]));
    expect(guestStates).toEqual({ 'INV-V': 'Void', 'INV-S': 'Awaiting payment', 'INV-P': 'Partly paid', 'INV-B': 'Paid', 'INV-R': 'Paid' });
    expect(view.invoices.find((i: { invoiceNumber: string }) => i.invoiceNumber === 'INV-P')).toMatchObject({ paidCents: 40_000, outstandingCents: 60_000 });

    // A view without budget and invoices shows neither figures, nor lines, nor invoices.
    const narrow = await ok('GET', `/api/portal/cases/${kase.id}`, undefined, expert.token);
    expect(narrow.budget).toBeNull();
    expect(narrow.invoices).toBeNull();

    const audit = await ok('GET', `/api/audit?caseId=${kase.id}&action=ledger`);
    expect(audit).toHaveLength(5);
    const paidInFull = await ok('GET', `/api/audit?caseId=${kase.id}&action=invoice.updated`);
    expect(paidInFull.map((e: { reason: string | null }) => e.reason)).toContain('paid in full');
  });

  it('sets the firm currency, audited, and both sides answer with it', async () => {
    const { kase, jane } = await caseWithGuests();
    expect((await t.call('PUT', '/api/firm/settings', staffToken, { currency: 'XYZ' })).status).toBe(400);
    expect((await t.call('PUT', '/api/firm/settings', staffToken, { currency: 'eur' })).status).toBe(400);
    expect(await ok('PUT', '/api/firm/settings', { currency: 'EUR', reason: 'Dublin office' })).toEqual({
      currency: 'EUR',
      accessReviewSchedule: 'off',
      closeCaseGuestAccess: 'withdraw',
      closeCaseReadOnlyDays: 30,
      guestDefaults: { sections: null, expiryDays: null },
    });
    expect((await ok('GET', `/api/cases/${kase.id}/ledger`)).currency).toBe('EUR');
    expect((await ok('GET', `/api/portal/cases/${kase.id}`, undefined, jane.token)).currency).toBe('EUR');
    expect((await ok('GET', '/api/audit?action=firm.currency'))[0]).toMatchObject({ reason: 'Dublin office', data: { from: 'USD', to: 'EUR' } });
    expect((await t.call('PUT', '/api/firm/settings', jane.token, { currency: 'GBP' })).status).toBe(403);
  });

  it('applies several settings all or nothing: a part that fails leaves the others unchanged and unaudited', async () => {
    const before = await ok('GET', '/api/firm/settings');
    const audited = async () => (await ok('GET', '/api/audit?action=firm')).length;
    const entries = await audited();
    // The closing policy, applied last, fails in the store: a fault no request can cause on purpose.
    await t.db.query(`CREATE FUNCTION refuse_77_days() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.close_case_read_only_days = 77 THEN RAISE EXCEPTION 'injected'; END IF; RETURN NEW; END $$`);
    await t.db.query('CREATE TRIGGER refuse_77_days BEFORE UPDATE ON firms FOR EACH ROW EXECUTE FUNCTION refuse_77_days()');
    try {
      const failed = await t.call('PUT', '/api/firm/settings', staffToken, { currency: 'CHF', accessReviewSchedule: 'monthly', closeCaseReadOnlyDays: 77, reason: 'all three' });
      expect(failed.status).toBe(500);
    } finally {
      await t.db.query('DROP TRIGGER refuse_77_days ON firms');
      await t.db.query('DROP FUNCTION refuse_77_days()');
    }
    expect(await ok('GET', '/api/firm/settings')).toEqual(before);
    expect(await audited()).toBe(entries);
    // The same change, once nothing fails, applies all three.
    expect(await ok('PUT', '/api/firm/settings', { currency: 'CHF', accessReviewSchedule: 'monthly', closeCaseReadOnlyDays: 77, reason: 'all three' })).toMatchObject({
      currency: 'CHF',
      accessReviewSchedule: 'monthly',
      closeCaseReadOnlyDays: 77,
    });
    expect(await audited()).toBe(entries + 3);
  });

  it('lists the audit log newest first, with names, filters and paging, and never another firm', async () => {
    const { kase, jane } = await caseWithGuests();
    const other = await ok('POST', '/api/cases', { clientId: kase.clientId, number: 'PI-2', title: 'Other matter' });
    await ok('POST', `/api/cases/${other.id}/items`, { kind: 'note', title: 'n', body: 'b' });
    // Another firm's entry that even names this firm's case: it must never show.
    const stranger = await createFirm(t.db, randomUUID(), 'Other Firm');
    await new Repo(t.db).appendAudit({ firmId: stranger.firm.id, actor: `staff:${stranger.staff.userId}`, action: 'note.created', target: `case:${kase.id}`, reason: 'not yours', data: { caseId: kase.id } });

    const all = await ok('GET', '/api/audit');
    const seqs = all.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(all.some((e: { reason: string | null }) => e.reason === 'not yours')).toBe(false);
    const created = all.find((e: { action: string; target: string }) => e.action === 'case.created' && e.target === `case:${kase.id}`);
    expect(created).toMatchObject({ actor: `staff:${firm.staff.userId}`, actorName: 'Pat Partner', targetName: 'PI-1 Doe v. Roe' });
    expect(all.find((e: { action: string; target: string }) => e.action === 'invitation.accepted' && e.target === `contact:${jane.contact.id}`)).toMatchObject({ actorName: 'CaseRoom (invitations)', targetName: 'Jane Doe' });

    const onCase = await ok('GET', `/api/audit?caseId=${kase.id}`);
    expect(onCase.length).toBeGreaterThan(0);
    expect(onCase.every((e: { target: string; data: { caseId?: string; scope?: { caseId?: string } } }) => e.target === `case:${kase.id}` || e.data.caseId === kase.id || e.data.scope?.caseId === kase.id)).toBe(true);
    expect(onCase.some((e: { target: string }) => e.target === `case:${other.id}`)).toBe(false);

    const aboutJane = await ok('GET', `/api/audit?personId=${jane.contact.id}`);
    expect(aboutJane.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['contact.created', 'portal.enabled', 'case.linked', 'grant.added', 'invitation.accepted']));
    expect(aboutJane.every((e: { actor: string; target: string; data: { contactId?: string } }) => e.target === `contact:${jane.contact.id}` || e.data.contactId === jane.contact.id || e.actor === `guest:${jane.contact.id}`)).toBe(true);
    const byPat = await ok('GET', `/api/audit?personId=${firm.staff.id}`);
    expect(byPat.every((e: { actor: string }) => e.actor === `staff:${firm.staff.userId}`)).toBe(true);
    expect(await ok('GET', `/api/audit?personId=${randomUUID()}`)).toEqual([]);

    const grants = await ok('GET', '/api/audit?action=grant');
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((e: { action: string }) => e.action.startsWith('grant.'))).toBe(true);

    const today = new Date().toISOString().slice(0, 10);
    expect((await ok('GET', `/api/audit?from=${today}&to=${today}`)).length).toBe(all.length);
    expect(await ok('GET', '/api/audit?from=2001-01-01&to=2001-12-31')).toEqual([]);

    const first = await ok('GET', '/api/audit?limit=3');
    const second = await ok('GET', `/api/audit?limit=3&beforeSeq=${first[2].seq}`);
    expect([...first, ...second].map((e: { seq: number }) => e.seq)).toEqual(seqs.slice(0, 6));
  });

  it('exports CSV and JSON with the chain proof, defusing formula cells', async () => {
    const { jane } = await caseWithGuests();
    await ok('PUT', `/api/contacts/${jane.contact.id}/portal-access`, { enabled: false, reason: '=HYPERLINK("http://evil.example","click")' });

    const json = await t.call('GET', '/api/audit/export?format=json', staffToken);
    expect(json.status).toBe(200);
    expect(json.body.proof.verify).toMatchObject({ ok: true, entries: json.body.entries.length });
    expect(json.body.proof.recipe).toMatch(/sha256/);
    // An auditor can recompute every hash offline from what the export holds.
    const oldestFirst = [...json.body.entries].reverse();
    oldestFirst.forEach((e: { prevHash: string; hash: string }, i: number) => {
      expect(hashAuditEntry(e.prevHash, e as never)).toBe(e.hash);
      if (i > 0) expect(e.prevHash).toBe(oldestFirst[i - 1].hash);
    });
    expect(json.body.proof.verify.headHash).toBe(json.body.entries[0].hash);

    const csv = await t.call('GET', `/api/audit/export?format=csv&personId=${jane.contact.id}`, staffToken);
    expect(csv.status).toBe(200);
    const text = String(csv.body);
    const [comment, header, ...rows] = text.trim().split('\r\n');
    expect(comment).toMatch(/^# CaseRoom audit export .*chain intact/);
    expect(header).toBe('"seq","at","actor","actor_name","action","target","target_name","reason","data","prev_hash","hash","firm_id"');
    const disabled = rows.find((r) => r.includes('"portal.disabled"')) as string;
    expect(disabled).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(disabled).toContain('"Jane Doe"');
    expect(rows.every((r) => /"[0-9a-f]{64}","[0-9a-f]{64}","[0-9a-f-]{36}"$/.test(r))).toBe(true);
  });

  it.each([
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['caseId=not-an-id', 'caseId'],
    [`caseId=${randomUUID()}&caseId=${randomUUID()}`, 'caseId'],
    ["action=x'%20OR%201%3D1%20--", 'action'],
    ['from=2030-13-01', 'from'],
    ['from=2030-02-01&to=2030-01-01', 'to'],
    ['beforeSeq=-1', 'beforeSeq'],
    ['sort=asc', 'body'],
  ])('refuses the hostile audit query %s with 400', async (query, field) => {
    const res = await t.call('GET', `/api/audit?${query}`, staffToken);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    if (field !== 'body') expect(res.body.error.field).toBe(field);
  });

  it('refuses an export in an unknown format or with a hostile filter', async () => {
    expect((await t.call('GET', '/api/audit/export?format=xml', staffToken)).status).toBe(400);
    expect((await t.call('GET', '/api/audit/export', staffToken)).status).toBe(400);
    expect((await t.call('GET', '/api/audit/export?format=csv&personId=1%20OR%201', staffToken)).status).toBe(400);
  });
});
