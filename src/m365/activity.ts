import { DomainError } from '../domain/errors';
import { asRetryable, GraphRequestError } from './errors';
import { APP, type GraphGateway, seg } from './graph';

/** The personal tab a notice opens (appPackage/manifest.json staticTabs[].entityId). */
export const PORTAL_ENTITY_ID = 'portal';

/** The channel tab CaseRoom adds to each case channel (services/provision.ts pins it, tab/staff/ConfigPage.tsx configures it), which card links open. */
export const caseTabEntityId = (caseId: string): string => `case:${caseId}`;

const TEAMS_LINK_PREFIX = 'https://teams.microsoft.com/l/';
export const isTeamsLink = (url: string): boolean => url.startsWith(TEAMS_LINK_PREFIX);

/**
 * A Teams deep link to a tab of the app: Teams refuses an activity notice whose topic webUrl is
 * anything else, and a card button with one opens the tab inside Teams instead of a browser. The
 * tab's own address goes in `webUrl` (the fallback outside Teams), what to open in
 * `context.subEntityId` (the tab reads it as `page.subPageId`), and for a channel tab the channel
 * in `context.channelId`.
 * https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application#deep-link-to-a-tab
 */
export function teamsTabDeepLink(input: { teamsAppId: string; entityId: string; webUrl: string; label: string; subEntityId?: string | null; channelId?: string | null }): string {
  const query = new URLSearchParams({ webUrl: input.webUrl, label: input.label });
  // A tab in a channel is found by its channel: `context.channelId` (same page as above).
  const context = { ...(input.subEntityId ? { subEntityId: input.subEntityId } : {}), ...(input.channelId ? { channelId: input.channelId } : {}) };
  if (Object.keys(context).length) query.set('context', JSON.stringify(context));
  return `${TEAMS_LINK_PREFIX}entity/${encodeURIComponent(input.teamsAppId)}/${encodeURIComponent(input.entityId)}?${query.toString()}`;
}

/** A portal address (…/tab/portal/cases/{id}, or …?caseId=…) as the Teams deep link a notice must carry; Teams links pass unchanged. */
export function portalNoticeLink(teamsAppId: string, webUrl: string, label: string): string {
  if (isTeamsLink(webUrl)) return webUrl;
  let caseId: string | null = null;
  try {
    const url = new URL(webUrl);
    const inPath = /\/tab\/portal\/cases\/([^/]+)/.exec(url.pathname)?.[1];
    caseId = (inPath ? decodeURIComponent(inPath) : url.searchParams.get('caseId')) || null;
  } catch {
    // Not a URL: the deep link still opens the portal, without a case.
  }
  return teamsTabDeepLink({ teamsAppId, entityId: PORTAL_ENTITY_ID, webUrl, label, subEntityId: caseId });
}

/**
 * Teams activity-feed notifications to a guest or staff member who has the CaseRoom personal
 * app (`POST /users/{id}/teamwork/sendActivityNotification`). The activity type must be one the
 * app manifest declares (`activities.activityTypes`); the topic opens the personal app tab.
 */
export interface ActivityNotification {
  recipientUserId: string;
  activityType: string;
  /** Shown in the feed under the app name. */
  previewText: string;
  /** Where a click goes: a Teams deep link to the personal app (topic source "text" needs a webUrl). */
  webUrl: string;
  topicText: string;
  templateParameters?: Record<string, string>;
}

/** Body of the `sendActivityNotification` action bound to userTeamwork (names as in the v1.0 CSDL). */
export function activityNotificationBody(n: ActivityNotification): Record<string, unknown> {
  return {
    topic: { source: 'text', value: n.topicText, webUrl: n.webUrl },
    activityType: n.activityType,
    previewText: { content: n.previewText },
    templateParameters: Object.entries(n.templateParameters ?? {}).map(([name, value]) => ({ name, value })),
  };
}

export async function sendActivityNotification(graph: GraphGateway, n: ActivityNotification): Promise<void> {
  if (!n.recipientUserId) throw new DomainError('validation_failed', 'an activity notification needs a recipient', 'recipientUserId');
  try {
    await graph.call({ method: 'POST', path: `/users/${seg(n.recipientUserId)}/teamwork/sendActivityNotification`, body: activityNotificationBody(n), auth: APP });
  } catch (err) {
    throw asRetryable(err);
  }
}

/** What the bot asks of the gateway (see bot/activity-feed.ts): one notice to one guest. */
export interface GuestNoticeLike {
  /** The guest's user id in the firm's tenant. */
  userId: string;
  activityType: string;
  /** At most 150 characters (Graph's limit; the gateway cuts longer ones). */
  previewText: string;
  topicText: string;
  /** The portal address; sent as a Teams deep link to the personal app. */
  webUrl: string;
  actor: string;
}

/** 'not-installed': the recipient does not have CaseRoom in Teams; the notice was kept for e-mail. */
export type NoticeOutcome = 'delivered' | 'not-installed';

/** What the bot asks of the gateway for staff: one notice that opens a case's tab in its channel. */
export interface StaffNoticeLike {
  /** The staff member's user id in the firm's tenant. */
  userId: string;
  activityType: string;
  /** At most 150 characters (Graph's limit; the gateway cuts longer ones). */
  previewText: string;
  topicText: string;
  /** The case tab's address (the deep link's fallback). */
  webUrl: string;
  caseId: string;
  channelId: string | null;
  templateParameters: Record<string, string>;
}

export interface ActivityFeedPort {
  notifyGuest(notice: GuestNoticeLike): Promise<NoticeOutcome>;
  /** 'not-installed': the staff member does not have CaseRoom in Teams (nothing else keeps it). */
  notifyStaff(notice: StaffNoticeLike): Promise<NoticeOutcome>;
}

/** Teams answers 403 (or 404) when the recipient does not have the app: Graph's word that only another path can reach them. */
export const meansNotInstalled = (status: number): boolean => status === 403 || status === 404;

/** What becomes of a notice Teams could not deliver (src/services/undelivered-notice.ts keeps it for e-mail). */
export type KeepUndelivered = (notice: GuestNoticeLike, webUrl: string, status: number) => Promise<NoticeOutcome>;

/**
 * The activity feed through the gateway (MSAL, budget, retries). Notices carry a Teams deep link
 * to the personal app; a recipient without the app (403/404) is not retried but recorded as not
 * delivered, so the e-mail path can reach them.
 */
export function gatewayActivityFeed(graph: GraphGateway, o: { teamsAppId: string; keepUndelivered: KeepUndelivered }): ActivityFeedPort {
  return {
    async notifyGuest(n) {
      const webUrl = portalNoticeLink(o.teamsAppId, n.webUrl, n.topicText);
      try {
        await sendActivityNotification(graph, {
          recipientUserId: n.userId,
          activityType: n.activityType,
          previewText: n.previewText.slice(0, 150),
          topicText: n.topicText,
          webUrl,
          templateParameters: { actor: n.actor },
        });
        return 'delivered';
      } catch (err) {
        if (err instanceof GraphRequestError && meansNotInstalled(err.status)) return o.keepUndelivered(n, webUrl, err.status);
        throw err;
      }
    },
    async notifyStaff(n) {
      // bot/links.ts already gives staff a deep link to the case tab; a web address is made one here.
      const webUrl = isTeamsLink(n.webUrl) ? n.webUrl : teamsTabDeepLink({ teamsAppId: o.teamsAppId, entityId: caseTabEntityId(n.caseId), webUrl: n.webUrl, label: n.topicText, channelId: n.channelId });
      try {
        await sendActivityNotification(graph, { recipientUserId: n.userId, activityType: n.activityType, previewText: n.previewText.slice(0, 150), topicText: n.topicText, webUrl, templateParameters: n.templateParameters });
        return 'delivered';
      } catch (err) {
        if (err instanceof GraphRequestError && meansNotInstalled(err.status)) return 'not-installed';
        throw err;
      }
    },
  };
}
