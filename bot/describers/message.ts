import { execute } from '../actions';
import { bold, run, subtle, type TextInput, type TextRun } from '../cards';
import type { PostData, ReplyReceipt } from '../notices';
import { type DescribeCall, type Described, cardDate, mentionsFor } from './kit';

/** What the thread's card says, plainly, so no one is surprised by where a reply goes. */
export const BRIDGE_FOOTER = 'Replies here stay in Teams. @mention CaseRoom or use Reply to client to answer the client.';

/** The Reply to client box; its id is the field the button's invoke carries (bot/actions.ts thread.reply). */
export const REPLY_INPUT_ID = 'replyText';
/** The tab's bound on a reply (src/contract/cases.ts replyBody); the service checks it again. */
const REPLY_MAX_CHARS = 10_000;
/** The card keeps its latest receipts; each shows this much of its text (the thread has the reply in full). */
const RECEIPTS_SHOWN = 3;
const RECEIPT_CHARS = 500;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

const receiptRow = (r: ReplyReceipt): TextRun[] => [run(`Sent to ${r.guestName} (client portal): `), run(clip(r.text, RECEIPT_CHARS)), subtle(` — ${r.by}, ${cardDate(r.at)}`)];

/** A guest's message (first in its thread, or a follow-up), or a reply sent from the tab. */
export async function describeMessage({ deps, repo, c, base, caseLink }: DescribeCall, data: Extract<PostData, { kind: 'message' }>): Promise<Described> {
  const e = data.event;
  const thread = await repo.thread(c.firmId, e.threadId);
  const message = (await repo.messages(e.threadId)).find((m) => m.id === e.messageId);
  const body = message?.body ?? '';
  const clipped = clip(body, 2000);
  const author = message?.authorName ?? 'Someone';
  if (e.type === 'guest.message') {
    const first = data.rootPostKey === null;
    const receipts = (data.receipts ?? []).slice(-RECEIPTS_SHOWN);
    const replyBox: TextInput = { id: REPLY_INPUT_ID, label: 'Reply to client', placeholder: `Write to ${author}: it goes to their client portal`, maxLength: REPLY_MAX_CHARS, isMultiline: true };
    return {
      model: {
        ...base,
        icon: '💬',
        heading: first ? 'Message from a guest' : 'The guest wrote again',
        summary: [bold(author), run(' wrote'), ...(message?.screen ? [run(' from '), bold(message.screen)] : []), ...(first && thread ? [run(' · subject: '), run(thread.subject)] : []), run(':')],
        sections: [
          { label: 'Message', rows: [[run(clipped)]] },
          { label: 'Sent to the client from this card', rows: first ? receipts.map(receiptRow) : [] },
        ],
        footer: first ? BRIDGE_FOOTER : '',
        mentions: await mentionsFor(deps.q, c, 'guest.message'),
        ...(first ? { inputs: [replyBox], actions: [execute('Reply to client', { verb: 'thread.reply', threadId: e.threadId }, 'positive'), caseLink] } : { actions: [] }),
      },
      summary: `${author} wrote about ${c.number}: ${clipped.slice(0, 100)}`,
    };
  }
  return {
    model: { ...base, icon: '↩️', heading: 'Reply sent from the CaseRoom tab', summary: [bold(author), run(' replied in the portal:')], sections: [{ label: 'Reply', rows: [[run(clipped)]] }] },
    summary: `${author} replied in the portal`,
  };
}
