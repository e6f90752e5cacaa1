import { createServer, type Server, type Socket } from 'node:net';
import { botbuilderConnector, type ChannelConnector, ConnectorError, createAdapter } from '../../bot/connector';
import type { PostFinder } from '../../bot/delivery';
import { CASE_CHANNEL, type Harness, startHarness } from './harness';

/**
 * Deliveries whose outcome is unknown: a connector that accepts the request and never answers
 * must fail within the bound and be retried; a card that reached Teams while its answer was lost
 * (or the process died before recording it) is found in the channel and adopted, not posted twice.
 */
const TIMEOUT_MS = 1000;

let h: Harness;
let hang: Server;
let hangUrl: string;
const sockets: Socket[] = [];
const finderCalls: Array<{ marker: string; rootMessageId: string | null; found: boolean }> = [];
const faults = { loseAnswerOfNextThread: false, failNextReplyBeforeSending: false };

/** What Graph would answer (the simulator's channel state), read through its admin view. */
const finder: PostFinder = {
  async findBotMessage(q) {
    const threads = await h.threads(q.channelId);
    const pool = q.rootMessageId ? (threads.find((t) => t.rootId === q.rootMessageId)?.activities.slice(1) ?? []) : threads.map((t) => t.activities[0]);
    const hit = pool.find((a) => a.from.role === 'bot' && JSON.stringify(a.attachments ?? []).includes(q.marker));
    finderCalls.push({ marker: q.marker, rootMessageId: q.rootMessageId, found: Boolean(hit) });
    return hit ? { messageId: hit.id } : null;
  },
};

beforeAll(async () => {
  hang = createServer((socket) => {
    // Accepts the connection, reads the request, never answers.
    sockets.push(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', () => resolve()));
  hangUrl = `http://127.0.0.1:${(hang.address() as { port: number }).port}/`;
  // The real botbuilder connector with the app's own settings (its bot identity in the simulated
  // tenant), made once the harness has them; a delivery before that is a transient failure.
  let built: ChannelConnector | null = null;
  const realConnector = (): ChannelConnector => {
    if (!h) throw new ConnectorError('the harness is not up yet', null, null);
    built ??= botbuilderConnector(createAdapter(h.config, { timeoutMs: TIMEOUT_MS }), h.config.bot.appId);
    return built;
  };
  const real: ChannelConnector = {
    startThread: (target, activity) => realConnector().startThread(target, activity),
    reply: (target, activity) => realConnector().reply(target, activity),
    update: (target, id, activity) => realConnector().update(target, id, activity),
  };
  const connector: ChannelConnector = {
    async startThread(target, activity) {
      const sent = await real.startThread(target, activity);
      if (faults.loseAnswerOfNextThread) {
        faults.loseAnswerOfNextThread = false;
        throw new ConnectorError('socket hang up (the card was posted, the answer lost)', null, null);
      }
      return sent;
    },
    async reply(target, activity) {
      if (faults.failNextReplyBeforeSending) {
        faults.failNextReplyBeforeSending = false;
        throw new ConnectorError('connect ECONNRESET (nothing sent)', null, null);
      }
      return real.reply(target, activity);
    },
    update: (target, id, activity) => real.update(target, id, activity),
  };
  h = await startHarness({ knobs: { faultRate: 0 }, bot: { connector, finder } });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (hang ? hang.close(() => resolve()) : resolve()));
  await h?.close();
});

/** A guest who may write in the case, with the cards of that set-up already delivered. */
async function writingGuest(name: string) {
  const g = await h.guest(name);
  await h.app.services.sharing.grant(h.actor, { contactId: g.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents', 'messages'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  await h.settle();
  return { kind: 'guest' as const, firmId: h.caseRecord.firmId, contactId: g.contact.id, userId: g.contact.guestUserId as string, name: g.contact.name };
}

const botActivities = async () => (await h.threads(CASE_CHANNEL)).flatMap((t) => t.activities.filter((a) => a.from.role === 'bot'));

it('a connector that never answers fails the delivery within the bound; the outbox retries it and the card is posted once', async () => {
  const actor = await writingGuest('Hana Client');
  const before = (await botActivities()).length;
  const [{ service_url: serviceUrl }] = await h.db.query<{ service_url: string }>('SELECT service_url FROM bot_installations');
  await h.db.query('UPDATE bot_installations SET service_url = $1', [hangUrl]);
  await h.app.services.portal.sendMessage(actor, h.caseRecord.id, { body: 'Is anyone there?', screen: null, threadId: null, subject: null });

  const started = Date.now();
  await h.app.worker.drain();
  const elapsed = Date.now() - started;
  // One bounded attempt (plus planning), not the minutes an unbounded request would hang.
  expect(elapsed).toBeLessThan(TIMEOUT_MS + 4000);
  const [job] = await h.db.query<{ status: string; attempts: number; last_error: string }>("SELECT status, attempts, last_error FROM outbox WHERE kind = 'bot-deliver' ORDER BY id DESC LIMIT 1");
  expect(job).toMatchObject({ status: 'pending', attempts: 1 });
  expect(job.last_error).toMatch(/abort/i);
  expect(sockets.length).toBeGreaterThan(0);

  await h.db.query('UPDATE bot_installations SET service_url = $1', [serviceUrl]);
  await h.settle();
  const shown = await botActivities();
  expect(shown).toHaveLength(before + 1);
  const [post] = await h.db.query<{ activity_id: string; send_started_at: Date | null }>("SELECT activity_id, send_started_at FROM bot_posts WHERE post_key LIKE 'thread:%'");
  expect(shown.at(-1)?.id).toBe(post.activity_id);
  // The timed-out attempt was uncertain; the look-up saw nothing and the retry posted.
  expect(finderCalls.at(-1)).toMatchObject({ found: false });
}, 60_000);

it('a card posted whose answer was lost is found in the channel and adopted, not posted again; a reply that never left is sent once', async () => {
  const actor = await writingGuest('Ivo Expert');
  finderCalls.length = 0;
  const before = (await botActivities()).length;
  faults.loseAnswerOfNextThread = true;
  const sent = await h.app.services.portal.sendMessage(actor, h.caseRecord.id, { body: 'Here are my notes.', screen: null, threadId: null, subject: null });
  await h.settle();
  expect(faults.loseAnswerOfNextThread).toBe(false);
  expect(finderCalls).toEqual([expect.objectContaining({ rootMessageId: null, found: true })]);
  let shown = await botActivities();
  expect(shown).toHaveLength(before + 1);
  const root = (
    await h.db.query<{ post_key: string; conversation_id: string; activity_id: string; version: number; delivered_version: number }>(
      'SELECT post_key, conversation_id, activity_id, version, delivered_version FROM bot_posts WHERE post_key = $1',
      [`thread:${sent.threadId}`],
    )
  )[0];
  expect(root.activity_id).toBe(shown.at(-1)?.id);
  expect(root.conversation_id).toBe(`${CASE_CHANNEL};messageid=${root.activity_id}`);
  expect(root.delivered_version).toBeGreaterThanOrEqual(root.version);
  // The thread is bridged to the adopted post: a follow-up replies in it.
  faults.failNextReplyBeforeSending = true;
  await h.app.services.portal.sendMessage(actor, h.caseRecord.id, { body: 'One more page.', screen: null, threadId: sent.threadId, subject: null });
  await h.settle();
  expect(finderCalls.at(-1)).toEqual(expect.objectContaining({ rootMessageId: root.activity_id, found: false }));
  shown = await botActivities();
  expect(shown).toHaveLength(before + 2);
  const thread = (await h.threads(CASE_CHANNEL)).find((t) => t.rootId === root.activity_id);
  expect(thread?.activities.filter((a) => a.from.role === 'bot')).toHaveLength(2);
}, 60_000);
