import type { CardAction } from '../actions';
import { execute, openUrl } from '../actions';
import { bold, plural, run } from '../cards';
import type { PostData } from '../notices';
import { type DescribeCall, type Described, cardDate, itemRows, mentionsFor } from './kit';

/** A guest's uploads (one burst): the files, and Share back until someone has. */
export async function describeUpload({ deps, repo, c, base, caseLink, postKey, itemIds }: DescribeCall, data: Extract<PostData, { kind: 'upload' }>): Promise<Described> {
  const contact = await repo.contact(c.firmId, data.contactId);
  const items = (await repo.itemsByIds(c.firmId, itemIds)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.title.localeCompare(b.title));
  const guest = contact?.name ?? 'A guest';
  const actions: CardAction[] = [];
  if (items.length === 1) actions.push(openUrl('Open file', deps.links.item(c, items[0].id)));
  actions.push(caseLink);
  if (!data.sharedBack && contact) actions.push(execute(items.length === 1 ? 'Share it back' : 'Share them back', { verb: 'upload.shareBack', postKey }));
  return {
    model: {
      ...base,
      icon: '📎',
      heading: items.length === 1 ? 'New upload from a guest' : `${items.length} new uploads from a guest`,
      summary: [bold(guest), run(' uploaded '), bold(plural(items.length, 'file')), run(' to this case.')],
      sections: [{ label: 'Files', rows: itemRows(items, items.length, deps.links.caseTab(c)) }],
      footer: data.sharedBack ? `Shared back by ${data.sharedBack.by} on ${cardDate(data.sharedBack.at)}.` : 'Copies are in the case folder; a staff-only note records the upload.',
      mentions: await mentionsFor(deps.q, c, 'guest.uploaded'),
      actions,
    },
    summary: `${guest} uploaded ${plural(items.length, 'file')} to ${c.number}`,
  };
}
