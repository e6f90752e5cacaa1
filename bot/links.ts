import { caseTabEntityId, teamsTabDeepLink } from '../src/m365/activity';
import type { CaseRecord } from '../src/store/records';

/**
 * Where card buttons lead. Staff links open the case's channel tab inside Teams (a deep link; its
 * web address is the fallback Teams itself uses), so nobody leaves Teams for a browser sign-in.
 * Portal links are web addresses: guests open them from e-mail and browsers, and the activity
 * feed turns them into deep links (m365/activity.ts portalNoticeLink).
 * src/parts/tab.ts serves /tab/case and /tab/portal; the tab reads `subPageId` (tab/shell/teams.ts).
 */
export interface Links {
  caseTab(c: CaseRef): string;
  item(c: CaseRef, itemId: string): string;
  portal(caseId: string): string;
  /** The guest portal's front page ("My cases"). */
  portalHome(): string;
}

/** What a link to a case needs: the channel its tab lives in, and words for Teams to show. */
export type CaseRef = Pick<CaseRecord, 'id' | 'number' | 'title' | 'channelId'>;

/** What the case tab opens when a link names an item (tab/shell/teams.ts reads it back). */
export const itemSubPageId = (itemId: string): string => `item:${itemId}`;

export function createLinks(o: { publicBaseUrl: string; teamsAppId: string }): Links {
  const base = o.publicBaseUrl.replace(/\/$/, '');
  const staffWeb = (caseId: string, itemId?: string) => `${base}/tab/case?caseId=${encodeURIComponent(caseId)}${itemId ? `&itemId=${encodeURIComponent(itemId)}` : ''}`;
  const inTeams = (c: CaseRef, itemId?: string): string => {
    const webUrl = staffWeb(c.id, itemId);
    // Before provisioning there is no channel and no tab to open: the web page is all there is.
    if (!c.channelId || !o.teamsAppId) return webUrl;
    return teamsTabDeepLink({ teamsAppId: o.teamsAppId, entityId: caseTabEntityId(c.id), webUrl, label: `${c.number} ${c.title}`, channelId: c.channelId, subEntityId: itemId ? itemSubPageId(itemId) : null });
  };
  return {
    caseTab: (c) => inTeams(c),
    item: (c, itemId) => inTeams(c, itemId),
    portal: (caseId) => `${base}/tab/portal/cases/${encodeURIComponent(caseId)}`,
    portalHome: () => `${base}/tab/portal`,
  };
}
