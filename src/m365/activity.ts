import { DomainError } from '../domain/errors';
import { asRetryable, GraphRequestError } from './errors';
import { APP, type GraphGateway, seg } from './graph';

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
  userId: string;
  activityType: string;
  previewText: string;
  topicText: string;
  webUrl: string;
  actor: string;
}

export interface ActivityFeedPort {
  notifyGuest(notice: GuestNoticeLike): Promise<void>;
}

/**
 * The activity feed through the gateway (MSAL, budget, retries). A guest without the personal
 * app installed answers 403/404: not an error worth retrying, SharePoint's e-mail covers them.
 */
export function gatewayActivityFeed(graph: GraphGateway): ActivityFeedPort {
  return {
    async notifyGuest(n) {
      try {
        await sendActivityNotification(graph, {
          recipientUserId: n.userId,
          activityType: n.activityType,
          previewText: n.previewText.slice(0, 150),
          topicText: n.topicText,
          webUrl: n.webUrl,
          templateParameters: { actor: n.actor },
        });
      } catch (err) {
        if (err instanceof GraphRequestError && (err.status === 403 || err.status === 404)) return;
        throw err;
      }
    },
  };
}
