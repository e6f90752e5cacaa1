/** Where card buttons lead: the CaseRoom tab pages (src/parts/tab.ts serves /tab/case and /tab/portal). */
export interface Links {
  caseTab(caseId: string): string;
  item(caseId: string, itemId: string): string;
  portal(caseId: string): string;
  /** The guest portal's front page ("My cases"). */
  portalHome(): string;
}

export function createLinks(publicBaseUrl: string): Links {
  const base = publicBaseUrl.replace(/\/$/, '');
  return {
    caseTab: (caseId) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}`,
    item: (caseId, itemId) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}&itemId=${encodeURIComponent(itemId)}`,
    portal: (caseId) => `${base}/tab/portal?caseId=${encodeURIComponent(caseId)}`,
    portalHome: () => `${base}/tab/portal`,
  };
}
