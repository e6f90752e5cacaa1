import { Repo } from '../../src/store/repo';
import type { AdaptiveCardJson } from '../cards';
import type { Verb } from '../actions';
import type { Incoming } from '../incoming';
import { describePost, type PostData } from '../notices';
import { BotStore } from '../store';
import type { InvokeBody, Kit, WhoResult } from '../commands/kit';

/** One press of a card button, by a staff member of the tenant's firm. */
export interface Press<V extends Verb['verb'] = Verb['verb']> {
  who: Extract<WhoResult, { ok: true }>;
  repo: Repo;
  verb: Extract<Verb, { verb: V }>;
  action: Extract<Incoming, { kind: 'cardAction' }>;
}

export type Button<V extends Verb['verb']> = (k: Kit, press: Press<V>) => Promise<InvokeBody>;

/** Applies a resolution to the posted card for everyone, and returns the new card for the clicker. */
export async function resolvePost(k: Kit, firmId: string, conversationId: string, replyToId: string | null, postKey: string | null, change: (data: PostData) => PostData | null): Promise<AdaptiveCardJson | null> {
  const { d } = k;
  const store = new BotStore(d.db);
  const post = postKey ? await store.post(postKey) : replyToId ? await store.postByActivity(conversationId, replyToId) : null;
  if (!post || post.firmId !== firmId) return null;
  const next = change(post.data as PostData);
  if (!next) return null;
  await store.bumpPost(post.postKey, next);
  await d.requestDelivery(firmId, post.postKey);
  const c = await new Repo(d.db).case(firmId, post.caseId);
  if (!c) return null;
  return k.card((await describePost({ q: d.db, links: d.links, now: () => d.clock.now() }, post.postKey, c, next, post.itemIds)).model);
}
