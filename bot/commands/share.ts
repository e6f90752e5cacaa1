import { DomainError } from '../../src/domain/errors';
import { Repo } from '../../src/store/repo';
import { bold, run, type TextRun } from '../cards';
import type { Command } from '../incoming';
import type { CaseCommandCall, Kit } from './kit';

/** `share <file> with <contact>`: one item of the case with one contact linked to it. */
export async function share(k: Kit, { context, actor, c, cmd }: CaseCommandCall<Extract<Command, { name: 'share' }>>): Promise<void> {
  const { d, say, problem } = k;
  const repo = new Repo(d.db);
  const q = cmd.file.toLowerCase();
  const items = (await repo.itemsOfCase(c.id)).filter((i) => !i.staffOnly && i.kind !== 'folder');
  const exact = items.filter((i) => i.title.toLowerCase() === q);
  const matches = exact.length ? exact : items.filter((i) => i.title.toLowerCase().includes(q));
  if (matches.length !== 1) {
    return say(
      context,
      problem(
        matches.length ? 'Which item?' : 'No such item',
        matches.length
          ? [
              run('Several items match '),
              bold(cmd.file),
              run(': '),
              run(
                matches
                  .slice(0, 5)
                  .map((m) => m.title)
                  .join('; '),
              ),
            ]
          : [run('No item in this case is called '), bold(cmd.file), run('.')],
        c,
      ),
      'Share: item not found',
    );
  }
  const who = cmd.contact.toLowerCase();
  const linked = await repo.linkedContacts(c.id);
  const exactPeople = linked.filter((p) => p.name.toLowerCase() === who || p.email.toLowerCase() === who);
  const people = exactPeople.length ? exactPeople : linked.filter((p) => p.name.toLowerCase().includes(who));
  if (people.length !== 1) {
    const known = people.length === 0 && (await repo.listContacts(c.firmId)).some((p) => p.name.toLowerCase() === who || p.email.toLowerCase() === who);
    const why: TextRun[] = people.length
      ? [run('Several linked contacts match '), bold(cmd.contact), run('.')]
      : known
        ? [bold(cmd.contact), run(' is not linked to this case. Link them in the CaseRoom tab first; linking shares nothing by itself.')]
        : [run('Nobody linked to this case is called '), bold(cmd.contact), run('.')];
    return say(context, problem('Cannot share', why, c), 'Share: contact not found');
  }
  const [item] = matches;
  const [person] = people;
  try {
    await d.sharing.shareItems(actor, { contactIds: [person.id], itemIds: [item.id], expiresAt: null, reason: 'shared from Teams (@CaseRoom share)' });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return say(context, problem('Cannot share', [run(err.message)], c), 'Share refused');
  }
  return say(
    context,
    {
      icon: '🔓',
      heading: 'Shared',
      caseNumber: c.number,
      caseTitle: c.title,
      summary: [run('Shared '), bold(item.title), run(' with '), bold(person.name), run(person.invitation === 'accepted' ? '.' : ' (pending until they accept the invitation).')],
      sections: [],
    },
    `Shared ${item.title}`,
  );
}
