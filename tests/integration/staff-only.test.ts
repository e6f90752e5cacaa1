import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { GrantScope } from '../../src/domain/model';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { upload } from './harness';

/**
 * Staff-only documents and folders inside a case folder: once staff mark them, no guest reads
 * them with her own Graph token, whatever scope she holds, before or after the marking, and
 * whether or not the item had been shared directly (and so held unique permissions) before.
 */
describe('staff-only items never reach a guest through SharePoint', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let clientId: string;
  const doc: Record<'memo' | 'plan' | 'shared' | 'open', ItemRecord> = {} as never;
  let internal: ItemRecord;

  const guest = async (name: string): Promise<ContactRecord & { token: string }> => {
    const { sharing } = w.app.app.services;
    const email = `${name.toLowerCase()}@staffonly.example`;
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
    await sharing.link(w.f.actor, c.id, contact.id);
    return { ...((await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord), token: await w.sim.userToken(user.id) };
  };
  const grant = (contact: ContactRecord, scope: GrantScope) => w.app.app.services.sharing.grant(w.f.actor, { contactId: contact.id, scope, rights: scope.kind === 'item' ? 'read' : 'upload', expiresAt: null, reason: null });
  const graphReads = async (contact: ContactRecord, item: ItemRecord): Promise<number> => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: contact.guestUserId as string });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${c.driveId}/items/${item.driveItemId}${item.kind === 'document' ? '/content' : ''}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  const portalIds = async (contact: { token: string }): Promise<string[]> => {
    const res = await fetch(`${w.app.url}/api/portal/cases/${c.id}`, { headers: { authorization: `Bearer ${contact.token}` } });
    const body = (await res.json()) as { documents?: Array<{ id: string }> };
    return (body.documents ?? []).map((d) => d.id);
  };
  const markStaffOnly = (item: ItemRecord) =>
    fetch(`${w.app.url}/api/items/${item.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${w.f.staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ staffOnly: true, reason: 'privileged strategy' }) });

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Staff-only client' });
    clientId = client.id;
    const created = await sharing.createCase(w.f.actor, { clientId, number: 'SO-1', title: 'Staff only', assignedStaffId: null, budgetCents: null });
    await w.app.settle();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [
      { name: 'file', filename: 'memo.pdf', content: Buffer.from('%PDF memo') },
      { name: 'file', filename: 'shared.pdf', content: Buffer.from('%PDF shared') },
      { name: 'file', filename: 'open.pdf', content: Buffer.from('%PDF open') },
      { name: 'folder', value: 'Internal' },
      { name: 'file', filename: 'plan.pdf', content: Buffer.from('%PDF plan') },
    ]);
    expect(up.status).toBe(201);
    await w.app.settle();
    const items = await new Repo(w.app.db).itemsOfCase(c.id);
    for (const name of ['memo', 'plan', 'shared', 'open'] as const) doc[name] = items.find((i) => i.title === `${name}.pdf`) as ItemRecord;
    internal = items.find((i) => i.kind === 'folder' && i.title === 'Internal') as ItemRecord;
  });

  it('seals marked items against guests granted before and after, by every scope, and audits the marking', async () => {
    const before = await guest('Before');
    const itemGuest = await guest('Item');
    await grant(before, { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] });
    // shared.pdf is shared directly first, so it holds unique permissions (Before's copied onto it).
    await w.app.app.services.sharing.shareItems(w.f.actor, { contactIds: [itemGuest.id], itemIds: [doc.shared.id], expiresAt: null, reason: null });
    await grant(itemGuest, { kind: 'item', caseId: c.id, itemId: internal.id });
    await w.app.settle();
    expect(await graphReads(before, doc.memo)).toBe(200);
    expect(await graphReads(itemGuest, doc.plan)).toBe(200);

    for (const item of [doc.memo, internal, doc.shared]) expect((await markStaffOnly(item)).status).toBe(200);
    await w.app.settle();
    const after = await guest('After');
    const clientGuest = await guest('Client');
    await grant(after, { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] });
    await grant(clientGuest, { kind: 'client', clientId, view: ['documents'], threadIds: [] });
    await w.app.settle();

    for (const g of [before, itemGuest, after, clientGuest]) {
      for (const item of [doc.memo, doc.plan, doc.shared, internal]) {
        expect({ who: g.name, item: item.title, status: await graphReads(g, item) }).toEqual({ who: g.name, item: item.title, status: 404 });
      }
      const visible = await portalIds(g);
      for (const item of [doc.memo, doc.plan, doc.shared, internal]) expect({ who: g.name, listed: visible.includes(item.id) }).toEqual({ who: g.name, listed: false });
    }
    // What is not staff-only still reaches the broad scopes, in SharePoint and in the portal.
    for (const g of [before, after, clientGuest]) expect({ who: g.name, status: await graphReads(g, doc.open) }).toEqual({ who: g.name, status: 200 });
    expect(await portalIds(after)).toContain(doc.open.id);

    const audit = await w.app.db.query<{ data: { itemId: string; before: unknown; after: unknown } }>(`SELECT data FROM audit_log WHERE action = 'item.staff-only' AND firm_id = $1`, [w.f.firm.id]);
    expect(audit.map((a) => a.data.itemId).sort()).toEqual([doc.memo.id, internal.id, doc.shared.id].sort());
    expect(audit[0].data).toMatchObject({ before: { staffOnly: false }, after: { staffOnly: true } });
  });

  it('refuses to share a staff-only item, alone or inside a staff-only folder', async () => {
    const someone = await guest('Someone');
    const res = await fetch(`${w.app.url}/api/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.f.staffToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contactIds: [someone.id], itemIds: [doc.memo.id] }),
    });
    expect(res.status).toBe(409);
    await expect(grant(someone, { kind: 'item', caseId: c.id, itemId: doc.plan.id })).rejects.toMatchObject({ code: 'conflict' });
    await w.app.settle();
    expect(await graphReads(someone, doc.plan)).toBe(404);
    expect(await portalIds(someone)).toEqual([]);
  });
});
