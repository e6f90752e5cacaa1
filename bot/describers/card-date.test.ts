import { cardDate, formatDate } from './kit';

describe('dates on cards', () => {
  it('are Adaptive Card DATE/TIME functions over a strict RFC 3339 UTC timestamp, so Teams shows them in the reader’s locale and zone', () => {
    expect(cardDate('2026-11-03T15:02:09.500+01:00')).toBe('{{DATE(2026-11-03T14:02:09Z, SHORT)}} {{TIME(2026-11-03T14:02:09Z)}}');
  });

  it('stay UTC, and say so, in plain text that Teams does not format', () => {
    expect(formatDate('2026-11-03T15:02:00+01:00')).toBe('2026-11-03 14:02 UTC');
  });
});
