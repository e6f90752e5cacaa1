import { bold, run } from '../cards';
import { type NoticeDescriber, caseNotice, itemRows, scopeRuns } from './kit';

/** A grant changed: before and after, and the items gained and lost. */
export const describeGrantChanged: NoticeDescriber<'grant.changed'> = async (call, e) => {
  const { repo, c, deps } = call;
  const casePage = deps.links.caseTab(c);
  const contact = await repo.contact(c.firmId, e.contactId);
  const gained = await repo.itemsByIds(c.firmId, e.gainedItemIds);
  const lost = await repo.itemsByIds(c.firmId, e.lostItemIds);
  return caseNotice(
    call,
    e.type,
    {
      icon: '🔁',
      heading: 'Access changed',
      summary: [bold(e.actor), run(' changed '), bold(contact?.name ?? 'a contact'), run("'s access.")],
      sections: [
        { label: 'Before', rows: [await scopeRuns(repo, c.firmId, e.before)] },
        { label: 'After', rows: [await scopeRuns(repo, c.firmId, e.after)] },
        { label: 'Now sees', rows: itemRows(gained, gained.length, casePage) },
        { label: 'No longer sees', rows: itemRows(lost, lost.length, casePage) },
      ],
    },
    `${e.actor} changed access in ${c.number}`,
  );
};
