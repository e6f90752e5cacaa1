import type { TurnContext } from 'botbuilder';
import { DomainError } from '../src/domain/errors';
import { Repo } from '../src/store/repo';
import { accessRefreshButton } from './buttons/access-refresh';
import { reviewButton } from './buttons/access-review';
import { grantButton } from './buttons/grant';
import type { Press } from './buttons/press';
import { shareBackButton } from './buttons/share-back';
import { threadReplyButton } from './buttons/thread-reply';
import { run } from './cards';
import { help, notUnderstood } from './commands/help';
import { onInstalled, onUninstalled } from './commands/installation';
import { caseOfChannel, createKit, type HandlerDeps, type InvokeBody, message, whoIs } from './commands/kit';
import { linkCase } from './commands/link-case';
import { onPersonalInstall, onPersonalMessage } from './commands/personal';
import { relay } from './commands/relay';
import { share } from './commands/share';
import { status } from './commands/status';
import { whoHasAccess } from './commands/who-has-access';
import { type Incoming, parseCommand } from './incoming';
import { BotStore } from './store';

export type { HandlerDeps, InvokeBody } from './commands/kit';

/**
 * What the bot does when Teams talks to it: installation, commands in a case channel, card
 * buttons, and staff replies sent to the guest from bridged threads (bot/commands/relay.ts). Each acts through the services with the
 * Teams user's identity, resolved to a staff member of the firm that owns the tenant.
 * This is the dispatcher: each command lives in bot/commands/, each button in bot/buttons/.
 */
export function createHandlers(d: HandlerDeps) {
  const k = createKit(d);

  async function onMessage(context: TurnContext, m: Extract<Incoming, { kind: 'message' }>) {
    if (m.personal) return onPersonalMessage(k, context, m);
    const repo = new Repo(d.db);
    const store = new BotStore(d.db);
    if (m.channelId && m.tenantId && m.teamId)
      await store.saveChannel({ channelId: m.channelId, teamId: m.teamId, tenantId: m.tenantId, name: m.channelName, reference: { ...m.reference, conversation: { ...m.reference.conversation, id: m.channelId } as never } });
    const bridged = m.conversationId ? await repo.threadByConversation(m.conversationId) : null;
    const cmd = parseCommand(m.text);
    const isCommand = cmd.name !== 'unknown' && (m.mentionedBot || !m.channelId);
    // A reply in a bridged thread that does not @mention CaseRoom is staff talking among themselves
    // (with ChannelMessage.Read.Group Teams delivers it anyway): it stays in Teams, nothing is stored or said.
    if (!isCommand && bridged && !m.mentionedBot) return;
    if (!isCommand && !bridged) {
      // Channel chatter that is not for the bot; a mention without a known command gets help.
      if (m.mentionedBot || !m.channelId) await notUnderstood(k, context, m.text);
      return;
    }
    const who = await whoIs(repo, m.tenantId, m.from, d.isStaffMember);
    if (!who.ok) {
      if (isCommand || bridged) await k.say(context, k.problem('Not available', [run(who.reason)]), who.reason);
      return;
    }
    if (!isCommand && bridged) return relay(k, context, who.actor, bridged, m.text);
    if (cmd.name === 'help') return help(k, context);
    if (cmd.name === 'linkCase') return linkCase(k, context, who.actor, m.channelId, cmd);
    const c = await caseOfChannel(repo, store, who.actor, m.channelId);
    if (!c) return k.say(context, k.problem('Not a case channel', [run('This channel is not a CaseRoom case channel. Use the commands in the channel of a case.')]), 'Not a case channel');
    if (cmd.name === 'whoHasAccess') return whoHasAccess(k, { context, actor: who.actor, c, cmd });
    if (cmd.name === 'status') return status(k, { context, actor: who.actor, c, cmd });
    if (cmd.name === 'share') return share(k, { context, actor: who.actor, c, cmd });
  }

  async function onCardAction(a: Extract<Incoming, { kind: 'cardAction' }>): Promise<InvokeBody> {
    if (!a.action.ok) {
      return message(
        a.action.reason === 'unknown'
          ? `CaseRoom does not know the button "${a.action.verbName || '(none)'}". This card may come from an older version; ask CaseRoom again for a fresh one.`
          : `This button's data is not valid for "${a.action.verbName}". Ask CaseRoom again for a fresh card.`,
      );
    }
    const repo = new Repo(d.db);
    const who = await whoIs(repo, a.tenantId, a.from, d.isStaffMember);
    if (!who.ok) return message(who.reason);
    const verb = a.action.verb;
    const press: Omit<Press, 'verb'> = { who, repo, action: a };
    try {
      switch (verb.verb) {
        case 'grant.extend':
        case 'grant.revoke':
          return await grantButton(k, { ...press, verb });
        case 'upload.shareBack':
          return await shareBackButton(k, { ...press, verb });
        case 'access.refresh':
          return await accessRefreshButton(k, { ...press, verb });
        case 'review.decide':
          return await reviewButton(k, { ...press, verb });
        case 'thread.reply':
          return await threadReplyButton(k, { ...press, verb });
      }
    } catch (err) {
      if (err instanceof DomainError) return message(`CaseRoom could not do that: ${err.message}`);
      throw err;
    }
  }

  return {
    async onTurn(context: TurnContext, incoming: Incoming): Promise<InvokeBody | null> {
      switch (incoming.kind) {
        case 'installed':
          if (incoming.personal) await onPersonalInstall(k, context, incoming);
          else await onInstalled(d, context, incoming);
          return null;
        case 'uninstalled':
          await onUninstalled(d, incoming.teamId);
          return null;
        case 'channelSeen':
          if (incoming.channelId && incoming.teamId && incoming.tenantId)
            await new BotStore(d.db).saveChannel({ channelId: incoming.channelId, teamId: incoming.teamId, tenantId: incoming.tenantId, name: incoming.channelName, reference: incoming.reference });
          return null;
        case 'message':
          await onMessage(context, incoming);
          return null;
        case 'cardAction':
          return onCardAction(incoming);
        case 'ignored':
          return null;
      }
    },
  };
}
