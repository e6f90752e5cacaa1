/** Display helpers: money, dates, sizes and names, in the reader's locale. */
import { getReaderLocale } from '../shell/locale';

/** The one way the tab shows an amount: integer cents in the firm's currency (the API sends it), in the reader's locale. */
export const money = (cents: number | null | undefined, currency: string): string => (cents === null || cents === undefined ? '—' : new Intl.NumberFormat(getReaderLocale(), { style: 'currency', currency }).format(cents / 100));

export const dateTime = (iso: string | null | undefined): string => (iso ? new Intl.DateTimeFormat(getReaderLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—');

export const date = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(getReaderLocale(), { dateStyle: 'medium' }).format(d);
};

export function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  const number = (n: number, digits: number) => new Intl.NumberFormat(getReaderLocale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(n);
  if (bytes < 1024) return `${number(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${number(bytes / 1024, 0)} KB`;
  return `${number(bytes / 1024 / 1024, 1)} MB`;
}

/** "John Smith" → "Smith, John", as staff file people. */
export function surnameFirst(name: string): string {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return name;
  const last = parts.pop() as string;
  return `${last}, ${parts.join(' ')}`;
}

/** A local datetime-local input value → ISO with offset, and back. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (value: string): string | null => (value ? new Date(value).toISOString() : null);

/** "12.50" → 1250 cents; null when not a valid amount. */
export function parseCents(text: string): number | null {
  const cleaned = text.replace(/[\s,$]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 100);
}
