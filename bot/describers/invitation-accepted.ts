import { bold, run } from '../cards';
import { type NoticeDescriber, caseNotice } from './kit';

/** A guest accepted the invitation: pending access is in effect. */
export const describeInvitationAccepted: NoticeDescriber<'invitation.accepted'> = async (call, e) => {
  const contact = await call.repo.contact(call.c.firmId, e.contactId);
  const guestName = contact?.name ?? 'A guest';
  return caseNotice(
    call,
    e.type,
    { icon: '✅', heading: 'Invitation accepted', summary: [bold(guestName), run(' accepted the invitation. Access that was pending is now in effect.')], sections: [] },
    `${guestName} accepted the invitation (${call.c.number})`,
  );
};
