import { bold, run } from '../cards';
import type { PostData } from '../notices';
import { type DescribeCall, type Described, mentionsFor } from './kit';

/** A guest's message (first in its thread, or a follow-up), or a reply sent from the tab. */
export async function describeMessage({ deps, repo, c, base, caseLink }: DescribeCall, data: Extract<PostData, { kind: 'message' }>): Promise<Described> {
  const e = data.event;
  const thread = await repo.thread(c.firmId, e.threadId);
  const message = (await repo.messages(e.threadId)).find((m) => m.id === e.messageId);
  const body = message?.body ?? '';
  const clipped = body.length > 2000 ? `${body.slice(0, 2000)}…` : body;
  const author = message?.authorName ?? 'Someone';
  if (e.type === 'guest.message') {
    const first = data.rootPostKey === null;
    return {
      model: {
        ...base,
        icon: '💬',
        heading: first ? 'Message from a guest' : 'The guest wrote again',
        summary: [bold(author), run(' wrote'), ...(message?.screen ? [run(' from '), bold(message.screen)] : []), ...(first && thread ? [run(' · subject: '), run(thread.subject)] : []), run(':')],
        sections: [{ label: 'Message', rows: [[run(clipped)]] }],
        footer: first ? 'Reply in this thread to answer in the client portal. Replies elsewhere stay in Teams.' : '',
        mentions: await mentionsFor(deps.q, c, 'guest.message'),
        actions: first ? [caseLink] : [],
      },
      summary: `${author} wrote about ${c.number}: ${clipped.slice(0, 100)}`,
    };
  }
  return {
    model: { ...base, icon: '↩️', heading: 'Reply sent from the CaseRoom tab', summary: [bold(author), run(' replied in the portal:')], sections: [{ label: 'Reply', rows: [[run(clipped)]] }] },
    summary: `${author} replied in the portal`,
  };
}
