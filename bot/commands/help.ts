import type { TurnContext } from 'botbuilder';
import { bold, type NoticeModel, run } from '../cards';
import type { Kit } from './kit';

/** `help`: the commands, and what a reply in a bridged thread does. */
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
    { label: 'Threads', rows: [[run('Reply in a guest message thread to answer the guest in their portal.')]] },
  ],
};

export const help = (k: Kit, context: TurnContext) => k.say(context, HELP, 'CaseRoom commands');

/** A mention CaseRoom did not understand: the same list, saying so. */
export const notUnderstood = (k: Kit, context: TurnContext, text: string) =>
  k.say(context, { ...HELP, heading: "CaseRoom didn't understand that", summary: [run('You wrote '), bold(text || '(nothing)'), run('. Mention CaseRoom with one of:')] }, 'CaseRoom help');
