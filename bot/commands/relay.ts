import type { TurnContext } from 'botbuilder';
import { DomainError } from '../../src/domain/errors';
import type { BridgeReplyVia } from '../../src/services/casework';
import type { StaffActor } from '../../src/services/context';
import type { MessageThread } from '../../src/store/records';
import { relayMarker } from '../notify';
import { BotStore } from '../store';
import type { Kit } from './kit';

/**
 * The bridge back to the guest. A guest's portal message opens a thread in the case channel;
 * staff talk there freely, and only a reply the staff member explicitly sends reaches the guest:
 * one that @mentions CaseRoom (handled here), or the thread card's Reply to client (bot/buttons/
 * thread-reply.ts). Every other reply stays in Teams and nothing of it is stored.
 *
 * Teams delivers channel messages to a bot only when it is @mentioned, unless the team granted
 * the ChannelMessage.Read.Group RSC, which our manifest asks for (to find its own cards through
 * Graph): then every reply arrives, and the bot ignores those without the mention, as Microsoft's
 * sample does. Either way a reply without the mention never reaches the guest.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc
 */

/** What staff read in the thread once a reply went out: the guest, where, and the exact text. */
export const receiptText = (guestName: string, text: string) => `Sent to ${guestName} (client portal): ${text}`;

export type GuestReplyOutcome = { ok: true; guestName: string; text: string; receipt: string } | { ok: false; reason: string };

/** Sends a reply to the bridged thread's guest, as the staff member; a refusal comes back in words for the thread. */
export async function sendToGuest(k: Kit, actor: StaffActor, thread: Pick<MessageThread, 'id' | 'firmId'>, text: string, via: BridgeReplyVia): Promise<GuestReplyOutcome> {
  const { d } = k;
  if (actor.firmId !== thread.firmId) return { ok: false, reason: 'this thread belongs to another firm.' };
  if (!text.trim()) return { ok: false, reason: via === 'teams-mention' ? 'write the reply after @CaseRoom in the same message.' : 'write the reply in the box first.' };
  const store = new BotStore(d.db);
  // Leave a marker first, so the staff.replied notification does not echo this reply back into Teams.
  const marker = relayMarker(thread.id, actor.name, text.trim());
  await store.firstDelivery(marker);
  try {
    const sent = await d.casework.replyToGuest(actor, thread.id, text, via);
    return { ok: true, guestName: sent.guest.name, text: sent.message.body, receipt: receiptText(sent.guest.name, sent.message.body) };
  } catch (err) {
    await store.consume(marker);
    if (err instanceof DomainError) return { ok: false, reason: `${err.message}.` };
    d.logger.warn({ err: err instanceof Error ? err.message : String(err), threadId: thread.id }, 'reply to the portal failed');
    return { ok: false, reason: 'CaseRoom could not pass this reply on. Try again, or answer from the CaseRoom tab.' };
  }
}

/** A reply in a bridged thread that @mentions CaseRoom: sent to the guest, and the thread told what went to whom (or why nothing did). */
export async function relay(k: Kit, context: TurnContext, actor: StaffActor, thread: Pick<MessageThread, 'id' | 'firmId'>, text: string): Promise<void> {
  const outcome = await sendToGuest(k, actor, thread, text, 'teams-mention');
  // Plain text: the guest's name and the reply are user text, never read as markdown.
  await context.sendActivity({ type: 'message', text: outcome.ok ? outcome.receipt : `Not sent to the client: ${outcome.reason}`, textFormat: 'plain' });
}
