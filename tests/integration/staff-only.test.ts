import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CaseRecord, ItemRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { caseWithDocuments, sealedItemGuests } from './sealed-items';

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

  const { guest, grant, graphReads, portalIds, patchItem } = sealedItemGuests(w, 'staffonly.example', () => ({ c, clientId }));
  const markStaffOnly = (item: ItemRecord) => patchItem(item, { staffOnly: true, reason: 'privileged strategy' });

  beforeAll(async () => {
    const made = await caseWithDocuments(w, 'Staff-only client', { number: 'SO-1', title: 'Staff only' }, ['memo.pdf', 'shared.pdf', 'open.pdf'], { folder: 'Internal', files: ['plan.pdf'] });
    ({ c, clientId } = made);
    for (const name of ['memo', 'plan', 'shared', 'open'] as const) doc[name] = made.item(`${name}.pdf`);
    internal = made.item('Internal');
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
