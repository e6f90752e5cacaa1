/**
 * The Bot Connector subset CaseRoom's bot uses, plus the Teams client side of it: channel pages
 * that render the bot's Adaptive Cards, and a way for a simulated staff member to post, reply
 * in a thread and click card buttons, which reach the bot's messaging endpoint as real Bot
 * Framework activities.
 *
 * Connector (the bot calls these, serviceUrl = `{http}/botconnector/`):
 *   POST /v3/conversations                            new channel thread (channelData.channel.id) → {id, activityId}
 *   POST /v3/conversations/{id}/activities[/{replyTo}] post in a thread (or a new thread for a channel id)
 *   PUT  /v3/conversations/{id}/activities/{activityId} update in place
 * 1:1 chats (conversation `a:…`) take the same POST and PUT; POST /v3/conversations with one member
 * answers that user's chat, where the user has the app installed.
 * Graph (./graph-messages.ts): the same posts as chatMessage resources, GET .../channels/{id}/messages[/{id}/replies].
 * Teams-client side (loopback only): /botconnector/_admin/… (knobs, stats, post, invoke, and
 * personal/{userId}[/messages] for a user's 1:1 chat with the bot) and the
 * pages /channels (with each team's Install/Uninstall buttons) and /channels/{teamId}/{channelId}.
 *
 * As in Teams, the bot is in a team only once someone installed its app there (the simulator's
 * installedApps admin routes or the buttons on /channels): the connector hears the installation
 * (plugin host `onAppInstallation`) and sends the bot installationUpdate and conversationUpdate;
 * it refuses calls without the bot's token (./auth.ts) and posts into a team or to a user where
 * the app is not installed, and signs every activity it sends the bot.
 *
 * Like the real service it enforces the per-thread bot limits (7 per second, 60 per 30 s) with
 * 429 + Retry-After, and injects faults (429, 503, connection reset before processing) at the
 * simulator's fault rate, or at a connector-only rate set through its own knobs.
 */
import { createRequire } from 'node:module';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knobs } from '../context';
import type { SimulatorPlugin, SimulatorPluginHost } from '../plugins';
import { type AppInstallationEvent, installationFor } from '../state/installations';
import { ChannelAuth, checkBotToken, KEYS_PATH, OPENID_METADATA_PATH, type StoredChannelKey } from './auth';
import { registerChannelMessageRoutes } from './graph-messages';
import { channelPage, channelsIndexPage, CHANNEL_PAGE_SCRIPT, type TeamAppsRow } from './page';
import {
  type ChannelAccount,
  type ChannelLog,
  ConnectorState,
  type ConnectorData,
  emptyConnectorData,
  isPersonalConversation,
  parseConversationId,
  personalConversationId,
  type PersonalChat,
  type StoredActivity,
  type Thread,
} from './state';

export type ConnectorFaultKind = '429' | '503' | 'reset';

export interface ConnectorKnobs {
  /** Where the simulated Teams delivers activities: the bot's messaging endpoint. */
  botEndpoint: string;
  /** The bot's Microsoft App ID (its Entra app): the Teams app whose `botId` this is is "the bot". Teams addresses it as `28:{id}`. */
  botAppId: string;
  botName: string;
  /** null: use the simulator's shared fault rate (when the host exposes its knobs). */
  faultRate: number | null;
  faultKinds: ConnectorFaultKind[];
  retryAfterSeconds: number;
  /**
   * Whether the team's owners consent to the RSC an app declares. Teams delivers a channel message
   * that does not @mention the bot only when the installed app declares ChannelMessage.Read.Group
   * and that consent was given; otherwise only @mentions (the stricter reading of both pages):
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc
   * false: an owner (or the tenant's consent policy) withheld it, so even a declaring app gets only mentions.
   */
  receiveAllChannelMessages: boolean;
  enforceRateLimits: boolean;
}

export const defaultConnectorKnobs: ConnectorKnobs = {
  botEndpoint: 'http://127.0.0.1:3978/api/messages',
  botAppId: '',
  botName: 'CaseRoom',
  faultRate: null,
  faultKinds: ['429', '503', 'reset'],
  retryAfterSeconds: 1,
  receiveAllChannelMessages: true,
  enforceRateLimits: true,
};

/** Teams' bot message size limit: 100 KB of the message encoded as UTF-16 (checkMessageSize). */
const MESSAGE_SIZE_LIMIT_BYTES = 100 * 1024;

export interface ConnectorStats {
  threadsCreated: number;
  replies: number;
  updates: number;
  injected429: number;
  injected503: number;
  injectedResets: number;
  rateLimited429: number;
  activitiesToBot: number;
  botErrors: number;
}

const zeroStats = (): ConnectorStats => ({ threadsCreated: 0, replies: 0, updates: 0, injected429: 0, injected503: 0, injectedResets: 0, rateLimited429: 0, activitiesToBot: 0, botErrors: 0 });

const STORAGE_KEY = 'bot-connector';
const LIMITS = [
  { windowMs: 1000, max: 7 },
  { windowMs: 30_000, max: 60 },
];
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const requireFromHere = createRequire(__filename);

/** The Bot Connector's refusal of a call without a valid token for the bot (an ASP.NET Web API 401, before any conversation code). */
class DeniedError extends Error {
  constructor(readonly reason: string) {
    super('Authorization has been denied for this request.');
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ConnectorPluginOptions {
  knobs?: Partial<ConnectorKnobs>;
}

/** The plugin: list it in the simulator's defaultPlugins(), or pass it to startSimulator({ plugins }). */
export function connectorPlugin(options: ConnectorPluginOptions = {}): SimulatorPlugin & { connector(): BotConnectorSim } {
  let sim: BotConnectorSim | null = null;
  return {
    name: 'bot-connector',
    async setup(host) {
      const keyStorage = host.storage<StoredChannelKey>(`${STORAGE_KEY}-key`);
      const auth = await ChannelAuth.load(keyStorage.get());
      keyStorage.set(auth.key);
      const created = new BotConnectorSim(host, { ...defaultConnectorKnobs, ...options.knobs }, auth);
      sim = created;
      registerChannelMessageRoutes(host, created.state, created.knobs);
      host.mountNode('/botconnector', (req, res, next) => created.handleConnector(req, res).catch(next));
      host.mountNode('/channels', (req, res, next) => created.handlePages(req, res).catch(next));
      host.onAppInstallation((event) => created.onInstallation(event));
    },
    close() {
      sim?.close();
    },
    connector() {
      if (!sim) throw new Error('the bot connector plugin is not set up yet');
      return sim;
    },
  };
}

type Json = Record<string, unknown>;

export class BotConnectorSim {
  readonly state: ConnectorState;
  readonly stats: ConnectorStats = zeroStats();
  private readonly sent = new Map<string, number[]>();
  private readonly sseClients = new Set<ServerResponse>();

  constructor(
    private readonly host: SimulatorPluginHost,
    readonly knobs: ConnectorKnobs,
    private readonly auth: ChannelAuth,
  ) {
    const storage = host.storage<ConnectorData>(STORAGE_KEY);
    this.state = new ConnectorState(storage.get() ?? emptyConnectorData(), (data) => storage.set(data));
    this.state.onChange((channelId) => {
      for (const client of this.sseClients) client.write(`event: change\ndata: ${JSON.stringify({ channelId })}\n\n`);
    });
  }

  close(): void {
    for (const client of this.sseClients) client.end();
    this.sseClients.clear();
  }

  serviceUrl(): string {
    return `${this.host.urls().http}/botconnector/`;
  }

  /** How Teams names the bot in activities: `28:` and its app id. */
  get botAccountId(): string {
    return `28:${this.knobs.botAppId}`;
  }

  // ---- fault injection and Teams' per-thread limits ----

  private sharedKnobs(): Pick<Knobs, 'faultRate'> | undefined {
    // The host may expose the simulator's knobs; then the connector follows its fault rate.
    return (this.host as SimulatorPluginHost & { knobs?: Knobs }).knobs;
  }

  private injectFault(res: ServerResponse): boolean {
    const rate = this.knobs.faultRate ?? this.sharedKnobs()?.faultRate ?? 0;
    if (rate <= 0 || Math.random() >= rate || this.knobs.faultKinds.length === 0) return false;
    const kind = this.knobs.faultKinds[Math.floor(Math.random() * this.knobs.faultKinds.length)];
    if (kind === 'reset') {
      this.stats.injectedResets++;
      res.socket?.destroy();
      return true;
    }
    if (kind === '429') {
      this.stats.injected429++;
      sendJson(res, 429, { error: { code: 'TooManyRequests', message: 'Too many requests (injected).' } }, { 'retry-after': String(this.knobs.retryAfterSeconds) });
    } else {
      this.stats.injected503++;
      sendJson(res, 503, { error: { code: 'ServiceUnavailable', message: 'Service unavailable (injected).' } });
    }
    return true;
  }

  private checkRateLimit(threadKey: string): void {
    if (!this.knobs.enforceRateLimits) return;
    const now = Date.now();
    const times = (this.sent.get(threadKey) ?? []).filter((t) => t > now - 30_000);
    for (const { windowMs, max } of LIMITS) {
      const inWindow = times.filter((t) => t > now - windowMs);
      if (inWindow.length >= max) {
        this.stats.rateLimited429++;
        const retryAfter = Math.max(1, Math.ceil((inWindow[0] + windowMs - now) / 1000));
        throw new HttpError(429, 'TooManyRequests', `The bot exceeded ${max} messages per ${windowMs / 1000} s in this thread.`, { 'retry-after': String(retryAfter) });
      }
    }
    times.push(now);
    this.sent.set(threadKey, times);
  }

  // ---- channels ----

  /** The channel as the simulated tenant knows it (Graph state), or as the bot named it. */
  private resolveChannel(channelId: string, hint: { tenantId?: string; teamId?: string } = {}): ChannelLog {
    const graphChannel = this.host.state.channels().find((c) => c.id === channelId);
    const team = graphChannel ? this.host.state.teams().find((t) => t.id === graphChannel.teamId) : undefined;
    const existing = this.state.channel(channelId);
    return this.state.ensureChannel({
      channelId,
      teamId: team?.id ?? existing?.teamId ?? hint.teamId ?? 'unknown-team',
      teamThreadId: (team as { internalId?: string } | undefined)?.internalId ?? existing?.teamThreadId ?? hint.teamId ?? channelId,
      tenantId: graphChannel?.tenantId ?? existing?.tenantId ?? hint.tenantId ?? '',
      teamName: team?.displayName ?? existing?.teamName ?? '',
      name: graphChannel?.displayName ?? existing?.name ?? channelId,
    });
  }

  private lookupThread(conversationId: string): { channel: ChannelLog; thread: Thread } {
    const found = this.state.thread(conversationId);
    if (!found) throw new HttpError(404, 'ConversationNotFound', `Conversation ${conversationId} not found.`);
    return found;
  }

  // ---- connector API ----

  async handleConnector(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.replace(/\/{2,}/g, '/').replace(/^\/botconnector/, '') || '/';
    try {
      if (path.startsWith('/_assets/')) return await this.serveAsset(path, res);
      if (path === OPENID_METADATA_PATH) return sendJson(res, 200, this.auth.metadata(`${this.host.urls().http}/botconnector`));
      if (path === KEYS_PATH) return sendJson(res, 200, this.auth.keys());
      if (path.startsWith('/_admin/')) {
        if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new HttpError(403, 'Forbidden', 'The connector admin API is available from loopback only.');
        return await this.handleAdmin(req, res, path, url);
      }
      const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
      if (parts[0] !== 'v3' || parts[1] !== 'conversations') throw new HttpError(404, 'NotFound', `Nothing at ${path}`);
      await this.authenticate(req).catch((error: unknown) => {
        if (error instanceof DeniedError) this.host.log.info('bot connector: call refused', { path, reason: error.reason });
        throw error;
      });
      if (req.method === 'GET' && parts.length === 4 && parts[3] === 'members') return sendJson(res, 200, []);
      if (this.injectFault(res)) return;
      const body = (await readJson(req)) as Json;
      checkMessageSize(req.method === 'POST' && parts.length === 2 ? body.activity : body);
      if (req.method === 'POST' && parts.length === 2) return sendJson(res, 201, this.createConversation(body));
      if (req.method === 'POST' && parts.length >= 4 && parts[3] === 'activities') return sendJson(res, 201, this.postActivity(parts[2], parts[4] ?? null, body));
      if (req.method === 'PUT' && parts.length === 5 && parts[3] === 'activities') return sendJson(res, 200, this.updateActivity(parts[2], parts[4], body));
      throw new HttpError(405, 'MethodNotAllowed', `${req.method} ${path} is not supported by the simulated connector.`);
    } catch (error) {
      sendError(res, error);
    }
  }

  /** Only the bot itself, with a client-credentials token for the Bot Framework, may call the connector. */
  private async authenticate(req: IncomingMessage): Promise<void> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new DeniedError('no bearer token');
    let claims;
    try {
      claims = await this.host.verifyToken(token);
    } catch (error) {
      throw new DeniedError((error as Error).message);
    }
    const check = checkBotToken(claims, this.knobs.botAppId);
    if (!check.ok) throw new DeniedError(check.reason);
  }

  /**
   * A proactive message reaches a team only where the bot's app is installed; elsewhere Teams
   * answers 403 BotNotInConversationRoster ("The bot is not part of the conversation roster.").
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-codes-from-bot-conversational-apis
   * https://github.com/MicrosoftDocs/bot-docs/issues/1527 (the exact body, for POST /v3/conversations into a channel)
   */
  private requireInstalled(target: { teamId: string } | { userId: string } | null): void {
    const installed = target && installationFor(this.host.state.raw(), { botId: this.knobs.botAppId }, target);
    if (!installed) throw new HttpError(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
  }

  /** The Graph team of a channel the tenant has (null for a channel no team has: no roster holds the bot there). */
  private teamOfChannel(channelId: string): { teamId: string } | null {
    const graphChannel = this.host.state.raw().channels[channelId];
    return graphChannel && !graphChannel.deletedDateTime ? { teamId: graphChannel.teamId } : null;
  }

  private createConversation(body: Json): { id: string; activityId: string } {
    const channelData = (body.channelData ?? {}) as Json;
    const channelId = ((channelData.channel ?? {}) as Json).id;
    if (!channelId && Array.isArray(body.members) && body.members.length === 1) {
      // A 1:1 chat with a user: only one who has the app installed (personal scope).
      const member = body.members[0] as Json;
      const userId = String(member.aadObjectId ?? member.id ?? '')
        .replace(/^29:/, '')
        .toLowerCase();
      this.requireInstalled(userId ? { userId } : null);
      const tenantId = (typeof body.tenantId === 'string' ? body.tenantId : ((channelData.tenant ?? {}) as Json).id) as string | undefined;
      const chat = this.state.ensurePersonalChat({ conversationId: personalConversationId(this.knobs.botAppId, userId), userId, tenantId: tenantId ?? '' });
      // Teams answers the existing 1:1 conversation; an activity in the request is posted in it.
      const activity = body.activity as Json | undefined;
      if (!activity) return { id: chat.conversationId, activityId: '' };
      this.checkRateLimit(chat.conversationId);
      return { id: chat.conversationId, activityId: this.state.say(chat, this.fromBot(activity)).id };
    }
    if (typeof channelId !== 'string' || !channelId) throw new HttpError(400, 'BadArgument', 'channelData.channel.id is required to start a channel conversation.');
    const tenantId = (typeof body.tenantId === 'string' ? body.tenantId : ((channelData.tenant ?? {}) as Json).id) as string | undefined;
    this.requireInstalled(this.teamOfChannel(channelId));
    const channel = this.resolveChannel(channelId, { tenantId, teamId: ((channelData.team ?? {}) as Json).id as string | undefined });
    const activity = (body.activity ?? {}) as Json;
    this.checkRateLimit(channelId);
    const { thread } = this.state.startThread(channel, this.fromBot(activity));
    this.stats.threadsCreated++;
    return { id: thread.conversationId, activityId: thread.rootId };
  }

  /** A user's 1:1 chat, only while that user has the app: Teams refuses the bot there otherwise. */
  private personalChatFor(conversationId: string): PersonalChat {
    const chat = this.state.personalChat(conversationId);
    if (!chat) throw new HttpError(404, 'ConversationNotFound', `Conversation ${conversationId} not found.`);
    this.requireInstalled({ userId: chat.userId });
    return chat;
  }

  private postActivity(conversationId: string, replyToId: string | null, body: Json): { id: string } {
    if (isPersonalConversation(conversationId)) {
      const chat = this.personalChatFor(conversationId);
      this.checkRateLimit(conversationId);
      return { id: this.state.say(chat, { ...this.fromBot(body), ...(replyToId ? { replyToId } : {}) }).id };
    }
    const { channelId, rootId } = parseConversationId(conversationId);
    this.requireInstalled(this.teamOfChannel(channelId));
    if (!rootId) {
      // Posting to the channel itself opens a new thread, as in Teams.
      const channel = this.state.channel(channelId) ?? this.resolveChannel(channelId);
      this.checkRateLimit(channelId);
      const { activity } = this.state.startThread(channel, this.fromBot(body));
      this.stats.threadsCreated++;
      return { id: activity.id };
    }
    const { channel, thread } = this.lookupThread(conversationId);
    this.checkRateLimit(channelId);
    const stored = this.state.reply(channel, thread, { ...this.fromBot(body), replyToId: replyToId ?? thread.rootId });
    this.stats.replies++;
    return { id: stored.id };
  }

  private updateActivity(conversationId: string, activityId: string, body: Json): { id: string } {
    if (isPersonalConversation(conversationId)) {
      const chat = this.personalChatFor(conversationId);
      const target = chat.activities.find((a) => a.id === activityId);
      if (!target) throw new HttpError(404, 'ActivityNotFound', `Activity ${activityId} not found in ${conversationId}.`);
      this.checkRateLimit(conversationId);
      const bot = this.fromBot(body);
      Object.assign(target, { text: bot.text, attachments: bot.attachments, entities: bot.entities, summary: bot.summary, updatedAt: new Date().toISOString(), version: target.version + 1 });
      this.state.changed(conversationId);
      this.stats.updates++;
      return { id: activityId };
    }
    const { channelId } = parseConversationId(conversationId);
    this.requireInstalled(this.teamOfChannel(channelId));
    const channel = this.state.channel(channelId);
    const thread = channel?.threads.find((t) => t.activities.some((a) => a.id === activityId));
    if (!channel || !thread) throw new HttpError(404, 'ActivityNotFound', `Activity ${activityId} not found in ${conversationId}.`);
    this.checkRateLimit(channelId);
    const bot = this.fromBot(body);
    this.state.update(channel, thread, activityId, { text: bot.text, attachments: bot.attachments, entities: bot.entities, summary: bot.summary });
    this.stats.updates++;
    return { id: activityId };
  }

  private fromBot(activity: Json): Omit<StoredActivity, 'id' | 'createdAt' | 'version'> {
    return {
      type: 'message',
      from: { id: this.botAccountId, name: this.knobs.botName, role: 'bot' },
      text: typeof activity.text === 'string' ? activity.text : undefined,
      textFormat: typeof activity.textFormat === 'string' ? activity.textFormat : undefined,
      attachments: Array.isArray(activity.attachments) ? (activity.attachments as StoredActivity['attachments']) : undefined,
      entities: Array.isArray(activity.entities) ? activity.entities : undefined,
      summary: typeof activity.summary === 'string' ? activity.summary : undefined,
    };
  }

  // ---- the Teams client side: install, post as a person, click a card button ----

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const [head, id, tail] = parts;
    if (head === 'knobs') {
      if (req.method === 'POST' || req.method === 'PATCH') Object.assign(this.knobs, (await readJson(req)) as Partial<ConnectorKnobs>);
      return sendJson(res, 200, this.knobs);
    }
    if (head === 'stats') {
      if (req.method === 'DELETE') Object.assign(this.stats, zeroStats());
      return sendJson(res, 200, this.stats);
    }
    if (head === 'channels' && !id)
      return sendJson(
        res,
        200,
        Object.values(this.state.data.channels).map((c) => ({ ...c, threads: c.threads.length })),
      );
    if (head === 'channels' && id && !tail && req.method === 'GET') {
      const channel = this.state.channel(id);
      if (!channel) throw new HttpError(404, 'NotFound', `No posts in channel ${id}.`);
      return sendJson(res, 200, { ...channel, people: this.people(channel) });
    }
    if (head === 'channels' && id && tail === 'events') return this.openEvents(req, res, id);
    if (head === 'channels' && id && tail === 'messages' && req.method === 'POST') return sendJson(res, 201, await this.postAsPerson(id, (await readJson(req)) as Json));
    if (head === 'invoke' && req.method === 'POST') return sendJson(res, 200, await this.invoke((await readJson(req)) as Json));
    if (head === 'personal' && id && !tail && req.method === 'GET') {
      const chat = this.state.personalChat(personalConversationId(this.knobs.botAppId, id.toLowerCase()));
      if (!chat) throw new HttpError(404, 'NotFound', `User ${id} has no chat with the bot.`);
      return sendJson(res, 200, chat);
    }
    if (head === 'personal' && id && tail === 'messages' && req.method === 'POST') return sendJson(res, 201, await this.writeToBot(id.toLowerCase(), (await readJson(req)) as Json));
    throw new HttpError(404, 'NotFound', `No connector admin route ${req.method} ${url.pathname}`);
  }

  /** Who can act in a channel's page: the members of its team, else every member user of its tenant. */
  private people(channel: ChannelLog): Array<{ id: string; name: string }> {
    const members = new Set(this.host.state.teamMembers(channel.teamId).map((m) => m.userId));
    return this.host.state
      .users(channel.tenantId || undefined)
      .filter((u) => u.userType === 'Member' && (members.size === 0 || members.has(u.id)))
      .map((u) => ({ id: u.id, name: u.displayName }));
  }

  private baseActivity(channel: ChannelLog, conversationId: string, from: ChannelAccount): Json {
    return this.envelope(
      from,
      { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: channel.tenantId },
      {
        teamsChannelId: channel.channelId,
        teamsTeamId: channel.teamThreadId,
        channel: { id: channel.channelId, name: channel.name },
        team: { id: channel.teamThreadId, name: channel.teamName, aadGroupId: channel.teamId },
        tenant: { id: channel.tenantId },
      },
    );
  }

  /** What every activity Teams sends the bot carries: who wrote, to which bot, in which conversation. */
  private envelope(from: ChannelAccount, conversation: Json, channelData: Json): Json {
    return {
      channelId: 'msteams',
      serviceUrl: this.serviceUrl(),
      timestamp: new Date().toISOString(),
      from: { id: `29:${from.aadObjectId ?? from.id}`, name: from.name, aadObjectId: from.aadObjectId ?? from.id },
      recipient: { id: this.botAccountId, name: this.knobs.botName },
      conversation,
      channelData,
    };
  }

  /** Sends an activity to the bot's endpoint; returns its HTTP answer. */
  private async toBot(activity: Json): Promise<{ status: number; body: unknown }> {
    this.stats.activitiesToBot++;
    const token = await this.auth.tokenForBot(this.knobs.botAppId, this.serviceUrl());
    const response = await fetch(this.knobs.botEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: this.state.nextActivityId(), ...activity }),
    });
    const text = await response.text();
    if (!response.ok) this.stats.botErrors++;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    return { status: response.status, body };
  }

  /** What Teams tells the bot when its app is installed or uninstalled (a throw fails an install, as Teams shows it failed). */
  async onInstallation({ action, installation, app }: AppInstallationEvent): Promise<void> {
    if (!app.botId || app.botId !== this.knobs.botAppId.toLowerCase()) return;
    const installer = { id: installation.installedByUserId ?? 'installer', name: this.host.state.raw().users[installation.installedByUserId ?? '']?.displayName ?? 'Team owner' };
    if (installation.scope.kind === 'user') return this.personalInstallation(action, installation.scope.userId, installation.tenantId);
    const teamId = installation.scope.teamId;
    const general = this.generalChannel(teamId);
    const base = this.baseActivity(general, general.channelId, installer);
    const eventType = action === 'add' ? 'teamMemberAdded' : 'teamMemberRemoved';
    const bot = [{ id: this.botAccountId }];
    const membership = { ...base, type: 'conversationUpdate', ...(action === 'add' ? { membersAdded: bot } : { membersRemoved: bot }), channelData: { ...(base.channelData as Json), eventType } };
    if (action === 'remove') {
      delete this.state.data.installs[teamId];
      this.state.changed(general.channelId);
      await this.toBot({ ...base, type: 'installationUpdate', action: 'remove' });
      await this.toBot(membership);
      return;
    }
    // Teams sends installationUpdate and conversationUpdate (teamMemberAdded) in the General channel.
    const first = await this.toBot({ ...base, type: 'installationUpdate', action: 'add' });
    if (first.status >= 300) throw new Error(`the bot answered the installation with ${first.status}`);
    await this.toBot(membership);
    this.state.data.installs[teamId] = { at: new Date().toISOString(), tenantId: installation.tenantId };
    this.state.changed(general.channelId);
  }

  /** The team's General channel (and its other channels) on the pages, named as the tenant knows them. */
  private generalChannel(teamId: string): ChannelLog {
    const team = this.host.state.raw().teams[teamId];
    if (!team) throw new Error(`team ${teamId} does not exist`);
    const channelOf = (channelId: string, name: string) => this.state.ensureChannel({ channelId, teamId, teamThreadId: team.internalId, tenantId: team.tenantId, teamName: team.displayName, name });
    for (const c of this.host.state.channels(teamId)) channelOf(c.id, c.displayName);
    return channelOf(team.internalId, 'General');
  }

  /** The personal app added or removed: Teams sends the bot installationUpdate and conversationUpdate in the 1:1 chat. */
  private async personalInstallation(action: 'add' | 'remove', userId: string, tenantId: string): Promise<void> {
    const user = this.host.state.raw().users[userId];
    const chat = this.state.ensurePersonalChat({ conversationId: personalConversationId(this.knobs.botAppId, userId), userId, tenantId });
    const base = this.personalBase(chat, { id: userId, name: user?.displayName ?? userId, aadObjectId: userId });
    const bot = [{ id: this.botAccountId }];
    const first = await this.toBot({ ...base, type: 'installationUpdate', action });
    if (action === 'add' && first.status >= 300) throw new Error(`the bot answered the installation with ${first.status}`);
    await this.toBot({ ...base, type: 'conversationUpdate', ...(action === 'add' ? { membersAdded: bot } : { membersRemoved: bot }) });
  }

  /** A staff member writes in a channel (new post) or replies in a thread; the bot hears it as Teams would deliver it. */
  private async postAsPerson(channelId: string, body: Json): Promise<{ conversationId: string; activityId: string; delivered: boolean; bot: { status: number } | null }> {
    const channel = this.resolveChannel(channelId);
    const from = parsePerson(body.from);
    const text = String(body.text ?? '');
    const mention = body.mentionBot === true;
    const shown = mention ? `<at>${this.knobs.botName}</at> ${text}` : text;
    const entities = mention ? [{ type: 'mention', text: `<at>${this.knobs.botName}</at>`, mentioned: { id: this.botAccountId, name: this.knobs.botName } }] : [];
    const person: ChannelAccount = { id: from.id, name: from.name, aadObjectId: from.id, role: 'user' };
    let conversationId: string;
    let activityId: string;
    if (typeof body.conversationId === 'string' && body.conversationId) {
      const { thread } = this.lookupThread(body.conversationId);
      const stored = this.state.reply(channel, thread, { type: 'message', from: person, text: shown, entities });
      conversationId = thread.conversationId;
      activityId = stored.id;
    } else {
      const { thread, activity } = this.state.startThread(channel, { type: 'message', from: person, text: shown, entities });
      conversationId = thread.conversationId;
      activityId = activity.id;
    }
    // Teams delivers channel messages only to bots installed in the team, and only @mentions unless
    // the installed app declares the ChannelMessage.Read.Group RSC (consented at installation): see the knob.
    const installed = installationFor(this.host.state.raw(), { botId: this.knobs.botAppId }, { teamId: channel.teamId });
    const receivesAll = installed !== undefined && this.knobs.receiveAllChannelMessages && installed.app.resourceSpecificPermissions.includes('ChannelMessage.Read.Group');
    if (!installed || (!mention && !receivesAll)) return { conversationId, activityId, delivered: false, bot: null };
    const bot = await this.toBot({ ...this.baseActivity(channel, conversationId, person), type: 'message', id: activityId, text: shown, textFormat: 'plain', entities });
    return { conversationId, activityId, delivered: true, bot: { status: bot.status } };
  }

  /**
   * A user writes to the bot in their 1:1 chat. Teams offers the chat only to someone who has the
   * personal app, so without it the message never reaches the bot (409 here, for the test to see).
   */
  private async writeToBot(userId: string, body: Json): Promise<{ conversationId: string; activityId: string; bot: { status: number } }> {
    const user = this.host.state.raw().users[userId];
    if (!user) throw new HttpError(404, 'NotFound', `No user ${userId}.`);
    if (!installationFor(this.host.state.raw(), { botId: this.knobs.botAppId }, { userId })) throw new HttpError(409, 'AppNotInstalled', `${user.displayName} does not have the bot's app installed, so Teams offers no chat with it.`);
    const chat = this.state.ensurePersonalChat({ conversationId: personalConversationId(this.knobs.botAppId, userId), userId, tenantId: user.tenantId });
    const person: ChannelAccount = { id: userId, name: user.displayName, aadObjectId: userId, role: 'user' };
    const text = String(body.text ?? '');
    const stored = this.state.say(chat, { type: 'message', from: person, text });
    const bot = await this.toBot({ ...this.personalBase(chat, person), type: 'message', id: stored.id, text, textFormat: 'plain' });
    return { conversationId: chat.conversationId, activityId: stored.id, bot: { status: bot.status } };
  }

  /** What every activity in a 1:1 chat carries: Teams marks it personal and names only the tenant. */
  private personalBase(chat: PersonalChat, from: ChannelAccount): Json {
    return this.envelope(from, { id: chat.conversationId, conversationType: 'personal', tenantId: chat.tenantId }, { tenant: { id: chat.tenantId } });
  }

  /** A click on an Action.Execute button: an `adaptiveCard/action` invoke; a card in the answer replaces the card shown. */
  private async invoke(body: Json): Promise<{ status: number; response: unknown }> {
    const conversationId = String(body.conversationId ?? '');
    const activityId = String(body.activityId ?? '');
    const { channel, thread } = this.lookupThread(conversationId);
    const from = parsePerson(body.from);
    const action = (body.action ?? {}) as Json;
    const bot = await this.toBot({
      ...this.baseActivity(channel, conversationId, { id: from.id, name: from.name, aadObjectId: from.id }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: activityId,
      value: { action: { type: 'Action.Execute', verb: action.verb, data: action.data ?? {} }, trigger: 'manual' },
    });
    const answer = (bot.body ?? {}) as Json;
    if (answer.type === 'application/vnd.microsoft.card.adaptive' && answer.value && typeof answer.value === 'object') {
      const target = thread.activities.find((a) => a.id === activityId);
      if (target) this.state.update(channel, thread, activityId, { ...target, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: answer.value }] });
    }
    return { status: bot.status, response: answer };
  }

  private openEvents(req: IncomingMessage, res: ServerResponse, _channelId: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.sseClients.add(res);
    req.on('close', () => this.sseClients.delete(res));
  }

  private async serveAsset(path: string, res: ServerResponse): Promise<void> {
    if (path === '/_assets/adaptivecards.min.js') {
      const file = requireFromHere.resolve('adaptivecards/dist/adaptivecards.min.js');
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
      res.end(await fs.readFile(file));
      return;
    }
    if (path === '/_assets/channel.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(CHANNEL_PAGE_SCRIPT);
      return;
    }
    throw new HttpError(404, 'NotFound', 'No such asset.');
  }

  // ---- pages ----

  /** Each team of the simulated tenants with the catalog apps that have a bot, installed or not. */
  private teamApps(): TeamAppsRow[] {
    const data = this.host.state.raw();
    return this.host.state.teams().map((team) => ({
      teamId: team.id,
      teamName: team.displayName,
      apps: Object.values(data.teamsApps)
        .filter((app) => app.tenantId === team.tenantId && app.botId)
        .map((app) => ({ teamsAppId: app.id, name: app.displayName, installationId: installationFor(data, { clientId: app.clientId }, { teamId: team.id })?.installation.id ?? null })),
    }));
  }

  /** The page's Install/Uninstall buttons act through the simulator's admin API, as a team owner would in Teams. */
  private async installFromPage(req: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const teamId = encodeURIComponent(form.get('teamId') ?? '');
    const base = `${this.host.urls().http}/_admin/teams/${teamId}/installedApps`;
    const response =
      form.get('action') === 'uninstall'
        ? await fetch(`${base}/${encodeURIComponent(form.get('installationId') ?? '')}`, { method: 'DELETE' })
        : await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ teamsAppId: form.get('teamsAppId') ?? '' }) });
    return response.ok ? null : `The ${form.get('action') ?? 'install'} failed: ${response.status} ${await response.text()}`;
  }

  async handlePages(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const headers = {
      'content-type': 'text/html; charset=utf-8',
      // Scripts only from this origin (the renderer and the page script); card text is never HTML.
      'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'",
    };
    const index = (status: number, problem?: string) => {
      res.writeHead(status, headers);
      res.end(channelsIndexPage(Object.values(this.state.data.channels), this.teamApps(), problem));
    };
    if (parts[0] === '_apps' && req.method === 'POST') {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return index(403, 'Installing apps is available from loopback only.');
      const problem = await this.installFromPage(req);
      if (problem) return index(502, problem);
      res.writeHead(303, { location: '/channels' });
      res.end();
      return;
    }
    if (parts.length === 0) return index(200);
    const [teamId, channelId] = parts;
    const channel = channelId ? this.state.channel(channelId) : undefined;
    if (!channel || channel.teamId !== teamId) return index(404, `No channel ${channelId ?? ''} in team ${teamId}.`);
    res.writeHead(200, headers);
    res.end(channelPage(channel));
  }
}

function parsePerson(value: unknown): { id: string; name: string } {
  const person = (value ?? {}) as Json;
  const id = String(person.aadObjectId ?? person.id ?? '');
  if (!id) throw new HttpError(400, 'BadArgument', 'from.aadObjectId is required.');
  return { id, name: String(person.name ?? id) };
}

/**
 * Teams refuses a bot message over 100 KB with 413 MessageSizeTooBig. The limit counts the
 * message (text, card, mentions) encoded as UTF-16, so it is taken here as two bytes per UTF-16
 * code unit of the activity's JSON: the stricter of the documented readings (the docs call it
 * approximate and advise staying under 80 KB).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
 */
function checkMessageSize(activity: unknown): void {
  const utf16Bytes = JSON.stringify(activity ?? {}).length * 2;
  if (utf16Bytes > MESSAGE_SIZE_LIMIT_BYTES) throw new HttpError(413, 'MessageSizeTooBig', 'Message size too large.');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new HttpError(413, 'MessageTooLarge', 'The activity is larger than the connector accepts.');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BadSyntax', 'The body is not JSON.');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (error instanceof DeniedError) sendJson(res, 401, { message: error.message }, { 'www-authenticate': 'Bearer' });
  else if (error instanceof HttpError) sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
  else sendJson(res, 500, { error: { code: 'InternalServerError', message: String(error) } });
}
