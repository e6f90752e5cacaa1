/**
 * The explicit bridge: a staff reply in a guest's Teams thread reaches the guest's portal only
 * when the staff member sends it (an @mention of CaseRoom, or the card's Reply to client), and
 * CaseRoom then says in the thread what went to whom. The harness's app declares the
 * ChannelMessage.Read.Group RSC, so every reply reaches the bot (the harder case): the bot itself
 * must keep un-mentioned replies in Teams.
 */
import { Repo } from '../../src/store/repo';
import type { ContactRecord } from '../../src/store/records';
import type { Thread } from '../../src/m365-simulator/connector/state';
import { checkCards } from './card-validator';
import { cardOf, cardText, clickAction, type Harness, postAsStaff, startHarness } from './harness';

let h: Harness;
let ana: { contact: ContactRecord; token: string };
let ben: { contact: ContactRecord; token: string };

const FOOTER = 'Replies here stay in Teams. @mention CaseRoom or use Reply to client to answer the client.';

beforeAll(async () => {
  h = await startHarness();
  ana = await h.guest('Ana García');
  ben = await h.guest('Ben Okafor');
  for (const g of [ana, ben]) {
    await h.app.services.sharing.grant(h.actor, { contactId: g.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents', 'messages'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  }
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

/** The guest writes from the portal; the Teams thread it opens and the portal thread's id. */
async function guestOpensThread(guest: { token: string }, body: string): Promise<{ thread: Thread; portalThreadId: string }> {
  const before = new Set((await h.threads()).map((t) => t.conversationId));
  const sent = await h.api('POST', `/api/portal/cases/${h.caseRecord.id}/messages`, guest.token, { body, subject: body.slice(0, 40) });
  expect(sent.status).toBe(201);
  await h.settle();
  const thread = (await h.threads()).find((t) => !before.has(t.conversationId));
  if (!thread) throw new Error('no Teams thread was opened');
  return { thread, portalThreadId: sent.body.threadId as string };
}

const teamsThread = async (conversationId: string) => (await h.threads()).find((t) => t.conversationId === conversationId) as Thread;
const portalMessages = async (guest: { token: string }, threadId: string) => {
  const threads = (await h.api('GET', `/api/portal/cases/${h.caseRecord.id}`, guest.token)).body.threads as Array<{ id: string; messages: Array<{ body: string; fromFirm: boolean }> }>;
  return (threads.find((t) => t.id === threadId)?.messages ?? []).map((m) => m.body);
};
const storedMessages = async (threadId: string) => (await new Repo(h.db).messages(threadId)).map((m) => m.body);
const audit = async (action: string) => (await new Repo(h.db).auditEntries(h.caseRecord.firmId)).filter((e) => e.action === action);
/** Refusals of replies to one portal thread. */
const refusalsOf = async (threadId: string) => (await audit('message.staff.refused')).filter((e) => (e.data as { threadId: string }).threadId === threadId);

describe('replies in a guest thread', () => {
  let bridged: { thread: Thread; portalThreadId: string };
  beforeAll(async () => {
    bridged = await guestOpensThread(ana, 'Has the court set a date?');
  });

  it('the thread card says plainly that replies stay in Teams, and offers Reply to client', async () => {
    const card = cardOf(bridged.thread.activities[0])!;
    expect(cardText(card)).toContain(FOOTER);
    const actions = card.actions as Array<{ type: string; title: string; verb?: string; data?: { threadId?: string } }>;
    expect(actions.find((a) => a.title === 'Reply to client')).toMatchObject({ type: 'Action.Execute', verb: 'thread.reply', data: { threadId: bridged.portalThreadId } });
    expect(JSON.stringify(card.body)).toContain('"type":"Input.Text","spacing":"Medium","id":"replyText"');
    const [check] = checkCards([card]);
    expect([...check.parseErrors, ...check.validationErrors]).toEqual([]);
  });

  it('a reply without a mention never reaches the guest, is not stored, and CaseRoom says nothing', async () => {
    const posted = await postAsStaff(h, 'Internal note: this client is slow to pay.', { conversationId: bridged.thread.conversationId, mentionBot: false });
    // With the RSC consent Teams did deliver it to the bot; the bot kept it in Teams.
    expect(posted.bot?.status).toBe(200);
    await h.settle();
    expect(await portalMessages(ana, bridged.portalThreadId)).toEqual(['Has the court set a date?']);
    expect(await storedMessages(bridged.portalThreadId)).toEqual(['Has the court set a date?']);
    expect((await teamsThread(bridged.thread.conversationId)).activities.map((a) => a.from.role)).toEqual(['bot', 'user']);
  });

  it('a reply that @mentions CaseRoom reaches the guest without the mention, and the thread gets a receipt naming her', async () => {
    await postAsStaff(h, 'The hearing is on 12 March.', { conversationId: bridged.thread.conversationId, mentionBot: true });
    await h.settle();
    expect(await portalMessages(ana, bridged.portalThreadId)).toEqual(['Has the court set a date?', 'The hearing is on 12 March.']);
    const activities = (await teamsThread(bridged.thread.conversationId)).activities;
    expect(activities.map((a) => a.from.role)).toEqual(['bot', 'user', 'user', 'bot']);
    expect(activities.at(-1)).toMatchObject({ text: 'Sent to Ana García (client portal): The hearing is on 12 March.', textFormat: 'plain' });
    const [entry] = (await audit('message.staff')).filter((e) => (e.data as { via?: string }).via === 'teams-mention');
    expect(entry).toMatchObject({ actor: `staff:${h.staff.userId}`, target: `case:${h.caseRecord.id}`, data: { via: 'teams-mention', contactId: ana.contact.id, to: 'Ana García', body: 'The hearing is on 12 March.' } });
  });

  it('Reply to client sends the box text and refreshes the card, for everyone, with a receipt', async () => {
    const root = bridged.thread.activities[0];
    const clicked = await clickAction(h, bridged.thread.conversationId, root.id, { verb: 'thread.reply', data: { threadId: bridged.portalThreadId, replyText: 'Please bring your ID.' } });
    expect(clicked.status).toBe(200);
    expect(clicked.response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(clicked.response.value)).toContain('Sent to Ana García (client portal): Please bring your ID.');
    await h.settle();
    expect((await portalMessages(ana, bridged.portalThreadId)).at(-1)).toBe('Please bring your ID.');
    const thread = await teamsThread(bridged.thread.conversationId);
    // The card on screen carries the receipt; the reply is not echoed back as a "sent from the tab" card.
    const refreshed = cardOf(thread.activities[0])!;
    expect(cardText(refreshed)).toContain('Sent to Ana García (client portal): Please bring your ID.');
    const [check] = checkCards([refreshed]);
    expect([...check.parseErrors, ...check.validationErrors]).toEqual([]);
    expect(thread.activities).toHaveLength(4);
    expect((await audit('message.staff')).some((e) => (e.data as { via?: string; body?: string }).via === 'teams-card' && (e.data as { body?: string }).body === 'Please bring your ID.')).toBe(true);
  });

  it('a reply carrying a right-to-left override or a zero-width space is refused in words, and nothing is sent', async () => {
    const before = await storedMessages(bridged.portalThreadId);
    await postAsStaff(h, 'Invoice\u202Efdp.exe attached', { conversationId: bridged.thread.conversationId, mentionBot: true });
    const clicked = await clickAction(h, bridged.thread.conversationId, bridged.thread.activities[0].id, { verb: 'thread.reply', data: { threadId: bridged.portalThreadId, replyText: 'Ac\u200Bme' } });
    await h.settle();
    expect(await storedMessages(bridged.portalThreadId)).toEqual(before);
    expect((await teamsThread(bridged.thread.conversationId)).activities.at(-1)!.text).toMatch(/^Not sent to the client: the reply contains a right-to-left override \(U\+202E\)/);
    expect(clicked.response).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(clicked.response.value)).toContain('a zero-width space (U+200B)');
    expect(await refusalsOf(bridged.portalThreadId)).toHaveLength(2);
  });

  it('an empty Reply to client is refused without sending', async () => {
    const before = await storedMessages(bridged.portalThreadId);
    const clicked = await clickAction(h, bridged.thread.conversationId, bridged.thread.activities[0].id, { verb: 'thread.reply', data: { threadId: bridged.portalThreadId, replyText: '   ' } });
    expect(String(clicked.response.value)).toBe('Not sent to the client: write the reply in the box first.');
    expect(await storedMessages(bridged.portalThreadId)).toEqual(before);
  });
});

describe('refusals', () => {
  it('a guest who lost portal access gets nothing, and staff are told why, by either route', async () => {
    const bridged = await guestOpensThread(ben, 'Can I send more documents?');
    await h.app.services.sharing.setPortalAccess(h.actor, ben.contact.id, false, 'engagement ended');
    await h.settle();
    await postAsStaff(h, 'Yes, send them.', { conversationId: bridged.thread.conversationId, mentionBot: true });
    const clicked = await clickAction(h, bridged.thread.conversationId, bridged.thread.activities[0].id, { verb: 'thread.reply', data: { threadId: bridged.portalThreadId, replyText: 'Yes, send them.' } });
    await h.settle();
    expect(await storedMessages(bridged.portalThreadId)).toEqual(['Can I send more documents?']);
    const reason = 'Ben Okafor no longer has access to case PI-1 in the client portal, so nothing was sent.';
    expect((await teamsThread(bridged.thread.conversationId)).activities.at(-1)!.text).toBe(`Not sent to the client: ${reason}`);
    expect(clicked.response.value).toBe(`Not sent to the client: ${reason}`);
    const refused = await refusalsOf(bridged.portalThreadId);
    expect(refused.map((e) => (e.data as { via: string }).via).sort()).toEqual(['teams-card', 'teams-mention']);
    expect(refused[0]).toMatchObject({ actor: `staff:${h.staff.userId}`, target: `case:${h.caseRecord.id}`, data: { code: 'forbidden', contactId: ben.contact.id, body: 'Yes, send them.' } });
  });

  it('a closed case refuses: nothing reaches the guest and the thread says the case is closed', async () => {
    const bridged = await guestOpensThread(ana, 'Is there any news?');
    await h.app.services.closure.close(h.actor, h.caseRecord.id, 'settled');
    await h.settle();
    await postAsStaff(h, 'The case is settled.', { conversationId: bridged.thread.conversationId, mentionBot: true });
    await h.settle();
    expect(await storedMessages(bridged.portalThreadId)).toEqual(['Is there any news?']);
    expect((await teamsThread(bridged.thread.conversationId)).activities.at(-1)!.text).toBe('Not sent to the client: case PI-1 is closed: replies no longer reach its guests; nothing was sent.');
    expect((await refusalsOf(bridged.portalThreadId)).some((e) => e.target === `case:${h.caseRecord.id}` && (e.data as { code: string }).code === 'case_closed')).toBe(true);
  });
});
