import { bold, plural, run, subtle } from '../cards';
import { boundedList, type NoticeDescriber, itemRows, MAX_LISTED, mentionsFor, names } from './kit';

/** Items shared with guests, or no longer: the items and the people. */
export const describeItemsShared: NoticeDescriber<'items.shared' | 'items.unshared'> = async ({ deps, repo, c, base, caseLink }, e) => {
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
        { label: 'Items', rows: itemRows(items, items.length, deps.links.caseTab(c)) },
        {
          label: 'People',
          rows: boundedList(
            contacts.map((p) => [run(p.name), subtle(` · ${p.kind}${p.invitation !== 'accepted' ? ' · invitation pending' : ''}`)]),
            MAX_LISTED,
            deps.links.caseAccess(c),
          ),
        },
      ],
      footer: shared ? '' : 'An item a broader case or client grant still reaches stays visible to that guest.',
      mentions: await mentionsFor(deps.q, c, e.type),
      actions: [caseLink],
    },
    summary: `${e.actor} ${shared ? 'shared' : 'stopped sharing'} ${plural(items.length, 'item')} in ${c.number}`,
  };
};
