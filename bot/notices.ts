import type { NotificationEvent } from '../src/contract';
import type { GrantScope, Rights, Section } from '../src/domain/model';
import type { CaseRoomEvent } from '../src/services/events';
import type { Queryable } from '../src/store/db';
import type { CaseRecord, ContactRecord, ItemRecord } from '../src/store/records';
import { Repo } from '../src/store/repo';
import { execute, openUrl, type CardAction } from './actions';
import { bold, listSome, type Mention, type NoticeModel, plural, run, subtle, type TextRun } from './cards';
import type { Links } from './links';
import { preferencesFor } from './store';

/**
 * What a channel post says: from the post's stored data and the store's current names, to a
 * card model. Rebuilt on every delivery, so an updated card (burst grew, grant extended) is
 * always drawn from the truth, never patched.
 */

export type Resolution = { action: 'extended'; by: string; until: string | null } | { action: 'revoked'; by: string };

export type NoticeEvent = Exclude<CaseRoomEvent, { type: 'guest.uploaded' | 'guest.message' | 'staff.replied' }>;
export type ThreadEvent = Extract<CaseRoomEvent, { type: 'guest.message' | 'staff.replied' }>;
/** Sharing and unsharing: coalesced into one card per case, staff member and burst. */
export type SharingEvent = Extract<CaseRoomEvent, { type: 'items.shared' | 'items.unshared' | 'grant.added' | 'grant.removed' }>;

/** What a guest was given or lost: one item, or a case or client grant. */
export type ShareTarget = { kind: 'item'; itemId: string } | { kind: 'case'; view: Section[]; rights: Rights | null } | { kind: 'client'; clientId: string; view: Section[]; rights: Rights | null };

/**
 * The net outcome of a burst for one guest and one target: the latest operation wins, by outbox
 * job id (jobs are numbered in commit order, and a replayed or late-planned job must not undo a
 * newer one). `first` is the burst's earliest operation on the pair, so "shared, then withdrawn
 * again" can be told from "access removed".
 */
export interface ShareChange {
  contactId: string;
  target: ShareTarget;
  op: 'add' | 'remove';
  jobId: number;
  first: { op: 'add' | 'remove'; jobId: number };
}

export type PostData =
  | { kind: 'upload'; contactId: string; burstKey: string; sharedBack?: { by: string; at: string } }
  | { kind: 'sharing'; actor: string; changes: ShareChange[] }
  | { kind: 'notice'; event: NoticeEvent; resolution?: Resolution }
  | { kind: 'message'; event: ThreadEvent; rootPostKey: string | null };

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
};

/** Without a preference, the assigned staff member is @mentioned for what needs a person. */
const MENTION_ASSIGNED_BY_DEFAULT = new Set(['guest.uploaded', 'guest.message', 'grant.expiring', 'drift.found']);

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

const MAX_LISTED = 10;
/** Titles named per guest row on a sharing card; the rest are counted. */
const NAMED_PER_GUEST = 3;

const targetKey = (t: ShareTarget) => (t.kind === 'item' ? `item:${t.itemId}` : t.kind === 'case' ? 'case' : `client:${t.clientId}`);

/** The pairs (guest, target) one sharing event touches in one case. */
export function sharingChanges(event: SharingEvent, jobId: number): ShareChange[] {
  const op = event.type === 'items.shared' || event.type === 'grant.added' ? 'add' : 'remove';
  const make = (contactId: string, target: ShareTarget): ShareChange => ({ contactId, target, op, jobId, first: { op, jobId } });
  if (event.type === 'items.shared' || event.type === 'items.unshared') return event.contactIds.flatMap((contactId) => event.itemIds.map((itemId) => make(contactId, { kind: 'item', itemId })));
  const rights = event.type === 'grant.added' ? event.rights : null;
  const s = event.scope;
  const target: ShareTarget = s.kind === 'item' ? { kind: 'item', itemId: s.itemId } : s.kind === 'case' ? { kind: 'case', view: s.view, rights } : { kind: 'client', clientId: s.clientId, view: s.view, rights };
  return [make(event.contactId, target)];
}

/**
 * Folds one event's changes into a burst's. Null when nothing changed (a replayed job, or a job
 * older than what the burst already holds for every pair it touches).
 */
export function mergeSharingChanges(current: ShareChange[], incoming: ShareChange[]): ShareChange[] | null {
  const byKey = new Map(current.map((c) => [`${c.contactId}|${targetKey(c.target)}`, c]));
  let changed = false;
  for (const next of incoming) {
    const key = `${next.contactId}|${targetKey(next.target)}`;
    const held = byKey.get(key);
    if (!held) {
      byKey.set(key, next);
      changed = true;
      continue;
    }
    const first = next.first.jobId < held.first.jobId ? next.first : held.first;
    const latest = next.jobId > held.jobId ? next : held;
    if (latest === held && first === held.first) continue;
    byKey.set(key, { ...latest, first });
    changed = true;
  }
  return changed ? [...byKey.values()] : null;
}

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

function names(contacts: ContactRecord[]): TextRun[] {
  const runs: TextRun[] = [];
  contacts.forEach((c, i) => {
    if (i > 0) runs.push(run(i === contacts.length - 1 ? ' and ' : ', '));
    runs.push(bold(c.name));
  });
  return runs.length ? runs : [run('nobody')];
}

const formatDate = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const formatSize = (bytes: number | null) => (bytes === null ? '' : bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

function itemRows(items: ItemRecord[], total = items.length): TextRun[][] {
  const rows = items.slice(0, MAX_LISTED).map((i) => [run(i.title), subtle(` · ${i.kind}${i.sizeBytes !== null ? `, ${formatSize(i.sizeBytes)}` : ''}`)]);
  if (total > MAX_LISTED) rows.push([subtle(`and ${total - MAX_LISTED} more`)]);
  return rows;
}

async function scopeRuns(repo: Repo, firmId: string, scope: GrantScope): Promise<TextRun[]> {
  if (scope.kind === 'item') {
    const item = await repo.item(firmId, scope.itemId);
    return [run('the item '), bold(item?.title ?? 'that was deleted')];
  }
  if (scope.kind === 'case') return [run('the whole case'), subtle(` (sections: ${scope.view.join(', ') || 'none'})`)];
  const client = await repo.client(firmId, scope.clientId);
  return [run('every case of '), bold(client?.name ?? 'the client'), subtle(` (sections: ${scope.view.join(', ') || 'none'})`)];
}

const scopeWord = (scope: GrantScope) => (scope.kind === 'item' ? 'item' : scope.kind === 'case' ? 'case' : 'client');

const rightsWords = (rights: Rights) => (rights === 'upload' ? 'read and upload' : 'read only');

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

/**
 * One card for a burst of sharing changes by one staff member in one case: per guest, the net
 * outcome (latest operation per item or grant), every change counted and a few titles named.
 */
async function describeSharing(deps: DescribeDeps, c: CaseRecord, data: Extract<PostData, { kind: 'sharing' }>, caseLink: CardAction): Promise<Described> {
  const repo = new Repo(deps.q);
  const changes = [...data.changes].sort((a, b) => a.jobId - b.jobId);
  const contacts = new Map((await repo.contactsByIds(c.firmId, [...new Set(changes.map((x) => x.contactId))])).map((x) => [x.id, x]));
  const items = new Map((await repo.itemsByIds(c.firmId, [...new Set(changes.flatMap((x) => (x.target.kind === 'item' ? [x.target.itemId] : [])))])).map((i) => [i.id, i]));
  const nameOf = (contactId: string) => contacts.get(contactId)?.name ?? 'a removed contact';
  const byName = (a: string, b: string) => nameOf(a).localeCompare(nameOf(b)) || a.localeCompare(b);

  const targetRuns = async (t: Exclude<ShareTarget, { kind: 'item' }>): Promise<TextRun[]> => {
    const detail = subtle(` (sections: ${t.view.join(', ') || 'none'}${t.rights ? `; ${rightsWords(t.rights)}` : ''})`);
    if (t.kind === 'case') return [run('the whole case'), detail];
    return [run('every case of '), bold((await repo.client(c.firmId, t.clientId))?.name ?? 'the client'), detail];
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
    if (guests.length > MAX_LISTED) rows.push([subtle(`and ${plural(guests.length - MAX_LISTED, 'more guest')}`)]);
    return rows;
  };

  // The summary sentence: what was given, then what was taken away (withdrawn shares included).
  const clauses: TextRun[][] = [];
  const given = changes.filter((x) => x.op === 'add');
  const taken = changes.filter((x) => x.op === 'remove');
  const guestsOf = (list: ShareChange[]) => [...new Set(list.map((x) => x.contactId))].sort(byName).map(nameOf);
  const itemCount = (list: ShareChange[]) => new Set(list.flatMap((x) => (x.target.kind === 'item' ? [x.target.itemId] : []))).size;
  const scopeWords = (list: ShareChange[]) => (list.every((x) => x.target.kind === 'case') ? 'the whole case' : list.every((x) => x.target.kind === 'client') ? 'every case of the client' : 'the case or the client');
  const givenItems = given.filter((x) => x.target.kind === 'item');
  const givenScopes = given.filter((x) => x.target.kind !== 'item');
  const takenItems = taken.filter((x) => x.target.kind === 'item');
  const takenScopes = taken.filter((x) => x.target.kind !== 'item');
  if (givenItems.length) clauses.push([run('shared '), bold(plural(itemCount(givenItems), 'item')), run(' with '), ...nameRuns(guestsOf(givenItems))]);
  if (givenScopes.length) clauses.push([run('gave '), ...nameRuns(guestsOf(givenScopes)), run(` access to ${scopeWords(givenScopes)}`)]);
  if (takenItems.length) clauses.push([run('stopped sharing '), bold(plural(itemCount(takenItems), 'item')), run(' with '), ...nameRuns(guestsOf(takenItems))]);
  if (takenScopes.length) clauses.push([run(`removed access to ${scopeWords(takenScopes)} from `), ...nameRuns(guestsOf(takenScopes))]);
  const summary: TextRun[] = [bold(data.actor), run(' ')];
  clauses.forEach((clause, i) => {
    if (i > 0) summary.push(run(i === clauses.length - 1 ? ' and ' : ', '));
    summary.push(...clause);
  });
  summary.push(run('.'));

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
    summary: `${summary.map((r) => r.text).join('').replace(/\.$/, '')} in ${c.number}`,
  };
}

export async function describePost(deps: DescribeDeps, postKey: string, c: CaseRecord, data: PostData, itemIds: string[]): Promise<Described> {
  const repo = new Repo(deps.q);
  const base = { caseNumber: c.number, caseTitle: c.title };
  const caseLink = openUrl('Open in CaseRoom', deps.links.caseTab(c.id));

  if (data.kind === 'upload') {
    const contact = await repo.contact(c.firmId, data.contactId);
    const items = (await repo.itemsByIds(c.firmId, itemIds)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.title.localeCompare(b.title));
    const guest = contact?.name ?? 'A guest';
    const actions: CardAction[] = [];
    if (items.length === 1) actions.push(openUrl('Open file', deps.links.item(c.id, items[0].id)));
    actions.push(caseLink);
    if (!data.sharedBack && contact) actions.push(execute(items.length === 1 ? 'Share it back' : 'Share them back', { verb: 'upload.shareBack', postKey }));
    return {
      model: {
        ...base,
        icon: '📎',
        heading: items.length === 1 ? 'New upload from a guest' : `${items.length} new uploads from a guest`,
        summary: [bold(guest), run(' uploaded '), bold(plural(items.length, 'file')), run(' to this case.')],
        sections: [{ label: 'Files', rows: itemRows(items) }],
        footer: data.sharedBack ? `Shared back by ${data.sharedBack.by} on ${formatDate(data.sharedBack.at)}.` : 'Copies are in the case folder; a staff-only note records the upload.',
        mentions: await mentionsFor(deps.q, c, 'guest.uploaded'),
        actions,
      },
      summary: `${guest} uploaded ${plural(items.length, 'file')} to ${c.number}`,
    };
  }

  if (data.kind === 'sharing') return describeSharing(deps, c, data, caseLink);

  if (data.kind === 'message') {
    const e = data.event;
    const thread = await repo.thread(c.firmId, e.threadId);
    const message = (await repo.messages(e.threadId)).find((m) => m.id === e.messageId);
    const body = message?.body ?? '';
    const clipped = body.length > 2000 ? `${body.slice(0, 2000)}…` : body;
    const author = message?.authorName ?? 'Someone';
    if (e.type === 'guest.message') {
      const first = data.rootPostKey === null;
      return {
        model: {
          ...base,
          icon: '💬',
          heading: first ? 'Message from a guest' : 'The guest wrote again',
          summary: [bold(author), run(' wrote'), ...(message?.screen ? [run(' from '), bold(message.screen)] : []), ...(first && thread ? [run(' · subject: '), run(thread.subject)] : []), run(':')],
          sections: [{ label: 'Message', rows: [[run(clipped)]] }],
          footer: first ? 'Reply in this thread to answer in the client portal. Replies elsewhere stay in Teams.' : '',
          mentions: await mentionsFor(deps.q, c, 'guest.message'),
          actions: first ? [caseLink] : [],
        },
        summary: `${author} wrote about ${c.number}: ${clipped.slice(0, 100)}`,
      };
    }
    return {
      model: { ...base, icon: '↩️', heading: 'Reply sent from the CaseRoom tab', summary: [bold(author), run(' replied in the portal:')], sections: [{ label: 'Reply', rows: [[run(clipped)]] }] },
      summary: `${author} replied in the portal`,
    };
  }

  const e = data.event;
  switch (e.type) {
    case 'items.shared':
    case 'items.unshared': {
      const contacts = await repo.contactsByIds(c.firmId, e.contactIds);
      const items = await repo.itemsByIds(c.firmId, e.itemIds);
      const shared = e.type === 'items.shared';
      return {
        model: {
          ...base,
          icon: shared ? '🔓' : '🔒',
          heading: shared ? 'Shared with a guest' : 'Sharing stopped',
          summary: [bold(e.actor), run(shared ? ' shared ' : ' stopped sharing '), bold(plural(items.length, 'item')), run(' with '), ...names(contacts), run('.')],
          sections: [
            { label: 'Items', rows: itemRows(items) },
            { label: 'People', rows: contacts.map((p) => [run(p.name), subtle(` · ${p.kind}${p.invitation !== 'accepted' ? ' · invitation pending' : ''}`)]) },
          ],
          footer: shared ? '' : 'An item a broader case or client grant still reaches stays visible to that guest.',
          mentions: await mentionsFor(deps.q, c, e.type),
          actions: [caseLink],
        },
        summary: `${e.actor} ${shared ? 'shared' : 'stopped sharing'} ${plural(items.length, 'item')} in ${c.number}`,
      };
    }
    case 'grant.added':
    case 'grant.removed': {
      const contact = await repo.contact(c.firmId, e.contactId);
      const added = e.type === 'grant.added';
      const rights = e.type === 'grant.added' ? (e.rights === 'upload' ? 'read and upload' : 'read only') : null;
      return {
        model: {
          ...base,
          icon: added ? '🔓' : '🔒',
          heading: added ? 'Access given' : 'Access removed',
          summary: [bold(e.actor), run(added ? ' gave ' : ' removed '), bold(contact?.name ?? 'a contact'), run(added ? ' access to ' : "'s access to "), ...(await scopeRuns(repo, c.firmId, e.scope)), run('.')],
          sections: rights ? [{ label: 'Rights', rows: [[run(rights)]] }] : [],
          footer: added && contact && contact.invitation !== 'accepted' ? 'Pending until the guest accepts the invitation.' : '',
          mentions: await mentionsFor(deps.q, c, e.type),
          actions: [caseLink],
        },
        summary: `${e.actor} ${added ? 'gave' : 'removed'} ${scopeWord(e.scope)} access in ${c.number}`,
      };
    }
    case 'grant.changed': {
      const contact = await repo.contact(c.firmId, e.contactId);
      const gained = await repo.itemsByIds(c.firmId, e.gainedItemIds);
      const lost = await repo.itemsByIds(c.firmId, e.lostItemIds);
      return {
        model: {
          ...base,
          icon: '🔁',
          heading: 'Access changed',
          summary: [bold(e.actor), run(' changed '), bold(contact?.name ?? 'a contact'), run("'s access.")],
          sections: [
            { label: 'Before', rows: [await scopeRuns(repo, c.firmId, e.before)] },
            { label: 'After', rows: [await scopeRuns(repo, c.firmId, e.after)] },
            { label: 'Now sees', rows: itemRows(gained) },
            { label: 'No longer sees', rows: itemRows(lost) },
          ],
          mentions: await mentionsFor(deps.q, c, e.type),
          actions: [caseLink],
        },
        summary: `${e.actor} changed access in ${c.number}`,
      };
    }
    case 'grant.expiring': {
      const contact = await repo.contact(c.firmId, e.contactId);
      const grant = await repo.grant(c.firmId, e.grantId);
      const resolution = data.resolution;
      const footer = resolution
        ? resolution.action === 'extended'
          ? `Extended by ${resolution.by}${resolution.until ? ` until ${formatDate(resolution.until)}` : ''}.`
          : `Revoked by ${resolution.by}.`
        : '';
      return {
        model: {
          ...base,
          icon: '⏳',
          heading: 'Access about to expire',
          summary: [bold(contact?.name ?? 'A guest'), run("'s access to "), ...(grant ? await scopeRuns(repo, c.firmId, grant.scope) : [run('this case')]), run(' expires '), bold(formatDate(e.expiresAt)), run('.')],
          sections: [],
          footer,
          mentions: resolution ? [] : await mentionsFor(deps.q, c, e.type),
          actions: resolution || !grant
            ? [caseLink]
            : [execute('Extend 30 days', { verb: 'grant.extend', grantId: e.grantId, days: 30, expected: grant.expiresAt }, 'positive'), execute('Revoke now', { verb: 'grant.revoke', grantId: e.grantId, expected: grant.expiresAt }, 'destructive'), caseLink],
        },
        summary: `Access in ${c.number} expires ${formatDate(e.expiresAt)}`,
      };
    }
    case 'invitation.accepted': {
      const contact = await repo.contact(c.firmId, e.contactId);
      return {
        model: { ...base, icon: '✅', heading: 'Invitation accepted', summary: [bold(contact?.name ?? 'A guest'), run(' accepted the invitation. Access that was pending is now in effect.')], sections: [], mentions: await mentionsFor(deps.q, c, e.type), actions: [caseLink] },
        summary: `${contact?.name ?? 'A guest'} accepted the invitation (${c.number})`,
      };
    }
    case 'drift.found': {
      const label = async (driveItemId: string) => (await repo.itemByDriveItem(c.firmId, driveItemId))?.title ?? driveItemId;
      const contacts = new Map((await repo.contactsByIds(c.firmId, e.removed.map((r) => r.contactId))).map((x) => [x.id, x.name]));
      return {
        model: {
          ...base,
          icon: '⚠️',
          heading: 'SharePoint permissions changed outside CaseRoom',
          summary: [run('Permissions on this case folder no longer match what CaseRoom granted.')],
          sections: [
            { label: 'Added by hand', rows: await Promise.all(e.added.slice(0, MAX_LISTED).map(async (a) => [run(await label(a.driveItemId)), run(' → '), bold(a.who), subtle(` (${a.roles.join(', ')})`)])) },
            { label: 'Removed by hand', rows: await Promise.all(e.removed.slice(0, MAX_LISTED).map(async (r) => [run(await label(r.driveItemId)), run(' → '), bold(contacts.get(r.contactId) ?? 'a contact')])) },
          ],
          mentions: await mentionsFor(deps.q, c, e.type),
          actions: [caseLink],
        },
        summary: `Permission drift in ${c.number}`,
      };
    }
  }
}
