import { beforeAll, describe, expect, it } from '@jest/globals';
import { renderNotice } from '../../bot/cards';
import { createLinks } from '../../bot/links';
import { describePost } from '../../bot/notices';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { CaseClosePreview, CaseReopenPreview } from '../../src/contract';
import type { CaseRoomEvent } from '../../src/domain/events';
import type { GrantScope } from '../../src/domain/model';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { checkCard } from '../bot/card-validator';
import { useFirmOnSimulator } from './firm-world';
import { upload } from './harness';

type Guest = ContactRecord & { token: string };

/**
 * Closing a case (issue 12, G4): guests lose the case in SharePoint and in the portal (a client
 * grant loses only that case), nothing new is shared or added while it is closed, the channel
 * gets a receipt of who lost what, and reopening gives back exactly what closing took.
 */
describe('closing and reopening a case', () => {
  const w = useFirmOnSimulator();
  let clientId: string;
  let closing: CaseRecord;
  let other: CaseRecord;
  let closingDoc: ItemRecord;
  let otherDoc: ItemRecord;
  let ana: Guest; // client scope: both cases
  let ben: Guest; // case scope on the case that closes
  let cara: Guest; // case scope; her grant runs out while the case is closed
  let stranger: Guest; // linked to nothing
  let grantCount = 0;
  const pending: ContactRecord[] = [];

  const repo = () => new Repo(w.app.db);
  const guest = async (name: string, caseIds: string[]): Promise<Guest> => {
    const { sharing } = w.app.app.services;
    const email = `${name.toLowerCase()}@close.example`;
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
    for (const caseId of caseIds) await sharing.link(w.f.actor, caseId, contact.id);
    return { ...((await repo().contact(w.f.firm.id, contact.id)) as ContactRecord), token: await w.sim.userToken(user.id) };
  };
  const grant = (contact: ContactRecord, scope: GrantScope) => w.app.app.services.sharing.grant(w.f.actor, { contactId: contact.id, scope, rights: 'upload', expiresAt: null, reason: null });
  const caseScope = (caseId: string): GrantScope => ({ kind: 'case', caseId, view: ['documents', 'messages'], threadIds: [] });
  /** What SharePoint answers the guest's own Graph token for the document's bytes. */
  const graphRead = async (contact: ContactRecord, c: CaseRecord, item: ItemRecord): Promise<number> => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: contact.guestUserId as string });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${c.driveId}/items/${item.driveItemId}/content`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  const portalCaseIds = async (g: Guest): Promise<string[]> => {
    const res = await w.app.call('GET', '/api/portal/cases', g.token);
    expect(res.status).toBe(200);
    return (res.body as Array<{ id: string }>).map((c) => c.id).sort();
  };
  const countRows = async (sql: string, params: unknown[]) => Number((await w.app.db.query<{ n: number }>(sql, params))[0].n);
  const closeEvents = (type: 'case.closed' | 'case.reopened') => w.app.notifications.filter((e): e is Extract<CaseRoomEvent, { type: typeof type }> => e.type === type);

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    clientId = (await sharing.createClient(w.f.actor, { name: 'Closing Co' })).id;
    const a = await sharing.createCase(w.f.actor, { clientId, number: 'CL-1', title: 'Lease dispute', assignedStaffId: null, budgetCents: null });
    const b = await sharing.createCase(w.f.actor, { clientId, number: 'CL-2', title: 'Employment claim', assignedStaffId: null, budgetCents: null });
    await w.app.settle();
    for (const [c, name] of [
      [a, 'lease.pdf'],
      [b, 'contract.pdf'],
    ] as const) {
      expect((await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [{ name: 'file', filename: name, content: Buffer.from(`%PDF ${name}`) }])).status).toBe(201);
    }
    await w.app.settle();
    closing = (await repo().case(w.f.firm.id, a.id)) as CaseRecord;
    other = (await repo().case(w.f.firm.id, b.id)) as CaseRecord;
    closingDoc = (await repo().itemsOfCase(a.id)).find((i) => i.title === 'lease.pdf') as ItemRecord;
    otherDoc = (await repo().itemsOfCase(b.id)).find((i) => i.title === 'contract.pdf') as ItemRecord;

    ana = await guest('Ana', []);
    await grant(ana, { kind: 'client', clientId, view: ['documents', 'messages'], threadIds: [] });
    ben = await guest('Ben', [closing.id]);
    await grant(ben, caseScope(closing.id));
    cara = await guest('Cara', [closing.id]);
    await grant(cara, caseScope(closing.id));
    stranger = await guest('Stranger', []);
    // Invited guests who have not accepted yet: closing takes from them what acceptance would give (and makes the card's list long).
    for (let i = 1; i <= 10; i++) {
      const contact = await sharing.createContact(w.f.actor, { email: `pending${i}@close.example`, name: `Pending ${String(i).padStart(2, '0')}`, kind: 'expert', phone: null, clientId: null });
      await w.app.db.query("UPDATE contacts SET portal_access = true, invitation_state = 'pending' WHERE id = $1", [contact.id]);
      await sharing.link(w.f.actor, closing.id, contact.id);
      await sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'item', caseId: closing.id, itemId: closingDoc.id }, rights: 'read', expiresAt: null, reason: null });
      pending.push(contact);
    }
    await w.app.settle();
    grantCount = await countRows('SELECT count(*)::int AS n FROM grants WHERE firm_id = $1', [w.f.firm.id]);
  });

  it('withdraws the guests SharePoint permissions on the closed case only, and the portal stops showing it', async () => {
    expect(await graphRead(ana, closing, closingDoc)).toBe(200);
    expect(await graphRead(ana, other, otherDoc)).toBe(200);
    expect(await graphRead(ben, closing, closingDoc)).toBe(200);
    expect(await portalCaseIds(ana)).toEqual([closing.id, other.id].sort());

    const preview = await w.app.call('POST', `/api/cases/${closing.id}/close/preview`, w.f.staffToken, {});
    expect(preview.status).toBe(200);
    const plan = preview.body as CaseClosePreview;
    expect(plan).toMatchObject({ caseId: closing.id, mode: 'withdraw', guestReadUntil: null });
    expect(plan.guests.map((g) => g.name).sort()).toEqual(['Ana', 'Ben', 'Cara', ...pending.map((p) => p.name)].sort());
    const anaLoses = plan.guests.find((g) => g.name === 'Ana');
    expect(anaLoses?.access.items.map((i) => i.title)).toEqual(['lease.pdf']);
    expect(anaLoses?.access.sections.map((s) => s.section).sort()).toEqual(['documents', 'messages']);
    expect(anaLoses?.access.upload).toEqual([closing.id]);
    // The preview wrote nothing.
    expect((await repo().case(w.f.firm.id, closing.id))?.closedAt).toBeNull();

    const closed = await w.app.call('POST', `/api/cases/${closing.id}/close`, w.f.staffToken, { reason: 'matter concluded' });
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({ id: closing.id, status: 'closed' });
    expect(closed.body.case.closedAt).toEqual(expect.any(String));
    // What was applied is what was previewed.
    expect(closed.body.applied.guests).toEqual(plan.guests);
    await w.app.settle();

    expect(await graphRead(ana, closing, closingDoc)).toBe(404);
    expect(await graphRead(ben, closing, closingDoc)).toBe(404);
    expect(await graphRead(cara, closing, closingDoc)).toBe(404);
    // Ana's client grant loses the closed case only.
    expect(await graphRead(ana, other, otherDoc)).toBe(200);
    expect(await portalCaseIds(ana)).toEqual([other.id]);
    expect(await portalCaseIds(ben)).toEqual([]);
    expect((await w.app.call('GET', `/api/portal/cases/${closing.id}`, ben.token)).status).toBe(404);
    // Staff see the kept grants as withdrawn while the case is closed.
    const access = (await w.app.call('GET', `/api/cases/${closing.id}/access`, w.f.staffToken)).body as Array<{ contact: { name: string }; state: string }>;
    expect(access.find((e) => e.contact.name === 'Ben')?.state).toBe('withdrawn');
    // Grants are kept (reopening restores them), so nothing is lost from the firm's records.
    expect(await countRows('SELECT count(*)::int AS n FROM grants WHERE firm_id = $1', [w.f.firm.id])).toBe(grantCount);

    const audit = await w.app.db.query<{ reason: string; data: { before: { status: string; closedAt: null }; after: { status: string; closedAt: string }; withdrawn: Array<{ name: string }> } }>(
      "SELECT reason, data FROM audit_log WHERE firm_id = $1 AND action = 'case.closed' AND target = $2",
      [w.f.firm.id, `case:${closing.id}`],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].reason).toBe('matter concluded');
    expect(audit[0].data.before).toEqual({ status: 'open', closedAt: null });
    expect(audit[0].data.after).toMatchObject({ status: 'closed', closedAt: closed.body.case.closedAt });
    expect(audit[0].data.withdrawn.map((g) => g.name).sort()).toEqual(plan.guests.map((g) => g.name).sort());
  });

  it('posts a receipt card in the case channel naming who lost what, ten at most and "and N more"', async () => {
    const [event] = closeEvents('case.closed');
    expect(event).toMatchObject({ caseId: closing.id, actor: 'Alex Hartley' });
    const c = (await repo().case(w.f.firm.id, closing.id)) as CaseRecord;
    const { model } = await describePost({ q: w.app.db, links: createLinks({ publicBaseUrl: w.app.url, teamsAppId: SIMULATOR_TEAMS_APP_ID }), now: () => new Date() }, 'test', c, { kind: 'notice', event }, []);
    expect(model.heading).toBe('Case closed');
    const rows = model.sections.flatMap((s) => s.rows.map((r) => r.map((t) => t.text).join('')));
    // 13 guests lost access: ten rows, then the rest counted.
    expect(rows).toHaveLength(11);
    expect(rows[10]).toBe('and 3 more');
    const anaRow = rows.find((r) => r.startsWith('Ana'));
    expect(anaRow).toContain('documents and messages (1 item: lease.pdf); could upload');
    expect(model.sections[0].label).toBe('Lost access');
    expect(model.summary.map((t) => t.text).join('')).toContain('lost access at once');
    // What Teams shows: the official Adaptive Cards renderer parses it cleanly and reads the same rows.
    const check = checkCard(renderNotice(model));
    expect(check.parseErrors).toEqual([]);
    expect(check.validationErrors).toEqual([]);
    expect(check.text).toContain('and 3 more');
    expect(check.text).toContain('lease.pdf');
  });

  it('refuses new shares, grants, links, guest uploads and messages on the closed case with 409, and changes nothing', async () => {
    const items = await countRows('SELECT count(*)::int AS n FROM items WHERE case_id = $1', [closing.id]);
    const [thread] = await w.app.db.query<{ id: string }>("INSERT INTO message_threads (id, firm_id, case_id, subject, started_by_contact_id) VALUES (gen_random_uuid(), $1, $2, 'Before the close', $3) RETURNING id", [
      w.f.firm.id,
      closing.id,
      ben.id,
    ]);
    const messages = await countRows('SELECT count(*)::int AS n FROM messages m JOIN message_threads t ON t.id = m.thread_id WHERE t.case_id = $1', [closing.id]);
    const share = await w.app.call('POST', '/api/shares', w.f.staffToken, { contactIds: [ben.id], itemIds: [closingDoc.id] });
    expect(share.status).toBe(409);
    expect(share.body.error.code).toBe('case_closed');
    expect(share.body.error.message).toMatch(/CL-1 is closed/);
    const caseGrant = await w.app.call('POST', '/api/grants', w.f.staffToken, { contactId: ben.id, scope: caseScope(closing.id), rights: 'read' });
    expect(caseGrant.status).toBe(409);
    expect((await w.app.call('POST', `/api/cases/${closing.id}/links`, w.f.staffToken, { contactId: stranger.id })).body.error.code).toBe('case_closed');
    // A status edit neither closes nor reopens: that goes through the previewed routes.
    expect((await w.app.call('PATCH', `/api/cases/${closing.id}`, w.f.staffToken, { status: 'open' })).status).toBe(409);
    expect((await w.app.call('PATCH', `/api/cases/${other.id}`, w.f.staffToken, { status: 'closed' })).status).toBe(409);

    // Ben had the case: he is told it closed. The stranger never had it: it stays "not found".
    const message = await w.app.call('POST', `/api/portal/cases/${closing.id}/messages`, ben.token, { body: 'Can I still send this?' });
    expect(message.status).toBe(409);
    expect(message.body.error).toMatchObject({ code: 'case_closed' });
    const bytes = await upload(w.app, `/api/portal/cases/${closing.id}/files`, ben.token, [{ name: 'file', filename: 'late.pdf', content: Buffer.from('%PDF late') }]);
    expect(bytes.status).toBe(409);
    expect(bytes.body.error.code).toBe('case_closed');
    expect((await w.app.call('POST', `/api/portal/cases/${closing.id}/messages`, stranger.token, { body: 'hello' })).status).toBe(404);
    // Nor does a reply from the staff tab reach anyone now.
    const reply = await w.app.call('POST', `/api/threads/${thread.id}/messages`, w.f.staffToken, { body: 'Answering after the close' });
    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: 'case_closed', message: expect.stringMatching(/nothing was sent/) });
    await w.app.settle();

    expect(await countRows('SELECT count(*)::int AS n FROM grants WHERE firm_id = $1', [w.f.firm.id])).toBe(grantCount);
    expect(await countRows('SELECT count(*)::int AS n FROM items WHERE case_id = $1', [closing.id])).toBe(items);
    expect(await countRows('SELECT count(*)::int AS n FROM messages m JOIN message_threads t ON t.id = m.thread_id WHERE t.case_id = $1', [closing.id])).toBe(messages);
    expect(await repo().isLinked(closing.id, stranger.id)).toBe(false);
    expect(await graphRead(ben, closing, closingDoc)).toBe(404);
  });

  it('lets neither a guest nor another firm close or reopen a case', async () => {
    for (const path of ['close', 'close/preview', 'reopen', 'reopen/preview']) {
      const asGuest = await w.app.call('POST', `/api/cases/${other.id}/${path}`, ana.token, {});
      expect({ path, status: asGuest.status }).toEqual({ path, status: 403 });
    }
    // Another firm's case, by id: not found, as every other firm-owned id.
    const otherFirm = await repo().insertFirm({ tenantId: '00000000-0000-4000-8000-00000000c10e', name: 'Elsewhere LLP' });
    const theirClient = await repo().insertClient(otherFirm.id, 'Their client');
    const theirCase = await repo().insertCase({ firmId: otherFirm.id, clientId: theirClient.id, number: 'X-1', title: 'Theirs', assignedStaffId: null, budgetCents: null });
    for (const path of ['close', 'close/preview', 'reopen', 'reopen/preview']) {
      const res = await w.app.call('POST', `/api/cases/${theirCase.id}/${path}`, w.f.staffToken, {});
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    expect((await repo().case(otherFirm.id, theirCase.id))?.closedAt).toBeNull();
    // Bad input: a malformed id names nothing; an unknown field is refused; closing twice is a conflict.
    expect((await w.app.call('POST', '/api/cases/not-an-id/close', w.f.staffToken, {})).status).toBe(404);
    expect((await w.app.call('POST', `/api/cases/${other.id}/close`, w.f.staffToken, { reason: 'x', mode: 'withdraw' })).status).toBe(400);
    expect((await w.app.call('POST', `/api/cases/${closing.id}/close`, w.f.staffToken, {})).status).toBe(409);
    expect((await w.app.call('POST', `/api/cases/${other.id}/reopen`, w.f.staffToken, {})).status).toBe(409);
  });

  it('reopening restores exactly what closing withdrew (a grant that expired meanwhile stays expired) and allows shares again', async () => {
    // Cara's grant runs out while the case is closed.
    await w.app.db.query("UPDATE grants SET expires_at = now() - interval '1 minute' WHERE contact_id = $1", [cara.id]);
    const preview = await w.app.call('POST', `/api/cases/${closing.id}/reopen/preview`, w.f.staffToken, {});
    expect(preview.status).toBe(200);
    const plan = preview.body as CaseReopenPreview;
    expect(plan.guests.map((g) => g.name).sort()).toEqual(['Ana', 'Ben', ...pending.map((p) => p.name)].sort());
    const reopened = await w.app.call('POST', `/api/cases/${closing.id}/reopen`, w.f.staffToken, { reason: 'appeal filed' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.case).toMatchObject({ status: 'open', closedAt: null, guestReadUntil: null });
    expect(reopened.body.applied.guests).toEqual(plan.guests);
    await w.app.settle();

    expect(await graphRead(ana, closing, closingDoc)).toBe(200);
    expect(await graphRead(ben, closing, closingDoc)).toBe(200);
    expect(await graphRead(cara, closing, closingDoc)).toBe(404);
    expect(await portalCaseIds(ana)).toEqual([closing.id, other.id].sort());
    expect(await portalCaseIds(ben)).toEqual([closing.id]);
    const access = (await w.app.call('GET', `/api/cases/${closing.id}/access`, w.f.staffToken)).body as Array<{ contact: { name: string }; state: string }>;
    expect(access.find((e) => e.contact.name === 'Ben')?.state).toBe('active');
    expect((await w.app.call('POST', `/api/portal/cases/${closing.id}/messages`, ben.token, { body: 'Back again' })).status).toBe(201);

    const share = await w.app.call('POST', '/api/shares', w.f.staffToken, { contactIds: [cara.id], itemIds: [closingDoc.id] });
    expect(share.status).toBe(200);
    const audit = await w.app.db.query<{ data: { before: { status: string }; after: { status: string }; restored: Array<{ name: string }> } }>("SELECT data FROM audit_log WHERE firm_id = $1 AND action = 'case.reopened' AND target = $2", [
      w.f.firm.id,
      `case:${closing.id}`,
    ]);
    expect(audit).toHaveLength(1);
    expect(audit[0].data.before.status).toBe('closed');
    expect(audit[0].data.after.status).toBe('open');
    expect(audit[0].data.restored.map((g) => g.name)).not.toContain('Cara');
    expect(closeEvents('case.reopened')).toHaveLength(1);
  });

  it('with the firm setting read-only-until, guests keep reading (no uploads) until the date, then lose the case', async () => {
    for (const bad of [{ closeCaseReadOnlyDays: 0 }, { closeCaseReadOnlyDays: 2.5 }, { closeCaseReadOnlyDays: 366 }, { closeCaseGuestAccess: 'sometimes' }, {}]) {
      const res = await w.app.call('PUT', '/api/firm/settings', w.f.staffToken, bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
    expect((await w.app.call('PUT', '/api/firm/settings', ana.token, { closeCaseGuestAccess: 'withdraw' })).status).toBe(403);
    const set = await w.app.call('PUT', '/api/firm/settings', w.f.staffToken, { closeCaseGuestAccess: 'read-only-until', closeCaseReadOnlyDays: 10, reason: 'clients collect their files' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ closeCaseGuestAccess: 'read-only-until', closeCaseReadOnlyDays: 10 });
    const settingAudit = await w.app.db.query<{ data: unknown }>("SELECT data FROM audit_log WHERE firm_id = $1 AND action = 'firm.close-case-policy'", [w.f.firm.id]);
    expect(settingAudit[0].data).toEqual({ before: { closeCaseGuestAccess: 'withdraw', closeCaseReadOnlyDays: 30 }, after: { closeCaseGuestAccess: 'read-only-until', closeCaseReadOnlyDays: 10 } });

    // Ana also holds one document of the case directly, for three weeks.
    const itemGrant = await w.app.app.services.sharing.grant(w.f.actor, {
      contactId: ana.id,
      scope: { kind: 'item', caseId: other.id, itemId: otherDoc.id },
      rights: 'read',
      expiresAt: new Date(Date.now() + 21 * 86_400_000).toISOString(),
      reason: null,
    });
    const closed = await w.app.call('POST', `/api/cases/${other.id}/close`, w.f.staffToken, {});
    expect(closed.status).toBe(200);
    const until = Date.parse(closed.body.applied.guestReadUntil as string);
    expect(until - Date.now()).toBeGreaterThan(9 * 86_400_000);
    await w.app.settle();
    expect(await graphRead(ana, other, otherDoc)).toBe(200);
    const listed = ((await w.app.call('GET', '/api/portal/cases', ana.token)).body as Array<{ id: string; canUpload: boolean; closedReadOnlyUntil: string | null }>).find((c) => c.id === other.id);
    expect(listed).toMatchObject({ canUpload: false, closedReadOnlyUntil: closed.body.applied.guestReadUntil });
    const up = await upload(w.app, `/api/portal/cases/${other.id}/files`, ana.token, [{ name: 'file', filename: 'late.pdf', content: Buffer.from('%PDF late') }]);
    expect(up.status).toBe(409);
    expect((await w.app.call('POST', `/api/portal/cases/${other.id}/messages`, ana.token, { body: 'still there?' })).body.error.code).toBe('case_closed');

    // Her access may be shortened while read-only, never lengthened: that would undo the closing.
    const expiry = (expiresAt: string | null) => w.app.call('PATCH', `/api/grants/${itemGrant.id}/expiry`, w.f.staffToken, { expiresAt });
    expect((await expiry(new Date(Date.now() + 2 * 86_400_000).toISOString())).status).toBe(200);
    const lengthen = await expiry(null);
    expect(lengthen.status).toBe(409);
    expect(lengthen.body.error).toMatchObject({ code: 'case_closed', message: expect.stringMatching(/cannot be extended/) });
    expect((await expiry(new Date(Date.now() + 5 * 86_400_000).toISOString())).body.error.code).toBe('case_closed');

    // The date passes: the expiry sweep takes the case from its guests, in SharePoint too.
    await w.app.db.query("UPDATE cases SET guest_read_until = now() - interval '1 second' WHERE id = $1", [other.id]);
    await w.app.m365.handlers['m365-expiry']?.({ id: 0, firmId: null, kind: 'm365-expiry', payload: {}, dedupeKey: null, attempts: 1 });
    await w.app.settle();
    expect(await graphRead(ana, other, otherDoc)).toBe(404);
    expect(await portalCaseIds(ana)).toEqual([closing.id]);
  });
});
