import { bold, linkRun, listSome, type Mention, plural, run, subtle, type TextRun } from '../cards';
import { isFullView } from '../../src/contract/views';
import type { PostData, ShareChange, ShareTarget } from '../notices';
import { broadScopeRuns, type DescribeCall, type Described, MAX_LISTED, mentionsFor, rightsWords } from './kit';

/** Titles named per guest row on a sharing card; the rest are counted. */
const NAMED_PER_GUEST = 3;

/** "a, b, c and 47 more": `total` counts items whose titles are gone (deleted) too. */
function someTitles(titles: string[], total: number): string {
  const shown = titles.slice(0, NAMED_PER_GUEST);
  if (shown.length === 0) return `${total === 1 ? 'it is' : 'they are'} no longer in the case`;
  return total > shown.length ? `${shown.join(', ')} and ${total - shown.length} more` : listSome(shown, NAMED_PER_GUEST);
}

function nameRuns(list: string[]): TextRun[] {
  const shown = list.length > NAMED_PER_GUEST + 1 ? list.slice(0, NAMED_PER_GUEST) : list;
  const runs: TextRun[] = [];
  shown.forEach((n, i) => {
    if (i > 0) runs.push(run(i === shown.length - 1 && shown.length === list.length ? ' and ' : ', '));
    runs.push(bold(n));
  });
  if (shown.length < list.length) runs.push(run(` and ${plural(list.length - shown.length, 'other guest')}`));
  return runs;
}

type Outcome = 'given' | 'removed' | 'withdrawn';
const outcomeOf = (x: ShareChange): Outcome => (x.op === 'add' ? 'given' : x.first.op === 'add' ? 'withdrawn' : 'removed');

/** The summary sentence: what was given, then what was taken away (withdrawn shares included). */
function summarySentence(actor: string, changes: readonly ShareChange[], nameOf: (contactId: string) => string, byName: (a: string, b: string) => number): TextRun[] {
  const clauses: TextRun[][] = [];
  const given = changes.filter((x) => x.op === 'add');
  const taken = changes.filter((x) => x.op === 'remove');
  const guestsOf = (list: ShareChange[]) => [...new Set(list.map((x) => x.contactId))].sort(byName).map(nameOf);
  const itemCount = (list: ShareChange[]) => new Set(list.flatMap((x) => (x.target.kind === 'item' ? [x.target.itemId] : []))).size;
  // "the whole case" only when every view in it is full; the rows below say what a narrowed view includes.
  const full = (list: ShareChange[]) => list.every((x) => x.target.kind !== 'item' && isFullView(x.target.view));
  const scopeWords = (list: ShareChange[]) =>
    list.every((x) => x.target.kind === 'case') ? (full(list) ? 'the whole case' : 'the case') : list.every((x) => x.target.kind === 'client') ? 'every case of the client' : 'the case or the client';
  const givenItems = given.filter((x) => x.target.kind === 'item');
  const givenScopes = given.filter((x) => x.target.kind !== 'item');
  const takenItems = taken.filter((x) => x.target.kind === 'item');
  const takenScopes = taken.filter((x) => x.target.kind !== 'item');
  if (givenItems.length) clauses.push([run('shared '), bold(plural(itemCount(givenItems), 'item')), run(' with '), ...nameRuns(guestsOf(givenItems))]);
  if (givenScopes.length) clauses.push([run('gave '), ...nameRuns(guestsOf(givenScopes)), run(` access to ${scopeWords(givenScopes)}`)]);
  if (takenItems.length) clauses.push([run('stopped sharing '), bold(plural(itemCount(takenItems), 'item')), run(' with '), ...nameRuns(guestsOf(takenItems))]);
  if (takenScopes.length) clauses.push([run(`removed access to ${scopeWords(takenScopes)} from `), ...nameRuns(guestsOf(takenScopes))]);
  const summary: TextRun[] = [bold(actor), run(' ')];
  clauses.forEach((clause, i) => {
    if (i > 0) summary.push(run(i === clauses.length - 1 ? ' and ' : ', '));
    summary.push(...clause);
  });
  summary.push(run('.'));
  return summary;
}

/**
 * One card for a burst of sharing changes by one staff member in one case: per guest, the net
 * outcome (latest operation per item or grant), every change counted and a few titles named.
 */
export async function describeSharing({ deps, repo, c, caseLink }: DescribeCall, data: Extract<PostData, { kind: 'sharing' }>): Promise<Described> {
  const changes = [...data.changes].sort((a, b) => a.jobId - b.jobId);
  const contacts = new Map((await repo.contactsByIds(c.firmId, [...new Set(changes.map((x) => x.contactId))])).map((x) => [x.id, x]));
  const items = new Map((await repo.itemsByIds(c.firmId, [...new Set(changes.flatMap((x) => (x.target.kind === 'item' ? [x.target.itemId] : [])))])).map((i) => [i.id, i]));
  const nameOf = (contactId: string) => contacts.get(contactId)?.name ?? 'a removed contact';
  const accessPage = deps.links.caseAccess(c);
  const byName = (a: string, b: string) => nameOf(a).localeCompare(nameOf(b)) || a.localeCompare(b);

  const targetRuns = async (t: Exclude<ShareTarget, { kind: 'item' }>): Promise<TextRun[]> => {
    const detail = t.rights ? [subtle(` (${rightsWords(t.rights)})`)] : [];
    if (t.kind === 'case') return [...broadScopeRuns({ kind: 'case' }, t.view), ...detail];
    return [...broadScopeRuns({ kind: 'client', clientName: (await repo.client(c.firmId, t.clientId))?.name ?? 'the client' }, t.view), ...detail];
  };

  const rowsOf = async (outcome: Outcome): Promise<TextRun[][]> => {
    const mine = changes.filter((x) => outcomeOf(x) === outcome);
    const guests = [...new Set(mine.map((x) => x.contactId))].sort(byName);
    const rows: TextRun[][] = [];
    for (const g of guests.slice(0, MAX_LISTED)) {
      const contact = contacts.get(g);
      const pending = outcome === 'given' && contact && contact.invitation !== 'accepted' ? [subtle(' · invitation pending')] : [];
      const ofGuest = mine.filter((x) => x.contactId === g);
      const itemIds = ofGuest.flatMap((x) => (x.target.kind === 'item' ? [x.target.itemId] : []));
      if (itemIds.length) {
        const titles = itemIds.flatMap((id) => items.get(id)?.title ?? []).sort((a, b) => a.localeCompare(b));
        rows.push([bold(nameOf(g)), run(` · ${plural(itemIds.length, 'item')}: `), run(someTitles(titles, itemIds.length)), ...pending]);
      }
      for (const x of ofGuest) if (x.target.kind !== 'item') rows.push([bold(nameOf(g)), run(' · '), ...(await targetRuns(x.target)), ...pending]);
    }
    if (guests.length > MAX_LISTED) rows.push([linkRun(`and ${plural(guests.length - MAX_LISTED, 'more guest')}`, accessPage)]);
    return rows;
  };

  const given = changes.filter((x) => x.op === 'add');
  const taken = changes.filter((x) => x.op === 'remove');
  const summary = summarySentence(data.actor, changes, nameOf, byName);

  const guestsGiven = new Set(given.map((x) => x.contactId)).size;
  const heading = taken.length === 0 ? (guestsGiven === 1 ? 'Shared with a guest' : `Shared with ${guestsGiven} guests`) : given.length === 0 ? 'Sharing stopped' : 'Sharing changed';
  const footer = [
    ...(taken.length ? ['An item a broader case or client grant still reaches stays visible to that guest.'] : []),
    ...(given.some((x) => contacts.get(x.contactId)?.invitation !== 'accepted') ? ['Access for a guest whose invitation is pending starts when they accept it.'] : []),
  ].join(' ');
  const mentions = new Map<string, Mention>();
  if (given.length) for (const m of await mentionsFor(deps.q, c, 'items.shared')) mentions.set(m.userId, m);
  if (taken.length) for (const m of await mentionsFor(deps.q, c, 'items.unshared')) mentions.set(m.userId, m);
  return {
    model: {
      caseNumber: c.number,
      caseTitle: c.title,
      icon: taken.length === 0 ? '🔓' : given.length === 0 ? '🔒' : '🔁',
      heading,
      summary,
      sections: [
        { label: 'Given access', rows: await rowsOf('given') },
        { label: 'Access removed', rows: await rowsOf('removed') },
        { label: 'Shared, then withdrawn again', rows: await rowsOf('withdrawn') },
      ],
      footer,
      mentions: [...mentions.values()],
      actions: [caseLink],
    },
    summary: `${summary
      .map((r) => r.text)
      .join('')
      .replace(/\.$/, '')} in ${c.number}`,
  };
}
