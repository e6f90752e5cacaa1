import { execute } from '../actions';
import { bold, run, type TextRun } from '../cards';
import { timeLeftInWords } from '../../src/domain/expiry';
import { type NoticeDescriber, cardDate, formatDate, mentionsFor, scopeRuns } from './kit';

/** The choices an expiry reminder offers for extending (days from the current expiry). */
export const EXTEND_CHOICES_DAYS = [30, 90] as const;

/**
 * Access about to expire: who, what they see (in words), in which case and when it ends, with
 * Extend and Revoke until someone has acted; then a receipt of what was done and by whom.
 */
export const describeGrantExpiring: NoticeDescriber<'grant.expiring'> = async ({ deps, repo, c, base, caseLink }, e, { resolution }) => {
  const contact = await repo.contact(c.firmId, e.contactId);
  const grant = await repo.grant(c.firmId, e.grantId);
  const scope = grant?.scope ?? e.scope;
  const guest = bold(contact?.name ?? 'A guest');
  const what: TextRun[] = scope ? await scopeRuns(repo, c.firmId, scope) : [run('this case')];
  if (resolution) {
    const extended = resolution.action === 'extended';
    return {
      model: {
        ...base,
        icon: extended ? '✅' : '🚫',
        heading: extended ? 'Access extended' : 'Access revoked',
        summary: extended
          ? [guest, run("'s access to "), ...what, run(' now ends '), bold(resolution.until ? cardDate(resolution.until) : 'never'), run('.')]
          : [guest, run(' no longer has access to '), ...what, run('. CaseRoom removes it from SharePoint too.')],
        sections: [],
        footer: extended ? `Extended by ${resolution.by}${resolution.until ? ` until ${cardDate(resolution.until)}` : ''}.` : `Revoked by ${resolution.by}.`,
        mentions: [],
        actions: [caseLink],
      },
      summary: `Access in ${c.number} ${extended ? 'extended' : 'revoked'}`,
    };
  }
  const left = timeLeftInWords(new Date(e.expiresAt), deps.now());
  return {
    model: {
      ...base,
      icon: '⏳',
      heading: `Access ends ${left}`,
      summary: [guest, run("'s access to "), ...what, run(' expires '), bold(cardDate(e.expiresAt)), run(` (${left}).`)],
      sections: [],
      footer: grant ? 'Extend it if they still need it, or revoke it now.' : 'This access no longer exists.',
      mentions: await mentionsFor(deps.q, c, e.type),
      actions: grant
        ? [
            ...EXTEND_CHOICES_DAYS.map((days, i) => execute(`Extend ${days} days`, { verb: 'grant.extend', grantId: e.grantId, days, expected: grant.expiresAt }, i === 0 ? 'positive' : undefined)),
            execute('Revoke now', { verb: 'grant.revoke', grantId: e.grantId, expected: grant.expiresAt }, 'destructive'),
            caseLink,
          ]
        : [caseLink],
    },
    summary: `Access in ${c.number} expires ${formatDate(e.expiresAt)}`,
  };
};
