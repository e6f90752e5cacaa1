import { isoFromTimestamptz } from './timestamps';

describe('isoFromTimestamptz', () => {
  it('writes a UTC timestamp as the ISO string Date would, to the millisecond', () => {
    for (const [text, iso] of [
      ['2026-12-01 09:30:00.123456+00', '2026-12-01T09:30:00.123Z'],
      ['2026-12-01 09:30:00.1+00', '2026-12-01T09:30:00.100Z'],
      ['2026-12-01 09:30:00+00', '2026-12-01T09:30:00.000Z'],
      ['1999-12-31 23:59:59.999999+00', '1999-12-31T23:59:59.999Z'],
    ]) {
      expect(isoFromTimestamptz(text)).toBe(iso);
      expect(isoFromTimestamptz(text)).toBe(new Date(text.replace(' ', 'T').replace('+00', 'Z')).toISOString());
    }
  });

  it('moves a timestamp written in another time zone to UTC', () => {
    expect(isoFromTimestamptz('2026-12-01 10:30:00.5+01')).toBe('2026-12-01T09:30:00.500Z');
    expect(isoFromTimestamptz('2026-12-01 04:00:00-05:30')).toBe('2026-12-01T09:30:00.000Z');
  });

  it('refuses text that is not a timestamp rather than inventing one', () => {
    expect(() => isoFromTimestamptz('yesterday')).toThrow(/not a timestamp/);
  });
});
