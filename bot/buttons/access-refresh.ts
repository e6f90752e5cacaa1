import { cardBody, message } from '../commands/kit';
import { whoHasAccessCard } from '../commands/who-has-access';
import type { Button } from './press';

/** Refresh on a "who has access" card: the card again, as it is now. */
export const accessRefreshButton: Button<'access.refresh'> = async (k, { who, repo, verb }) => {
  const c = await repo.case(who.firm.id, verb.caseId);
  if (!c || (await repo.hiddenCasesFor(who.actor)).has(c.id)) return message('This card is out of date: the case is gone.');
  return cardBody(k.card(await whoHasAccessCard(k, who.actor, c)));
};
