/**
 * What goes into a guest's e-mail digest, decided without effects. The input is what the portal
 * shows this guest right now (built from the portal service's own answers, so the same access
 * rules decide it) and the keys the guest has already been told about; the digest is the
 * difference. Nothing else is ever named: an item that is staff-only, outside the guest's view,
 * or shared and withdrawn again before the digest goes is simply not in the portal's answer.
 */
import { DEFAULT_DIGEST_LANGUAGE, DIGEST_CATALOGUE, type DigestLanguage } from './digest-strings';
import type { ItemKind } from './model';

/** One case as the portal shows it to the guest. */
export interface DigestCaseView {
  caseId: string;
  number: string;
  title: string;
  /** The items of the sections the guest's view shows (documents and folders, notes, events, invoices). */
  items: Array<{ id: string; kind: ItemKind; title: string }>;
  /** Messages of the threads the guest sees; only the firm's are news. */
  messages: Array<{ id: string; threadId: string; subject: string; fromFirm: boolean; from: string }>;
}

/** Access of the guest's that ends soon (a reminder threshold of the firm's was reached), in one case. */
export interface DigestEnding {
  caseId: string;
  /** Once per grant, expiry and threshold (src/domain/expiry.ts): the guest is told once per reminder. */
  key: string;
  text: string;
}

export interface DigestInput {
  cases: DigestCaseView[];
  /** Access ending soon, listed first in its case. */
  endings?: DigestEnding[];
  /** Keys (`case:…`, `item:…`, `message:…`) the guest was told about or could already see. */
  seen: ReadonlySet<string>;
  /** Where the portal lives: `{PUBLIC_BASE_URL}`. */
  portalBaseUrl: string;
  /** The language the lines are written in (digestLanguage); English when not given. */
  language?: DigestLanguage;
}

export interface DigestLine {
  key: string;
  text: string;
  url: string;
}

export interface DigestSection {
  caseId: string;
  heading: string;
  url: string;
  /** The case itself is newly visible to the guest. */
  newlyShared: boolean;
  lines: DigestLine[];
}

export interface DigestPlan {
  sections: DigestSection[];
  /** Everything the guest can see now: the next digest's `seen`. */
  visibleKeys: string[];
  /** Lines listed (the rest is counted in `omitted`). */
  listed: number;
  omitted: number;
}

/** A digest stays readable: past this many lines the rest is counted, and the portal has them all. */
export const MAX_DIGEST_LINES = 40;

const VIEW_OF_KIND: Record<ItemKind, string> = { document: 'documents', folder: 'documents', note: 'notes', event: 'events', invoice: 'invoices' };

export const caseKey = (caseId: string) => `case:${caseId}`;
export const itemKey = (itemId: string) => `item:${itemId}`;
export const messageKey = (messageId: string) => `message:${messageId}`;

/** The portal's case page (tab/portal: /tab/portal/cases/:caseId), opened on a section. */
export function portalCaseUrl(portalBaseUrl: string, caseId: string, view?: string, itemId?: string): string {
  const url = new URL(`${portalBaseUrl.replace(/\/+$/, '')}/tab/portal/cases/${encodeURIComponent(caseId)}`);
  if (view) url.searchParams.set('view', view);
  if (itemId) url.searchParams.set('item', itemId);
  return url.toString();
}

export function planDigest(input: DigestInput): DigestPlan {
  const words = DIGEST_CATALOGUE[input.language ?? DEFAULT_DIGEST_LANGUAGE];
  const visibleKeys: string[] = [];
  const sections: DigestSection[] = [];
  let budget = MAX_DIGEST_LINES;
  let omitted = 0;
  for (const c of input.cases) {
    visibleKeys.push(caseKey(c.caseId));
    const newlyShared = !input.seen.has(caseKey(c.caseId));
    const lines: DigestLine[] = [];
    for (const ending of input.endings ?? []) {
      if (ending.caseId !== c.caseId) continue;
      visibleKeys.push(ending.key);
      if (!input.seen.has(ending.key)) lines.push({ key: ending.key, text: ending.text, url: portalCaseUrl(input.portalBaseUrl, c.caseId) });
    }
    for (const item of c.items) {
      visibleKeys.push(itemKey(item.id));
      if (input.seen.has(itemKey(item.id))) continue;
      lines.push({ key: itemKey(item.id), text: `${words.kind[item.kind]}: ${item.title}`, url: portalCaseUrl(input.portalBaseUrl, c.caseId, VIEW_OF_KIND[item.kind], item.id) });
    }
    for (const message of c.messages) {
      visibleKeys.push(messageKey(message.id));
      if (!message.fromFirm || input.seen.has(messageKey(message.id))) continue;
      lines.push({ key: messageKey(message.id), text: words.replied(message.from, message.subject), url: portalCaseUrl(input.portalBaseUrl, c.caseId, 'messages') });
    }
    if (!newlyShared && lines.length === 0) continue;
    const kept = lines.slice(0, budget);
    omitted += lines.length - kept.length;
    budget -= kept.length;
    sections.push({ caseId: c.caseId, heading: `${c.number} ${c.title}`, url: portalCaseUrl(input.portalBaseUrl, c.caseId), newlyShared, lines: kept });
  }
  return { sections, visibleKeys, listed: MAX_DIGEST_LINES - budget, omitted };
}

export const isEmptyDigest = (plan: DigestPlan): boolean => plan.sections.length === 0;

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

export interface RenderedDigest {
  subject: string;
  html: string;
}

/** The e-mail: one block per case, each line a link into the portal; every name escaped; in the guest's language (English when not given). */
export function renderDigest(plan: DigestPlan, o: { firmName: string; guestName: string; portalBaseUrl: string; language?: DigestLanguage }): RenderedDigest {
  const language = o.language ?? DEFAULT_DIGEST_LANGUAGE;
  const words = DIGEST_CATALOGUE[language];
  const count = plan.listed + plan.omitted;
  const only = plan.sections.length === 1 ? plan.sections[0] : null;
  const subject = only ? (only.newlyShared && count === 0 ? words.subjectCaseShared(o.firmName) : words.subjectNewIn(o.firmName, only.heading)) : words.subjectNewInCases(o.firmName, plan.sections.length);
  const firm = escape(o.firmName);
  const blocks = plan.sections.map((s) => {
    const intro = s.newlyShared ? `<p>${escape(words.caseNowShared)}</p>` : '';
    const lines = s.lines.map((l) => `<li><a href="${escape(l.url)}">${escape(l.text)}</a></li>`).join('');
    return `<h2><a href="${escape(s.url)}">${escape(s.heading)}</a></h2>${intro}${lines ? `<ul>${lines}</ul>` : ''}`;
  });
  const more = plan.omitted > 0 ? `<p>${escape(words.moreInPortal(plan.omitted))}</p>` : '';
  const portal = `${o.portalBaseUrl.replace(/\/+$/, '')}/tab/portal`;
  // The catalogue's sentences are ours and hold no markup; the names put into them are escaped first.
  const html = `<div lang="${language}"><p>${words.greeting(escape(o.guestName))}</p><p>${words.intro(firm)}</p>${blocks.join('')}${more}<p><a href="${escape(portal)}">${escape(words.openPortal)}</a></p><p style="color:#616161;font-size:12px">${words.whyYouGetThis(firm)}</p></div>`;
  return { subject, html };
}
