import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import { parseAction, type ParsedAction } from './actions';

/**
 * Incoming Bot Framework activities, narrowed once into what CaseRoom acts on. Everything
 * downstream switches on `kind` and never reads raw activity fields.
 */

export interface Sender {
  aadObjectId: string | null;
  name: string;
}

interface Where {
  tenantId: string | null;
  /** Graph team id (aadGroupId) when Teams sends it, else Bot Framework's team id. */
  teamId: string | null;
  teamThreadId: string | null;
  teamName: string | null;
  channelId: string | null;
  channelName: string | null;
  conversationId: string;
  /** The user's 1:1 chat with the bot (personal scope), where no case channel gives the context. */
  personal: boolean;
  reference: Partial<ConversationReference>;
}

export type Incoming =
  | ({ kind: 'installed'; serviceUrl: string; botId: string } & Where)
  | ({ kind: 'uninstalled' } & Where)
  | ({ kind: 'channelSeen' } & Where)
  | ({ kind: 'message'; text: string; mentionedBot: boolean; from: Sender; activityId: string } & Where)
  | ({ kind: 'cardAction'; action: ParsedAction; from: Sender; replyToId: string | null } & Where)
  | { kind: 'ignored'; reason: string };

type TeamsChannelData = {
  eventType?: string;
  team?: { id?: string; name?: string; aadGroupId?: string };
  channel?: { id?: string; name?: string };
  tenant?: { id?: string };
};

function where(activity: Activity): Where {
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  return {
    tenantId: data.tenant?.id ?? activity.conversation?.tenantId ?? null,
    teamId: data.team?.aadGroupId ?? data.team?.id ?? null,
    teamThreadId: data.team?.id ?? null,
    teamName: data.team?.name ?? null,
    channelId: data.channel?.id ?? null,
    channelName: data.channel?.name ?? null,
    conversationId: activity.conversation?.id ?? '',
    personal: activity.conversation?.conversationType === 'personal',
    reference: TurnContext.getConversationReference(activity),
  };
}

const sender = (activity: Activity): Sender => ({ aadObjectId: activity.from?.aadObjectId ?? null, name: activity.from?.name ?? 'Someone' });

export function parseIncoming(context: TurnContext): Incoming {
  const activity = context.activity;
  const w = where(activity);
  const botId = activity.recipient?.id ?? '';
  switch (activity.type) {
    case 'installationUpdate':
      if (activity.action === 'add' || activity.action === 'add-upgrade') return { kind: 'installed', serviceUrl: activity.serviceUrl, botId, ...w };
      if (activity.action === 'remove' || activity.action === 'remove-upgrade') return { kind: 'uninstalled', ...w };
      return { kind: 'ignored', reason: `installationUpdate ${activity.action}` };
    case 'conversationUpdate': {
      const eventType = ((activity.channelData ?? {}) as TeamsChannelData).eventType;
      const botAdded = (activity.membersAdded ?? []).some((m) => m.id === botId);
      const botRemoved = (activity.membersRemoved ?? []).some((m) => m.id === botId);
      if (botAdded) return { kind: 'installed', serviceUrl: activity.serviceUrl, botId, ...w };
      if (botRemoved) return { kind: 'uninstalled', ...w };
      if (eventType === 'channelCreated' || eventType === 'channelRenamed' || eventType === 'channelRestored') return { kind: 'channelSeen', ...w };
      return { kind: 'ignored', reason: `conversationUpdate ${eventType ?? ''}` };
    }
    case 'message': {
      const mentionedBot = (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === botId);
      // Teams puts `<at>CaseRoom</at>` in the text for the bot's mention (and an entity naming it):
      // removed, what is left is what the person wrote to the bot, or to a guest through it.
      // Anyone else mentioned stays in the text as their name.
      const text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
      const botName = activity.recipient?.name ?? '';
      return {
        kind: 'message',
        text: text
          // A second mention of the bot, or one whose entity text differs from the markup, is still not part of the message.
          .replace(/<at>([^<]*)<\/at>/g, (_, name: string) => (botName && name.trim() === botName ? '' : name))
          .replace(/[ \t]+/g, ' ')
          .replace(/ *\n */g, '\n')
          .trim(),
        mentionedBot,
        from: sender(activity),
        activityId: activity.id ?? '',
        ...w,
      };
    }
    case 'invoke':
      if (activity.name === 'adaptiveCard/action') {
        const value = (activity.value ?? {}) as { action?: { verb?: unknown; data?: unknown } };
        return { kind: 'cardAction', action: parseAction(value.action), from: sender(activity), replyToId: activity.replyToId ?? null, ...w };
      }
      return { kind: 'ignored', reason: `invoke ${activity.name ?? ''}` };
    default:
      return { kind: 'ignored', reason: activity.type };
  }
}

/** `caseQuery`: the case named after the command (a number or words of its title), needed outside a case channel. */
export type Command =
  { name: 'help' } | { name: 'whoHasAccess'; caseQuery?: string } | { name: 'status'; caseQuery?: string } | { name: 'share'; file: string; contact: string } | { name: 'linkCase'; number: string } | { name: 'unknown'; text: string };

const unquote = (s: string) =>
  s
    .trim()
    .replace(/^["“'‘](.*)["”'’]$/, '$1')
    .trim();

export function parseCommand(text: string): Command {
  const t = text.trim();
  if (/^(help|\?)$/i.test(t)) return { name: 'help' };
  const who = /^who\s+has\s+access(?:\s+(?:to\s+)?(.+?))?\??$/i.exec(t);
  if (who) return who[1] ? { name: 'whoHasAccess', caseQuery: unquote(who[1]) } : { name: 'whoHasAccess' };
  const status = /^status(?:\s+(?:of\s+)?(.+?))?\??$/i.exec(t);
  if (status) return status[1] ? { name: 'status', caseQuery: unquote(status[1]) } : { name: 'status' };
  const share = /^share\s+(.+?)\s+with\s+(.+)$/i.exec(t);
  if (share) return { name: 'share', file: unquote(share[1]), contact: unquote(share[2]) };
  const link = /^link\s+case\s+(\S+)$/i.exec(t);
  if (link) return { name: 'linkCase', number: link[1] };
  return { name: 'unknown', text: t };
}
