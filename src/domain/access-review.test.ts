import { describe, expect, it } from '@jest/globals';
import { accessFingerprint, accessInWords, nextReviewDue, shortenedExpiry, viewInWords } from './access-review';

describe('access review rules', () => {
  it('schedules the first review at once and the next a calendar month or quarter after the last one ended', () => {
    const ended = new Date('2026-01-31T10:00:00Z');
    expect(nextReviewDue('off', ended)).toBeNull();
    expect(nextReviewDue('monthly', null)?.getTime()).toBe(0);
    expect(nextReviewDue('monthly', new Date('2026-03-15T10:00:00Z'))?.toISOString()).toBe('2026-04-15T10:00:00.000Z');
    expect(nextReviewDue('quarterly', new Date('2026-03-15T10:00:00Z'))?.toISOString()).toBe('2026-06-15T10:00:00.000Z');
  });

  it('says what a guest sees in words, naming a few items and counting the rest', () => {
    expect(viewInWords(['events', 'documents'])).toBe('documents and events');
    expect(viewInWords([])).toBe('no sections');
    expect(accessInWords({ scopes: [{ kind: 'case', view: ['documents', 'events'] }], itemTitles: [] })).toBe('documents and events');
    expect(accessInWords({ scopes: [], itemTitles: ['Knee MRI', 'A', 'B'] })).toBe('3 items: A, B and Knee MRI');
    expect(accessInWords({ scopes: [], itemTitles: ['E', 'D', 'C', 'B', 'A'] })).toBe('5 items: A, B, C and 2 more');
    expect(accessInWords({ scopes: [{ kind: 'client', clientName: 'Smith', view: ['notes'] }], itemTitles: ['X'] })).toBe('every case of Smith: notes; 1 item: X');
    const many = Array.from({ length: 500 }, (_, i) => `Exhibit ${i}`);
    expect(accessInWords({ scopes: [], itemTitles: many }).length).toBeLessThan(80);
  });

  it('shortens only what ends later than the review allows', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(shortenedExpiry(null, now)).toBe('2026-01-31T00:00:00.000Z');
    expect(shortenedExpiry('2027-01-01T00:00:00.000Z', now)).toBe('2026-01-31T00:00:00.000Z');
    expect(shortenedExpiry('2026-01-10T00:00:00.000Z', now)).toBeNull();
  });

  it('fingerprints the grants behind the access: any change of expiry or scope makes a new one', () => {
    const g = { id: 'g1', scope: { kind: 'case' as const, caseId: 'c1', view: ['documents' as const], threadIds: [] }, expiresAt: null };
    expect(accessFingerprint([g])).toBe(accessFingerprint([{ ...g }]));
    expect(accessFingerprint([g])).not.toBe(accessFingerprint([{ ...g, expiresAt: '2026-01-01T00:00:00.000Z' }]));
    expect(accessFingerprint([g])).not.toBe(accessFingerprint([{ ...g, scope: { ...g.scope, view: ['notes' as const] } }]));
    expect(accessFingerprint([])).toMatch(/^[0-9a-f]{16}$/);
  });
});
