import type { TurnContext } from 'botbuilder';
import type { StaffActor } from '../../src/services/context';
import { relayMarker } from '../notify';
import { BotStore } from '../store';
import type { Kit } from './kit';

/** A staff reply in a bridged thread goes to the guest's portal thread, as the staff member. */
export async function relay(k: Kit, context: TurnContext, actor: StaffActor, threadId: string, firmId: string, text: string): Promise<void> {
  const { d } = k;
  if (!text || actor.firmId !== firmId) return;
  const store = new BotStore(d.db);
  // Leave a marker first, so the staff.replied notification does not echo this reply back into Teams.
  const marker = relayMarker(threadId, actor.name, text);
  await store.firstDelivery(marker);
  try {
    await d.casework.reply(actor, threadId, text);
  } catch (err) {
    await store.consume(marker);
    d.logger.warn({ err: err instanceof Error ? err.message : String(err), threadId }, 'relay to the portal failed');
    await context.sendActivity({ type: 'message', text: 'CaseRoom could not pass this reply on to the guest. Try again, or answer from the CaseRoom tab.', textFormat: 'plain' });
  }
}
