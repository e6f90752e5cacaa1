import { getReaderLocale } from '../shell/locale';
import { commonEn } from './en/common';
import { firmEn } from './en/firm';
import { firmPagesEn } from './en/firm-pages';
import { itemsEn } from './en/items';
import { portalEn } from './en/portal';
import { shellEn } from './en/shell';
import { staffEn } from './en/staff';
import { viewsEn } from './en/views';

/**
 * The tab's one string catalogue. Every user-visible sentence lives in an area file under
 * `en/`; a translation is another object of the same `Catalogue` shape, so a missing string is a
 * type error rather than English leaking into another language.
 */
export const EN = { common: commonEn, shell: shellEn, portal: portalEn, staff: staffEn, firm: firmEn, items: itemsEn, views: viewsEn, firmPages: firmPagesEn };

export type Catalogue = typeof EN;

/** Translations by language subtag ("de" serves de-DE and de-AT). A new language is one line here, typed `Catalogue`. */
const CATALOGUES: Readonly<Record<string, Catalogue>> = { en: EN };

/** The catalogue for a locale's language, English when there is none. */
export function catalogueFor(locale: string | null | undefined): Catalogue {
  const language = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return CATALOGUES[language] ?? EN;
}

/** The catalogue for the reader's language (the locale set at start-up), English when there is none. */
export function useStrings(): Catalogue {
  return currentStrings();
}

/** The same, for code outside components (messages made by plain functions). */
export const currentStrings = (): Catalogue => catalogueFor(getReaderLocale());
