import { bold, run } from '../cards';
import { type NoticeDescriber, mentionsFor, scopeRuns, scopeWord } from './kit';

/** A case or client grant given or removed. */
export const describeGrantAddedOrRemoved: NoticeDescriber<'grant.added' | 'grant.removed'> = async ({ deps, repo, c, base, caseLink }, e) => {
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
};
