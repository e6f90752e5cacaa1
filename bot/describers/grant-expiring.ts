import { execute } from '../actions';
import { bold, run } from '../cards';
import { type NoticeDescriber, formatDate, mentionsFor, scopeRuns } from './kit';

/** Access about to expire: Extend or Revoke, until someone has (then who did). */
export const describeGrantExpiring: NoticeDescriber<'grant.expiring'> = async ({ deps, repo, c, base, caseLink }, e, { resolution }) => {
  const contact = await repo.contact(c.firmId, e.contactId);
  const grant = await repo.grant(c.firmId, e.grantId);
  const footer = resolution ? (resolution.action === 'extended' ? `Extended by ${resolution.by}${resolution.until ? ` until ${formatDate(resolution.until)}` : ''}.` : `Revoked by ${resolution.by}.`) : '';
  return {
    model: {
      ...base,
      icon: '⏳',
      heading: 'Access about to expire',
      summary: [bold(contact?.name ?? 'A guest'), run("'s access to "), ...(grant ? await scopeRuns(repo, c.firmId, grant.scope) : [run('this case')]), run(' expires '), bold(formatDate(e.expiresAt)), run('.')],
      sections: [],
      footer,
      mentions: resolution ? [] : await mentionsFor(deps.q, c, e.type),
      actions:
        resolution || !grant
          ? [caseLink]
          : [
              execute('Extend 30 days', { verb: 'grant.extend', grantId: e.grantId, days: 30, expected: grant.expiresAt }, 'positive'),
              execute('Revoke now', { verb: 'grant.revoke', grantId: e.grantId, expected: grant.expiresAt }, 'destructive'),
              caseLink,
            ],
    },
    summary: `Access in ${c.number} expires ${formatDate(e.expiresAt)}`,
  };
};
