import { Repo } from '../../src/store/repo';
import { bold, type NoticeModel, plural, run } from '../cards';
import type { CaseCommandCall, Kit } from './kit';

const STATUS_LABEL = { open: 'Open', on_hold: 'On hold', closed: 'Closed' } as const;

/** `status`: case status, assigned staff, guests, content. */
export async function status(k: Kit, { context, actor, c }: CaseCommandCall<unknown>): Promise<void> {
  const { d } = k;
  const repo = new Repo(d.db);
  const entries = await d.sharing.whoHasAccessToCase(actor, c.id);
  const people = (state: string) => new Set(entries.filter((e) => e.state === state).map((e) => e.contact.id)).size;
  const items = await repo.itemsOfCase(c.id);
  const count = (kind: string) => items.filter((i) => i.kind === kind && !i.staffOnly).length;
  const assigned = c.assignedStaffId ? await repo.staff(c.firmId, c.assignedStaffId) : null;
  const threads = await repo.threadsOfCase(c.id);
  const model: NoticeModel = {
    icon: '📋',
    heading: 'Case status',
    caseNumber: c.number,
    caseTitle: c.title,
    summary: [bold(STATUS_LABEL[c.status]), ...(c.statusNote ? [run(' — '), run(c.statusNote)] : [])],
    sections: [
      { label: 'Team', rows: [[run('Assigned: '), bold(assigned?.name ?? 'nobody')]] },
      { label: 'Guests', rows: [[run(`${people('active')} active, ${people('pending')} pending, ${people('expired')} expired`)]] },
      {
        label: 'Content',
        rows: [[run(`${plural(count('document'), 'document')}, ${plural(count('note'), 'note')}, ${plural(count('event'), 'event')}, ${plural(count('invoice'), 'invoice')}, ${plural(threads.length, 'message thread')}`)]],
      },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'Open in CaseRoom', url: d.links.caseTab(c) }],
  };
  await k.say(context, model, `Status of ${c.number}`);
}
