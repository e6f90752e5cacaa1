import { bold, run, subtle } from '../cards';
import { type NoticeDescriber, MAX_LISTED, mentionsFor } from './kit';

/** SharePoint permissions changed by hand: what was added and removed. */
export const describeDriftFound: NoticeDescriber<'drift.found'> = async ({ deps, repo, c, base, caseLink }, e) => {
  const label = async (driveItemId: string) => (await repo.itemByDriveItem(c.firmId, driveItemId))?.title ?? driveItemId;
  const contacts = new Map(
    (
      await repo.contactsByIds(
        c.firmId,
        e.removed.map((r) => r.contactId),
      )
    ).map((x) => [x.id, x.name]),
  );
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
};
