import { randomUUID } from 'node:crypto';
import { type createFirm, HOME_TENANT, okCall, startTwoFirmApp, storeFingerprint, type TestApp } from '../support/app';

/**
 * Privileged items through the HTTP API: marked and unmarked with PATCH /items/{id} (audited),
 * reached by no case, client or section scope and no folder grant above them, shared only by an
 * explicit item share confirmed with a reason (409 confirmation_required until then, the same
 * `confirm: { reason }` as every guardrail), listed apart in previews; CaseRoom's own memos stay
 * staff-only. Then the hostile cases: another firm's ids, a guest, bad input.
 */

let t: TestApp;
let firmA: Awaited<ReturnType<typeof createFirm>>;
let staffA: string;
let staffB: string;
let caseId: string;
let clientId: string;
const ids = { counsel: '', advice: '', open: '', note: '', outer: '' };
const guests: Record<'scoped' | 'chosen' | 'folder', { id: string; token: string }> = {} as never;

const ok = (method: string, path: string, body?: unknown, token = staffA) => okCall(t, token, method, path, body);

async function guest(name: string): Promise<{ id: string; token: string }> {
  const contact = await ok('POST', '/api/contacts', { email: `${name.toLowerCase()}@privileged.example`, name, kind: 'client', clientId });
  await ok('PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
  await ok('POST', `/api/cases/${caseId}/links`, { contactId: contact.id });
  const userId = randomUUID();
  await t.app.services.sharing.markInvitationAccepted(firmA.firm.id, contact.id, userId);
  return { id: contact.id, token: await t.identity.token({ tid: HOME_TENANT, oid: userId, guest: true }) };
}

/** Every item id the guest's portal lists for the case (404: none). */
async function portalItems(token: string): Promise<string[]> {
  const res = await t.call('GET', `/api/portal/cases/${caseId}`, token);
  if (res.status === 404) return [];
  const b = res.body;
  return [...(b.documents ?? []), ...(b.notes ?? []), ...(b.events ?? []), ...(b.invoices ?? [])].map((i: { id: string }) => i.id).sort();
}

const mark = (itemId: string, privileged: boolean, token = staffA) => t.call('PATCH', `/api/items/${itemId}`, token, { privileged, reason: 'litigation strategy' });

beforeAll(async () => {
  ({ t, firmA, staffA, staffB } = await startTwoFirmApp());
  clientId = (await ok('POST', '/api/clients', { name: 'Client' })).id;
  caseId = (await ok('POST', '/api/cases', { clientId, number: 'PR-1', title: 'Privileged matter' })).id;
  ids.outer = (await ok('POST', `/api/cases/${caseId}/items`, { kind: 'folder', title: 'Correspondence', parentId: null })).id;
  ids.counsel = (await ok('POST', `/api/cases/${caseId}/items`, { kind: 'folder', title: 'Counsel', parentId: ids.outer })).id;
  ids.advice = (await ok('POST', `/api/cases/${caseId}/items`, { kind: 'folder', title: 'Advice', parentId: ids.counsel })).id;
  ids.open = (await ok('POST', `/api/cases/${caseId}/items`, { kind: 'folder', title: 'Open', parentId: ids.outer })).id;
  ids.note = (await ok('POST', `/api/cases/${caseId}/items`, { kind: 'note', title: 'Strategy note', body: 'between us' })).id;
  guests.scoped = await guest('Scoped');
  guests.chosen = await guest('Chosen');
  guests.folder = await guest('Folder');
  await ok('POST', '/api/grants', { contactId: guests.scoped.id, scope: { kind: 'case', caseId, view: ['documents', 'notes', 'messages'] }, rights: 'read' });
  // A grant on the folder above the privileged one.
  await ok('POST', '/api/grants', { contactId: guests.folder.id, scope: { kind: 'item', caseId, itemId: ids.outer }, rights: 'read' });
});
afterAll(async () => {
  await t?.close();
});

describe('privileged items', () => {
  it('marking withdraws them from every scope and from a folder grant above, and is audited', async () => {
    expect(await portalItems(guests.scoped.token)).toEqual(expect.arrayContaining([ids.counsel, ids.advice, ids.note]));
    expect(await portalItems(guests.folder.token)).toEqual(expect.arrayContaining([ids.counsel, ids.advice]));
    const marked = await mark(ids.counsel, true);
    expect(marked.status).toBe(200);
    expect(marked.body.privileged).toBe(true);
    expect((await mark(ids.note, true)).status).toBe(200);

    expect(await portalItems(guests.scoped.token)).toEqual([ids.outer, ids.open].sort());
    expect(await portalItems(guests.folder.token)).toEqual([ids.outer, ids.open].sort());
    const items = (await ok('GET', `/api/cases/${caseId}/items`)).items as Array<{ id: string; privileged: boolean }>;
    expect(
      items
        .filter((i) => i.privileged)
        .map((i) => i.id)
        .sort(),
    ).toEqual([ids.counsel, ids.note].sort());

    const audit = await t.db.query<{ actor: string; reason: string; data: { itemId: string; before: unknown; after: unknown } }>(`SELECT actor, reason, data FROM audit_log WHERE action = 'item.privileged' AND firm_id = $1 ORDER BY seq`, [
      firmA.firm.id,
    ]);
    expect(audit.map((a) => a.data.itemId)).toEqual([ids.counsel, ids.note]);
    expect(audit[0]).toMatchObject({ reason: 'litigation strategy', data: { before: { privileged: false }, after: { privileged: true } } });
  });

  it('an explicit share answers 409 confirmation_required until confirmed with a reason, and the confirmation is audited', async () => {
    const body = { contactIds: [guests.chosen.id], itemIds: [ids.counsel] };
    const refused = await t.call('POST', '/api/shares', staffA, body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('confirmation_required');
    expect(refused.body.error.confirmationRequired.reasons).toEqual([{ kind: 'privileged', contactId: guests.chosen.id, contactName: 'Chosen', caseId, itemId: ids.counsel, itemTitle: 'Counsel' }]);
    // The same through POST /grants (an item scope), and for what lies inside the privileged folder.
    const viaGrant = await t.call('POST', '/api/grants', staffA, { contactId: guests.chosen.id, scope: { kind: 'item', caseId, itemId: ids.advice }, rights: 'read' });
    expect(viaGrant.status).toBe(409);
    expect(viaGrant.body.error.confirmationRequired.reasons[0]).toMatchObject({ kind: 'privileged', itemId: ids.advice });
    expect(await portalItems(guests.chosen.token)).toEqual([]);

    expect((await t.call('POST', '/api/shares', staffA, { ...body, confirm: { reason: 'client asked for counsel advice' } })).status).toBe(200);
    // The confirmed folder share reaches what the privileged folder holds; the scoped guest still sees neither.
    expect(await portalItems(guests.chosen.token)).toEqual([ids.counsel, ids.advice].sort());
    expect(await portalItems(guests.scoped.token)).not.toContain(ids.counsel);

    const [confirmed] = await t.db.query<{ actor: string; reason: string; data: { confirmedAction: string; reasons: unknown[] } }>(
      `SELECT actor, reason, data FROM audit_log WHERE action = 'sharing.confirmed' AND firm_id = $1 ORDER BY seq DESC LIMIT 1`,
      [firmA.firm.id],
    );
    expect(confirmed.actor).toBe(`staff:${firmA.staff.userId}`);
    expect(confirmed.reason).toBe('client asked for counsel advice');
    expect(confirmed.data.confirmedAction).toBe('items.shared');
    expect(confirmed.data.reasons).toEqual([expect.objectContaining({ kind: 'privileged', contactId: guests.chosen.id, itemId: ids.counsel })]);
    // Sharing it again on the same terms asks nothing more.
    expect((await t.call('POST', '/api/shares', staffA, body)).status).toBe(200);
  });

  it('previews list staff-only and privileged items apart from the gains', async () => {
    const [grant] = ((await ok('GET', `/api/contacts/${guests.folder.id}/access`)) as Array<{ grant: { id: string } }>).map((e) => e.grant);
    const preview = await ok('POST', `/api/grants/${grant.id}/preview`, { scope: { kind: 'case', caseId, view: ['documents', 'notes'] }, rights: 'read' });
    const gainedIds = (preview.gained.items as Array<{ itemId: string }>).map((i) => i.itemId);
    expect(gainedIds).not.toContain(ids.counsel);
    expect(gainedIds).not.toContain(ids.note);
    expect(preview.withheld).toEqual(
      expect.arrayContaining([expect.objectContaining({ itemId: ids.counsel, why: 'privileged' }), expect.objectContaining({ itemId: ids.advice, why: 'privileged' }), expect.objectContaining({ itemId: ids.note, why: 'privileged' })]),
    );
  });

  it('unmarking gives the item back to the scopes, audited', async () => {
    expect((await mark(ids.note, false)).status).toBe(200);
    expect(await portalItems(guests.scoped.token)).toContain(ids.note);
    const [lifted] = await t.db.query<{ data: { itemId: string } }>(`SELECT data FROM audit_log WHERE action = 'item.privileged-lifted' AND firm_id = $1`, [firmA.firm.id]);
    expect(lifted.data.itemId).toBe(ids.note);
  });

  it("CaseRoom's memo of a guest's message stays staff-only: no scope reaches it and staff cannot lift it", async () => {
    expect((await t.call('POST', `/api/portal/cases/${caseId}/messages`, guests.scoped.token, { body: 'Please call me about the advice' })).status).toBe(201);
    const items = (await ok('GET', `/api/cases/${caseId}/items`)).items as Array<{ id: string; kind: string; title: string; staffOnly: boolean; createdBy: string }>;
    const memo = items.find((i) => i.kind === 'note' && i.createdBy === `guest:${guests.scoped.id}`);
    expect(memo).toMatchObject({ staffOnly: true, title: 'Message from Scoped (no charge)' });
    expect(await portalItems(guests.scoped.token)).not.toContain(memo!.id);
    const lift = await t.call('PATCH', `/api/items/${memo!.id}`, staffA, { staffOnly: false });
    expect(lift.status).toBe(409);
    expect((await t.call('POST', '/api/shares', staffA, { contactIds: [guests.scoped.id], itemIds: [memo!.id], confirm: { reason: 'try' } })).status).toBe(409);
    expect(await portalItems(guests.scoped.token)).not.toContain(memo!.id);
  });
});

describe('privileged: hostile requests change nothing', () => {
  it('another firm, a guest, and bad input are refused with the store untouched', async () => {
    const before = await storeFingerprint(t.db);
    const otherFirm = await mark(ids.advice, true, staffB);
    expect(otherFirm.status).toBe(404);
    expect((await mark(ids.advice, true, guests.chosen.token)).status).toBe(403);
    expect((await t.call('PATCH', `/api/items/${randomUUID()}`, staffA, { privileged: true })).status).toBe(404);
    const bad = await t.call('PATCH', `/api/items/${ids.advice}`, staffA, { privileged: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('privileged');
    // Another firm's staff cannot share a privileged item of ours, confirmed or not.
    expect((await t.call('POST', '/api/shares', staffB, { contactIds: [guests.scoped.id], itemIds: [ids.counsel], confirm: { reason: 'mine now' } })).status).toBe(404);
    // A confirmation must carry a reason.
    const empty = await t.call('POST', '/api/shares', staffA, { contactIds: [guests.scoped.id], itemIds: [ids.counsel], confirm: { reason: '' } });
    expect(empty.status).toBe(400);
    const noReason = await t.call('POST', '/api/shares', staffA, { contactIds: [guests.scoped.id], itemIds: [ids.counsel], confirm: {} });
    expect(noReason.status).toBe(400);
    // A guest can neither share nor confirm.
    expect((await t.call('POST', '/api/shares', guests.chosen.token, { contactIds: [guests.scoped.id], itemIds: [ids.counsel], confirm: { reason: 'me too' } })).status).toBe(403);
    expect(await storeFingerprint(t.db)).toBe(before);
    expect(await portalItems(guests.scoped.token)).not.toContain(ids.counsel);
  });
});
