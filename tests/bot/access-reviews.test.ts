import { randomUUID } from 'node:crypto';
import type { StaffNotice } from '../../bot/activity-feed';
import { Repo } from '../../src/store/repo';
import type { ContactRecord } from '../../src/store/records';
import { harnessFetch } from '../support/http';
import { checkCard, markdownTexts } from './card-validator';
import { CASE_CHANNEL, cardOf, cardText, clickAction, type Harness, OTHER_CHANNEL, startHarness } from './harness';

/**
 * Access reviews (G9) end to end through the bot: the firm turns reviews on, the scan posts one
 * card per due case, staff decide per guest through Action.Execute, each decision changes access
 * through the sharing service and is audited, the completed review schedules the next, an overdue
 * one reaches the responsible staff member's activity feed once, and the CSV report lists it all.
 */

let h: Harness;
let john: { contact: ContactRecord; token: string };
let maya: { contact: ContactRecord; token: string };
let olivia: { contact: ContactRecord; token: string };
const staffFeed: StaffNotice[] = [];
let thread: { conversationId: string; rootId: string };

type Action = { type: string; verb?: string; data?: { contactId?: string; decision?: string } };

/** The review buttons in a card (they sit in each guest's ActionSet). */
function reviewActions(card: unknown): Action[] {
  const found: Action[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute' && o.verb === 'review.decide') found.push(o as Action);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found;
}
const button = (card: unknown, contactId: string, decision: string) => reviewActions(card).find((a) => a.data?.contactId === contactId && a.data?.decision === decision) as Action & { verb: string };
const rootCard = async () => cardOf((await h.threads()).find((t) => t.rootId === thread.rootId)!.activities[0]);
const click = (action: Action, aadObjectId?: string) => clickAction(h, thread.conversationId, thread.rootId, { verb: action.verb!, data: action.data }, aadObjectId);
const repo = () => new Repo(h.db);
const firmId = () => h.caseRecord.firmId;

beforeAll(async () => {
  h = await startHarness({ bot: { reviewScanMs: 0, feed: { notifyGuest: async () => undefined, notifyStaff: async (n) => void staffFeed.push(n) } } });
  john = await h.guest('John Smith');
  maya = await h.guest('Dr. Maya Chen');
  olivia = await h.guest('Olivia Park');
  const sharing = h.app.services.sharing;
  await sharing.grant(h.actor, { contactId: john.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents', 'events'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
  await sharing.grant(h.actor, { contactId: olivia.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['notes'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
  const titles = ['Knee MRI', 'Police report', 'Witness list', 'X-ray 1', 'X-ray 2'];
  const items = [];
  for (const title of titles) items.push(await h.app.services.casework.createItem(h.actor, h.caseRecord.id, { kind: 'note', title, body: 'b' }));
  await sharing.shareItems(h.actor, { contactIds: [maya.contact.id], itemIds: items.map((i) => i.id), expiresAt: null, reason: null });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

describe('access reviews', () => {
  it('is a firm setting: off by default, validated, and turned on through the firm settings API', async () => {
    const token = await h.staffToken();
    expect((await h.api('GET', '/api/firm/settings', token)).body).toMatchObject({ currency: 'USD', accessReviewSchedule: 'off' });
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 0, overdueNotices: 0 });
    const bad = await h.api('PUT', '/api/firm/settings', token, { accessReviewSchedule: 'weekly' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('accessReviewSchedule');
    const set = await h.api('PUT', '/api/firm/settings', token, { accessReviewSchedule: 'monthly', reason: 'ISO 27001 control' });
    expect(set).toMatchObject({ status: 200, body: { currency: 'USD', accessReviewSchedule: 'monthly' } });
    const audit = await repo().auditEntries(firmId(), { target: `firm:${firmId()}` });
    expect(audit.at(-1)).toMatchObject({ action: 'firm.access_reviews', reason: 'ISO 27001 control', data: { from: 'off', to: 'monthly' } });
  });

  it('posts one card for the due case, naming each guest and what they see in words', async () => {
    const before = (await h.threads()).length;
    const otherBefore = (await h.threads(OTHER_CHANNEL)).length;
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 1, overdueNotices: 0 });
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 0, overdueNotices: 0 });
    await h.settle();
    const threads = (await h.threads()).slice(before);
    expect(threads).toHaveLength(1);
    // The other case has nobody outside the firm: nothing to review, no card.
    expect((await h.threads(OTHER_CHANNEL)).length).toBe(otherBefore);
    thread = { conversationId: threads[0].conversationId, rootId: threads[0].activities[0].id };
    const card = cardOf(threads[0].activities[0])!;
    const check = checkCard(card);
    expect(check.parseErrors).toEqual([]);
    expect(check.validationErrors).toEqual([]);
    // Guest names and titles are user text: never where Teams reads markdown.
    expect(markdownTexts(card).join(' ')).not.toMatch(/John Smith|Maya|Knee MRI/);
    expect(JSON.stringify(card).length).toBeLessThan(28 * 1024);
    const text = cardText(card);
    expect(text).toContain('Access review due');
    expect(text).toContain('John Smith');
    expect(text).toContain('Sees documents and events');
    expect(text).toContain('Sees notes');
    expect(text).toContain('Sees 5 items: Knee MRI, Police report, Witness list and 2 more');
    for (const guest of [john, maya, olivia]) for (const decision of ['keep', 'shorten', 'remove']) expect(button(card, guest.contact.id, decision)).toBeDefined();
    expect(reviewActions(card)).toHaveLength(9);
  });

  it('Keep, Shorten and Remove round-trip through Action.Execute, change the grants through the sharing service, and are audited', async () => {
    const card = await rootCard();
    const mayaGrants = (await repo().grantsOfContact(maya.contact.id)).map((g) => ({ id: g.id, expiresAt: g.expiresAt }));

    const kept = await click(button(card, maya.contact.id, 'keep'));
    expect(kept.status).toBe(200);
    expect(kept.response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(kept.response.value)).toMatch(/Dr\. Maya Chen — kept by Priya Raman/);
    expect(reviewActions(kept.response.value).some((a) => a.data?.contactId === maya.contact.id)).toBe(false);
    expect((await repo().grantsOfContact(maya.contact.id)).map((g) => ({ id: g.id, expiresAt: g.expiresAt }))).toEqual(mayaGrants);

    const shortened = await click(button(card, olivia.contact.id, 'shorten'));
    expect(cardText(shortened.response.value)).toMatch(/Olivia Park — shortened \(ends within 30 days\) by Priya Raman/);
    const [oliviaGrant] = await repo().grantsOfContact(olivia.contact.id);
    const days = (Date.parse(oliviaGrant.expiresAt!) - Date.now()) / (24 * 3600 * 1000);
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);

    const syncsBefore = await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE kind = 'sync-guest-access'");
    const removed = await click(button(card, john.contact.id, 'remove'));
    const text = cardText(removed.response.value);
    expect(text).toMatch(/John Smith — removed by Priya Raman/);
    expect(text).toContain('Access review complete');
    expect(text).toMatch(/The next review is due \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\}/);
    expect(reviewActions(removed.response.value)).toEqual([]);
    expect(await repo().grantsOfContact(john.contact.id)).toEqual([]);
    expect(await repo().isLinked(h.caseRecord.id, john.contact.id)).toBe(false);
    // SharePoint follows through the outbox, as for any other unsharing.
    const syncsAfter = await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE kind = 'sync-guest-access'");
    expect(Number(syncsAfter[0].n)).toBeGreaterThan(Number(syncsBefore[0].n));

    const audit = (await repo().auditEntries(firmId(), { target: `case:${h.caseRecord.id}` })).filter((e) => e.action.startsWith('access_review.'));
    const decided = audit.filter((e) => e.action === 'access_review.decided');
    expect(decided.map((e) => [e.actor, (e.data as { contactId: string }).contactId, (e.data as { decision: string }).decision])).toEqual([
      [`staff:${h.staff.userId}`, maya.contact.id, 'keep'],
      [`staff:${h.staff.userId}`, olivia.contact.id, 'shorten'],
      [`staff:${h.staff.userId}`, john.contact.id, 'remove'],
    ]);
    expect(audit.at(-1)).toMatchObject({ action: 'access_review.completed', actor: `staff:${h.staff.userId}` });

    // The channel's card is redrawn too, with every decision and no buttons left.
    await h.settle();
    const updated = (await h.threads()).find((t) => t.rootId === thread.rootId)!.activities[0];
    expect(updated.version).toBeGreaterThan(1);
    expect(cardText(cardOf(updated))).toContain('Access review complete');
    expect(reviewActions(cardOf(updated))).toEqual([]);
  });

  it('refuses a stale card and a non-staff clicker, changing nothing', async () => {
    const [oliviaGrant] = await repo().grantsOfContact(olivia.contact.id);
    const stale = await click({ type: 'Action.Execute', verb: 'review.decide', data: button(await firstCardVersion(), olivia.contact.id, 'remove').data });
    expect(stale.response.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(stale.response.value)).toMatch(/out of date: this review is already complete/);
    expect(await repo().grantsOfContact(olivia.contact.id)).toEqual([oliviaGrant]);
    const stranger = await click({ type: 'Action.Execute', verb: 'review.decide', data: button(await firstCardVersion(), olivia.contact.id, 'remove').data }, randomUUID());
    expect(String(stranger.response.value)).toMatch(/Only staff/);
    expect(await repo().isLinked(h.caseRecord.id, olivia.contact.id)).toBe(true);
  });

  it('lists the decisions in the firm-wide CSV report', async () => {
    const res = await harnessFetch(`${h.app.url}/api/access-reviews/report`, { headers: { authorization: `Bearer ${await h.staffToken()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('"case","guest","what they see","last review","decision","decided by"');
    const day = new Date().toISOString().slice(0, 10);
    expect(lines.slice(1)).toEqual([
      `"PI-1 Smith v. Metro Transit","Dr. Maya Chen","5 items: Knee MRI, Police report, Witness list and 2 more","${day}","keep","Priya Raman"`,
      `"PI-1 Smith v. Metro Transit","John Smith","documents and events","${day}","remove","Priya Raman"`,
      `"PI-1 Smith v. Metro Transit","Olivia Park","notes","${day}","shorten","Priya Raman"`,
    ]);
  });

  it('schedules the next review a month after completion, and sends an overdue one to the responsible staff member once', async () => {
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 0, overdueNotices: 0 });
    // A month and more passes (the store's clock is moved, not the test's).
    await h.db.query("UPDATE access_reviews SET started_at = started_at - interval '40 days', completed_at = completed_at - interval '40 days'");
    const before = (await h.threads()).length;
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 1, overdueNotices: 0 });
    await h.settle();
    const next = (await h.threads()).slice(before);
    expect(next).toHaveLength(1);
    const text = cardText(cardOf(next[0].activities[0]));
    // John was removed: only the guests who still have access are reviewed.
    expect(text).toContain('Dr. Maya Chen');
    expect(text).toContain('Olivia Park');
    expect(text).not.toContain('John Smith');
    expect(staffFeed).toEqual([]);

    // Olivia's access changes elsewhere before anyone decides: the card's Keep is stale, and the card is redrawn.
    thread = { conversationId: next[0].conversationId, rootId: next[0].activities[0].id };
    const oldKeep = button(cardOf(next[0].activities[0]), olivia.contact.id, 'keep');
    const [oliviaGrant] = await repo().grantsOfContact(olivia.contact.id);
    const later = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString();
    await h.app.services.sharing.extendGrant(h.actor, oliviaGrant.id, later, null);
    const stale = await click(oldKeep);
    expect(String(stale.response.value)).toMatch(/out of date: this guest's access changed since the card was made/);
    expect((await repo().grantsOfContact(olivia.contact.id))[0].expiresAt).toBe(later);
    await h.settle();
    const fresh = await rootCard();
    expect(button(fresh, olivia.contact.id, 'keep').data).not.toEqual(oldKeep.data);
    const keptNow = await click(button(fresh, olivia.contact.id, 'keep'));
    expect(cardText(keptNow.response.value)).toMatch(/Olivia Park — kept by Priya Raman/);

    // A week without decisions: overdue.
    await h.db.query("UPDATE access_reviews SET started_at = started_at - interval '8 days' WHERE completed_at IS NULL");
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 0, overdueNotices: 1 });
    expect(await h.bot.scanAccessReviews()).toEqual({ started: 0, overdueNotices: 0 });
    expect(staffFeed).toHaveLength(1);
    expect(staffFeed[0]).toMatchObject({ userId: h.staff.userId, activityType: 'accessReviewOverdue', caseId: h.caseRecord.id, channelId: CASE_CHANNEL, templateParameters: { case: 'PI-1' } });
    // A Teams deep link to the case's channel tab, its web page the fallback.
    const link = new URL(staffFeed[0].webUrl);
    expect(link.pathname).toContain(`case%3A${h.caseRecord.id}`);
    expect(link.searchParams.get('webUrl')).toContain(`caseId=${h.caseRecord.id}`);
    await h.settle();
    expect(cardText(cardOf((await h.threads()).find((t) => t.rootId === next[0].activities[0].id)!.activities[0]))).toContain('Access review overdue');
  });
});

/** The review card as it was first posted (its buttons are what an old copy of the card still offers). */
async function firstCardVersion(): Promise<unknown> {
  const [row] = await h.db.query<{ data: { reviewId: string } }>("SELECT data FROM bot_posts WHERE kind = 'review' ORDER BY created_at LIMIT 1");
  const [guest] = await h.db.query<{ fingerprint: string }>('SELECT fingerprint FROM access_review_guests WHERE review_id = $1 AND contact_id = $2', [row.data.reviewId, olivia.contact.id]);
  return { actions: [{ type: 'Action.Execute', verb: 'review.decide', data: { reviewId: row.data.reviewId, contactId: olivia.contact.id, decision: 'remove', expected: guest.fingerprint } }] };
}
