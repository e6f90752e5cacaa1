/**
 * The simulated channels read through Graph (`chatMessage`, v1.0 CSDL) and the gateway's look-up
 * of a card the bot posted (src/m365/channel-messages.ts): what a delivery retry relies on to
 * tell whether an earlier attempt's card reached Teams.
 */
import pino from 'pino';
import { gatewayChannelMessages } from '../../src/m365/channel-messages';
import { GraphGateway } from '../../src/m365/graph';
import { createDispatcher } from '../../src/m365/transport';
import { checkEntity, loadCsdl, type CsdlModel } from './csdl';
import { type BotFixture, startBotFixture } from './bot-fixture';
import { startFixture, waitFor, type Fixture } from './helpers';

let f: Fixture;
let model: CsdlModel;
let bot: BotFixture;
let teamId: string;
let channelId: string;

const CARD = 'application/vnd.microsoft.card.adaptive';
const card = (marker: string, text: string) => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', id: marker, text }] });

const connector = (method: string, path: string, body?: unknown) => bot.connector(method, path, body);

beforeAll(async () => {
  model = loadCsdl();
  f = await startFixture();
  // The bot's messaging endpoint only has to accept the installation activities.
  bot = await startBotFixture(f, ['ChannelMessage.Read.Group']);
  const created = await f.graph('POST', '/teams', {
    body: {
      'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName: 'Cases',
      members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${f.staff.id}')` }],
    },
  });
  const location = created.headers.get('location') as string;
  teamId = (/teams\('([^']+)'\)/.exec(location) as RegExpExecArray)[1];
  await waitFor(async () => (await f.graph<{ status: string }>('GET', location)).json.status === 'succeeded');
  channelId = (await f.graph<{ id: string }>('POST', `/teams/${teamId}/channels`, { body: { displayName: 'PI-1 Smith', membershipType: 'standard' } })).json.id;
});
afterAll(async () => {
  await f?.close();
  await bot?.close();
});

test("channel messages are Graph chatMessages carrying the bot's cards; the gateway finds a card by its marker, across pages and in replies", async () => {
  const messages = `/teams/${teamId}/channels/${encodeURIComponent(channelId)}/messages`;
  // Without the app in the team there is no resource-specific consent to read its messages.
  expect((await f.graph('GET', messages)).status).toBe(403);
  await bot.install(teamId);

  const root = await connector('POST', '/v3/conversations', {
    isGroup: true,
    channelData: { channel: { id: channelId } },
    activity: { type: 'message', summary: 'root', attachments: [{ contentType: CARD, content: card('caseroom-post-root', 'New upload') }] },
  });
  expect(root.status).toBe(201);
  const conversationId = root.body.id as string;
  const reply = await connector('POST', `/v3/conversations/${encodeURIComponent(conversationId)}/activities`, { type: 'message', attachments: [{ contentType: CARD, content: card('caseroom-post-reply', 'Follow-up') }] });
  expect(reply.status).toBe(201);
  // Staff keep talking: the bot's card ends up on the second page (Teams lists newest first).
  for (let i = 0; i < 55; i++)
    expect((await connector('POST', `/_admin/channels/${encodeURIComponent(channelId)}/messages`, { from: { aadObjectId: f.staff.id, name: 'Megan Bowen' }, text: `note ${i}`, mentionBot: false })).status).toBe(201);

  const first = await f.graph<{ value: Array<Record<string, unknown>>; '@odata.nextLink'?: string }>('GET', `${messages}?$top=50`);
  expect(first.status).toBe(200);
  expect(first.json.value).toHaveLength(50);
  expect(first.json['@odata.nextLink']).toBeDefined();
  for (const m of first.json.value) expect(checkEntity(model, 'chatMessage', m)).toEqual([]);
  const second = await f.graph<{ value: Array<Record<string, unknown>> }>('GET', first.json['@odata.nextLink'] as string);
  const botRoot = second.json.value.find((m) => m.id === root.body.activityId);
  expect(checkEntity(model, 'chatMessage', botRoot)).toEqual([]);
  expect(botRoot).toMatchObject({ messageType: 'message', replyToId: null, channelIdentity: { teamId, channelId }, from: { application: { applicationIdentityType: 'bot' } }, body: { contentType: 'html' } });
  const attachment = (botRoot?.attachments as Array<{ contentType: string; content: string }>)[0];
  expect(attachment.contentType).toBe(CARD);
  expect(JSON.parse(attachment.content)).toEqual(card('caseroom-post-root', 'New upload'));
  const replies = await f.graph<{ value: Array<Record<string, unknown>> }>('GET', `${messages}/${root.body.activityId as string}/replies`);
  expect(replies.json.value.map((m) => m.id)).toEqual([reply.body.id]);
  for (const m of replies.json.value) expect(checkEntity(model, 'chatMessage', m)).toEqual([]);
  expect((await f.graph('GET', `${messages}/does-not-exist/replies`)).status).toBe(404);
  // A guest of the tenant is no member of the team.
  expect((await f.graph('GET', messages, { token: await f.tokenFor(f.acceptedGuest.id) })).status).toBe(403);

  // The product's look-up, through the Graph gateway (budget, retries, auth) as the bot uses it;
  // over HTTPS, as the Graph client follows absolute nextLinks only on https.
  const graph = new GraphGateway({
    graphBaseUrl: `${f.sim.httpsUrl}/v1.0`,
    tenantId: f.tenantId,
    tokens: { appToken: async () => f.appToken, userToken: async () => f.appToken },
    dispatcher: createDispatcher(f.sim.caCertPath),
    logger: pino({ level: 'silent' }),
    unitsPerMinute: 100_000,
  });
  const finder = gatewayChannelMessages(graph);
  expect(await finder.findBotMessage({ teamId, channelId, rootMessageId: null, marker: 'caseroom-post-root' })).toEqual({ messageId: root.body.activityId });
  expect(await finder.findBotMessage({ teamId, channelId, rootMessageId: root.body.activityId as string, marker: 'caseroom-post-reply' })).toEqual({ messageId: reply.body.id });
  expect(await finder.findBotMessage({ teamId, channelId, rootMessageId: null, marker: 'caseroom-post-never-sent' })).toBeNull();
  expect(await finder.findBotMessage({ teamId, channelId, rootMessageId: 'gone', marker: 'caseroom-post-reply' })).toBeNull();
});
