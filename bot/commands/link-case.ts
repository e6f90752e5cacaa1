import type { TurnContext } from 'botbuilder';
import type { StaffActor } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import { bold, run } from '../cards';
import type { Command } from '../incoming';
import { BotStore } from '../store';
import type { Kit } from './kit';

/** `link case <number>` (local testing only): binds a channel to a case, as CaseRoom's own case channels are. */
export async function linkCase(k: Kit, context: TurnContext, actor: StaffActor, channelId: string | null, cmd: Extract<Command, { name: 'linkCase' }>): Promise<void> {
  const { d, say, problem } = k;
  if (!d.allowChannelLinking || !channelId) return say(context, problem('Not available', [run('Case channels are created by CaseRoom; linking by hand is for local testing only.')]), 'Not available');
  const repo = new Repo(d.db);
  const hidden = await repo.hiddenCasesFor(actor);
  const target = (await repo.listCases(actor.firmId)).find((x) => x.number.toLowerCase() === cmd.number.toLowerCase() && !hidden.has(x.id));
  if (!target) return say(context, problem('No such case', [run('No case numbered '), bold(cmd.number), run('.')]), 'No such case');
  await new BotStore(d.db).linkChannel(channelId, target.id);
  return say(context, problem('Channel linked', [run('This channel now stands for '), bold(target.number), run(' (local testing).')], target), 'Channel linked');
}
