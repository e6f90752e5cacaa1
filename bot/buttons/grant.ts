import type { PostData } from '../notices';
import { cardBody, message } from '../commands/kit';
import { formatDate } from '../describers/kit';
import { type Button, resolvePost } from './press';

/** Extend or Revoke on an expiry notice: changes the grant, if the card still shows it as it is. */
export const grantButton: Button<'grant.extend' | 'grant.revoke'> = async (k, { who, repo, verb, action: a }) => {
  const { d } = k;
  const found = await repo.grant(who.firm.id, verb.grantId);
  // A grant of a case the presser is walled off reads as one that no longer exists.
  const grant = found && (found.scope.kind === 'client' || !(await repo.hiddenCasesFor(who.actor)).has(found.scope.caseId)) ? found : null;
  if (!grant) return message('This card is out of date: that access no longer exists (it was revoked or changed).');
  if (grant.expiresAt !== verb.expected) return message(`This card is out of date: that access now ${grant.expiresAt ? `ends ${formatDate(grant.expiresAt)}` : 'has no end date'}. Nothing was changed.`);
  let resolution: Extract<PostData, { kind: 'notice' }>['resolution'];
  if (verb.verb === 'grant.extend') {
    const from = Math.max(d.clock.now().getTime(), grant.expiresAt ? Date.parse(grant.expiresAt) : 0);
    const until = new Date(from + verb.days * 24 * 3600 * 1000).toISOString();
    await d.sharing.extendGrant(who.actor, grant.id, until, 'extended from the Teams card');
    resolution = { action: 'extended', by: who.staff.name, until };
  } else {
    await d.sharing.revokeGrant(who.actor, grant.id, 'revoked from the Teams card');
    resolution = { action: 'revoked', by: who.staff.name };
  }
  const updated = await resolvePost(k, who.firm.id, a.conversationId, a.replyToId, null, (data) => (data.kind === 'notice' ? { ...data, resolution } : null));
  return updated ? cardBody(updated) : message(resolution.action === 'extended' ? 'Access extended.' : 'Access revoked.');
};
