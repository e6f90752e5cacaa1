import { execute, parseAction } from '../../bot/actions';
import { bold, renderNotice, run } from '../../bot/cards';
import { parseCommand } from '../../bot/incoming';
import { createThreadLimiter } from '../../bot/rate-limit';
import { checkCard, markdownTexts } from './card-validator';

const HOSTILE = ['<img src=x onerror=alert(1)>', '${$root.secret}', '**bold** [link](https://evil.example) _x_ <at>Boss</at>'];

describe('cards', () => {
  it('renders a notice that the Adaptive Cards renderer accepts with no errors', () => {
    const card = renderNotice({
      icon: '📎',
      heading: 'New upload from a guest',
      caseNumber: 'PI-1',
      caseTitle: 'Smith v. Metro',
      summary: [bold('John'), run(' uploaded 2 files')],
      sections: [
        { label: 'Files', rows: [[run('a.pdf')], [run('b.pdf')]] },
        { label: 'Empty', rows: [] },
      ],
      mentions: [{ userId: 'u1', name: 'Priya Raman' }],
      actions: [execute('Extend 30 days', { verb: 'grant.extend', grantId: '3f1c5a2e-0000-4000-8000-000000000001', days: 30, expected: null }), { type: 'Action.OpenUrl', title: 'Open', url: 'https://caseroom.example/tab/case' }],
      footer: 'A footer.',
    });
    expect(card.version).toBe('1.5');
    const check = checkCard(card);
    expect(check.parseErrors).toEqual([]);
    expect(check.validationErrors).toEqual([]);
    expect(check.text).toContain('a.pdf');
    expect((card.msteams as { entities: unknown[] }).entities).toHaveLength(1);
  });

  it.each(HOSTILE)('shows user-supplied text literally: %s', (hostile) => {
    const card = renderNotice({
      icon: 'x',
      heading: 'Heading',
      caseNumber: hostile,
      caseTitle: hostile,
      summary: [bold(hostile)],
      sections: [{ label: 'People', rows: [[run(hostile)]] }],
      mentions: [{ userId: 'u', name: hostile }],
      secret: 'LEAK',
    } as never);
    const check = checkCard(card);
    expect(check.parseErrors).toEqual([]);
    expect(check.validationErrors).toEqual([]);
    expect(check.text).toContain(hostile);
    expect(check.text).not.toContain('LEAK');
    expect(check.html).not.toMatch(/<img|<a /);
    // Only the bot's wording sits where Teams renders markdown; a mention's name is escaped there
    // (the card is built from plain values: nothing in it is ever evaluated).
    if (/[*_[\]<>`~\\]/.test(hostile)) for (const text of markdownTexts(card)) expect(text).not.toContain(hostile);
  });
});

describe('commands and verbs', () => {
  it('parses the channel commands', () => {
    expect(parseCommand('who has access')).toEqual({ name: 'whoHasAccess' });
    expect(parseCommand('Who has access?')).toEqual({ name: 'whoHasAccess' });
    expect(parseCommand('status')).toEqual({ name: 'status' });
    expect(parseCommand('share "Knee MRI report.pdf" with John Smith')).toEqual({ name: 'share', file: 'Knee MRI report.pdf', contact: 'John Smith' });
    expect(parseCommand('help')).toEqual({ name: 'help' });
    expect(parseCommand('dance')).toEqual({ name: 'unknown', text: 'dance' });
  });

  it('accepts only known verbs with well-formed data', () => {
    const grantId = '3f1c5a2e-0000-4000-8000-000000000001';
    expect(parseAction({ verb: 'grant.revoke', data: { grantId, expected: null } })).toEqual({ ok: true, verb: { verb: 'grant.revoke', grantId, expected: null } });
    expect(parseAction({ verb: 'grant.delete', data: {} })).toEqual({ ok: false, verbName: 'grant.delete', reason: 'unknown' });
    expect(parseAction({ verb: 'grant.extend', data: { grantId: 'nope', days: 30, expected: null } })).toEqual({ ok: false, verbName: 'grant.extend', reason: 'malformed' });
    expect(parseAction(undefined)).toEqual({ ok: false, verbName: '', reason: 'unknown' });
  });
});

describe('thread rate limit', () => {
  it('lets 7 through per second and 60 per 30 s', async () => {
    let now = 0;
    const limiter = createThreadLimiter(
      undefined,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    const times: number[] = [];
    for (let i = 0; i < 70; i++) await limiter.run('channel', async () => times.push(now));
    for (let i = 7; i < times.length; i++) expect(times[i] - times[i - 7]).toBeGreaterThanOrEqual(1000);
    for (let i = 60; i < times.length; i++) expect(times[i] - times[i - 60]).toBeGreaterThanOrEqual(30_000);
    // Another channel is not held up.
    const before = now;
    await limiter.run('other', async () => undefined);
    expect(now).toBe(before);
  });
});
