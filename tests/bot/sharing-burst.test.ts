import { randomUUID } from 'node:crypto';
import { mergeSharingChanges, type ShareChange } from '../../bot/notices';
import type { Actor } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { checkCards, markdownTexts } from './card-validator';
import { CASE_CHANNEL, cardOf, cardText, type Harness, OTHER_CHANNEL, startHarness } from './harness';

/**
 * Sharing notices coalesce like guest uploads: one card per case, per staff member, per burst,
 * updated in place, saying what each guest was given and lost (the net of the burst).
 */

type StaffActor = Extract<Actor, { kind: 'staff' }>;

let h: Harness;
let maya: { contact: ContactRecord; token: string };
let john: { contact: ContactRecord; token: string };
let items: ItemRecord[];
let otherItems: ItemRecord[];

/** A staff member of their own, so each test starts a fresh burst (bursts are per staff member). */
async function newStaff(name: string): Promise<StaffActor> {
  const s = await new Repo(h.db).insertStaff({ firmId: h.caseRecord.firmId, userId: randomUUID(), name, email: `${randomUUID().slice(0, 8)}@firm.example`, phone: null, title: null });
  return { kind: 'staff', firmId: s.firmId, staffId: s.id, userId: s.userId, name: s.name, role: s.role };
}

async function seedItems(uploaderContact: ContactRecord, c: CaseRecord, prefix: string, n: number): Promise<ItemRecord[]> {
  await h.app.services.sharing.grant(h.actor, { contactId: uploaderContact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  const uploader = { kind: 'guest' as const, firmId: c.firmId, contactId: uploaderContact.id, userId: uploaderContact.guestUserId!, name: uploaderContact.name };
  await h.app.services.portal.recordUploads(
    uploader,
    c.id,
    Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${String(i).padStart(2, '0')}.pdf`, sizeBytes: 10, mimeType: null, driveItemId: null, parentId: null })),
    `burst-${randomUUID()}`,
  );
  return (await new Repo(h.db).itemsOfCase(c.id)).filter((i) => i.title.startsWith(`${prefix}-`)).sort((a, b) => a.title.localeCompare(b.title));
}

const botThreads = async (channelId = CASE_CHANNEL) => (await h.threads(channelId)).filter((t) => t.activities[0]?.from.role === 'bot');
const newThreadsAfter = async (work: () => Promise<unknown>, channelId = CASE_CHANNEL) => {
  const before = (await h.threads(channelId)).length;
  await work();
  await h.settle();
  return (await h.threads(channelId)).slice(before);
};

beforeAll(async () => {
  h = await startHarness();
  maya = await h.guest('Dr. Maya Chen', { linkTo: [h.caseRecord, h.otherCase] });
  john = await h.guest('John Smith', { linkTo: [h.caseRecord, h.otherCase] });
  // Items come from a guest upload (a guest who is not among the people shared with below).
  const { contact: uploader } = await h.guest('Uma Loader', { linkTo: [h.caseRecord, h.otherCase] });
  items = await seedItems(uploader, h.caseRecord, 'doc', 60);
  otherItems = await seedItems(uploader, h.otherCase, 'lease', 5);
  await h.settle();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

it('50 share calls in a burst by one staff member in one case: 1 card, a handful of updates, true totals', async () => {
  const priya = await newStaff('Priya Sharer');
  await h.connectorAdmin('DELETE', '/stats');
  const threads = await newThreadsAfter(async () => {
    // A script calling POST /api/shares 50 times: one item each, every fifth also with John.
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const n = batch * 10 + i;
          return h.app.services.sharing.shareItems(priya, { contactIds: n % 5 === 0 ? [maya.contact.id, john.contact.id] : [maya.contact.id], itemIds: [items[n].id], expiresAt: null, reason: null });
        }),
      );
      await h.app.worker.drain();
    }
  });
  expect(threads).toHaveLength(1);
  const root = threads[0].activities[0];
  const card = cardOf(root)!;
  const text = cardText(card);
  expect(text).toContain('Shared with 2 guests');
  expect(text).toContain('Priya Sharer shared 50 items with Dr. Maya Chen and John Smith.');
  expect(text).toContain('Dr. Maya Chen · 50 items: doc-00.pdf, doc-01.pdf, doc-02.pdf and 47 more');
  expect(text).toContain('John Smith · 10 items: doc-00.pdf, doc-05.pdf, doc-10.pdf and 7 more');
  expect(text).not.toContain('Access removed');
  const stats = (await h.connectorAdmin('GET', '/stats')).body;
  expect(stats.threadsCreated).toBe(1);
  expect(root.version).toBe(1 + stats.updates);
  expect(stats.updates).toBeLessThan(15);
  expect(stats.rateLimited429).toBe(0);
  const [check] = checkCards([card]);
  expect(check.parseErrors).toEqual([]);
  expect(check.validationErrors).toEqual([]);
  // One post for the burst, holding every (guest, item) pair once.
  const posts = await h.db.query<{ data: { changes: ShareChange[] } }>("SELECT data FROM bot_posts WHERE kind = 'sharing' AND burst_key LIKE $1", [`sharing:${h.caseRecord.id}:staff:${priya.userId}`]);
  expect(posts).toHaveLength(1);
  expect(posts[0].data.changes).toHaveLength(60);
  console.log(`50 share calls in a burst: 1 card, ${stats.updates} updates`);
}, 120_000);

it('two staff members, or two cases, get separate cards', async () => {
  const ana = await newStaff('Ana Ortiz');
  const ben = await newStaff('Ben Okafor');
  // Same name as Ana, another person: still a card of their own.
  const ana2 = await newStaff('Ana Ortiz');
  const before = { case: (await botThreads()).length, other: (await botThreads(OTHER_CHANNEL)).length };
  await h.app.services.sharing.shareItems(ana, { contactIds: [maya.contact.id], itemIds: [items[50].id], expiresAt: null, reason: null });
  await h.app.services.sharing.shareItems(ben, { contactIds: [maya.contact.id], itemIds: [items[51].id], expiresAt: null, reason: null });
  await h.app.services.sharing.shareItems(ana2, { contactIds: [john.contact.id], itemIds: [items[52].id], expiresAt: null, reason: null });
  await h.app.services.sharing.shareItems(ana, { contactIds: [maya.contact.id], itemIds: [otherItems[0].id, otherItems[1].id], expiresAt: null, reason: null });
  await h.app.services.sharing.shareItems(ana, { contactIds: [john.contact.id], itemIds: [items[53].id], expiresAt: null, reason: null });
  await h.app.services.sharing.shareItems(ben, { contactIds: [maya.contact.id], itemIds: [otherItems[2].id], expiresAt: null, reason: null });
  await h.settle();

  const inCase = (await botThreads()).slice(before.case).map((t) => cardText(cardOf(t.activities.at(0))));
  expect(inCase).toHaveLength(3);
  expect(inCase.filter((t) => t.includes('Ana Ortiz shared 2 items with Dr. Maya Chen and John Smith.'))).toHaveLength(1);
  expect(inCase.filter((t) => t.includes('Ana Ortiz shared 1 item with John Smith.') && t.includes(items[52].title))).toHaveLength(1);
  expect(inCase.filter((t) => t.includes('Ben Okafor shared 1 item with Dr. Maya Chen.') && t.includes(items[51].title))).toHaveLength(1);
  const inOther = (await botThreads(OTHER_CHANNEL)).slice(before.other).map((t) => cardText(cardOf(t.activities.at(0))));
  expect(inOther).toHaveLength(2);
  expect(inOther.filter((t) => t.includes('Ana Ortiz shared 2 items with Dr. Maya Chen.') && t.includes('lease-00.pdf and lease-01.pdf'))).toHaveLength(1);
  expect(inOther.filter((t) => t.includes('Ben Okafor shared 1 item with Dr. Maya Chen.'))).toHaveLength(1);
});

it('share then unshare in one burst: the card shows the net, never an unshared item as shared', async () => {
  const carla = await newStaff('Carla Diaz');
  // Shared in an earlier burst (another staff member): its removal below is a real loss of access.
  const earlier = await newStaff('Earl Lier');
  await h.app.services.sharing.shareItems(earlier, { contactIds: [john.contact.id], itemIds: [items[57].id], expiresAt: null, reason: null });
  await h.settle();

  const [a, b, c] = [items[54], items[55], items[56]];
  const threads = await newThreadsAfter(async () => {
    await h.app.services.sharing.shareItems(carla, { contactIds: [maya.contact.id, john.contact.id], itemIds: [a.id, b.id, c.id], expiresAt: null, reason: null });
    await h.app.worker.drain();
    await h.app.services.sharing.unshareItems(carla, { contactIds: [maya.contact.id], itemIds: [a.id, b.id], reason: null });
    await h.app.services.sharing.unshareItems(carla, { contactIds: [john.contact.id], itemIds: [items[57].id], reason: null });
    // A case grant given and revoked within the burst.
    const grant = await h.app.services.sharing.grant(carla, { contactId: maya.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await h.app.worker.drain();
    await h.app.services.sharing.revokeGrant(carla, grant.id, null);
  });
  expect(threads).toHaveLength(1);
  const card = cardOf(threads[0].activities[0])!;
  const text = cardText(card);
  expect(text).toContain('Sharing changed');
  expect(text).toContain('Carla Diaz shared 3 items with Dr. Maya Chen and John Smith, stopped sharing 3 items with Dr. Maya Chen and John Smith and removed access to the case from Dr. Maya Chen.');
  // Given: Maya keeps only c; John keeps a, b, c.
  expect(text).toContain(`Given accessDr. Maya Chen · 1 item: ${c.title}John Smith · 3 items: ${a.title}, ${b.title} and ${c.title}`);
  // Removed: John's earlier share. Shared and withdrawn: Maya's a and b, and her case grant.
  expect(text).toContain(`Access removedJohn Smith · 1 item: ${items[57].title}`);
  expect(text).toContain(`Shared, then withdrawn againDr. Maya Chen · 2 items: ${a.title} and ${b.title}Dr. Maya Chen · the case's documents`);
  const [check] = checkCards([card]);
  expect(check.validationErrors).toEqual([]);
});

it('names from users stay inert text on a sharing card', async () => {
  const hostile = await h.guest('<img src=x onerror=alert(1)> ${$root.x} **Bold** [x](https://evil.example)');
  const dana = await newStaff('Dana *Star* <b>');
  const threads = await newThreadsAfter(() => h.app.services.sharing.shareItems(dana, { contactIds: [hostile.contact.id], itemIds: [items[58].id], expiresAt: null, reason: null }));
  const card = cardOf(threads[0].activities[0])!;
  const [check] = checkCards([card]);
  expect(check.parseErrors).toEqual([]);
  expect(check.validationErrors).toEqual([]);
  expect(check.text).toContain(hostile.contact.name);
  expect(check.text).toContain('Dana *Star* <b>');
  expect(check.html).not.toMatch(/<img|<a |<strong|<b>/);
  for (const t of markdownTexts(card)) {
    expect(t).not.toContain(hostile.contact.name);
    expect(t).not.toContain('Dana');
  }
});

describe('merging a burst', () => {
  const change = (op: 'add' | 'remove', jobId: number, itemId = 'i1', contactId = 'c1'): ShareChange => ({ contactId, target: { kind: 'item', itemId }, op, jobId, first: { op, jobId } });

  it('the latest job wins, whatever order the jobs are planned in; a replay changes nothing', () => {
    // Share (job 10), unshare (11), planned 11 first: the net is "not shared", first op "add".
    const planned = mergeSharingChanges([change('remove', 11)], [change('add', 10)]);
    expect(planned).toEqual([{ ...change('remove', 11), first: { op: 'add', jobId: 10 } }]);
    expect(mergeSharingChanges(planned!, [change('add', 10)])).toBeNull();
    expect(mergeSharingChanges(planned!, [change('remove', 11)])).toBeNull();
    const reshared = mergeSharingChanges(planned!, [change('add', 12)])!;
    expect(reshared[0]).toMatchObject({ op: 'add', jobId: 12, first: { op: 'add', jobId: 10 } });
    expect(mergeSharingChanges(reshared, [change('add', 13, 'i2')])).toHaveLength(2);
  });
});
