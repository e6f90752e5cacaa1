import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AppConfig } from '../src/config';
import { meansNotInstalled, type NoticeOutcome, portalNoticeLink } from '../src/m365/activity';
import { keepUndelivered } from '../src/services/undelivered-notice';
import type { Queryable } from '../src/store/db';

/**
 * The activity-feed types CaseRoom sends, with the template each must have in the Teams
 * manifest (`activities.activityTypes`); tests/packaging checks the manifest declares exactly these.
 */
export const GUEST_ACTIVITY_TYPES = {
  itemsShared: { description: 'Something new was shared with you in CaseRoom.', templateText: '{actor} shared something with you' },
  staffReplied: { description: 'Your legal team replied to your message.', templateText: '{actor} replied to your message' },
} as const;

/**
 * How guests hear that something is new: a Teams activity-feed notification
 * (`sendActivityNotification`) for the CaseRoom personal app. The bot needs only this narrow
 * interface; the Graph gateway (the `m365` part) provides it when it exposes `activityFeed`,
 * otherwise a small client-credentials Graph call stands in.
 */
export interface GuestNotice {
  /** The guest's user id in the firm's tenant. */
  userId: string;
  activityType: keyof typeof GUEST_ACTIVITY_TYPES;
  /** At most 150 characters (Graph's limit). */
  previewText: string;
  topicText: string;
  /** The portal address; the feed sends it as a Teams deep link to the personal app. */
  webUrl: string;
  actor: string;
}

export interface ActivityFeed {
  /** 'not-installed' (or nothing, from stand-ins): the notice was kept for the e-mail path, not lost. */
  notifyGuest(notice: GuestNotice): Promise<NoticeOutcome | void>;
}

/** Direct Graph call with an app token (client credentials); trusts the simulator's CA locally. */
export function graphActivityFeed(config: AppConfig, logger: Logger, db: Queryable): ActivityFeed {
  const dispatcher = config.m365.caCertFile ? new Agent({ connect: { ca: readFileSync(config.m365.caCertFile, 'utf8') } }) : undefined;
  let token: { value: string; until: number } | null = null;
  const appToken = async (): Promise<string> => {
    if (token && token.until > Date.now() + 60_000) return token.value;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.identity.clientId, client_secret: config.identity.clientSecret, scope: 'https://graph.microsoft.com/.default' });
    const res = await undiciFetch(`${config.identity.authority}/oauth2/v2.0/token`, { method: 'POST', body, dispatcher });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    const json = (await res.json()) as { access_token: string; expires_in: number };
    token = { value: json.access_token, until: Date.now() + json.expires_in * 1000 };
    return token.value;
  };
  return {
    async notifyGuest(n) {
      const webUrl = portalNoticeLink(config.teamsAppId, n.webUrl, n.topicText);
      const res = await undiciFetch(`${config.m365.graphBaseUrl}/users/${encodeURIComponent(n.userId)}/teamwork/sendActivityNotification`, {
        method: 'POST',
        dispatcher,
        headers: { authorization: `Bearer ${await appToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          topic: { source: 'text', value: n.topicText, webUrl },
          activityType: n.activityType,
          previewText: { content: n.previewText.slice(0, 150) },
          templateParameters: [{ name: 'actor', value: n.actor }],
        }),
      });
      if (res.ok) return 'delivered';
      if (meansNotInstalled(res.status)) {
        logger.info({ status: res.status, userId: n.userId }, 'activity feed notice not delivered: the recipient does not have the app; kept for e-mail');
        return keepUndelivered(db, n, webUrl, res.status);
      }
      throw new Error(`Graph answered ${res.status} to sendActivityNotification`);
    },
  };
}
