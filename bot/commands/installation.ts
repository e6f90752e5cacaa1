import type { TurnContext } from 'botbuilder';
import { adoptCasesTeam, releaseCasesTeam } from '../../src/services/cases-teams';
import type { Incoming } from '../incoming';
import { BotStore } from '../store';
import type { HandlerDeps } from './kit';

/** The bot added to a team: remember where it may post, and give the team the firm's case channels. */
export async function onInstalled(d: HandlerDeps, context: TurnContext, i: Extract<Incoming, { kind: 'installed' }>): Promise<void> {
  if (!i.teamId || !i.tenantId) return;
  const store = new BotStore(d.db);
  const reference = { ...i.reference, conversation: { ...i.reference.conversation, id: i.teamThreadId ?? i.conversationId } as never };
  await store.saveInstallation({ teamId: i.teamId, tenantId: i.tenantId, serviceUrl: i.serviceUrl, botId: i.botId, reference });
  await store.saveChannel({ channelId: i.teamThreadId ?? i.conversationId, teamId: i.teamId, tenantId: i.tenantId, name: 'General', reference });
  d.logger.info({ teamId: i.teamId }, 'bot installed in a team');
  // Installed by the firm's admin in a team of its tenant: that team takes the firm's case channels.
  await adoptCasesTeam(d.db, d.logger, { tenantId: i.tenantId, teamId: i.teamId, displayName: i.teamName ?? 'Cases' });
  // Teams sends both installationUpdate and conversationUpdate for one install: greet once.
  if (context.activity.type === 'installationUpdate')
    await context.sendActivity({
      type: 'message',
      text: 'CaseRoom is installed. It posts in each case channel when guests upload or write, and when sharing changes. Mention CaseRoom with "help" in a case channel for commands.',
      textFormat: 'plain',
    });
}

/** The bot removed from a team: it posts there no more, and the team gives up the case channels. */
export async function onUninstalled(d: HandlerDeps, teamId: string | null): Promise<void> {
  if (!teamId) return;
  await new BotStore(d.db).markUninstalled(teamId);
  await releaseCasesTeam(d.db, d.logger, teamId);
}
