import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { CASE_CHANNEL, type Harness, OTHER_CHANNEL, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  // Connector-only faults: 429 (Retry-After 0), 503 and connection resets, each before the connector acts.
  h = await startHarness({ knobs: { faultRate: 0, faultKinds: ['429', '503', 'reset'] } });
});
afterAll(async () => {
  await h?.close();
});

it('with 20% injected connector faults every notification reaches the channel exactly once', async () => {
  const guests = await Promise.all(['Ann Client', 'Ben Expert', 'Cy Counsel'].map((name) => h.guest(name, { linkTo: [h.caseRecord, h.otherCase] })));
  for (const g of guests) {
    for (const c of [h.caseRecord, h.otherCase])
      await h.app.services.sharing.grant(h.actor, { contactId: g.contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents', 'messages'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  }
  await h.settle();
  await h.connectorAdmin('POST', '/knobs', { faultRate: 0.2 });
  await h.connectorAdmin('DELETE', '/stats');
  const started = Date.now();

  // A working day in two case channels: uploads (some in bursts), guest messages and replies, shares.
  const repo = new Repo(h.db);
  for (let round = 0; round < 4; round++) {
    for (const [i, g] of guests.entries()) {
      const c = i % 2 === 0 ? h.caseRecord : h.otherCase;
      const actor = { kind: 'guest' as const, firmId: c.firmId, contactId: g.contact.id, userId: g.contact.guestUserId!, name: g.contact.name };
      const burst = `burst-${round}-${i}-${randomUUID()}`;
      for (let k = 0; k < 3; k++) await h.app.services.portal.recordUploads(actor, c.id, [{ name: `r${round}-g${i}-${k}.pdf`, sizeBytes: 10, mimeType: null, driveItemId: null, parentId: null }], burst);
      const sent = await h.app.services.portal.sendMessage(actor, c.id, { body: `Question ${round} from ${g.contact.name}`, screen: null, threadId: null, subject: null });
      await h.app.services.portal.sendMessage(actor, c.id, { body: `Follow-up ${round}`, screen: null, threadId: sent.threadId, subject: null });
      const item = (await repo.itemsOfCase(c.id)).find((x) => x.title === `r${round}-g${i}-0.pdf`)!;
      const other = guests[(i + 1) % guests.length];
      await h.app.services.sharing.shareItems(h.actor, { contactIds: [other.contact.id], itemIds: [item.id], expiresAt: null, reason: null });
    }
    await h.app.worker.drain();
  }
  await h.settle(110_000);
  const elapsed = Date.now() - started;

  const posts = await h.db.query<{ post_key: string; activity_id: string | null; version: number; delivered_version: number }>('SELECT post_key, activity_id, version, delivered_version FROM bot_posts');
  // Nothing lost: every post is on screen at its latest version.
  expect(posts.every((p) => p.activity_id !== null && p.delivered_version >= p.version)).toBe(true);
  // Nothing doubled: the channels hold exactly one bot activity per post, with the post's id.
  const shown = [...(await h.threads(CASE_CHANNEL)), ...(await h.threads(OTHER_CHANNEL))].flatMap((t) => t.activities.filter((a) => a.from.role === 'bot'));
  expect(shown).toHaveLength(posts.length);
  expect(new Set(shown.map((a) => a.id))).toEqual(new Set(posts.map((p) => p.activity_id)));
  // 12 bursts of 3 uploads = 12 cards; 12 guest threads with a follow-up each = 24; the setup's 6
  // grants and the 12 shares, all by one staff member within one sharing burst per case = 2.
  const count = (prefix: string) => posts.filter((p) => p.post_key.startsWith(prefix)).length;
  expect([count('upload:'), count('thread:') + count('msg:'), count('sharing:'), count('evt:')]).toEqual([12, 24, 2, 0]);
  const stats = (await h.connectorAdmin('GET', '/stats')).body;
  expect(stats.injected429 + stats.injected503 + stats.injectedResets).toBeGreaterThan(2);
  expect(stats.rateLimited429).toBe(0);
  console.log(`20% connector faults: ${posts.length} posts, ${shown.length} on screen; injected 429=${stats.injected429} 503=${stats.injected503} resets=${stats.injectedResets}; settled in ${elapsed} ms`);
}, 150_000);
