import type { TurnContext } from 'botbuilder';
import type { StaffActor } from '../../src/services/context';
import type { CaseRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import { bold, type NoticeModel, run } from '../cards';
import { type Command, type Incoming, parseCommand, type Sender } from '../incoming';
import { type Kit, whoIs } from './kit';
import { status } from './status';
import { whoHasAccess } from './who-has-access';

/**
 * The 1:1 chat with CaseRoom (the personal scope). No channel says which case is meant, so staff
 * name it after the command; anyone else is pointed to the portal, the only place guests use.
 */

export const PERSONAL_HELP: NoticeModel = {
  icon: '❔',
  heading: 'CaseRoom in this chat',
  caseNumber: '',
  caseTitle: '',
  summary: [run('Name the case by its number or words of its title:')],
  sections: [
    {
      label: 'Commands',
      rows: [
        [bold('status <case>'), run(' — case status, assigned staff, guests, content')],
        [bold('who has access <case>'), run(' — guests, what they see, pending and expired access')],
        [bold('help'), run(' — this list')],
      ],
    },
    { label: 'In a case channel', rows: [[run('Mention CaseRoom there for the same commands about that case, and to share items.')]] },
  ],
};

/** Most cases a "which one?" answer lists before asking for more words. */
const MAX_CANDIDATES = 8;

/**
 * The cases of the firm a query names: the case number exactly, else every case whose title holds
 * all the query's words. One place decides which cases a staff member may ask about.
 */
export async function casesNamed(repo: Repo, actor: StaffActor, query: string): Promise<CaseRecord[]> {
  // A case the asker is walled off is not among them: "No such case", as for one that never existed.
  const hidden = await repo.hiddenCasesFor(actor);
  const cases = (await repo.listCases(actor.firmId)).filter((c) => !hidden.has(c.id));
  const wanted = query.trim().toLowerCase();
  const byNumber = cases.filter((c) => c.number.toLowerCase() === wanted);
  if (byNumber.length) return byNumber;
  const words = wanted.split(/\s+/).filter(Boolean);
  return cases.filter((c) => words.every((w) => c.title.toLowerCase().includes(w)));
}

type CaseCommand = Extract<Command, { name: 'whoHasAccess' | 'status' }>;

/** `status <case>` or `who has access <case>` in the 1:1 chat. */
async function personalCaseCommand(k: Kit, context: TurnContext, actor: StaffActor, cmd: CaseCommand): Promise<void> {
  const example = cmd.name === 'status' ? 'status 2024-0012' : 'who has access Smith v Jones';
  if (!cmd.caseQuery) return k.say(context, k.problem('Which case?', [run('In this chat, name the case after the command, for example '), bold(example), run('.')]), 'Which case?');
  const matches = await casesNamed(new Repo(k.d.db), actor, cmd.caseQuery);
  if (matches.length === 0) return k.say(context, k.problem('No such case', [run('No case of your firm has the number or title '), bold(cmd.caseQuery), run('.')]), 'No such case');
  if (matches.length > 1) {
    const shown = matches.slice(0, MAX_CANDIDATES);
    const more = matches.length - shown.length;
    return k.say(
      context,
      {
        ...k.problem('Which case?', [run(`${matches.length} cases match `), bold(cmd.caseQuery), run('. Ask again with the case number.')]),
        sections: [{ label: 'Matching cases', rows: [...shown.map((c) => [bold(c.number), run(` — ${c.title}`)]), ...(more > 0 ? [[run(`and ${more} more`)]] : [])] }],
      },
      'Which case?',
    );
  }
  const call = { context, actor, c: matches[0], cmd };
  return cmd.name === 'status' ? status(k, call) : whoHasAccess(k, call);
}

/** Someone who is not staff writes to CaseRoom: a guest is sent to the portal; anyone else hears why not. */
async function answerNonStaff(k: Kit, context: TurnContext, tenantId: string | null, from: Sender, reason: string): Promise<void> {
  const repo = new Repo(k.d.db);
  const firm = tenantId ? await repo.firmByTenant(tenantId) : null;
  const guest = firm && from.aadObjectId ? await repo.contactByGuestUser(firm.id, from.aadObjectId) : null;
  const text = guest ? `Hello ${guest.name}. ${firm?.name ?? 'Your firm'} shares your case documents and messages in the CaseRoom portal: ${k.d.links.portalHome()} . Write to the firm from there; this chat does not reach them.` : reason;
  await context.sendActivity({ type: 'message', text, textFormat: 'plain' });
}

/** A message in the 1:1 chat: case commands for staff, the portal for everyone else. */
export async function onPersonalMessage(k: Kit, context: TurnContext, m: Extract<Incoming, { kind: 'message' }>): Promise<void> {
  const who = await whoIs(new Repo(k.d.db), m.tenantId, m.from, k.d.isStaffMember);
  if (!who.ok) return answerNonStaff(k, context, m.tenantId, m.from, who.reason);
  const cmd = parseCommand(m.text);
  switch (cmd.name) {
    case 'whoHasAccess':
    case 'status':
      return personalCaseCommand(k, context, who.actor, cmd);
    case 'share':
      return k.say(context, k.problem('Share in the case', [run('Share items from the case channel (mention CaseRoom there) or from the CaseRoom tab.')]), 'Share in the case');
    case 'help':
      return k.say(context, PERSONAL_HELP, 'CaseRoom commands');
    default:
      return k.say(context, { ...PERSONAL_HELP, heading: "CaseRoom didn't understand that", summary: [run('You wrote '), bold(m.text || '(nothing)'), run('. Name the case by its number or words of its title:')] }, 'CaseRoom help');
  }
}

/** Someone added CaseRoom's personal app: staff get the commands, anyone else the portal or why not. */
export async function onPersonalInstall(k: Kit, context: TurnContext, i: Extract<Incoming, { kind: 'installed' }>): Promise<void> {
  // Teams sends installationUpdate and conversationUpdate for one install: greet once.
  if (context.activity.type !== 'installationUpdate') return;
  const from: Sender = { aadObjectId: context.activity.from?.aadObjectId ?? null, name: context.activity.from?.name ?? '' };
  const who = await whoIs(new Repo(k.d.db), i.tenantId, from, k.d.isStaffMember);
  if (!who.ok) return answerNonStaff(k, context, i.tenantId, from, who.reason);
  await k.say(
    context,
    { ...PERSONAL_HELP, heading: `Welcome to CaseRoom, ${who.staff.name}`, summary: [run('CaseRoom posts case news in each case channel. Here you can ask about any case by its number or words of its title:')] },
    'Welcome to CaseRoom',
  );
}
