import type { ClosureGuestChange, Section } from '../../src/contract';
import { ClosureRepo } from '../../src/store/closures';
import { bold, run, subtle, type TextRun } from '../cards';
import { caseNotice, cardDate, MAX_LISTED, type NoticeDescriber } from './kit';

const SECTION_WORDS: Record<Section, string> = { status: 'status', team: 'team contact', budget: 'budget', documents: 'documents', notes: 'notes', events: 'events', invoices: 'invoices', messages: 'messages' };
/** Item titles named on a row before the rest are counted. */
const TITLES_NAMED = 3;

const listWords = (words: string[]) => (words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`);

/** What one guest saw of the case, in words: "documents and notes (14 items: Knee MRI, Scan, … and 12 more); could upload". */
export function accessWords(access: ClosureGuestChange['access']): string {
  const sections = listWords(access.sections.map((s) => SECTION_WORDS[s.section]));
  const titles = access.items.slice(0, TITLES_NAMED).map((i) => i.title);
  const more = access.items.length - titles.length;
  const items = access.items.length === 0 ? '' : `${access.items.length} item${access.items.length === 1 ? '' : 's'}: ${titles.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const seen = sections && items ? `${sections} (${items})` : sections || items || 'the case';
  return `${seen}${access.upload.length > 0 ? '; could upload' : ''}`;
}

/** One row per guest, at most MAX_LISTED, then "and N more". */
function guestRows(guests: readonly ClosureGuestChange[]): TextRun[][] {
  const rows = guests.slice(0, MAX_LISTED).map((g) => [bold(g.name), subtle(` (${g.kind}) `), run(accessWords(g.access))]);
  if (guests.length > MAX_LISTED) rows.push([subtle(`and ${guests.length - MAX_LISTED} more`)]);
  return rows.length ? rows : [[subtle('No guest had access to this case.')]];
}

const guestCount = (n: number) => `${n} guest${n === 1 ? '' : 's'}`;

/** The receipt of a closing (who lost what, and when) or of a reopening (whose access came back). */
export const describeCaseClosure: NoticeDescriber<'case.closed' | 'case.reopened'> = async (call, e) => {
  const closure = await new ClosureRepo(call.deps.q).closure(call.c.firmId, e.closureId);
  if (e.type === 'case.reopened') {
    const restored = closure?.restored ?? [];
    return caseNotice(
      call,
      e.type,
      {
        icon: '📂',
        heading: 'Case reopened',
        summary: [bold(e.actor), run(` reopened the case. Access came back for ${guestCount(restored.length)}; new shares are allowed again.`)],
        sections: [{ label: 'Access restored', rows: guestRows(restored) }],
      },
      `${e.actor} reopened ${call.c.number}`,
    );
  }
  const withdrawn = closure?.withdrawn ?? [];
  const until = closure?.guestReadUntil ?? null;
  const when = until ? ` They may read it until ${cardDate(until)} (no uploads or messages), then lose access.` : ' They lost access at once.';
  return caseNotice(
    call,
    e.type,
    {
      icon: '🔒',
      heading: 'Case closed',
      summary: [bold(e.actor), run(` closed the case.${withdrawn.length ? ` ${guestCount(withdrawn.length)} affected.${when}` : ''} New shares are refused until it is reopened.`)],
      sections: [{ label: until ? `Read-only until ${cardDate(until)}, then no access` : 'Lost access', rows: guestRows(withdrawn) }],
    },
    `${e.actor} closed ${call.c.number}`,
  );
};
