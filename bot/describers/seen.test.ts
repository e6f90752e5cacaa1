import { seenWords } from './seen';

describe('seenWords (who has access)', () => {
  it('names when an item was first opened, or that it was not', () => {
    expect(seenWords('item', { items: 1, messages: 0, firstAt: '2026-11-03T14:02:00.000Z', lastAt: '2026-11-03T14:02:00.000Z' })).toBe('seen {{DATE(2026-11-03T14:02:00Z, SHORT)}} {{TIME(2026-11-03T14:02:00Z)}}');
    expect(seenWords('item', { items: 0, messages: 0, firstAt: null, lastAt: null })).toBe('not opened yet');
    // A folder grant of which several documents were opened.
    expect(seenWords('item', { items: 2, messages: 0, firstAt: '2026-11-01T09:00:00.000Z', lastAt: '2026-11-03T14:02:00.000Z' })).toBe('opened 2 items, last {{DATE(2026-11-03T14:02:00Z, SHORT)}} {{TIME(2026-11-03T14:02:00Z)}}');
  });

  it('counts what a case or client grant has been opened of, with the latest open', () => {
    expect(seenWords('case', { items: 3, messages: 1, firstAt: '2026-11-01T09:00:00.000Z', lastAt: '2026-11-03T14:02:00.000Z' })).toBe(
      'opened 3 items and 1 message, last {{DATE(2026-11-03T14:02:00Z, SHORT)}} {{TIME(2026-11-03T14:02:00Z)}}',
    );
    expect(seenWords('client', { items: 0, messages: 2, firstAt: '2026-11-01T09:00:00.000Z', lastAt: '2026-11-02T10:00:00.000Z' })).toBe('opened 2 messages, last {{DATE(2026-11-02T10:00:00Z, SHORT)}} {{TIME(2026-11-02T10:00:00Z)}}');
    expect(seenWords('case', { items: 0, messages: 0, firstAt: null, lastAt: null })).toBe('nothing opened yet');
  });
});
