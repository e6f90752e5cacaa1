import { iso, isoFromTimestamptz, isoOrNull } from './timestamps';

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

describe('isoOrNull and iso', () => {
  it('give one spelling whichever way a row carried the timestamp', () => {
    const expected = '2026-12-01T09:30:00.123Z';
    // From the stores' parser, from inside to_jsonb, from a driver that builds Dates.
    for (const carried of [expected, '2026-12-01T09:30:00.123456+00:00', '2026-12-01T10:30:00.123+01:00', new Date(expected)]) {
      expect(isoOrNull(carried)).toBe(expected);
      expect(iso(carried)).toBe(expected);
    }
  });

  it('keep a missing nullable timestamp null, and call a missing NOT NULL one a bug', () => {
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(undefined)).toBeNull();
    expect(() => iso(null)).toThrow(/NOT NULL/);
  });
});
