import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { getReaderLocale } from '../shell/locale';
import { currentStrings, useStrings } from '../strings';

/** The quick picks beside the date: access for a week, a month, a quarter. */
export const EXPIRY_QUICK_DAYS = [7, 30, 90] as const;

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  picks: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
});

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** A local calendar day as the date input spells it (YYYY-MM-DD), `days` after `from`. */
export function dayInDays(days: number, from: Date = new Date()): string {
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The local calendar day an expiry falls on ('' for none), to start editing from. */
export function dayOf(expiresAt: string | null): string {
  return expiresAt ? dayInDays(0, new Date(expiresAt)) : '';
}

function endOfDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999);
  return Number.isNaN(d.getTime()) || d.getDate() !== Number(m[3]) ? null : d;
}

/**
 * The end of the chosen day in the user's time zone, as an ISO date-time with that zone's offset
 * (access lasts through the whole day the person picked, wherever the server runs).
 */
export function expiryIso(day: string): string | null {
  const d = endOfDay(day);
  if (!d) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${day}T23:59:59.999${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** Why the chosen day cannot be the expiry, or null when it can ('' is "no expiry"). */
export function expiryProblem(day: string, now: Date = new Date()): string | null {
  if (day === '') return null;
  const end = endOfDay(day);
  if (!end) return currentStrings().shell.enterDate;
  return end.getTime() <= now.getTime() ? currentStrings().shell.dayPassed : null;
}

const dayInWords = (at: string) => new Intl.DateTimeFormat(getReaderLocale(), { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(at));

/** "until 3 Dec 2026" / "no expiry", in the reader's locale. */
export function expiryInWords(expiresAt: string | null): string {
  const t = currentStrings().shell;
  return expiresAt ? t.until(dayInWords(expiresAt)) : t.noExpiryWords;
}

export interface ExpiryState {
  day: string;
  setDay: (day: string) => void;
  /** What is wrong with the chosen day; actions stay disabled while there is one. */
  problem: string | null;
  /** What to send as `expiresAt`: null for no expiry. */
  expiresAt: string | null;
}

export function useExpiry(initial: string | null = null): ExpiryState {
  const [day, setDay] = useState(() => dayOf(initial));
  return { day, setDay, problem: expiryProblem(day), expiresAt: expiryIso(day) };
}

/** A date with "No expiry" as its default, quick picks for 7/30/90 days, and a message for a day that has passed. */
export function ExpiryField({ expiry, label }: { expiry: ExpiryState; label?: string }) {
  const s = useStyles();
  const t = useStrings().shell;
  return (
    <div className={s.box}>
      <Field label={label ?? t.accessExpires} hint={expiry.expiresAt ? t.endsWhen(dayInWords(expiry.expiresAt)) : t.noExpiryHint} validationMessage={expiry.problem ?? undefined} validationState={expiry.problem ? 'error' : 'none'}>
        <Input type="date" value={expiry.day} min={dayInDays(0)} onChange={(_e, d) => expiry.setDay(d.value)} data-testid="expiry-date" />
      </Field>
      <div className={s.picks} role="group" aria-label={t.quickPicks}>
        <Button size="small" appearance={expiry.day === '' ? 'primary' : 'secondary'} onClick={() => expiry.setDay('')}>
          {t.noExpiry}
        </Button>
        {EXPIRY_QUICK_DAYS.map((days) => (
          <Button key={days} size="small" appearance={expiry.day === dayInDays(days) ? 'primary' : 'secondary'} onClick={() => expiry.setDay(dayInDays(days))}>
            {t.days(days)}
          </Button>
        ))}
      </div>
    </div>
  );
}
