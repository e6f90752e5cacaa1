import type { TurnContext } from 'botbuilder';
import { bold, type NoticeModel, run } from '../cards';
import type { Kit } from './kit';

/** `help`: the commands, and how a reply in a guest's thread reaches the guest (only when sent explicitly). */
export const HELP: NoticeModel = {
  icon: '❔',
  heading: 'CaseRoom commands',
  caseNumber: '',
  caseTitle: '',
  summary: [run('Mention CaseRoom in a case channel, then:')],
  sections: [
    {
      label: 'Commands',
      rows: [
        [bold('who has access'), run(' — guests, what they see, pending and expired access')],
        [bold('status'), run(' — case status, assigned staff, guests, content')],
        [bold('share <file> with <contact>'), run(' — share one item with a contact linked to the case')],
        [bold('help'), run(' — this list')],
      ],
    },
    {
      label: 'Guest message threads',
      rows: [
        [run('Replies in a guest message thread stay in Teams: the guest never sees them.')],
        [run('To answer the guest in their portal, '), bold('@mention CaseRoom'), run(' in your reply (the mention is not shown to them), or use '), bold('Reply to client'), run(' on the thread’s card.')],
        [run('CaseRoom then confirms in the thread what was sent to whom. A closed case, or a guest who no longer has access, gets nothing, and CaseRoom says why.')],
      ],
    },
  ],
};

export const help = (k: Kit, context: TurnContext) => k.say(context, HELP, 'CaseRoom commands');

/** A mention CaseRoom did not understand: the same list, saying so. */
export const notUnderstood = (k: Kit, context: TurnContext, text: string) =>
  k.say(context, { ...HELP, heading: "CaseRoom didn't understand that", summary: [run('You wrote '), bold(text || '(nothing)'), run('. Mention CaseRoom with one of:')] }, 'CaseRoom help');
