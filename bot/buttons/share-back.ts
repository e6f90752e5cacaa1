import type { PostData } from '../notices';
import { BotStore } from '../store';
import { Repo } from '../../src/store/repo';
import { cardBody, message } from '../commands/kit';
import { type Button, resolvePost } from './press';

/** Share back on an upload card: the guest's uploads shared with them, once. */
export const shareBackButton: Button<'upload.shareBack'> = async (k, { who, verb, action: a }) => {
  const { d } = k;
  const post = await new BotStore(d.db).post(verb.postKey);
  if (!post || post.firmId !== who.firm.id || post.kind !== 'upload' || (await new Repo(d.db).hiddenCasesFor(who.actor)).has(post.caseId)) return message('This card is out of date: CaseRoom no longer knows these uploads.');
  const data = post.data as Extract<PostData, { kind: 'upload' }>;
  if (data.sharedBack) return message(`Already shared back by ${data.sharedBack.by}.`);
  await d.sharing.shareItems(who.actor, { contactIds: [data.contactId], itemIds: post.itemIds, expiresAt: null, reason: 'shared back from the Teams upload card' });
  const sharedBack = { by: who.staff.name, at: d.clock.now().toISOString() };
  const updated = await resolvePost(k, who.firm.id, a.conversationId, a.replyToId, post.postKey, (x) => (x.kind === 'upload' ? { ...x, sharedBack } : null));
  return updated ? cardBody(updated) : message('Shared back.');
};
