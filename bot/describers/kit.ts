import type { NotificationEvent } from '../../src/contract';
import type { GrantScope, Rights } from '../../src/domain/model';
import type { CaseRoomEvent } from '../../src/domain/events';
import type { Queryable } from '../../src/store/db';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import type { CardAction } from '../actions';
import { bold, type Mention, type NoticeModel, run, subtle, type TextRun } from '../cards';
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
  // A closing takes access away and a reopening gives it back: staff hear of them as of unsharing and sharing.
  'case.closed': 'items.unshared',
  'case.reopened': 'items.shared',
};

/** Without a preference, the assigned staff member is @mentioned for what needs a person. */
const MENTION_ASSIGNED_BY_DEFAULT = new Set(['guest.uploaded', 'guest.message', 'grant.expiring', 'drift.found']);

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
      return s.id === c.assignedStaffId && MENTION_ASSIGNED_BY_DEFAULT.has(event);
    })
    .map((s) => ({ userId: s.userId, name: s.name }));
}

export function names(contacts: ContactRecord[]): TextRun[] {
  const runs: TextRun[] = [];
  contacts.forEach((c, i) => {
    if (i > 0) runs.push(run(i === contacts.length - 1 ? ' and ' : ', '));
    runs.push(bold(c.name));
  });
  return runs.length ? runs : [run('nobody')];
}

export const formatDate = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const formatSize = (bytes: number | null) => (bytes === null ? '' : bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function itemRows(items: ItemRecord[], total = items.length): TextRun[][] {
  const rows = items.slice(0, MAX_LISTED).map((i) => [run(i.title), subtle(` · ${i.kind}${i.sizeBytes !== null ? `, ${formatSize(i.sizeBytes)}` : ''}`)]);
  if (total > MAX_LISTED) rows.push([subtle(`and ${total - MAX_LISTED} more`)]);
  return rows;
}

export async function scopeRuns(repo: Repo, firmId: string, scope: GrantScope): Promise<TextRun[]> {
  if (scope.kind === 'item') {
    const item = await repo.item(firmId, scope.itemId);
    return [run('the item '), bold(item?.title ?? 'that was deleted')];
  }
  if (scope.kind === 'case') return [run('the whole case'), subtle(` (sections: ${scope.view.join(', ') || 'none'})`)];
  const client = await repo.client(firmId, scope.clientId);
  return [run('every case of '), bold(client?.name ?? 'the client'), subtle(` (sections: ${scope.view.join(', ') || 'none'})`)];
}

export const scopeWord = (scope: GrantScope) => (scope.kind === 'item' ? 'item' : scope.kind === 'case' ? 'case' : 'client');

export const rightsWords = (rights: Rights) => (rights === 'upload' ? 'read and upload' : 'read only');

/** A notice staff act on from the case: the case's header, the card, this event's mentions, and the link to the case. */
export async function caseNotice({ deps, c, base, caseLink }: DescribeCall, eventType: CaseRoomEvent['type'], card: Pick<NoticeModel, 'icon' | 'heading' | 'summary' | 'sections'>, summary: string): Promise<Described> {
  return { model: { ...base, ...card, mentions: await mentionsFor(deps.q, c, eventType), actions: [caseLink] }, summary };
}
