import { randomUUID } from 'node:crypto';
import { renderNotice } from '../../bot/cards';
import type { Kit } from '../../bot/commands/kit';
import { whoHasAccessCard } from '../../bot/commands/who-has-access';
import { createLinks } from '../../bot/links';
import type { CaseRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

type Id = { id: string };
type SeenRow = { contact_id: string; item_id: string | null; message_id: string | null };

/**
 * Seen through the HTTP API: the portal's case page records a guest's first read of what it
 * shows in full (notes, the firm's messages), once; staff see who read what; staff reads and
 * refused reads record nothing; no guest and no other firm reaches anybody's seen data.
 */
describe('seen (proof of delivery) through the API', () => {
  let t: TestApp;
  let staffA: string;
  let staffB: string;
  let firmA: Awaited<ReturnType<typeof createFirm>>;
  const w = {} as { kase: Id; report: Id; strategy: Id; updates: Id; ana: Id & { token: string }; ben: Id & { token: string }; kaseB: Id; carl: Id & { token: string } };

  const seenRows = async (): Promise<SeenRow[]> => t.db.query<SeenRow>('SELECT contact_id, item_id, message_id FROM guest_seen ORDER BY seen_at, item_id, message_id');
  const seenAudits = async () => (await new Repo(t.db).auditEntries(firmA.firm.id)).filter((e) => e.action.endsWith('.seen'));

  async function guestOf(staffToken: string, tenant: string, firmId: string, caseId: string, clientId: string, name: string, scope: unknown) {
    const contact = (await t.call('POST', '/api/contacts', staffToken, { email: `${name.split(' ')[0].toLowerCase()}@${randomUUID().slice(0, 6)}.example`, name, kind: 'client', clientId })).body;
    await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true });
    await t.call('POST', `/api/cases/${caseId}/links`, staffToken, { contactId: contact.id });
    expect((await t.call('POST', '/api/grants', staffToken, { contactId: contact.id, scope })).status).toBe(201);
    const guestUser = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firmId, contact.id, guestUser);
    return { id: contact.id as string, token: await t.identity.token({ tid: tenant, oid: guestUser, guest: true, name }) };
  }

  beforeAll(async () => {
    t = await startTestApp();
    firmA = await createFirm(t.db, HOME_TENANT, 'Firm A');
    staffA = await t.identity.token({ tid: HOME_TENANT, oid: firmA.staff.userId, name: 'Pat Partner' });
    const client = (await t.call('POST', '/api/clients', staffA, { name: 'García family' })).body;
    w.kase = (await t.call('POST', '/api/cases', staffA, { clientId: client.id, number: 'S-1', title: 'García v. Metro' })).body;
    w.report = (await t.call('POST', `/api/cases/${w.kase.id}/items`, staffA, { kind: 'note', title: 'Report', body: 'What we found' })).body;
    w.strategy = (await t.call('POST', `/api/cases/${w.kase.id}/items`, staffA, { kind: 'note', title: 'Strategy', body: 'internal' })).body;
    w.updates = (await t.call('POST', `/api/cases/${w.kase.id}/threads`, staffA, { subject: 'Updates' })).body;
    w.ana = await guestOf(staffA, HOME_TENANT, firmA.firm.id, w.kase.id, client.id, 'Ana García', { kind: 'item', caseId: w.kase.id, itemId: w.report.id });
    w.ben = await guestOf(staffA, HOME_TENANT, firmA.firm.id, w.kase.id, client.id, 'Ben Okafor', { kind: 'case', caseId: w.kase.id, view: ['messages'], threadIds: [w.updates.id] });

    const otherTenant = randomUUID();
    const firmB = await createFirm(t.db, otherTenant, 'Firm B');
    staffB = await t.identity.token({ tid: otherTenant, oid: firmB.staff.userId });
    const clientB = (await t.call('POST', '/api/clients', staffB, { name: 'Carl' })).body;
    w.kaseB = (await t.call('POST', '/api/cases', staffB, { clientId: clientB.id, number: 'B-1', title: 'Other firm' })).body;
    w.carl = await guestOf(staffB, otherTenant, firmB.firm.id, w.kaseB.id, clientB.id, 'Carl Berg', { kind: 'case', caseId: w.kaseB.id, view: ['notes'], threadIds: [] });
  });
  afterAll(() => t.close());

  it("records nothing for staff's own reads of items, threads, access and the audit", async () => {
    await t.call('POST', `/api/threads/${w.updates.id}/messages`, staffA, { body: 'Hearing moved to May' });
    for (const path of [`/api/cases/${w.kase.id}`, `/api/cases/${w.kase.id}/items`, `/api/cases/${w.kase.id}/threads`, `/api/cases/${w.kase.id}/access`, '/api/access', '/api/audit'])
      expect((await t.call('GET', path, staffA)).status).toBe(200);
    expect(await seenRows()).toEqual([]);
    expect(await seenAudits()).toEqual([]);
    const items = (await t.call('GET', `/api/cases/${w.kase.id}/items`, staffA)).body;
    expect(items.sharedWith[w.report.id]).toEqual([expect.objectContaining({ contactId: w.ana.id, name: 'Ana García', seenAt: null })]);
  });

  it("records a guest's first read of the firm's reply and the note the page shows, once; their own message never counts", async () => {
    const sent = await t.call('POST', `/api/portal/cases/${w.kase.id}/messages`, w.ana.token, { body: 'Any news?' });
    expect(sent.status).toBe(201);
    const reply = (await t.call('POST', `/api/threads/${sent.body.threadId}/messages`, staffA, { body: 'Yes: the report is in.' })).body;

    const view = await t.call('GET', `/api/portal/cases/${w.kase.id}`, w.ana.token);
    expect(view.status).toBe(200);
    expect(view.body.notes.map((n: Id) => n.id)).toEqual([w.report.id]);
    const once = await seenRows();
    expect(once).toEqual(
      expect.arrayContaining([
        { contact_id: w.ana.id, item_id: w.report.id, message_id: null },
        { contact_id: w.ana.id, item_id: null, message_id: reply.id },
      ]),
    );
    expect(once).toHaveLength(2);
    // The page again (a reload): nothing new is stored or audited.
    expect((await t.call('GET', `/api/portal/cases/${w.kase.id}`, w.ana.token)).status).toBe(200);
    expect(await seenRows()).toEqual(once);
    const audits = await seenAudits();
    expect(audits.map((e) => [e.actor, e.action, e.target])).toEqual([
      [`guest:${w.ana.id}`, 'item.seen', `case:${w.kase.id}`],
      [`guest:${w.ana.id}`, 'message.seen', `case:${w.kase.id}`],
    ]);
    expect(audits[1].data).toEqual({ threadId: sent.body.threadId, messageId: reply.id });

    // Staff see it on the message, on the item, and on the audit page under the guest's name.
    const threads = (await t.call('GET', `/api/cases/${w.kase.id}/threads`, staffA)).body;
    const messages = threads.find((th: Id) => th.id === sent.body.threadId).messages;
    expect(messages.find((m: Id) => m.id === reply.id).seenBy).toEqual([{ contactId: w.ana.id, name: 'Ana García', seenAt: expect.any(String) }]);
    expect(messages.find((m: Id) => m.id === sent.body.messageId).seenBy).toEqual([]);
    const items = (await t.call('GET', `/api/cases/${w.kase.id}/items`, staffA)).body;
    expect(items.sharedWith[w.report.id][0].seenAt).toEqual(expect.any(String));
    const page = (await t.call('GET', '/api/audit?action=message.seen', staffA)).body;
    expect(page.map((e: { actorName: string; targetName: string }) => [e.actorName, e.targetName])).toEqual([['Ana García', 'S-1 García v. Metro']]);
    const access = (await t.call('GET', `/api/cases/${w.kase.id}/access`, staffA)).body;
    expect(access.find((e: { contact: Id }) => e.contact.id === w.ana.id).seen).toMatchObject({ items: 1, firstAt: expect.any(String) });

    // The bot's "who has access" card says it in a few words per grant.
    const kase = (await new Repo(t.db).case(firmA.firm.id, w.kase.id)) as CaseRecord;
    // The card reads only the sharing service, the store and the links; the rest of the kit is not needed here.
    const kit = { d: { sharing: t.app.services.sharing, db: t.db, links: createLinks({ publicBaseUrl: 'https://caseroom.example', teamsAppId: '' }) } } as unknown as Kit;
    const card = JSON.stringify(renderNotice(await whoHasAccessCard(kit, { kind: 'staff', firmId: firmA.firm.id, staffId: firmA.staff.id, userId: firmA.staff.userId, name: 'Pat Partner', role: 'admin' }, kase)));
    expect(card).toMatch(/Ana García.*Report.*· seen \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\}/);
    expect(card).toMatch(/Ben Okafor.*S-1: messages.*· nothing opened yet/);
  });

  it("never shows a guest anybody's seen data, and another firm's ids give nothing", async () => {
    const benView = await t.call('GET', `/api/portal/cases/${w.kase.id}`, w.ben.token);
    expect(benView.status).toBe(200);
    // Ben reads the firm's thread: his own first read is recorded, and his page carries nothing of Ana's.
    expect((await seenRows()).filter((r) => r.contact_id === w.ben.id)).toHaveLength(1);
    const text = JSON.stringify(benView.body);
    expect(text).not.toContain(w.ana.id);
    expect(text).not.toMatch(/seen/i);
    for (const path of [`/api/cases/${w.kase.id}/items`, `/api/cases/${w.kase.id}/threads`, `/api/cases/${w.kase.id}/access`, `/api/contacts/${w.ana.id}/access`, '/api/audit?action=item.seen', '/api/audit/export?format=json']) {
      expect((await t.call('GET', path, w.ben.token)).status).toBe(403);
    }

    const before = await seenRows();
    // The other firm's staff: firm A's case is "not found"; their own audit holds none of firm A's entries.
    for (const path of [`/api/cases/${w.kase.id}/items`, `/api/cases/${w.kase.id}/threads`, `/api/cases/${w.kase.id}/access`, `/api/contacts/${w.ana.id}/access`]) expect((await t.call('GET', path, staffB)).status).toBe(404);
    expect((await t.call('GET', `/api/audit?action=item.seen`, staffB)).body).toEqual([]);
    // Guests reaching across: another firm's case, a case they are not in, a malformed id. Nothing is recorded.
    expect((await t.call('GET', `/api/portal/cases/${w.kase.id}`, w.carl.token)).status).toBe(404);
    expect((await t.call('GET', `/api/portal/cases/${w.kaseB.id}`, w.ana.token)).status).toBe(404);
    expect((await t.call('GET', `/api/portal/cases/${randomUUID()}`, w.ana.token)).status).toBe(404);
    expect((await t.call('GET', `/api/portal/cases/not-an-id`, w.ana.token)).status).toBe(404);
    expect(await seenRows()).toEqual(before);
    // Ana never sees the unshared note, so it is never recorded as seen by her.
    expect(before.some((r) => r.item_id === w.strategy.id)).toBe(false);
  });
});
