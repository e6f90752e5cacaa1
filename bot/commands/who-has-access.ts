import type { StaffActor } from '../../src/services/context';
import type { CaseRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import { execute } from '../actions';
import { bold, type NoticeModel, plural, run, subtle } from '../cards';
import type { CaseCommandCall, Kit } from './kit';
import { seenWords } from '../describers/seen';

const STATE_LABEL = { active: 'active', pending: 'pending (invitation not accepted)', expired: 'expired', withdrawn: 'withdrawn' } as const;

/** The "who has access" card; also what its Refresh button answers with. */
export async function whoHasAccessCard(k: Kit, actor: StaffActor, c: CaseRecord): Promise<NoticeModel> {
  const entries = await k.d.sharing.whoHasAccessToCase(actor, c.id);
  const linked = await new Repo(k.d.db).linkedContacts(c.id);
  const withAccess = new Set(entries.map((e) => e.contact.id));
  const rows = entries.map((e) => [
    bold(e.contact.name),
    subtle(` · ${e.contact.kind}`),
    run(' — '),
    run(e.label),
    subtle(` · ${e.grant.rights === 'upload' ? 'read and upload' : 'read'} · ${STATE_LABEL[e.state]}${e.grant.expiresAt ? ` · expires ${e.grant.expiresAt.slice(0, 10)}` : ''} · ${seenWords(e.grant.scope.kind, e.seen)}`),
  ]);
  return {
    icon: '👥',
    heading: 'Who has access',
    caseNumber: c.number,
    caseTitle: c.title,
    summary: entries.length ? [run(`${plural(new Set(entries.map((e) => e.contact.id)).size, 'person', 'people')} outside the firm can see parts of this case.`)] : [run('Nobody outside the firm can see anything in this case.')],
    sections: [
      { label: 'Guests and what they see', rows },
      { label: 'Linked, nothing shared yet', rows: linked.filter((l) => !withAccess.has(l.id)).map((l) => [run(l.name), subtle(` · ${l.kind}${l.portalAccess ? '' : ' · portal access off'}`)]) },
    ],
    actions: [execute('Refresh', { verb: 'access.refresh', caseId: c.id })],
  };
}

/** `who has access`: guests of the case, what they see, pending and expired access. */
export async function whoHasAccess(k: Kit, { context, actor, c }: CaseCommandCall<unknown>): Promise<void> {
  await k.say(context, await whoHasAccessCard(k, actor, c), `Who has access to ${c.number}`);
}
