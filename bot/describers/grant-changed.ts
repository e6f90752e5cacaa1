import { bold, run } from '../cards';
import { type NoticeDescriber, itemRows, mentionsFor, scopeRuns } from './kit';

/** A grant changed: before and after, and the items gained and lost. */
export const describeGrantChanged: NoticeDescriber<'grant.changed'> = async ({ deps, repo, c, base, caseLink }, e) => {
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
};
