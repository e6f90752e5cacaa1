import type { TurnContext } from 'botbuilder';
import { Repo } from '../../src/store/repo';
import { bold, run } from '../cards';
import type { Command } from '../incoming';
import { BotStore } from '../store';
import type { Kit } from './kit';

/** `link case <number>` (local testing only): binds a channel to a case, as CaseRoom's own case channels are. */
export async function linkCase(k: Kit, context: TurnContext, firmId: string, channelId: string | null, cmd: Extract<Command, { name: 'linkCase' }>): Promise<void> {
  const { d, say, problem } = k;
  if (!d.allowChannelLinking || !channelId) return say(context, problem('Not available', [run('Case channels are created by CaseRoom; linking by hand is for local testing only.')]), 'Not available');
  const target = (await new Repo(d.db).listCases(firmId)).find((x) => x.number.toLowerCase() === cmd.number.toLowerCase());
  if (!target) return say(context, problem('No such case', [run('No case numbered '), bold(cmd.number), run('.')]), 'No such case');
  await new BotStore(d.db).linkChannel(channelId, target.id);
  return say(context, problem('Channel linked', [run('This channel now stands for '), bold(target.number), run(' (local testing).')], target), 'Channel linked');
}
