import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { caseWithDocuments, sealedItemGuests } from './sealed-items';

/**
 * Privileged documents and folders in SharePoint: once marked, a guest reads them with her own
 * Graph token only through an item share staff confirmed with a reason. Case and client scopes,
 * before or after the marking, and a share made before it (unconfirmed) reach nothing there; the
 * same seal staff-only uses keeps the case folder's permissions off them.
 */
describe('privileged items reach a guest in SharePoint only through a confirmed share', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let clientId: string;
  const doc: Record<'brief' | 'advice' | 'open', ItemRecord> = {} as never;
  let counsel: ItemRecord;

  const { guest, grant, graphReads, portalIds, patchItem } = sealedItemGuests(w, 'privileged.example', () => ({ c, clientId }));
  const markPrivileged = (item: ItemRecord) => patchItem(item, { privileged: true, reason: 'legal advice' });
  const share = (contact: ContactRecord, items: ItemRecord[], confirm?: { reason: string }) =>
    fetch(`${w.app.url}/api/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.f.staffToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contactIds: [contact.id], itemIds: items.map((i) => i.id), confirm }),
    });

  beforeAll(async () => {
    const made = await caseWithDocuments(w, 'Privileged client', { number: 'PV-1', title: 'Privileged' }, ['brief.pdf', 'open.pdf'], { folder: 'Counsel', files: ['advice.pdf'] });
    ({ c, clientId } = made);
    for (const name of ['brief', 'advice', 'open'] as const) doc[name] = made.item(`${name}.pdf`);
    counsel = made.item('Counsel');
  });

  it('withdraws them from every scope and from an earlier unconfirmed share, and gives them to the confirmed guest only', async () => {
    const scoped = await guest('Scoped');
    const early = await guest('Early');
    await grant(scoped, { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] });
    // brief.pdf is shared directly before it is marked: unique permissions, Scoped's copied onto it.
    expect((await share(early, [doc.brief])).status).toBe(200);
    await w.app.settle();
    expect(await graphReads(scoped, doc.brief)).toBe(200);
    expect(await graphReads(early, doc.brief)).toBe(200);

    for (const item of [doc.brief, counsel]) expect((await markPrivileged(item)).status).toBe(200);
    await w.app.settle();
    const clientGuest = await guest('Client');
    await grant(clientGuest, { kind: 'client', clientId, view: ['documents'], threadIds: [] });
    const chosen = await guest('Chosen');
    const refused = await share(chosen, [doc.brief, counsel]);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('confirmation_required');
    expect((await share(chosen, [doc.brief, counsel], { reason: 'client instructed us to send the advice' })).status).toBe(200);
    await w.app.settle();

    for (const g of [scoped, early, clientGuest]) {
      for (const item of [doc.brief, doc.advice, counsel]) expect({ who: g.name, item: item.title, status: await graphReads(g, item) }).toEqual({ who: g.name, item: item.title, status: 404 });
      const visible = await portalIds(g);
      for (const item of [doc.brief, doc.advice, counsel]) expect({ who: g.name, listed: visible.includes(item.id) }).toEqual({ who: g.name, listed: false });
    }
    for (const item of [doc.brief, doc.advice, counsel]) expect({ item: item.title, status: await graphReads(chosen, item) }).toEqual({ item: item.title, status: 200 });
    expect((await portalIds(chosen)).sort()).toEqual([doc.brief.id, counsel.id, doc.advice.id].sort());
    // What is not privileged still reaches the broad scopes.
    for (const g of [scoped, clientGuest]) expect({ who: g.name, status: await graphReads(g, doc.open) }).toEqual({ who: g.name, status: 200 });

    // The earlier share, confirmed now, gives brief.pdf back to Early.
    expect((await share(early, [doc.brief], { reason: 'Early is co-counsel on the advice' })).status).toBe(200);
    await w.app.settle();
    expect(await graphReads(early, doc.brief)).toBe(200);
    expect(await graphReads(scoped, doc.brief)).toBe(404);
  });
});
