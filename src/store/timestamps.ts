/**
 * timestamptz values as the ISO strings records carry (`2026-12-01T09:30:00.123Z`), straight from
 * PostgreSQL's text. The drivers' default builds a Date with a regular expression for every
 * timestamp of every row, and records.ts then turns each Date back into a string: under the
 * portal's read load that was a tenth of the app's own CPU (bench/PROFILE.md).
 *
 * The fast path takes the text of a session in UTC (`2026-12-01 09:30:00.123456+00`); any other
 * spelling (another time zone, a year past 9999, BC) goes through Date, as before. Fractions past
 * the millisecond are cut, as Date cuts them.
 */
const UTC_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

export function isoFromTimestamptz(text: string): string {
  const utc = UTC_TEXT.exec(text);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const date = new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp PostgreSQL writes: ${text}`);
  return date.toISOString();
}

/**
 * A timestamp a row carries, as records carry it (`…T09:30:00.123Z`): the stores' parser above
 * already gives that; a timestamp read inside JSON (`to_jsonb`, `…T09:30:00.123456+00:00`) is
 * rewritten so, and a Date (a driver without the parser) formatted.
 */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return text.length === 24 && text.endsWith('Z') ? text : new Date(text).toISOString();
}

/** As isoOrNull, for a NOT NULL column: a null here is a bug in the query, said loudly. */
export function iso(value: unknown): string {
  const text = isoOrNull(value);
  if (text === null) throw new Error('a NOT NULL timestamp column came back null');
  return text;
}

/** PostgreSQL's type id of timestamptz. */
export const TIMESTAMPTZ_OID = 1184;
