import type { AccessEntry } from '../../src/contract';
import type { StaffActor } from '../../src/services/context';
import type { CaseRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import { execute, openUrl } from '../actions';
import { bold, type NoticeModel, plural, run, subtle, type TextRun } from '../cards';
import { boundedList, MAX_LISTED, rightsWords } from '../describers/kit';
import type { CaseCommandCall, Kit } from './kit';
import { seenWords } from '../describers/seen';

const STATE_LABEL = { active: 'active', pending: 'pending (invitation not accepted)', expired: 'expired', withdrawn: 'withdrawn' } as const;

/** Item titles named on a guest's row; the rest are counted. */
const TITLES_PER_GUEST = 3;

/** "498 active, 2 expired": how a guest's item grants stand, most common first. */
function stateCounts(entries: readonly AccessEntry[]): string {
  const counts = new Map<AccessEntry['state'], number>();
  for (const e of entries) counts.set(e.state, (counts.get(e.state) ?? 0) + 1);
  if (counts.size === 1) return STATE_LABEL[entries[0].state];
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

const expiry = (e: AccessEntry) => (e.grant.expiresAt ? ` · expires ${e.grant.expiresAt.slice(0, 10)}` : '');

/**
 * One guest's rows: each case or client grant on its own row (its view in words), and every item
 * grant folded into one row ("12 items: A, B, C and 9 more"), so 500 item grants are one row.
 */
function guestRows(entries: readonly AccessEntry[]): TextRun[][] {
  const who = [bold(entries[0].contact.name), subtle(` · ${entries[0].contact.kind}`), run(' — ')];
  const broad = entries.filter((e) => e.grant.scope.kind !== 'item');
  const items = entries.filter((e) => e.grant.scope.kind === 'item');
  const one = (e: AccessEntry) => [...who, run(e.label), subtle(` · ${rightsWords(e.grant.rights)} · ${STATE_LABEL[e.state]}${expiry(e)} · ${seenWords(e.grant.scope.kind, e.seen)}`)];
  const rows = broad.map(one);
  if (items.length === 1) rows.push(one(items[0]));
  if (items.length > 1) {
    const titles = items.map((e) => e.label).sort((a, b) => a.localeCompare(b));
    const named = titles.slice(0, TITLES_PER_GUEST).join(', ');
    const opened = items.filter((e) => e.seen.firstAt).length;
    rows.push([
      ...who,
      run(`${plural(items.length, 'item')}: ${named}${items.length > TITLES_PER_GUEST ? ` and ${items.length - TITLES_PER_GUEST} more` : ''}`),
      subtle(` · read only · ${stateCounts(items)} · ${opened ? `${opened} of ${items.length} opened` : 'none opened yet'}`),
    ]);
  }
  return rows;
}

/** The "who has access" card; also what its Refresh button answers with. Bounded: the whole list is on the case's Access page. */
export async function whoHasAccessCard(k: Kit, actor: StaffActor, c: CaseRecord): Promise<NoticeModel> {
  const entries = await k.d.sharing.whoHasAccessToCase(actor, c.id);
  const linked = await new Repo(k.d.db).linkedContacts(c.id);
  const byGuest = new Map<string, AccessEntry[]>();
  for (const e of entries) byGuest.set(e.contact.id, [...(byGuest.get(e.contact.id) ?? []), e]);
  const guests = [...byGuest.values()].sort((a, b) => a[0].contact.name.localeCompare(b[0].contact.name));
  const accessPage = k.d.links.caseAccess(c);
  const caseName = `${c.number} ${c.title}`;
  const notYet = linked.filter((l) => !byGuest.has(l.id)).map((l) => [run(l.name), subtle(` · ${l.kind}${l.portalAccess ? '' : ' · portal access off'}`)]);
  return {
    icon: '👥',
    heading: 'Who has access',
    caseNumber: c.number,
    caseTitle: c.title,
    summary: guests.length ? [run(`${plural(guests.length, 'person', 'people')} outside the firm can see parts of `), bold(caseName), run('.')] : [run('Nobody outside the firm can see anything in '), bold(caseName), run('.')],
    sections: [
      { label: 'Guests and what they see', rows: boundedList(guests.flatMap(guestRows), MAX_LISTED, accessPage) },
      { label: 'Linked, nothing shared yet', rows: boundedList(notYet, MAX_LISTED, accessPage) },
    ],
    actions: [execute('Refresh', { verb: 'access.refresh', caseId: c.id }), openUrl('Open the Access list', accessPage)],
  };
}

/** `who has access`: guests of the case, what they see, pending and expired access. */
export async function whoHasAccess(k: Kit, { context, actor, c }: CaseCommandCall<unknown>): Promise<void> {
  await k.say(context, await whoHasAccessCard(k, actor, c), `Who has access to ${c.number}`);
}
