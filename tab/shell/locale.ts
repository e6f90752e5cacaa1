/**
 * The reader's locale (BCP 47): what Teams reports (`app.locale`), else the browser's language
 * (teams.ts detectReaderLocale).
 * Set once at start-up, before the first render; formatting (components/format.ts) and the
 * string catalogue (strings/) read it. Undefined means the runtime's default.
 */
let readerLocale: string | undefined;

/** Sets the locale the tab reads in; one the runtime cannot format in is ignored. */
export function setReaderLocale(locale: string | null | undefined): void {
  try {
    readerLocale = locale && Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0 ? locale : undefined;
  } catch {
    readerLocale = undefined; // not a well-formed language tag
  }
}

export const getReaderLocale = (): string | undefined => readerLocale;
