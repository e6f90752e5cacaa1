import { setReaderLocale } from '../shell/locale';
import { catalogueFor, EN } from '../strings';
import { date, dateTime, money, size } from './format';

/** The tab formats in the reader's locale (set at start-up) and shows money in the firm's currency. */
describe('formatting in the reader locale', () => {
  afterEach(() => setReaderLocale(undefined));

  it('writes German dates, numbers and euros for a de-DE reader', () => {
    setReaderLocale('de-DE');
    expect(date('2026-03-05')).toBe('05.03.2026');
    expect(money(123456, 'EUR')).toBe('1.234,56\u00a0€');
    expect(size(1.5 * 1024 * 1024)).toBe('1,5 MB');
  });

  it('writes US dates and the firm’s currency, never a fixed dollar, for an en-US reader', () => {
    setReaderLocale('en-US');
    expect(date('2026-03-05')).toBe('Mar 5, 2026');
    expect(money(123456, 'USD')).toBe('$1,234.56');
    expect(money(123456, 'EUR')).toBe('€1,234.56');
    expect(money(null, 'EUR')).toBe('—');
    expect(size(2 * 1024 * 1024)).toBe('2.0 MB');
  });

  it('shows a moment with its time in the reader locale', () => {
    setReaderLocale('de-DE');
    expect(dateTime('2026-03-05T12:00:00Z')).toMatch(/^05\.03\.2026, \d\d:00$/);
  });

  it('ignores a locale that is not a language tag', () => {
    setReaderLocale('not a locale!');
    expect(money(100, 'GBP')).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'GBP' }).format(1));
  });
});

describe('the catalogue for a language', () => {
  it('falls back to English for a language it does not have', () => {
    expect(catalogueFor('de-DE')).toBe(EN);
    expect(catalogueFor('en-GB')).toBe(EN);
    expect(catalogueFor(undefined)).toBe(EN);
  });
});
