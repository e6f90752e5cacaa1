import { message, cardBody } from '../commands/kit';
import { sendToGuest } from '../commands/relay';
import type { ReplyReceipt } from '../notices';
import { type Button, resolvePost } from './press';

/** The receipts a card keeps: enough for the latest few it shows, bounded so the card stays small. */
const RECEIPTS_KEPT = 3;

/**
 * Reply to client on a bridged thread's card: the box's text goes to the guest who opened the
 * thread, and the card, for everyone, shows what went to whom. A refusal (closed case, guest
 * without access, invisible characters, empty box) changes nothing and says why.
 */
export const threadReplyButton: Button<'thread.reply'> = async (k, { who, repo, verb, action: a }) => {
  const thread = await repo.thread(who.firm.id, verb.threadId);
  if (!thread) return message('This card is out of date: CaseRoom no longer knows this thread.');
  const outcome = await sendToGuest(k, who.actor, thread, verb.replyText ?? '', 'teams-card');
  if (!outcome.ok) return message(`Not sent to the client: ${outcome.reason}`);
  const receipt: ReplyReceipt = { by: who.staff.name, guestName: outcome.guestName, text: outcome.text, at: k.d.clock.now().toISOString() };
  const updated = await resolvePost(k, who.firm.id, a.conversationId, a.replyToId, `thread:${thread.id}`, (data) =>
    data.kind === 'message' && data.event.threadId === thread.id ? { ...data, receipts: [...(data.receipts ?? []), receipt].slice(-RECEIPTS_KEPT) } : null,
  );
  return updated ? cardBody(updated) : message(outcome.receipt);
};
