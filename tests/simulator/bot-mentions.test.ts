/**
 * How the simulated Teams hands channel messages to a bot, as Microsoft documents it:
 * - "Channel and group chat conversations with a bot": a bot in a channel receives a message only
 *   when it is @mentioned, not when someone replies to its message without the mention; the
 *   mention arrives as `<at>Name</at>` in the text and a `mention` entity naming the bot
 *   (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations).
 * - "Receive all conversation messages with RSC": with ChannelMessage.Read.Group in the app
 *   manifest, consented at installation, the bot receives every message without a mention
 *   (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc).
 * The stricter reading of the two: without the declared and consented RSC, only mentions arrive.
 */
import { type BotFixture, startBotFixture } from './bot-fixture';
import { startFixture, type Fixture } from './helpers';

interface Setup {
  f: Fixture;
  bot: BotFixture;
  channelId: string;
}
let withRsc: Setup;
let withoutRsc: Setup;

async function setUp(resourceSpecificPermissions: string[]): Promise<Setup> {
  const f = await startFixture();
  const bot = await startBotFixture(f, resourceSpecificPermissions);
  const made = await f.sim.admin.createTeam(f.tenantId, { displayName: 'Cases', ownerUserIds: [f.staff.id], channels: ['PI-1 Smith'] });
  await bot.install(made.team.id);
  return { f, bot, channelId: made.channels[0].id };
}

beforeAll(async () => {
  withRsc = await setUp(['ChannelMessage.Read.Group']);
  withoutRsc = await setUp([]);
});
afterAll(async () => {
  for (const s of [withRsc, withoutRsc]) {
    await s?.f.close();
    await s?.bot.close();
  }
});

async function admin(s: Setup, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.f.sim.httpUrl}/botconnector/_admin${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

/** A staff member writes in the channel (or replies in a thread), with or without @CaseRoom. */
async function write(s: Setup, text: string, o: { mentionBot: boolean; conversationId?: string }) {
  const before = s.bot.received.length;
  const res = await admin(s, 'POST', `/channels/${encodeURIComponent(s.channelId)}/messages`, { from: { aadObjectId: s.f.staff.id, name: 'Priya Raman' }, text, ...o });
  expect(res.status).toBe(201);
  const heard = s.bot.received.slice(before).filter((a) => a.body.type === 'message');
  return { posted: res.body as { conversationId: string; delivered: boolean }, heard };
}

describe('mentions in channel messages (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations)', () => {
  it('a reply that @mentions the bot reaches it with <at>CaseRoom</at> in the text and a mention entity { mentioned: { id: 28:botAppId, name } }', async () => {
    const root = await write(withoutRsc, 'A new topic', { mentionBot: true });
    const { posted, heard } = await write(withoutRsc, 'Please tell the client.', { mentionBot: true, conversationId: root.posted.conversationId });
    expect(posted.delivered).toBe(true);
    expect(heard).toHaveLength(1);
    const activity = heard[0].body;
    expect(activity.text).toBe('<at>CaseRoom</at> Please tell the client.');
    expect(activity.entities).toEqual([{ type: 'mention', text: '<at>CaseRoom</at>', mentioned: { id: `28:${withoutRsc.bot.botAppId}`, name: 'CaseRoom' } }]);
    expect(activity.recipient).toMatchObject({ id: `28:${withoutRsc.bot.botAppId}` });
    expect((activity.conversation as { id: string }).id).toBe(root.posted.conversationId);
  });

  it('without the ChannelMessage.Read.Group RSC, a reply to the bot that does not @mention it never reaches the bot', async () => {
    const root = await write(withoutRsc, 'Another topic', { mentionBot: true });
    const { posted, heard } = await write(withoutRsc, 'Internal: slow to pay.', { mentionBot: false, conversationId: root.posted.conversationId });
    expect(posted.delivered).toBe(false);
    expect(heard).toHaveLength(0);
  });
});

describe('all channel messages with RSC (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc)', () => {
  it('an app that declares ChannelMessage.Read.Group receives a reply without a mention, carrying no mention entity', async () => {
    const root = await write(withRsc, 'A topic', { mentionBot: true });
    const { posted, heard } = await write(withRsc, 'Just between us.', { mentionBot: false, conversationId: root.posted.conversationId });
    expect(posted.delivered).toBe(true);
    expect(heard).toHaveLength(1);
    expect(heard[0].body.text).toBe('Just between us.');
    expect(heard[0].body.entities ?? []).toEqual([]);
  });

  it('where the consent was withheld (receiveAllChannelMessages off), even a declaring app receives only mentions', async () => {
    expect((await admin(withRsc, 'POST', '/knobs', { receiveAllChannelMessages: false })).status).toBeLessThan(300);
    try {
      const { posted, heard } = await write(withRsc, 'Not for the bot.', { mentionBot: false });
      expect(posted.delivered).toBe(false);
      expect(heard).toHaveLength(0);
      expect((await write(withRsc, 'For the bot.', { mentionBot: true })).heard).toHaveLength(1);
    } finally {
      await admin(withRsc, 'POST', '/knobs', { receiveAllChannelMessages: true });
    }
  });
});
