/**
 * Every word of a guest's e-mail digest, per language. English is complete and the fallback;
 * another language is one more entry with the same keys (the type makes a missing one a compile
 * error). Values passed in are already escaped for HTML where they land in HTML (renderDigest).
 */
import type { ItemKind } from './model';

export interface DigestStrings {
  /** What each kind of item is called on a digest line ("Document: Letter.pdf"). */
  kind: Record<ItemKind, string>;
  replied(from: string, subject: string): string;
  subjectCaseShared(firm: string): string;
  subjectNewIn(firm: string, caseHeading: string): string;
  subjectNewInCases(firm: string, cases: number): string;
  greeting(guest: string): string;
  intro(firm: string): string;
  caseNowShared: string;
  moreInPortal(count: number): string;
  openPortal: string;
  whyYouGetThis(firm: string): string;
}

const en: DigestStrings = {
  kind: { document: 'Document', folder: 'Folder', note: 'Note', event: 'Event', invoice: 'Invoice' },
  replied: (from, subject) => `${from} replied in “${subject}”`,
  subjectCaseShared: (firm) => `${firm}: a case was shared with you`,
  subjectNewIn: (firm, heading) => `${firm}: new in ${heading}`,
  subjectNewInCases: (firm, n) => `${firm}: new in ${n} of your cases`,
  greeting: (guest) => `Dear ${guest},`,
  intro: (firm) => `${firm} has shared new things with you in CaseRoom.`,
  caseNowShared: 'This case is now shared with you.',
  moreInPortal: (n) => `…and ${n} more in the portal.`,
  openPortal: 'Open your portal',
  whyYouGetThis: (firm) => `You receive this because ${firm} shares case material with you. Ask them to stop these e-mails at any time.`,
};

const es: DigestStrings = {
  kind: { document: 'Documento', folder: 'Carpeta', note: 'Nota', event: 'Evento', invoice: 'Factura' },
  replied: (from, subject) => `${from} respondió en «${subject}»`,
  subjectCaseShared: (firm) => `${firm}: se ha compartido un caso con usted`,
  subjectNewIn: (firm, heading) => `${firm}: novedades en ${heading}`,
  subjectNewInCases: (firm, n) => `${firm}: novedades en ${n} de sus casos`,
  greeting: (guest) => `Estimado/a ${guest}:`,
  intro: (firm) => `${firm} ha compartido novedades con usted en CaseRoom.`,
  caseNowShared: 'Este caso ahora está compartido con usted.',
  moreInPortal: (n) => `…y ${n} más en el portal.`,
  openPortal: 'Abrir su portal',
  whyYouGetThis: (firm) => `Recibe este mensaje porque ${firm} comparte con usted material de sus casos. Puede pedirles en cualquier momento que dejen de enviarle estos correos.`,
};

const fr: DigestStrings = {
  kind: { document: 'Document', folder: 'Dossier', note: 'Note', event: 'Événement', invoice: 'Facture' },
  replied: (from, subject) => `${from} a répondu dans « ${subject} »`,
  subjectCaseShared: (firm) => `${firm} : une affaire a été partagée avec vous`,
  subjectNewIn: (firm, heading) => `${firm} : du nouveau dans ${heading}`,
  subjectNewInCases: (firm, n) => `${firm} : du nouveau dans ${n} de vos affaires`,
  greeting: (guest) => `Bonjour ${guest},`,
  intro: (firm) => `${firm} a partagé de nouveaux éléments avec vous dans CaseRoom.`,
  caseNowShared: 'Cette affaire est désormais partagée avec vous.',
  moreInPortal: (n) => `… et ${n} de plus dans le portail.`,
  openPortal: 'Ouvrir votre portail',
  whyYouGetThis: (firm) => `Vous recevez ce message parce que ${firm} partage avec vous des éléments de vos affaires. Vous pouvez à tout moment leur demander d’arrêter ces e-mails.`,
};

export const DIGEST_CATALOGUE = { en, es, fr } as const;
export type DigestLanguage = keyof typeof DIGEST_CATALOGUE;
export const DEFAULT_DIGEST_LANGUAGE: DigestLanguage = 'en';

const isDigestLanguage = (code: string): code is DigestLanguage => Object.hasOwn(DIGEST_CATALOGUE, code);

/**
 * The digest's language from what is known of the guest, best first (the language staff set,
 * then the portal's locale): the first whose primary subtag has a catalogue ("fr-CA" → fr),
 * else English.
 */
export function digestLanguage(known: ReadonlyArray<string | null | undefined>): DigestLanguage {
  for (const tag of known) {
    const primary = tag?.split('-')[0]?.toLowerCase();
    if (primary && isDigestLanguage(primary)) return primary;
  }
  return DEFAULT_DIGEST_LANGUAGE;
}

/**
 * The locale a browser asks for first in an Accept-Language header ("fr-CA,fr;q=0.9,en;q=0.8" →
 * "fr-CA"), by quality then order; null when the header says nothing usable ("*", garbage).
 */
export function preferredLocale(acceptLanguage: string | undefined): string | null {
  if (!acceptLanguage) return null;
  const ranges = acceptLanguage
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(r.tag) && r.tag.length <= 35)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges[0]?.tag ?? null;
}
