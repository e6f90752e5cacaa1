import type { GrantScope, SeenSummary } from '../../src/contract';
import { plural } from '../cards';
import { cardDate } from './kit';

/** What a guest has opened of one grant's reach, in a few words (who has access): proof of delivery at a glance. */
export function seenWords(scopeKind: GrantScope['kind'], seen: SeenSummary): string {
  // One item, or a folder of which one document was opened: when. A folder with more opened: how many, as for a case.
  if (scopeKind === 'item' && seen.items <= 1) return seen.firstAt ? `seen ${cardDate(seen.firstAt)}` : 'not opened yet';
  if (!seen.lastAt) return 'nothing opened yet';
  const opened = [seen.items ? plural(seen.items, 'item') : '', seen.messages ? plural(seen.messages, 'message') : ''].filter(Boolean).join(' and ');
  return `opened ${opened}, last ${cardDate(seen.lastAt)}`;
}
