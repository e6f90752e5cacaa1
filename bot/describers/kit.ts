import { MENTION_ASSIGNED_BY_DEFAULT, type NotificationEvent } from '../../src/contract/enums';
import { describeView, isFullView } from '../../src/contract/views';
import type { GrantScope, Rights, Section } from '../../src/domain/model';
import type { CaseRoomEvent } from '../../src/domain/events';
import type { Queryable } from '../../src/store/db';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import type { CardAction } from '../actions';
import { bold, linkRun, type Mention, type NoticeModel, run, subtle, type TextRun } from '../cards';
import type { Links } from '../links';
import type { NoticeEvent, Resolution } from '../notices';
import { preferencesFor } from '../store';

/** What every card describer shares: its inputs, and the phrases and rows cards are made of. */

export interface DescribeDeps {
  q: Queryable;
  links: Links;
  now: () => Date;
}

export interface Described {
  model: NoticeModel;
  /** Plain text for the activity's summary (notification toasts, feed). */
  summary: string;
}

/** One post being described: the case, its store, and what every card of the case carries. */
export interface DescribeCall {
  deps: DescribeDeps;
  repo: Repo;
  c: CaseRecord;
  base: { caseNumber: string; caseTitle: string };
  caseLink: CardAction;
  postKey: string;
  itemIds: string[];
}

/** Describes a notice card of one event type (or of a pair that reads alike). */
export type NoticeDescriber<T extends NoticeEvent['type']> = (call: DescribeCall, event: Extract<NoticeEvent, { type: T }>, post: { resolution?: Resolution }) => Promise<Described>;

/** The preference names staff choose from (the contract's NOTIFICATION_EVENTS) for each event type. */
const PREFERENCE_OF: Record<CaseRoomEvent['type'], NotificationEvent> = {
  'guest.uploaded': 'guest.uploaded',
  'guest.message': 'guest.message',
  'staff.replied': 'guest.message',
  'items.shared': 'items.shared',
  'grant.added': 'items.shared',
  'items.unshared': 'items.unshared',
  'grant.removed': 'items.unshared',
  'grant.changed': 'grant.changed',
  'grant.expiring': 'grant.expiring',
  'invitation.accepted': 'invitation.accepted',
  'drift.found': 'drift.found',
  // A shared item deleted, renamed or moved: what guests see changed, as when staff unshare.
  'items.changed': 'items.unshared',
  // A closing takes access away and a reopening gives it back: staff hear of them as of unsharing and sharing.
  'case.closed': 'items.unshared',
  'case.reopened': 'items.shared',
};

/** Without a preference, the assigned staff member is @mentioned for what needs a person (the settings screen shows the same default). */
const mentionedByDefault = new Set<NotificationEvent>(MENTION_ASSIGNED_BY_DEFAULT);

export const MAX_LISTED = 10;

export async function mentionsFor(q: Queryable, c: CaseRecord, eventType: CaseRoomEvent['type']): Promise<Mention[]> {
  const repo = new Repo(q);
  const event = PREFERENCE_OF[eventType];
  const prefs = await preferencesFor(q, c.firmId, c.id, event);
  const staff = await repo.listStaff(c.firmId);
  return staff
    .filter((s) => {
      const pref = prefs.get(s.id);
      if (pref) return pref.enabled && pref.mention;
      return s.id === c.assignedStaffId && mentionedByDefault.has(event);
    })
    .map((s) => ({ userId: s.userId, name: s.name }));
}

/** "Ann, Bo and Cy" in a sentence; past `max` names, "Ann, Bo, Cy and 4 others". */
export function names(contacts: ContactRecord[], max = 5): TextRun[] {
  const shown = contacts.length > max ? contacts.slice(0, max - 1) : contacts;
  const runs: TextRun[] = [];
  shown.forEach((c, i) => {
    if (i > 0) runs.push(run(i === shown.length - 1 && shown.length === contacts.length ? ' and ' : ', '));
    runs.push(bold(c.name));
  });
  if (shown.length < contacts.length) runs.push(run(` and ${contacts.length - shown.length} others`));
  return runs.length ? runs : [run('nobody')];
}

/** A moment in plain text (activity summaries, invoke replies): Teams formats none of those, so UTC, said so. */
export const formatDate = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/**
 * A moment in card text. Teams renders `{{DATE(…, SHORT)}}` and `{{TIME(…)}}` in each reader's locale
 * and time zone; the functions take a strict RFC 3339 timestamp (no milliseconds), upper-case, with no
 * spaces inside the braces: https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features
 */
export function cardDate(iso: string): string {
  const rfc3339 = new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${rfc3339}, SHORT)}} {{TIME(${rfc3339})}}`;
}
const formatSize = (bytes: number | null) => (bytes === null ? '' : bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

// ---- shared by every card that lists or describes (reminder, review and seen cards too) ----

/** The view of a case or client grant in words ("Full case", "documents and events"): see src/contract/views.ts. */
export { describeView } from '../../src/contract/views';

/**
 * A list a card can carry whatever its length: at most `max` rows, then one "and N more" row,
 * a link to where the whole list is when `moreLink` is given. Entries are names (one row each)
 * or rows already made of runs. `total` counts entries not passed in (e.g. deleted items).
 * Teams refuses a message over its size limit (cards.ts CARD_SIZE_BUDGET_BYTES): every list on a
 * card goes through here.
 */
export function boundedList(entries: ReadonlyArray<string | TextRun[]>, max = MAX_LISTED, moreLink: string | null = null, total = entries.length): TextRun[][] {
  const rows = entries.slice(0, max).map((e) => (typeof e === 'string' ? [run(e)] : e));
  const rest = total - rows.length;
  if (rest > 0) rows.push([moreLink ? linkRun(`and ${rest} more`, moreLink) : subtle(`and ${rest} more`)]);
  return rows;
}

/**
 * A case or client grant's reach in words: "the whole case" only for a full view, "the case's
 * documents and events" for a narrowed one; "every case of Acme" (full) or "every case of Acme:
 * notes" (narrowed).
 */
export function broadScopeRuns(target: { kind: 'case' } | { kind: 'client'; clientName: string }, view: readonly Section[]): TextRun[] {
  if (target.kind === 'case') return isFullView(view) ? [run('the whole case')] : [run("the case's "), run(describeView(view))];
  return [run('every case of '), bold(target.clientName), ...(isFullView(view) ? [] : [run(': '), run(describeView(view))])];
}

export function itemRows(items: ItemRecord[], total = items.length, moreLink: string | null = null): TextRun[][] {
  return boundedList(
    items.slice(0, MAX_LISTED).map((i) => [run(i.title), subtle(` · ${i.kind}${i.sizeBytes !== null ? `, ${formatSize(i.sizeBytes)}` : ''}`)]),
    MAX_LISTED,
    moreLink,
    total,
  );
}

export async function scopeRuns(repo: Repo, firmId: string, scope: GrantScope): Promise<TextRun[]> {
  if (scope.kind === 'item') {
    const item = await repo.item(firmId, scope.itemId);
    return [run('the item '), bold(item?.title ?? 'that was deleted')];
  }
  if (scope.kind === 'case') return broadScopeRuns({ kind: 'case' }, scope.view);
  const client = await repo.client(firmId, scope.clientId);
  return broadScopeRuns({ kind: 'client', clientName: client?.name ?? 'the client' }, scope.view);
}

export const scopeWord = (scope: GrantScope) => (scope.kind === 'item' ? 'item' : scope.kind === 'case' ? 'case' : 'client');

export const rightsWords = (rights: Rights) => (rights === 'upload' ? 'read and upload' : 'read only');

/** A notice staff act on from the case: the case's header, the card, this event's mentions, and the link to the case. */
export async function caseNotice({ deps, c, base, caseLink }: DescribeCall, eventType: CaseRoomEvent['type'], card: Pick<NoticeModel, 'icon' | 'heading' | 'summary' | 'sections'>, summary: string): Promise<Described> {
  return { model: { ...base, ...card, mentions: await mentionsFor(deps.q, c, eventType), actions: [caseLink] }, summary };
}
