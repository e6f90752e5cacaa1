import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import type { ContactRecord } from '../../src/store/records';
import { checkCards, markdownTexts } from './card-validator';
import { CASE_CHANNEL, cardOf, cardText, clickAction, type Harness, OTHER_CHANNEL, postAsStaff, startHarness, TEAM_ID } from './harness';

let h: Harness;
let john: { contact: ContactRecord; token: string };
let maya: { contact: ContactRecord; token: string };
let olivia: { contact: ContactRecord; token: string };

beforeAll(async () => {
  h = await startHarness();
  john = await h.guest('John Smith');
  maya = await h.guest('Dr. Maya Chen');
  olivia = await h.guest('Olivia Park');
  await h.app.services.sharing.grant(h.actor, { contactId: olivia.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  await h.app.services.sharing.grant(h.actor, { contactId: john.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents', 'messages', 'status'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

const newThreadsAfter = async (work: () => Promise<unknown>, channelId = CASE_CHANNEL) => {
  const before = (await h.threads(channelId)).length;
  await work();
  await h.settle();
  return (await h.threads(channelId)).slice(before);
};
/** A guest's upload as the portal's byte route records it once the bytes are in SharePoint (this harness has no SharePoint). */
const upload = (guest: { contact: ContactRecord }, names: string[]) =>
  h.app.services.portal.recordUploads(
    { kind: 'guest', firmId: guest.contact.firmId, contactId: guest.contact.id, userId: guest.contact.guestUserId as string, name: guest.contact.name },
    h.caseRecord.id,
    names.map((name) => ({ name, sizeBytes: 2048, mimeType: 'application/pdf', driveItemId: null, parentId: null })),
  );

describe('installation and guest uploads', () => {
  it('stores the conversation reference of the team it is installed in', async () => {
    const [row] = await h.db.query<{ service_url: string; tenant_id: string }>('SELECT service_url, tenant_id FROM bot_installations WHERE team_id = $1', [TEAM_ID]);
    expect(row.service_url).toBe(`${h.sim.httpUrl}/botconnector/`);
    expect(row.tenant_id).toBe(h.tenantId);
  });

  it('posts one card in the case channel for a guest upload through the portal, within 5 s, mentioning the assigned staff member', async () => {
    const started = Date.now();
    const threads = await newThreadsAfter(async () => expect(await upload(john, ['Scan 11pm.pdf'])).toHaveLength(1));
    const elapsed = Date.now() - started;
    expect(threads).toHaveLength(1);
    const card = cardOf(threads[0].activities[0]);
    expect(cardText(card)).toContain('John Smith');
    expect(cardText(card)).toContain('Scan 11pm.pdf');
    expect((card?.msteams as { entities: Array<{ mentioned: { id: string } }> }).entities.map((e) => e.mentioned.id)).toEqual([h.staff.userId]);
    expect(elapsed).toBeLessThan(5000);
    console.log(`guest upload → card on screen: ${elapsed} ms`);
  });

  it('turns a 1,000-file burst into one card, updated in place', async () => {
    await h.sim.admin.resetStats().catch(() => undefined);
    await h.connectorAdmin('DELETE', '/stats');
    // A new burst key (what the portal sends for one drag-and-drop): 100 requests of 10 files.
    const burst = `burst-${randomUUID()}`;
    const started = Date.now();
    const threads = await newThreadsAfter(async () => {
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            h.app.services.portal.recordUploads(
              { kind: 'guest', firmId: h.caseRecord.firmId, contactId: olivia.contact.id, userId: olivia.contact.guestUserId!, name: olivia.contact.name },
              h.caseRecord.id,
              Array.from({ length: 10 }, (__, j) => ({ name: `page-${batch * 100 + i * 10 + j}.tif`, sizeBytes: 100, mimeType: 'image/tiff', driveItemId: null, parentId: null })),
              burst,
            ),
          ),
        );
        await h.app.worker.drain();
      }
    });
    const elapsed = Date.now() - started;
    expect(threads).toHaveLength(1);
    const [root] = threads[0].activities;
    expect(cardText(cardOf(root))).toContain('1000 new uploads from a guest');
    expect(cardText(cardOf(root))).toContain('and 990 more');
    const stats = (await h.connectorAdmin('GET', '/stats')).body;
    expect(stats.threadsCreated).toBe(1);
    expect(root.version).toBe(1 + stats.updates);
    expect(stats.updates).toBeLessThan(30);
    expect(stats.rateLimited429).toBe(0);
    console.log(`1,000-file burst (100 events): 1 card, ${stats.updates} updates, ${elapsed} ms`);
  }, 120_000);
});

describe('sharing cards', () => {
  it('share and unshare cards name the actor, the people and the items; an unshare in the same burst updates the card', async () => {
    const repo = new Repo(h.db);
    // A staff member with no sharing burst open yet (Priya's setup grants opened hers).
    const sam = await repo.insertStaff({ firmId: h.caseRecord.firmId, userId: randomUUID(), name: 'Sam Rivera', email: 'sam.rivera@firm.example', phone: null, title: null });
    const samActor = { kind: 'staff' as const, firmId: sam.firmId, staffId: sam.id, userId: sam.userId, name: sam.name, role: sam.role };
    const items = (await repo.itemsOfCase(h.caseRecord.id)).filter((i) => i.title === 'Scan 11pm.pdf' || i.title === 'page-1.tif');
    const shared = await newThreadsAfter(() => h.app.services.sharing.shareItems(samActor, { contactIds: [maya.contact.id], itemIds: items.map((i) => i.id), expiresAt: null, reason: null }));
    expect(shared).toHaveLength(1);
    const text = cardText(cardOf(shared[0].activities[0]));
    expect(text).toContain('Sam Rivera shared 2 items with Dr. Maya Chen');
    for (const i of items) expect(text).toContain(i.title);
    const unshared = await newThreadsAfter(() => h.app.services.sharing.unshareItems(samActor, { contactIds: [maya.contact.id], itemIds: [items[0].id], reason: null }));
    expect(unshared).toHaveLength(0);
    const updated = (await h.threads()).find((t) => t.rootId === shared[0].rootId)!.activities[0];
    expect(updated.version).toBeGreaterThan(1);
    const after = cardText(cardOf(updated));
    expect(after).toContain('Sam Rivera shared 1 item with Dr. Maya Chen and stopped sharing 1 item with Dr. Maya Chen.');
    expect(after).toContain(`Given accessDr. Maya Chen · 1 item: ${items[1].title}`);
    expect(after).toContain(`Shared, then withdrawn againDr. Maya Chen · 1 item: ${items[0].title}`);
    // The guest hears about the share in the Teams activity feed.
    expect(h.feed.some((n) => n.userId === maya.contact.guestUserId && n.activityType === 'itemsShared')).toBe(true);
  });

  it('a scope change card shows before, after, and what the guest gains and loses', async () => {
    const repo = new Repo(h.db);
    const item = (await repo.itemsOfCase(h.caseRecord.id)).find((i) => i.title === 'page-2.tif')!;
    const grant = await h.app.services.sharing.grant(h.actor, { contactId: maya.contact.id, scope: { kind: 'item', caseId: h.caseRecord.id, itemId: item.id }, rights: 'read', expiresAt: null, reason: null });
    await h.settle();
    const changed = await newThreadsAfter(() =>
      h.app.services.sharing.changeGrant(h.actor, grant.id, { scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents'], threadIds: [] }, rights: 'read', reason: 'expert needs the file' }),
    );
    const text = cardText(cardOf(changed[0].activities[0]));
    expect(text).toContain("Priya Raman changed Dr. Maya Chen's access.");
    expect(text).toContain('Beforethe item page-2.tif');
    expect(text).toContain("Afterthe case's documents");
    expect(text).toContain('Now sees');
    expect(text).toContain('Scan 11pm.pdf');
  });

  it('an expiring grant gets Extend and Revoke buttons that act as the clicking staff member; stale and unknown clicks are told so', async () => {
    const soon = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    await h.app.services.sharing.link(h.actor, h.otherCase.id, john.contact.id);
    const grant = await h.app.services.sharing.grant(h.actor, { contactId: john.contact.id, scope: { kind: 'case', caseId: h.otherCase.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: soon, reason: null });
    await h.settle();
    const threads = await newThreadsAfter(async () => expect(await h.bot.scanExpiringGrants()).toBe(1), OTHER_CHANNEL);
    expect(await h.bot.scanExpiringGrants()).toBe(0);
    const root = threads[0].activities[0];
    const card = cardOf(root)!;
    expect(cardText(card)).toMatch(/John Smith's access to the case's documents expires/);
    const actions = card.actions as Array<{ type: string; verb?: string; data?: unknown }>;
    const extend = actions.find((a) => a.verb === 'grant.extend')!;
    expect(actions.find((a) => a.verb === 'grant.revoke')).toBeDefined();

    const clicked = await clickAction(h, threads[0].conversationId, root.id, { verb: extend.verb!, data: extend.data });
    expect(clicked.status).toBe(200);
    expect(clicked.response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(clicked.response.value)).toContain('Extended by Priya Raman');
    const after = (await new Repo(h.db).grant(h.caseRecord.firmId, grant.id))!;
    expect(Date.parse(after.expiresAt!)).toBeGreaterThan(Date.parse(soon) + 29 * 24 * 3600 * 1000);
    const audit = await new Repo(h.db).auditEntries(h.caseRecord.firmId, { target: `contact:${john.contact.id}` });
    expect(audit.at(-1)).toMatchObject({ action: 'grant.extended', actor: `staff:${h.staff.userId}` });
    await h.settle();
    const updated = (await h.threads(OTHER_CHANNEL)).find((t) => t.rootId === root.id)!.activities[0];
    expect(updated.version).toBeGreaterThan(1);
    expect(cardText(cardOf(updated))).toContain('Extended by Priya Raman');
    expect((cardOf(updated)!.actions as Array<{ verb?: string }>).some((a) => a.verb)).toBe(false);

    // The old card's button again: stale, nothing changes.
    const stale = await clickAction(h, threads[0].conversationId, root.id, { verb: extend.verb!, data: extend.data });
    expect(stale.response).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(stale.response.value)).toMatch(/out of date/);
    expect((await new Repo(h.db).grant(h.caseRecord.firmId, grant.id))!.expiresAt).toBe(after.expiresAt);
    const unknown = await clickAction(h, threads[0].conversationId, root.id, { verb: 'grant.obliterate', data: { grantId: grant.id } });
    expect(String(unknown.response.value)).toMatch(/does not know the button "grant.obliterate"/);
    const stranger = await clickAction(h, threads[0].conversationId, root.id, { verb: 'grant.revoke', data: { grantId: grant.id, expected: after.expiresAt } }, randomUUID());
    expect(String(stranger.response.value)).toMatch(/Only staff/);
    expect(await new Repo(h.db).grant(h.caseRecord.firmId, grant.id)).not.toBeNull();
    const revoke = await clickAction(h, threads[0].conversationId, root.id, { verb: 'grant.revoke', data: { grantId: grant.id, expected: after.expiresAt } });
    expect(revoke.response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(await new Repo(h.db).grant(h.caseRecord.firmId, grant.id)).toBeNull();
    await h.settle();
  });
});

describe('commands', () => {
  it('"who has access" answers with a card that matches the store', async () => {
    const posted = await postAsStaff(h, 'who has access');
    expect(posted.bot?.status).toBe(200);
    const thread = (await h.threads()).find((t) => t.conversationId === posted.conversationId)!;
    const answer = thread.activities.at(-1)!;
    expect(answer.from.role).toBe('bot');
    const text = cardText(cardOf(answer));
    const entries = await h.app.services.sharing.whoHasAccessToCase(h.actor, h.caseRecord.id);
    expect(entries.length).toBeGreaterThan(1);
    for (const e of entries) expect(text).toContain(`${e.contact.name} · ${e.contact.kind} — ${e.label}`);
    expect(text).toContain(`${new Set(entries.map((e) => e.contact.id)).size} people outside the firm`);
  });

  it('"status", "help" and "share <file> with <contact>" (linked contacts only, through the sharing service)', async () => {
    const status = await postAsStaff(h, 'status');
    expect(cardText(cardOf((await h.threads()).find((t) => t.conversationId === status.conversationId)!.activities.at(-1)))).toContain('Assigned: Priya Raman');
    const help = await postAsStaff(h, 'help');
    expect(cardText(cardOf((await h.threads()).find((t) => t.conversationId === help.conversationId)!.activities.at(-1)))).toContain('who has access');

    const stranger = await h.app.services.sharing.createContact(h.actor, { email: 'stranger@x.example', name: 'Sam Stranger', kind: 'expert', phone: null, clientId: null });
    await new Repo(h.db).setPortalAccess(stranger.id, true);
    const refused = await postAsStaff(h, 'share page-3.tif with Sam Stranger');
    expect(cardText(cardOf((await h.threads()).find((t) => t.conversationId === refused.conversationId)!.activities.at(-1)))).toContain('Sam Stranger is not linked to this case');

    const ok = await postAsStaff(h, 'share page-3.tif with dr. maya chen');
    expect(cardText(cardOf((await h.threads()).find((t) => t.conversationId === ok.conversationId)!.activities.at(-1)))).toContain('Shared page-3.tif with Dr. Maya Chen.');
    const grants = await new Repo(h.db).grantsOfContact(maya.contact.id);
    const item = (await new Repo(h.db).itemsOfCase(h.caseRecord.id)).find((i) => i.title === 'page-3.tif')!;
    expect(grants.some((g) => g.scope.kind === 'item' && g.scope.itemId === item.id && g.createdBy === `staff:${h.staff.userId}`)).toBe(true);
    await h.settle();
  });

  it('messages without a mention outside bridged threads are not for the bot', async () => {
    const posted = await postAsStaff(h, 'lunch anyone?', { mentionBot: false });
    const thread = (await h.threads()).find((t) => t.conversationId === posted.conversationId)!;
    expect(thread.activities).toHaveLength(1);
  });
});

describe('the two-way bridge', () => {
  it('a guest message opens a thread; a staff reply there that @mentions CaseRoom reaches the portal; one without the mention, or elsewhere, does not', async () => {
    const threads = await newThreadsAfter(async () => expect((await h.api('POST', `/api/portal/cases/${h.caseRecord.id}/messages`, john.token, { body: 'When is the hearing?', subject: 'Hearing date' })).status).toBe(201));
    expect(threads).toHaveLength(1);
    const bridged = threads[0];
    expect(cardText(cardOf(bridged.activities[0]))).toContain('When is the hearing?');
    const [portalThread] = (await h.api('GET', `/api/portal/cases/${h.caseRecord.id}`, john.token)).body.threads;
    expect((await new Repo(h.db).thread(h.caseRecord.firmId, portalThread.id))!.channelConversationId).toBe(bridged.conversationId);

    await postAsStaff(h, 'Internal: check the diary first.', { conversationId: bridged.conversationId, mentionBot: false });
    await postAsStaff(h, 'The hearing is on 12 March.', { conversationId: bridged.conversationId, mentionBot: true });
    const elsewhere = (await h.threads()).find((t) => t.conversationId !== bridged.conversationId)!;
    await postAsStaff(h, 'Internal: do not tell the client yet.', { conversationId: elsewhere.conversationId, mentionBot: false });
    await h.settle();
    const messages = (await h.api('GET', `/api/portal/cases/${h.caseRecord.id}`, john.token)).body.threads[0].messages as Array<{ body: string; from: string; fromFirm: boolean }>;
    expect(messages.map((m) => m.body)).toEqual(['When is the hearing?', 'The hearing is on 12 March.']);
    expect(messages[1]).toMatchObject({ from: 'Priya Raman', fromFirm: true });
    // Not echoed back into Teams as a card: CaseRoom's receipt says what went to whom; the guest hears about it in their feed.
    const thread = (await h.threads()).find((t) => t.conversationId === bridged.conversationId)!;
    expect(thread.activities.map((a) => a.from.role)).toEqual(['bot', 'user', 'user', 'bot']);
    expect(thread.activities.at(-1)!.text).toBe('Sent to John Smith (client portal): The hearing is on 12 March.');
    expect(h.feed.some((n) => n.activityType === 'staffReplied' && n.userId === john.contact.guestUserId)).toBe(true);

    // The guest writes again: a reply in the same Teams thread, not a new thread.
    const more = await newThreadsAfter(() => h.api('POST', `/api/portal/cases/${h.caseRecord.id}/messages`, john.token, { body: 'Thanks!', threadId: portalThread.id }));
    expect(more).toHaveLength(0);
    const again = (await h.threads()).find((t) => t.conversationId === bridged.conversationId)!;
    expect(cardText(cardOf(again.activities.at(-1)))).toContain('Thanks!');
    // A reply written in the CaseRoom tab shows in the Teams thread too.
    await h.api('POST', `/api/threads/${portalThread.id}/messages`, await h.staffToken(), { body: 'You are welcome.' });
    await h.settle();
    const last = (await h.threads()).find((t) => t.conversationId === bridged.conversationId)!.activities.at(-1)!;
    expect(cardText(cardOf(last))).toContain('You are welcome.');
  });
});

describe('escaping and preferences', () => {
  it('user-supplied names show literally: HTML, template syntax and markdown', async () => {
    const hostile = await h.guest('<img src=x onerror=alert(1)> ${$root.x} **Bold** [x](https://evil.example)');
    await h.app.services.sharing.grant(h.actor, { contactId: hostile.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
    await h.settle();
    const threads = await newThreadsAfter(async () => expect(await upload(hostile, ['${secret} _b_ [x](y).pdf'])).toHaveLength(1));
    const card = cardOf(threads[0].activities[0])!;
    const [check] = checkCards([card]);
    expect(check.text).toContain(hostile.contact.name);
    expect(check.text).toContain('${secret} _b_ [x](y).pdf');
    expect(check.html).not.toMatch(/<img|<a |<strong/);
    for (const t of markdownTexts(card)) {
      expect(t).not.toContain(hostile.contact.name);
      expect(t).not.toContain('_b_');
    }
  });

  it('a staff preference turns the @mention off (per case) or on for someone else', async () => {
    const repo = new Repo(h.db);
    const sam = await repo.insertStaff({ firmId: h.caseRecord.firmId, userId: randomUUID(), name: 'Sam Lee', email: 'sam@firm.example', phone: null, title: null });
    await repo.setNotificationPreference({ firmId: h.caseRecord.firmId, staffId: h.staff.id, caseId: h.caseRecord.id, event: 'guest.uploaded', enabled: true, mention: false });
    await repo.setNotificationPreference({ firmId: h.caseRecord.firmId, staffId: sam.id, caseId: null, event: 'guest.uploaded', enabled: true, mention: true });
    // A new burst (John's earlier uploads are still an open burst, which would update that card instead).
    const guestActor = { kind: 'guest' as const, firmId: h.caseRecord.firmId, contactId: olivia.contact.id, userId: olivia.contact.guestUserId!, name: olivia.contact.name };
    const threads = await newThreadsAfter(() => h.app.services.portal.recordUploads(guestActor, h.caseRecord.id, [{ name: 'another.pdf', sizeBytes: 10, mimeType: null, driveItemId: null, parentId: null }], `burst-${randomUUID()}`));
    const card = cardOf(threads[0].activities[0])!;
    expect((card.msteams as { entities: Array<{ mentioned: { id: string } }> }).entities.map((e) => e.mentioned.id)).toEqual([sam.userId]);
    expect(threads[0].activities[0].entities).toHaveLength(1);
  });
});

describe('the simulator channel page', () => {
  it('serves a page per team/channel that renders cards with the adaptivecards bundle and updates live', async () => {
    const page = await fetch(`${h.sim.httpUrl}/channels/${encodeURIComponent(TEAM_ID)}/${encodeURIComponent(CASE_CHANNEL)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('/botconnector/_assets/adaptivecards.min.js');
    expect(html).toContain('PI-1 Smith v. Metro Transit');
    expect(html).not.toContain('<img src=x');
    const bundle = await fetch(`${h.sim.httpUrl}/botconnector/_assets/adaptivecards.min.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const index = await (await fetch(`${h.sim.httpUrl}/channels`)).text();
    expect(index).toContain('COM-2 Smith lease');
  });
});

afterAll(() => {
  // Every card the bot sent during this suite, through the official renderer.
  expect(h.cards.length).toBeGreaterThan(20);
  const results = checkCards(h.cards);
  expect(results.flatMap((r) => [...r.parseErrors, ...r.validationErrors])).toEqual([]);
  console.log(`${h.cards.length} cards validated with adaptivecards (schema 1.5): 0 errors`);
});
