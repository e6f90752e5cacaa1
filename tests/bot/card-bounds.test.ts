import { activitySizeBytes, CARD_SIZE_BUDGET_BYTES } from '../../bot/cards';
import { requestNotify } from '../../src/services/job-requests';
import { Repo } from '../../src/store/repo';
import type { ContactRecord, ItemRecord } from '../../src/store/records';
import { checkCard } from './card-validator';
import { CASE_CHANNEL, cardOf, cardText, type Harness, postAsStaff, startHarness } from './harness';

/**
 * Cards stay under Teams' message size limit, name people and items instead of ids, describe
 * views in words, and a share that changes nothing posts nothing (issue 16, "Cards").
 */
let h: Harness;
let ada: { contact: ContactRecord; token: string };
let ben: { contact: ContactRecord; token: string };
let items: ItemRecord[];

beforeAll(async () => {
  h = await startHarness();
  ada = await h.guest('Ada Lovelace');
  ben = await h.guest('Ben Okafor');
  const repo = new Repo(h.db);
  items = [];
  for (let n = 0; n < 500; n++)
    items.push(await repo.insertItem({ firmId: h.caseRecord.firmId, caseId: h.caseRecord.id, kind: 'document', title: `Exhibit ${String(n).padStart(3, '0')} — witness statement bundle.pdf`, createdBy: 'staff:test', sizeBytes: 4096 }));
  await h.app.services.sharing.shareItems(h.actor, { contactIds: [ada.contact.id], itemIds: items.map((i) => i.id), expiresAt: null, reason: null });
  // A narrowed case view: the card must say what it includes, not "Full case".
  await h.app.services.sharing.grant(h.actor, { contactId: ben.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents', 'events'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
  await h.settle();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const lastAnswer = async (conversationId: string) => (await h.threads()).find((t) => t.conversationId === conversationId)!.activities.at(-1)!;

describe('who has access, for a guest with 500 item grants', () => {
  it('stays under the size budget, names the case, folds the items into one row and ends its lists with "and N more" linking to the Access list', async () => {
    const posted = await postAsStaff(h, 'who has access');
    const answer = await lastAnswer(posted.conversationId);
    expect(answer.from.role).toBe('bot');
    // What Teams measures: the whole activity, as UTF-16.
    expect(activitySizeBytes(answer)).toBeLessThan(CARD_SIZE_BUDGET_BYTES);
    const card = cardOf(answer)!;
    const text = cardText(card);
    expect(text).toContain('2 people outside the firm can see parts of PI-1 Smith v. Metro Transit.');
    expect(text).toContain('Ada Lovelace · client — 500 items: Exhibit 000 — witness statement bundle.pdf, Exhibit 001 — witness statement bundle.pdf, Exhibit 002 — witness statement bundle.pdf and 497 more');
    expect(text).toContain('Ben Okafor · client — PI-1: documents and events');
    expect(text).not.toContain('Full case');
    const accessLink = `/tab/case?caseId=${encodeURIComponent(h.caseRecord.id)}&show=access`;
    // A Teams deep link to the case tab whose fallback web page opens the Access list.
    expect(decodeURIComponent(JSON.stringify(card))).toContain(accessLink);
    const check = checkCard(card);
    expect(check.parseErrors).toEqual([]);
    expect(check.validationErrors).toEqual([]);
  });

  it('the list itself is bounded: 14 more guests show 10 rows, then "and N more" as a link to the Access list', async () => {
    const extra: ContactRecord[] = [];
    for (let n = 0; n < 14; n++) extra.push((await h.guest(`Guest ${String(n).padStart(2, '0')}`)).contact);
    for (const g of extra) await h.app.services.sharing.shareItems(h.actor, { contactIds: [g.id], itemIds: [items[0].id], expiresAt: null, reason: null });
    await h.settle();
    const posted = await postAsStaff(h, 'who has access');
    const answer = await lastAnswer(posted.conversationId);
    expect(activitySizeBytes(answer)).toBeLessThan(CARD_SIZE_BUDGET_BYTES);
    const card = cardOf(answer)!;
    const text = cardText(card);
    expect(text).toContain('16 people outside the firm');
    // 16 guests, one row each: 10 shown, the other 6 counted behind a link.
    const more = JSON.stringify(card).match(/"text":"and 6 more","selectAction":\{"type":"Action.OpenUrl","url":"([^"]+)"/);
    expect(decodeURIComponent(more?.[1] ?? '')).toContain('&show=access');
  });
});

describe('cards name things, never ids', () => {
  it('the drift card names the item, the case folder and the people instead of drive-item ids', async () => {
    const repo = new Repo(h.db);
    const tracked = await repo.insertItem({ firmId: h.caseRecord.firmId, caseId: h.caseRecord.id, kind: 'document', title: 'Settlement draft.docx', createdBy: 'staff:test', driveItemId: '01ABCDEF7RAWDRIVEITEMID' });
    const before = (await h.threads()).length;
    await requestNotify(h.db, {
      type: 'drift.found',
      firmId: h.caseRecord.firmId,
      caseId: h.caseRecord.id,
      added: [
        { driveItemId: tracked.driveItemId!, who: 'eve@outside.example', roles: ['write'] },
        { driveItemId: h.caseRecord.folderItemId!, who: '5d3f0c1e-7a2b-4c9d-8e1f-0a1b2c3d4e5f', roles: ['read'] },
        { driveItemId: '01ZZZUNKNOWNDRIVEITEM', who: 'mallory@outside.example', roles: ['read'] },
      ],
      removed: [{ driveItemId: tracked.driveItemId!, contactId: ada.contact.id }],
    });
    await h.settle();
    const posted = (await h.threads()).slice(before);
    expect(posted).toHaveLength(1);
    const text = cardText(cardOf(posted[0].activities[0]));
    expect(text).toContain('Settlement draft.docx → eve@outside.example');
    expect(text).toContain('the case folder → a guest with no e-mail address');
    expect(text).toContain('an item CaseRoom does not list → mallory@outside.example');
    expect(text).toContain('Settlement draft.docx → Ada Lovelace');
    for (const raw of ['01ABCDEF7RAWDRIVEITEMID', '01ZZZUNKNOWNDRIVEITEM', h.caseRecord.folderItemId!, '5d3f0c1e-7a2b-4c9d-8e1f-0a1b2c3d4e5f', ada.contact.id]) expect(text).not.toContain(raw);
  });
});

describe('a share that changes nothing', () => {
  const notifyJobsAfter = async (id: number) =>
    (await h.db.query<{ payload: { event: { type: string; contactIds?: string[] } } }>("SELECT payload FROM outbox WHERE kind = 'notify' AND id > $1 ORDER BY id", [id])).map((r) => r.payload.event);
  const lastJobId = async () => Number((await h.db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM outbox'))[0].id ?? 0);

  it('re-sharing items a guest already has posts no card and tells the guest nothing; a real change still does, naming only who gains', async () => {
    const threadsBefore = await h.threads(CASE_CHANNEL);
    const versions = threadsBefore.map((t) => t.activities[0].version);
    const feedBefore = h.feed.length;
    const mark = await lastJobId();
    await h.app.services.sharing.shareItems(h.actor, { contactIds: [ada.contact.id], itemIds: items.slice(0, 3).map((i) => i.id), expiresAt: null, reason: null });
    await h.settle();
    expect(await notifyJobsAfter(mark)).toEqual([]);
    const threadsAfter = await h.threads(CASE_CHANNEL);
    expect(threadsAfter).toHaveLength(threadsBefore.length);
    expect(threadsAfter.map((t) => t.activities[0].version)).toEqual(versions);
    expect(h.feed.length).toBe(feedBefore);

    // The same three for Ada (no change) and Ben (new to him): one notice, for Ben only.
    const mark2 = await lastJobId();
    await h.app.services.sharing.shareItems(h.actor, { contactIds: [ada.contact.id, ben.contact.id], itemIds: items.slice(0, 3).map((i) => i.id), expiresAt: null, reason: null });
    await h.settle();
    const events = (await notifyJobsAfter(mark2)).filter((e) => e.type === 'items.shared');
    expect(events.map((e) => e.contactIds)).toEqual([[ben.contact.id]]);
    expect(h.feed.filter((n) => n.userId === ada.contact.guestUserId).length).toBe(h.feed.slice(0, feedBefore).filter((n) => n.userId === ada.contact.guestUserId).length);
  });
});
