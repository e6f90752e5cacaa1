import { describe, expect, it } from '@jest/globals';
// The shared name check lives in src/contract (zod's schemas and the domain both use it); its tests sit here, where Jest may be imported.
import { createClientBody, createContactBody, newItemBody, updateCaseBody } from '../contract';
import { unsafeNameCharacter, unsafeNameProblem, visibleName } from '../contract/names';

const BIDI = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c];
const ZERO_WIDTH = [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff];

describe('unsafe name characters', () => {
  it.each([...BIDI, ...ZERO_WIDTH].map((cp) => [`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, cp] as const))('refuses %s wherever it sits in a name', (code, cp) => {
    const ch = String.fromCodePoint(cp);
    for (const name of [`${ch}report.pdf`, `re${ch}port.pdf`, `report.pdf${ch}`]) {
      expect(unsafeNameProblem(name)).toContain(code);
    }
  });

  it('names the character and where it is, so the sender can fix it', () => {
    expect(unsafeNameCharacter('invoice\u202Efdp.html')).toEqual({ codePoint: 0x202e, position: 8, description: 'a right-to-left override (U+202E)' });
    expect(unsafeNameProblem('invoice\u202Efdp.html')).toMatch(/right-to-left override \(U\+202E\) at character 8: invisible characters/);
    expect(unsafeNameProblem('a\u200Bb\u200Bc\u200B')).toMatch(/zero-width space \(U\+200B\) at character 2 and 2 more such characters/);
  });

  it('keeps every honest name, accents, scripts and emoji included', () => {
    for (const name of ['García.pdf', 'Ünïcødé ✓.docx', 'عقد الإيجار.pdf', 'חוזה.pdf', '契約書.pdf', 'Résumé (final) 2.pdf', 'Zoë 😀.png', 'O’Brien & Sons']) {
      expect(unsafeNameProblem(name)).toBeNull();
    }
  });

  it('shows a refused name with its invisible characters spelt out, so echoing it cannot reorder the message', () => {
    expect(visibleName('invoice\u202Efdp.html')).toBe('invoice<U+202E>fdp.html');
    expect(visibleName('plain.pdf')).toBe('plain.pdf');
  });
});

describe('the API refuses such names wherever a person types one', () => {
  const issue = (r: { success: boolean; error?: { issues: Array<{ message: string; path: PropertyKey[] }> } }) => r.error?.issues[0];

  it('client, contact, case and item names: 400 with the field and the character', () => {
    expect(issue(createClientBody.safeParse({ name: 'Acme\u200B Ltd' }))).toMatchObject({ path: ['name'], message: expect.stringContaining('U+200B') });
    expect(issue(createContactBody.safeParse({ email: 'a@b.example', name: '\u202EAlice', kind: 'client' }))).toMatchObject({ path: ['name'], message: expect.stringContaining('U+202E') });
    expect(issue(updateCaseBody.safeParse({ title: 'Smith\u2066 v Jones' }))).toMatchObject({ path: ['title'], message: expect.stringContaining('U+2066') });
    expect(issue(newItemBody.safeParse({ kind: 'folder', title: 'Medical\uFEFF', parentId: null }))).toMatchObject({ path: ['title'], message: expect.stringContaining('U+FEFF') });
  });

  it('a byte order mark at the very start is refused, not trimmed away as whitespace', () => {
    expect(createClientBody.safeParse({ name: '\uFEFFAcme' }).success).toBe(false);
    expect(createClientBody.safeParse({ name: '  Acme  ' })).toEqual({ success: true, data: { name: 'Acme' } });
  });
});
