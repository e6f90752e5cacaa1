/**
 * Graph's view of the simulated channels: the same posts the Bot Connector holds, read as
 * Microsoft Graph v1.0 `chatMessage` resources (shape from the v1.0 CSDL, entity chatMessage):
 *   GET /v1.0/teams/{team-id}/channels/{channel-id}/messages                      thread roots
 *   GET /v1.0/teams/{team-id}/channels/{channel-id}/messages/{message-id}         one root
 *   GET /v1.0/teams/{team-id}/channels/{channel-id}/messages/{message-id}/replies replies
 * Newest first, `$top` up to 50 (default 20), paged with @odata.nextLink.
 * Access (learn.microsoft.com/graph/api/channel-list-messages): an app through the
 * resource-specific consent ChannelMessage.Read.Group, which exists only while the app is
 * installed in the team; a user who is a member of the team. Guests of the tenant who are not
 * members get 403.
 */
import type { SimulatorPluginHost } from '../plugins';
import { GraphError, invalidRequest, notFound } from '../web/errors';
import type { SimRequest } from '../web/types';
import type { ConnectorKnobs } from './index';
import type { ChannelLog, ConnectorState, StoredActivity, Thread } from './state';

type Json = Record<string, unknown>;

export function registerChannelMessageRoutes(host: SimulatorPluginHost, state: ConnectorState, knobs: ConnectorKnobs): void {
  const base = '/v1.0/teams/{teamId}/channels/{channelId}/messages';
  host.graphRoute('GET', base, async (req) => {
    const channel = readableChannel(host, state, req);
    const roots = [...channel.threads].reverse().map((t) => ({ thread: t, activity: t.activities[0] }));
    return page(
      req,
      roots.map(({ activity }) => chatMessage(channel, activity, null, knobs)),
    );
  });
  host.graphRoute('GET', `${base}/{messageId}`, async (req) => {
    const channel = readableChannel(host, state, req);
    return { status: 200, json: chatMessage(channel, threadOf(channel, req.params.messageId).activities[0], null, knobs) };
  });
  host.graphRoute('GET', `${base}/{messageId}/replies`, async (req) => {
    const channel = readableChannel(host, state, req);
    const thread = threadOf(channel, req.params.messageId);
    return page(
      req,
      thread.activities
        .slice(1)
        .reverse()
        .map((a) => chatMessage(channel, a, thread.rootId, knobs)),
    );
  });
}

function readableChannel(host: SimulatorPluginHost, state: ConnectorState, req: SimRequest): ChannelLog {
  const caller = req.caller;
  if (!caller) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const { teamId, channelId } = req.params;
  const team = host.state.teams(caller.tenantId).find((t) => t.id === teamId);
  if (!team) throw new GraphError(404, 'NotFound', `No team found with Group Id ${teamId}`);
  // An app's ChannelMessage.Read.Group consent (present only where it is installed) was checked
  // by the Graph pipeline's authorisation (graph/authorization.ts) before this route ran.
  if (caller.kind === 'user' && !host.state.teamMembers(teamId).some((m) => m.userId === caller.userId && m.channelId === null)) throw new GraphError(403, 'Forbidden', 'The user is not a member of this team.');
  const exists = host.state.channels(teamId).some((c) => c.id === channelId);
  const channel = state.channel(channelId);
  if (!exists && !channel) throw new GraphError(404, 'NotFound', `Channel ${channelId} not found in team ${teamId}.`);
  return channel ?? { channelId, teamId, teamThreadId: '', tenantId: team.tenantId, teamName: team.displayName, name: channelId, threads: [] };
}

function threadOf(channel: ChannelLog, messageId: string): Thread {
  const thread = channel.threads.find((t) => t.rootId === messageId);
  if (!thread) throw notFound(`Message ${messageId} not found.`);
  return thread;
}

function page(req: SimRequest, all: Json[]): { status: number; json: Json } {
  const topParam = req.query.get('$top');
  const top = topParam === null ? 20 : Number(topParam);
  if (!Number.isInteger(top) || top < 1 || top > 50) throw invalidRequest(`Invalid $top value '${topParam}': between 1 and 50.`);
  const skip = Number(req.query.get('$skiptoken') ?? 0);
  if (!Number.isInteger(skip) || skip < 0) throw invalidRequest('Invalid $skiptoken.');
  const json: Json = { '@odata.context': `${req.origin}/v1.0/$metadata#chatMessages`, '@odata.count': all.length, value: all.slice(skip, skip + top) };
  if (skip + top < all.length) {
    const next = new URL(`${req.origin}${req.rawPath}`);
    next.searchParams.set('$top', String(top));
    next.searchParams.set('$skiptoken', String(skip + top));
    json['@odata.nextLink'] = next.toString();
  }
  return { status: 200, json };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A stored activity as Graph's chatMessage: cards become attachments whose content is the card JSON, referenced from the HTML body. */
function chatMessage(channel: ChannelLog, a: StoredActivity, replyToId: string | null, knobs: ConnectorKnobs): Json {
  const attachments = (a.attachments ?? []).map((x, i) => ({
    id: `${a.id}-${i}`,
    contentType: x.contentType,
    contentUrl: x.contentUrl ?? null,
    content: x.content === undefined ? null : typeof x.content === 'string' ? x.content : JSON.stringify(x.content),
    name: x.name ?? null,
    thumbnailUrl: null,
    teamsAppId: null,
  }));
  const html = `${a.text ? `<p>${escapeHtml(a.text)}</p>` : ''}${attachments.map((x) => `<attachment id="${x.id}"></attachment>`).join('')}`;
  const bot = a.from.role === 'bot';
  return {
    id: a.id,
    replyToId,
    etag: String(a.version),
    messageType: 'message',
    createdDateTime: a.createdAt,
    lastModifiedDateTime: a.updatedAt ?? a.createdAt,
    lastEditedDateTime: a.updatedAt ?? null,
    deletedDateTime: null,
    subject: null,
    summary: a.summary ?? null,
    chatId: null,
    importance: 'normal',
    locale: 'en-us',
    webUrl: `https://teams.microsoft.com/l/message/${encodeURIComponent(channel.channelId)}/${a.id}`,
    channelIdentity: { teamId: channel.teamId, channelId: channel.channelId },
    policyViolation: null,
    eventDetail: null,
    from: bot
      ? { application: { '@odata.type': '#microsoft.graph.teamworkApplicationIdentity', id: knobs.botAppId, displayName: knobs.botName, applicationIdentityType: 'bot' }, device: null, user: null }
      : { application: null, device: null, user: { '@odata.type': '#microsoft.graph.teamworkUserIdentity', id: a.from.aadObjectId ?? a.from.id, displayName: a.from.name, userIdentityType: 'aadUser' } },
    body: { contentType: 'html', content: html },
    attachments,
    mentions: [],
    reactions: [],
    messageHistory: [],
  };
}
