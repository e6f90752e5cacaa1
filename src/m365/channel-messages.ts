import { GraphRequestError } from './errors';
import { APP, type GraphGateway, seg } from './graph';

/**
 * Reads a case channel's messages (Graph `chatMessage`, v1.0) to find a card the bot posted:
 * `GET /teams/{team}/channels/{channel}/messages` for thread roots, `.../messages/{id}/replies`
 * for replies. App-only, allowed by the bot's resource-specific consent ChannelMessage.Read.Group
 * (appPackage/manifest.json). An Adaptive Card comes back as a chatMessageAttachment whose
 * `content` is the card's JSON, so a marker inside the card can be matched as text.
 */
export interface ChatMessageJson {
  id: string;
  replyToId?: string | null;
  deletedDateTime?: string | null;
  attachments?: Array<{ id?: string | null; contentType?: string | null; content?: string | null }>;
}

export interface ChannelMessagesPort {
  /** The bot's message carrying `marker`: among the channel's thread roots, or among the replies to `rootMessageId`. */
  findBotMessage(q: { teamId: string; channelId: string; rootMessageId: string | null; marker: string }): Promise<{ messageId: string } | null>;
}

/** Pages read before giving up (50 messages each): a retry follows its first attempt within minutes, and Teams lists newest first. */
const MAX_PAGES = 20;

export function gatewayChannelMessages(graph: GraphGateway): ChannelMessagesPort {
  return {
    async findBotMessage({ teamId, channelId, rootMessageId, marker }) {
      const base = `/teams/${seg(teamId)}/channels/${seg(channelId)}/messages`;
      let next: string | undefined = rootMessageId ? `${base}/${seg(rootMessageId)}/replies?$top=50` : `${base}?$top=50`;
      for (let page = 0; next && page < MAX_PAGES; page++) {
        let body: { value?: ChatMessageJson[]; '@odata.nextLink'?: string };
        try {
          body = await graph.call({ method: 'GET', path: next, auth: APP, maxInlineWaitSeconds: 10 });
        } catch (err) {
          // The thread's root is gone, so is any reply in it.
          if (err instanceof GraphRequestError && err.status === 404 && rootMessageId) return null;
          throw err;
        }
        const hit = (body.value ?? []).find((m) => !m.deletedDateTime && (m.attachments ?? []).some((a) => typeof a.content === 'string' && a.content.includes(marker)));
        if (hit) return { messageId: hit.id };
        next = body['@odata.nextLink'];
      }
      return null;
    },
  };
}
