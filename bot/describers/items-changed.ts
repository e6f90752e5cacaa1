import { bold, plural, run, subtle, type TextRun } from '../cards';
import type { ItemChange } from '../../src/domain/events';
import { boundedList, type NoticeDescriber, MAX_LISTED, mentionsFor, names } from './kit';

const TOP = 'the case folder';

/** One row per changed item: what it is called now, and what happened to it, in words. */
function changeRow(change: ItemChange): TextRun[] {
  const what = subtle(` · ${change.kind}`);
  switch (change.change) {
    case 'deleted':
      return [bold(change.title), what, run(' was deleted')];
    case 'renamed':
      return [bold(change.before ?? ''), what, run(' is now '), bold(change.title)];
    case 'moved':
      return [bold(change.title), what, run(' moved from '), run(change.before ?? TOP), run(' to '), run(change.after ?? TOP)];
    case 'withheld':
      return [bold(change.title), what, run(' is kept from guests: '), run(change.after ?? 'its name is not accepted')];
  }
}

/**
 * Items guests could see were deleted, renamed or moved: in CaseRoom by a staff member, or in
 * SharePoint directly (found by the delta check). Names the items and the guests who saw them.
 */
export const describeItemsChanged: NoticeDescriber<'items.changed'> = async ({ deps, repo, c, base, caseLink }, e) => {
  const contacts = await repo.contactsByIds(c.firmId, [...new Set(e.changes.flatMap((x) => x.contactIds))]);
  const where = e.source === 'sharepoint' ? 'in SharePoint' : 'in CaseRoom';
  const deleted = e.changes.every((x) => x.change === 'deleted');
  return {
    model: {
      ...base,
      icon: deleted ? '🗑️' : '✏️',
      heading: deleted ? `Shared ${e.changes.length === 1 ? 'item' : 'items'} deleted ${where}` : `Shared ${e.changes.length === 1 ? 'item' : 'items'} changed ${where}`,
      summary: [bold(e.actor), run(` changed ${plural(e.changes.length, 'item')} that `), ...names(contacts), run(' could see.')],
      sections: [
        { label: 'Items', rows: boundedList(e.changes.map(changeRow), MAX_LISTED, deps.links.caseTab(c)) },
        {
          label: 'Guests who saw them',
          rows: boundedList(
            contacts.map((p) => p.name),
            MAX_LISTED,
            deps.links.caseAccess(c),
          ),
        },
      ],
      footer: deleted ? 'Deleted items are in the SharePoint recycle bin; their guests no longer see them.' : '',
      mentions: await mentionsFor(deps.q, c, e.type),
      actions: [caseLink],
    },
    summary: `${plural(e.changes.length, 'shared item')} ${deleted ? 'deleted' : 'changed'} ${where} in ${c.number}`,
  };
};
