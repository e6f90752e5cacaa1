/** Where card buttons lead: the CaseRoom tab pages (src/parts/tab.ts serves /tab/case and /tab/portal). */
export interface Links {
  caseTab(caseId: string): string;
  /** The case tab with its who-has-access list open: where a card's "and N more" leads. */
  caseAccess(caseId: string): string;
  item(caseId: string, itemId: string): string;
  portal(caseId: string): string;
}

export function createLinks(publicBaseUrl: string): Links {
  const base = publicBaseUrl.replace(/\/$/, '');
  return {
    caseTab: (caseId) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}`,
    caseAccess: (caseId) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}&show=access`,
    item: (caseId, itemId) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}&itemId=${encodeURIComponent(itemId)}`,
    portal: (caseId) => `${base}/tab/portal?caseId=${encodeURIComponent(caseId)}`,
  };
}
