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
  /** The case tab with its who-has-access list open: where a card's "and N more" leads. */
  caseAccess(c: CaseRef): string;
  item(c: CaseRef, itemId: string): string;
  portal(caseId: string): string;
  /** The guest portal's front page ("My cases"). */
  portalHome(): string;
}

/** What a link to a case needs: the channel its tab lives in, and words for Teams to show. */
export type CaseRef = Pick<CaseRecord, 'id' | 'number' | 'title' | 'channelId'>;

/** What the case tab opens when a link names an item or its access list (tab/shell/deep-link.ts reads it back). */
type CaseTarget = { itemId: string } | { show: 'access' };
const subPageIdOf = (t: CaseTarget): string => ('itemId' in t ? `item:${t.itemId}` : t.show);

export function createLinks(o: { publicBaseUrl: string; teamsAppId: string }): Links {
  const base = o.publicBaseUrl.replace(/\/$/, '');
  const staffWeb = (caseId: string, target?: CaseTarget) => {
    const query = new URLSearchParams({ caseId, ...target });
    return `${base}/tab/case?${query.toString()}`;
  };
  const inTeams = (c: CaseRef, target?: CaseTarget): string => {
    const webUrl = staffWeb(c.id, target);
    // Before provisioning there is no channel and no tab to open: the web page is all there is.
    if (!c.channelId || !o.teamsAppId) return webUrl;
    return teamsTabDeepLink({ teamsAppId: o.teamsAppId, entityId: caseTabEntityId(c.id), webUrl, label: `${c.number} ${c.title}`, channelId: c.channelId, subEntityId: target ? subPageIdOf(target) : null });
  };
  return {
    caseTab: (c) => inTeams(c),
    caseAccess: (c) => inTeams(c, { show: 'access' }),
    item: (c, itemId) => inTeams(c, { itemId }),
    portal: (caseId) => `${base}/tab/portal/cases/${encodeURIComponent(caseId)}`,
    portalHome: () => `${base}/tab/portal`,
  };
}
