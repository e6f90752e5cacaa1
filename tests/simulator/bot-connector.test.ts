/**
 * The simulated Bot Connector is as strict as Teams: the bot is in a team only once its app was
 * installed there, every call needs the bot's own Bot Framework token, and oversize messages are
 * refused. Each test names the Microsoft source of the rule it checks.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type BotFixture, startBotFixture } from './bot-fixture';
import { startFixture, waitFor, type Fixture } from './helpers';

let f: Fixture;
let bot: BotFixture;
let teamId: string;
let channelId: string;

const post = (text: string) => ({ isGroup: true, channelData: { channel: { id: channelId } }, activity: { type: 'message', text } });
const ROSTER = { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } };
const DENIED = { message: 'Authorization has been denied for this request.' };

beforeAll(async () => {
  f = await startFixture();
  bot = await startBotFixture(f, ['ChannelMessage.Read.Group']);
  const made = await f.sim.admin.createTeam(f.tenantId, { displayName: 'Cases', ownerUserIds: [f.staff.id], channels: ['PI-1 Smith'] });
  teamId = made.team.id;
  channelId = made.channels[0].id;
});
afterAll(async () => {
  await f?.close();
  await bot?.close();
});

describe('Bot Connector authentication (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication)', () => {
  it("refuses a call without a bearer token, with a Graph token, or with another app's Bot Framework token: 401 and the connector's body", async () => {
    const none = await bot.connector('POST', '/v3/conversations', post('hello'), null);
    expect(none).toEqual({ status: 401, body: DENIED });
    const graphToken = await bot.connector('POST', '/v3/conversations', post('hello'), f.appToken);
    expect(graphToken).toEqual({ status: 401, body: DENIED });
    const otherApp = await f.sim.admin.token({ tenantId: f.tenantId, clientId: f.clientId, audience: 'https://api.botframework.com' });
    expect(await bot.connector('POST', '/v3/conversations', post('hello'), otherApp)).toEqual({ status: 401, body: DENIED });
  });
});

describe('explicit installation (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages)', () => {
  it('refuses a proactive post into a team without the app: 403 BotNotInConversationRoster (MicrosoftDocs/bot-docs#1527)', async () => {
    expect(await bot.connector('POST', '/v3/conversations', post('before install'))).toEqual({ status: 403, body: ROSTER });
    expect(await bot.connector('POST', `/v3/conversations/${encodeURIComponent(channelId)}/activities`, { type: 'message', text: 'x' })).toEqual({ status: 403, body: ROSTER });
  });

  it('on install the bot hears installationUpdate and teamMemberAdded, signed for it; then it may post; on uninstall it hears the removal and may not', async () => {
    const before = bot.received.length;
    const installationId = await bot.install(teamId);
    const heard = bot.received.slice(before);
    expect(heard.map((a) => [a.body.type, a.body.action ?? (a.body.channelData as { eventType?: string }).eventType])).toEqual([
      ['installationUpdate', 'add'],
      ['conversationUpdate', 'teamMemberAdded'],
    ]);
    expect(heard[1].body.membersAdded).toEqual([{ id: `28:${bot.botAppId}` }]);
    expect((heard[0].body.channelData as { team: { aadGroupId: string } }).team.aadGroupId).toBe(teamId);

    // The token checks botbuilder makes: the connector's own OpenID metadata and keys (endorsing msteams), issuer, audience, serviceurl.
    const metadata = (await (await fetch(`${f.sim.httpUrl}/botconnector/v1/.well-known/openidconfiguration`)).json()) as { issuer: string; jwks_uri: string };
    expect(metadata.issuer).toBe('https://api.botframework.com');
    const keys = (await (await fetch(metadata.jwks_uri)).json()) as { keys: Array<{ endorsements: string[] }> };
    expect(keys.keys[0].endorsements).toContain('msteams');
    const token = /^Bearer (.+)$/.exec(String(heard[0].headers.authorization))?.[1] as string;
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: 'https://api.botframework.com', audience: bot.botAppId });
    expect(payload.serviceurl).toBe(heard[0].body.serviceUrl);

    const created = await bot.connector('POST', '/v3/conversations', post('after install'));
    expect(created.status).toBe(201);

    const beforeRemoval = bot.received.length;
    await f.sim.admin.uninstallAppFromTeam(teamId, installationId);
    await waitFor(() => (bot.received.length >= beforeRemoval + 2 ? true : undefined));
    expect(bot.received.slice(beforeRemoval).map((a) => [a.body.type, a.body.action ?? (a.body.channelData as { eventType?: string }).eventType])).toEqual([
      ['installationUpdate', 'remove'],
      ['conversationUpdate', 'teamMemberRemoved'],
    ]);
    expect(await bot.connector('POST', '/v3/conversations', post('after uninstall'))).toEqual({ status: 403, body: ROSTER });
    expect(await bot.connector('POST', `/v3/conversations/${encodeURIComponent(created.body.id as string)}/activities`, { type: 'message', text: 'reply' })).toEqual({ status: 403, body: ROSTER });
  });

  it('a personal install sends the bot a personal conversationUpdate; a 1:1 chat with a user without the app is refused', async () => {
    const members = [{ id: `29:${f.acceptedGuest.id}`, aadObjectId: f.acceptedGuest.id }];
    expect(await bot.connector('POST', '/v3/conversations', { isGroup: false, members, activity: { type: 'message', text: 'hi' } })).toEqual({ status: 403, body: ROSTER });
    const before = bot.received.length;
    await f.sim.admin.installAppForUser(f.acceptedGuest.id, bot.teamsAppId);
    const heard = bot.received.slice(before).map((a) => a.body);
    expect(heard.map((a) => a.type)).toEqual(['installationUpdate', 'conversationUpdate']);
    expect(heard[1].conversation).toMatchObject({ conversationType: 'personal', tenantId: f.tenantId });
    expect(heard[1].membersAdded).toEqual([{ id: `28:${bot.botAppId}` }]);
  });

  it('the channels page lists each team with an Install button that installs through the admin API', async () => {
    const second = await f.sim.admin.createTeam(f.tenantId, { displayName: 'Cases 2', ownerUserIds: [f.staff.id] });
    const page = await (await fetch(`${f.sim.httpUrl}/channels`)).text();
    expect(page).toContain('Cases 2');
    expect(page).toContain('Install CaseRoom');
    const before = bot.received.length;
    const form = new URLSearchParams({ teamId: second.team.id, teamsAppId: bot.teamsAppId, installationId: '', action: 'install' });
    const res = await fetch(`${f.sim.httpUrl}/channels/_apps`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(bot.received.slice(before).map((a) => a.body.type)).toEqual(['installationUpdate', 'conversationUpdate']);
    expect((await f.sim.admin.installations()).some((i) => i.scope.kind === 'team' && i.scope.teamId === second.team.id)).toBe(true);
  });
});

describe('message size (learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages)', () => {
  it('refuses an activity over 100 KB counted as UTF-16 with 413 MessageSizeTooBig', async () => {
    await bot.install(teamId);
    // 60,000 characters: 60 KB as UTF-8 but 120 KB as UTF-16, the stricter documented reading.
    const big = await bot.connector('POST', '/v3/conversations', post('x'.repeat(60_000)));
    expect(big).toEqual({ status: 413, body: { error: { code: 'MessageSizeTooBig', message: 'Message size too large.' } } });
    expect((await bot.connector('POST', '/v3/conversations', post('x'.repeat(40_000)))).status).toBe(201);
  });
});
