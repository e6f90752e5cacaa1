import { bold, run } from '../cards';
import { type NoticeDescriber, mentionsFor } from './kit';

/** A guest accepted the invitation: pending access is in effect. */
export const describeInvitationAccepted: NoticeDescriber<'invitation.accepted'> = async ({ deps, repo, c, base, caseLink }, e) => {
  const contact = await repo.contact(c.firmId, e.contactId);
  return {
    model: {
      ...base,
      icon: '✅',
      heading: 'Invitation accepted',
      summary: [bold(contact?.name ?? 'A guest'), run(' accepted the invitation. Access that was pending is now in effect.')],
      sections: [],
      mentions: await mentionsFor(deps.q, c, e.type),
      actions: [caseLink],
    },
    summary: `${contact?.name ?? 'A guest'} accepted the invitation (${c.number})`,
  };
};
