import { createHash } from 'node:crypto';
import { type AccessReviewSchedule, SECTIONS } from '../contract/enums';
import { SECTION_WORDS, wordList } from '../contract/views';
import type { GrantScope, Section } from './model';

/**
 * Access reviews (G9), the rules without I/O: when a case's next review is due, how a guest's
 * access reads in words, and the fingerprint that tells a stale review button from a live one.
 */

/** A review left undecided this long is sent to the case's responsible staff member. */
export const REVIEW_OVERDUE_DAYS = 7;
/** "Shorten" sets the guest's access to end this many days after the decision (never later than it already ends). */
export const REVIEW_SHORTEN_DAYS = 30;
/** Item titles a review row names before counting the rest ("and 4 more"). */
export const REVIEW_TITLES_NAMED = 3;

const MONTHS: Record<Exclude<AccessReviewSchedule, 'off'>, number> = { monthly: 1, quarterly: 3 };

/** The next review of a case: at once when it never had one, else a schedule period after the last one ended; null when reviews are off. */
export function nextReviewDue(schedule: AccessReviewSchedule, lastCompletedAt: Date | null): Date | null {
  if (schedule === 'off') return null;
  if (!lastCompletedAt) return new Date(0);
  const due = new Date(lastCompletedAt.getTime());
  due.setUTCMonth(due.getUTCMonth() + MONTHS[schedule]);
  return due;
}

export const isOverdue = (startedAt: Date, now: Date): boolean => now.getTime() - startedAt.getTime() >= REVIEW_OVERDUE_DAYS * 24 * 3600 * 1000;

/** A case or client view in words, in the portal's order, never "Full case": a reviewer decides on what is actually shown. */
export function viewInWords(view: readonly Section[]): string {
  const shown = SECTIONS.filter((s) => view.includes(s)).map((s) => SECTION_WORDS[s]);
  return shown.length ? wordList(shown) : 'no sections';
}

/** What one guest's access to one case is made of, names resolved. */
export interface GuestAccessParts {
  /** Case and client grants reaching the case; `clientName` for a client grant. */
  scopes: Array<{ kind: 'case'; view: Section[] } | { kind: 'client'; clientName: string; view: Section[] }>;
  /** Titles of items shared one by one (deleted ones left out). */
  itemTitles: string[];
}

/** "documents and events", "3 items: Knee MRI, Lease and Notes", "every case of Smith: documents; 5 items: A, B, C and 2 more". */
export function accessInWords(parts: GuestAccessParts): string {
  const phrases: string[] = [];
  for (const s of parts.scopes) phrases.push(s.kind === 'case' ? viewInWords(s.view) : `every case of ${s.clientName}: ${viewInWords(s.view)}`);
  const titles = [...parts.itemTitles].sort((a, b) => a.localeCompare(b));
  if (titles.length) {
    const named = titles.length > REVIEW_TITLES_NAMED + 1 ? `${titles.slice(0, REVIEW_TITLES_NAMED).join(', ')} and ${titles.length - REVIEW_TITLES_NAMED} more` : wordList(titles);
    phrases.push(`${titles.length} ${titles.length === 1 ? 'item' : 'items'}: ${named}`);
  }
  return phrases.length ? phrases.join('; ') : 'nothing';
}

/** The grants behind a guest's access to a case, as a short hash: a button made for other grants is stale. */
export function accessFingerprint(grants: ReadonlyArray<{ id: string; scope: GrantScope; expiresAt: string | null }>): string {
  const canonical = grants
    .map((g) => `${g.id}|${g.expiresAt ?? ''}|${JSON.stringify(g.scope)}`)
    .sort()
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The expiry "Shorten" gives one grant: the sooner of its own and `REVIEW_SHORTEN_DAYS` from now; null when it already ends sooner. */
export function shortenedExpiry(current: string | null, now: Date): string | null {
  const target = now.getTime() + REVIEW_SHORTEN_DAYS * 24 * 3600 * 1000;
  if (current !== null && Date.parse(current) <= target) return null;
  return new Date(target).toISOString();
}
