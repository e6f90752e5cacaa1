import { bold, run, subtle } from '../cards';
import { boundedList, type NoticeDescriber, MAX_LISTED, mentionsFor } from './kit';

/** A Graph user id (a GUID): what the reconciler reports for someone with no e-mail address; never shown as such. */
const RAW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SharePoint permissions changed by hand: what was added and removed, naming items and people, never ids. */
export const describeDriftFound: NoticeDescriber<'drift.found'> = async ({ deps, repo, c, base, caseLink }, e) => {
  const titles = new Map<string, string>();
  for (const driveItemId of new Set([...e.added.slice(0, MAX_LISTED), ...e.removed.slice(0, MAX_LISTED)].map((x) => x.driveItemId))) {
    titles.set(driveItemId, driveItemId === c.folderItemId ? 'the case folder' : ((await repo.itemByDriveItem(c.firmId, driveItemId))?.title ?? 'an item CaseRoom does not list'));
  }
  const label = (driveItemId: string) => titles.get(driveItemId) ?? 'an item of the case';
  const contacts = new Map(
    (
      await repo.contactsByIds(
        c.firmId,
        e.removed.map((r) => r.contactId),
      )
    ).map((x) => [x.id, x.name]),
  );
  const person = (who: string) => (RAW_ID.test(who) ? 'a guest with no e-mail address' : who);
  const accessPage = deps.links.caseAccess(c);
  return {
    model: {
      ...base,
      icon: '⚠️',
      heading: 'SharePoint permissions changed outside CaseRoom',
      summary: [run(`Permissions in ${c.number} ${c.title} no longer match what CaseRoom granted.`)],
      sections: [
        {
          label: 'Added by hand',
          rows: boundedList(
            e.added.slice(0, MAX_LISTED).map((a) => [run(label(a.driveItemId)), run(' → '), bold(person(a.who)), subtle(` (${a.roles.join(', ')})`)]),
            MAX_LISTED,
            accessPage,
            e.added.length,
          ),
        },
        {
          label: 'Removed by hand',
          rows: boundedList(
            e.removed.slice(0, MAX_LISTED).map((r) => [run(label(r.driveItemId)), run(' → '), bold(contacts.get(r.contactId) ?? 'a removed contact')]),
            MAX_LISTED,
            accessPage,
            e.removed.length,
          ),
        },
      ],
      mentions: await mentionsFor(deps.q, c, e.type),
      actions: [caseLink],
    },
    summary: `Permission drift in ${c.number}`,
  };
};
