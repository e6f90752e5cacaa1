/**
 * Characters a name must not carry: bidirectional controls and zero-width characters. They are
 * invisible, yet they change what a reader sees: `invoice\u202Efdp.html` (a right-to-left
 * override) displays as "invoicelmth.pdf", and a zero-width space makes "Acme" and "Ac\u200Bme" two
 * names that look the same. Every name a person types or uploads (file, folder, contact, client,
 * case, item titles) goes through this one check: zod's `safeName` at the API and
 * `checkItemName` (src/domain/filenames.ts) for files, folders and archive entries.
 *
 * Refused, never silently removed. Removing them would store a name other than the one sent (the
 * override's victim saw "invoicelmth.pdf", and the cleaned "invoicefdp.html" is neither what the
 * sender typed nor what a reader saw), could make two different names collide, and would hide the
 * attempt. A 400 that names the character lets an honest sender fix the name in seconds. In a zip
 * archive only the entry is refused and listed; the rest of the archive is stored.
 *
 * Plain code, no zod: the domain and the tab may use it too.
 */

interface UnsafeRange {
  from: number;
  to: number;
  /** What the character is called, for the message. */
  name: (codePoint: number) => string;
}

const named =
  (names: Record<number, string>) =>
  (codePoint: number): string =>
    names[codePoint] ?? 'an invisible formatting character';

/** Unicode's bidirectional formatting characters (UAX #9) and the zero-width ones. */
const UNSAFE: readonly UnsafeRange[] = [
  { from: 0x200b, to: 0x200d, name: named({ 0x200b: 'a zero-width space', 0x200c: 'a zero-width non-joiner', 0x200d: 'a zero-width joiner' }) },
  { from: 0x200e, to: 0x200f, name: named({ 0x200e: 'a left-to-right mark', 0x200f: 'a right-to-left mark' }) },
  {
    from: 0x202a,
    to: 0x202e,
    name: named({ 0x202a: 'a left-to-right embedding', 0x202b: 'a right-to-left embedding', 0x202c: 'a pop directional formatting', 0x202d: 'a left-to-right override', 0x202e: 'a right-to-left override' }),
  },
  { from: 0x2060, to: 0x2060, name: () => 'a word joiner' },
  { from: 0x2066, to: 0x2069, name: named({ 0x2066: 'a left-to-right isolate', 0x2067: 'a right-to-left isolate', 0x2068: 'a first strong isolate', 0x2069: 'a pop directional isolate' }) },
  { from: 0x061c, to: 0x061c, name: () => 'an Arabic letter mark' },
  { from: 0xfeff, to: 0xfeff, name: () => 'a zero-width no-break space, or byte order mark,' },
];

const rangeOf = (codePoint: number): UnsafeRange | undefined => UNSAFE.find((r) => codePoint >= r.from && codePoint <= r.to);
const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first unsafe character of `name` with its position (1-based, in characters), or null when there is none. */
export function unsafeNameCharacter(name: string): { codePoint: number; position: number; description: string } | null {
  let position = 0;
  for (const ch of name) {
    position++;
    const codePoint = ch.codePointAt(0) as number;
    const range = rangeOf(codePoint);
    if (range) return { codePoint, position, description: `${range.name(codePoint)} (${hex(codePoint)})` };
  }
  return null;
}

/** Why `name` is refused, in words a sender can act on; null when it carries no unsafe character. */
export function unsafeNameProblem(name: string): string | null {
  const found = unsafeNameCharacter(name);
  if (!found) return null;
  const count = [...name].filter((ch) => rangeOf(ch.codePointAt(0) as number)).length;
  const more = count > 1 ? ` and ${count - 1} more such character${count > 2 ? 's' : ''}` : '';
  return `the name contains ${found.description} at character ${found.position}${more}: invisible characters that change how a name displays are not accepted; retype the name without them`;
}

/**
 * The name with every unsafe character shown as `<U+202E>`, for messages and lists that echo a
 * refused name: echoing it raw would let the override reorder the very message that refuses it.
 */
export function visibleName(name: string): string {
  let out = '';
  for (const ch of name) out += rangeOf(ch.codePointAt(0) as number) ? `<${hex(ch.codePointAt(0) as number)}>` : ch;
  return out;
}
