import { firmPagesEn } from './en/firm-pages';
import { itemsEn } from './en/items';
import { viewsEn } from './en/views';

/**
 * The tab's one string catalogue. Every user-visible sentence lives in an area file under
 * `en/`; a translation is another object of the same `Catalogue` shape, so a missing string is a
 * type error rather than English leaking into another language.
 */
export const EN = { items: itemsEn, views: viewsEn, firmPages: firmPagesEn };

export type Catalogue = typeof EN;

/** The catalogue for the reader's language (English is the only one so far). */
export function useStrings(): Catalogue {
  return EN;
}
