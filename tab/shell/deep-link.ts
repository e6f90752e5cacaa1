/**
 * Where a link into the tab should land. Teams hands the tab what a deep link names as
 * `page.subPageId` (bot/links.ts writes `item:{id}` or `access` for the case tab; the activity feed writes the
 * case id for the portal), and older web links carry `?caseId=` on the portal's front page.
 * Null: the page asked for is the page to show.
 */
export function deepLinkTarget(path: string, query: URLSearchParams, subPageId: string | null): string | null {
  if (path === '/tab/portal') {
    const caseId = subPageId || query.get('caseId');
    return caseId ? `/tab/portal/cases/${encodeURIComponent(caseId)}` : null;
  }
  if (path !== '/tab/case' || !subPageId) return null;
  const [key, value] = subPageId.startsWith('item:') ? ['itemId', subPageId.slice('item:'.length)] : subPageId === 'access' ? ['show', 'access'] : [null, null];
  if (!key || !value || query.get(key) === value) return null;
  const next = new URLSearchParams(query);
  next.set(key, value);
  return `/tab/case?${next.toString()}`;
}
