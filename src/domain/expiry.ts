/**
 * Reminders before a grant expires, decided without effects. A firm chooses how many days before
 * expiry staff (and the guest) hear about it; each threshold is reminded once per grant and expiry
 * date, so extending a grant re-arms its reminders.
 */

const DAY_MS = 24 * 3600 * 1000;

/**
 * The threshold whose reminder is due now for a grant expiring at `expiresAt`, or null (already
 * expired, or not inside any window). A grant first seen inside several windows is due only the
 * tightest one: a guest one day from expiry needs the one-day reminder, not a seven-day one too.
 */
export function dueReminderDays(expiresAt: Date, now: Date, thresholdDays: readonly number[]): number | null {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  const inside = thresholdDays.filter((days) => left <= days * DAY_MS);
  return inside.length > 0 ? Math.min(...inside) : null;
}

/** The one-shot key of a reminder: per grant, expiry date and threshold. */
export const expiryReminderKey = (grantId: string, expiresAt: string, days: number) => `expiring:${grantId}:${new Date(expiresAt).toISOString()}:${days}d`;

/** "within a day", "in 7 days": how far off an expiry is, in whole days rounded up, for cards and e-mail. */
export function timeLeftInWords(expiresAt: Date, now: Date): string {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return 'now';
  return left <= DAY_MS ? 'within a day' : `in ${Math.ceil(left / DAY_MS)} days`;
}

/** "1 December 2026 at 16:00 UTC": an expiry as a guest reads it in an e-mail. */
export const expiryInWords = (iso: string): string => `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;
