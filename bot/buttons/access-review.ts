import { cardBody, message } from '../commands/kit';
import { type Button, resolvePost } from './press';

/**
 * Keep, Shorten or Remove for one guest on an access review card. The service refuses a stale
 * card (review over, guest decided, access changed since); either way the card is redrawn from
 * the review as it now stands, for the clicker at once and for the channel by the outbox.
 */
export const reviewButton: Button<'review.decide'> = async (k, { who, verb, action: a }) => {
  const outcome = await k.d.reviews.decide(who.actor, { reviewId: verb.reviewId, contactId: verb.contactId, decision: verb.decision, expected: verb.expected });
  const postKey = outcome.outcome === 'decided' ? outcome.review.postKey : null;
  // The review's rows changed (or were redrawn): the same post data, a new version of the card.
  const updated = await resolvePost(k, who.firm.id, a.conversationId, a.replyToId, postKey, (data) => (data.kind === 'review' && data.reviewId === verb.reviewId ? { ...data } : null));
  if (outcome.outcome === 'stale') return message(`This card is out of date: ${outcome.why}. Nothing was changed.`);
  return updated ? cardBody(updated) : message(outcome.completed ? 'Decision recorded; the review is complete.' : 'Decision recorded.');
};
