import { canSeeCase } from '../src/domain/walls';
import { WallsRepo } from '../src/store/walls';
import type { ConversationReference } from 'botbuilder';
import type { FeedEvent } from '../src/contract/enums';
import type { Db, Queryable } from '../src/store/db';
import type { CaseRecord } from '../src/store/records';

/** The bot's tables (migration 20): installations, channels, posts it owns, delivered notification keys. */

export interface Installation {
  teamId: string;
  tenantId: string;
  serviceUrl: string;
  botId: string;
  reference: Partial<ConversationReference>;
}

export type PostKind = 'upload' | 'sharing' | 'notice' | 'message' | 'review';

export interface Post {
  postKey: string;
  firmId: string;
  caseId: string;
  kind: PostKind;
  /** Event-specific payload the card is rebuilt from on every delivery. */
  data: Record<string, unknown>;
  itemIds: string[];
  burstKey: string | null;
  version: number;
  deliveredVersion: number;
  /** Post into this existing thread instead of opening a new one (bridged guest threads). */
  replyToConversationId: string | null;
  conversationId: string | null;
  activityId: string | null;
  /** When a send of a new card/reply last began; with no activity id, that send's fate is unknown. */
  sendStartedAt: Date | null;
}

type Row = Record<string, unknown>;

const toPost = (r: Row): Post => ({
  postKey: r.post_key as string,
  firmId: r.firm_id as string,
  caseId: r.case_id as string,
  kind: r.kind as PostKind,
  data: r.data as Record<string, unknown>,
  itemIds: (r.item_ids as string[] | null) ?? [],
  burstKey: (r.burst_key as string | null) ?? null,
  version: Number(r.version),
  deliveredVersion: Number(r.delivered_version),
  replyToConversationId: (r.reply_to_conversation_id as string | null) ?? null,
  conversationId: (r.conversation_id as string | null) ?? null,
  activityId: (r.activity_id as string | null) ?? null,
  sendStartedAt: r.send_started_at ? new Date(r.send_started_at as string | Date) : null,
});

export class BotStore {
  constructor(private readonly q: Queryable) {}

  static in(db: Db) {
    return new BotStore(db);
  }

  // ---- installations and channels ----
  async saveInstallation(i: Installation): Promise<void> {
    await this.q.query(
      `INSERT INTO bot_installations (team_id, tenant_id, service_url, bot_id, conversation_reference) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (team_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, service_url = EXCLUDED.service_url, bot_id = EXCLUDED.bot_id,
         conversation_reference = EXCLUDED.conversation_reference, installed_at = now(), removed_at = NULL`,
      [i.teamId, i.tenantId, i.serviceUrl, i.botId, JSON.stringify(i.reference)],
    );
    // The core schema keeps the service URL next to the team too (the gateway fills cases_teams).
    await this.q.query('UPDATE cases_teams SET bot_service_url = $2 WHERE team_id = $1', [i.teamId, i.serviceUrl]);
  }
  async markUninstalled(teamId: string): Promise<void> {
    await this.q.query('UPDATE bot_installations SET removed_at = now() WHERE team_id = $1', [teamId]);
  }
  async installation(teamId: string): Promise<Installation | null> {
    const rows = await this.q.query<Row>('SELECT * FROM bot_installations WHERE team_id = $1 AND removed_at IS NULL', [teamId]);
    const r = rows[0];
    return r ? { teamId: r.team_id as string, tenantId: r.tenant_id as string, serviceUrl: r.service_url as string, botId: r.bot_id as string, reference: r.conversation_reference as Partial<ConversationReference> } : null;
  }
  async saveChannel(c: { channelId: string; teamId: string; tenantId: string; name: string | null; reference: Partial<ConversationReference> }): Promise<void> {
    await this.q.query(
      `INSERT INTO bot_channels (channel_id, team_id, tenant_id, name, conversation_reference) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (channel_id) DO UPDATE SET team_id = EXCLUDED.team_id, tenant_id = EXCLUDED.tenant_id,
         name = coalesce(EXCLUDED.name, bot_channels.name), conversation_reference = EXCLUDED.conversation_reference, updated_at = now()`,
      [c.channelId, c.teamId, c.tenantId, c.name, JSON.stringify(c.reference)],
    );
  }
  async linkChannel(channelId: string, caseId: string): Promise<void> {
    await this.q.query('UPDATE bot_channels SET linked_case_id = $2, updated_at = now() WHERE channel_id = $1', [channelId, caseId]);
  }
  async linkedCaseOfChannel(channelId: string): Promise<string | null> {
    const rows = await this.q.query<{ linked_case_id: string | null }>('SELECT linked_case_id FROM bot_channels WHERE channel_id = $1', [channelId]);
    return rows[0]?.linked_case_id ?? null;
  }

  // ---- posts ----
  async post(postKey: string): Promise<Post | null> {
    const rows = await this.q.query<Row>('SELECT * FROM bot_posts WHERE post_key = $1', [postKey]);
    return rows[0] ? toPost(rows[0]) : null;
  }
  async postForUpdate(postKey: string): Promise<Post | null> {
    const rows = await this.q.query<Row>('SELECT * FROM bot_posts WHERE post_key = $1 FOR UPDATE', [postKey]);
    return rows[0] ? toPost(rows[0]) : null;
  }
  /** A notice that is created once; a second insert with the same key changes nothing. */
  async insertPost(p: { postKey: string; firmId: string; caseId: string; kind: PostKind; data: Record<string, unknown>; itemIds?: string[]; replyToConversationId?: string | null }): Promise<boolean> {
    const rows = await this.q.query(
      `INSERT INTO bot_posts (post_key, firm_id, case_id, kind, data, item_ids, reply_to_conversation_id) VALUES ($1,$2,$3,$4,$5,$6::uuid[],$7)
       ON CONFLICT (post_key) DO NOTHING RETURNING post_key`,
      [p.postKey, p.firmId, p.caseId, p.kind, JSON.stringify(p.data), p.itemIds ?? [], p.replyToConversationId ?? null],
    );
    return rows.length > 0;
  }
  /** The open burst card for this key (uploads or sharing changes still coming in), if any. */
  async openBurst(burstKey: string, now: Date): Promise<Post | null> {
    const rows = await this.q.query<Row>('SELECT * FROM bot_posts WHERE burst_key = $1 AND open_until > $2 ORDER BY created_at DESC LIMIT 1 FOR UPDATE', [burstKey, now.toISOString()]);
    return rows[0] ? toPost(rows[0]) : null;
  }
  async startBurst(p: { postKey: string; firmId: string; caseId: string; kind: PostKind; burstKey: string; data: Record<string, unknown>; itemIds: string[]; openUntil: Date }): Promise<void> {
    await this.q.query(
      `INSERT INTO bot_posts (post_key, firm_id, case_id, kind, data, item_ids, burst_key, open_until) VALUES ($1,$2,$3,$4,$5,$6::uuid[],$7,$8)
       ON CONFLICT (post_key) DO NOTHING`,
      [p.postKey, p.firmId, p.caseId, p.kind, JSON.stringify(p.data), p.itemIds, p.burstKey, p.openUntil.toISOString()],
    );
  }
  /**
   * Grows a burst and keeps it open a little longer. Items are added as a set union (a replayed
   * event adds nothing); `data`, when given, replaces the post's data (the caller merged it under
   * the burst's lock, and passes null when the event changed nothing). True when the card changed.
   */
  async extendBurst(postKey: string, change: { itemIds?: string[]; data?: Record<string, unknown> | null }, openUntil: Date): Promise<boolean> {
    const rows = await this.q.query<{ changed: boolean }>(
      `WITH merged AS (
         SELECT ARRAY(SELECT DISTINCT x FROM unnest(item_ids || $2::uuid[]) AS x) AS ids, cardinality(item_ids) AS before FROM bot_posts WHERE post_key = $1)
       UPDATE bot_posts p SET item_ids = m.ids, open_until = $3, data = coalesce($4::jsonb, p.data),
         version = CASE WHEN cardinality(m.ids) > m.before OR $4::jsonb IS NOT NULL THEN p.version + 1 ELSE p.version END, updated_at = now()
       FROM merged m WHERE p.post_key = $1 RETURNING cardinality(m.ids) > m.before OR $4::jsonb IS NOT NULL AS changed`,
      [postKey, change.itemIds ?? [], openUntil.toISOString(), change.data ? JSON.stringify(change.data) : null],
    );
    return rows[0]?.changed ?? false;
  }
  /** A change to a posted card (a card action, a closed burst): the next delivery updates it in place. */
  async bumpPost(postKey: string, data: Record<string, unknown>): Promise<void> {
    await this.q.query('UPDATE bot_posts SET data = $2, version = version + 1, updated_at = now() WHERE post_key = $1', [postKey, JSON.stringify(data)]);
  }
  /** Written before a new card or reply leaves, so a retry knows an earlier send may have landed. */
  async markSendStarted(postKey: string): Promise<void> {
    await this.q.query('UPDATE bot_posts SET send_started_at = now(), updated_at = now() WHERE post_key = $1', [postKey]);
  }
  /** The card to update is gone from Teams: the post will be sent anew. */
  async forgetSent(postKey: string): Promise<void> {
    await this.q.query('UPDATE bot_posts SET conversation_id = NULL, activity_id = NULL, send_started_at = NULL, updated_at = now() WHERE post_key = $1', [postKey]);
  }
  /** Recorded the moment the connector answers, before anything else can fail. */
  async recordSent(postKey: string, conversationId: string, activityId: string): Promise<void> {
    await this.q.query('UPDATE bot_posts SET conversation_id = $2, activity_id = $3, updated_at = now() WHERE post_key = $1', [postKey, conversationId, activityId]);
  }
  async markDelivered(postKey: string, version: number): Promise<void> {
    await this.q.query('UPDATE bot_posts SET delivered_version = greatest(delivered_version, $2), attempts = 0, updated_at = now() WHERE post_key = $1', [postKey, version]);
  }
  async countAttempt(postKey: string): Promise<void> {
    await this.q.query('UPDATE bot_posts SET attempts = attempts + 1 WHERE post_key = $1', [postKey]);
  }
  async postByActivity(conversationId: string, activityId: string): Promise<Post | null> {
    const rows = await this.q.query<Row>("SELECT * FROM bot_posts WHERE activity_id = $1 AND (conversation_id = $2 OR split_part(conversation_id, ';', 1) = split_part($2, ';', 1))", [activityId, conversationId]);
    return rows[0] ? toPost(rows[0]) : null;
  }
  async postsOfCase(caseId: string): Promise<Post[]> {
    return (await this.q.query<Row>('SELECT * FROM bot_posts WHERE case_id = $1 ORDER BY created_at', [caseId])).map(toPost);
  }

  // ---- delivered notification keys ----
  /** True the first time a key is seen; false on a replay. */
  async firstDelivery(key: string): Promise<boolean> {
    const rows = await this.q.query('INSERT INTO bot_delivered (notification_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING notification_key', [key]);
    return rows.length > 0;
  }
  /** Removes a one-shot marker; true when it was there. */
  async consume(key: string): Promise<boolean> {
    return (await this.q.query('DELETE FROM bot_delivered WHERE notification_key = $1 RETURNING notification_key', [key])).length > 0;
  }
  async wasDelivered(key: string): Promise<boolean> {
    return (await this.q.query('SELECT 1 FROM bot_delivered WHERE notification_key = $1', [key])).length > 0;
  }
}

/** Notification preferences that apply to one event on one case: per-case rows win over firm-wide ones. */
export async function preferencesFor(q: Queryable, firmId: string, caseId: string, event: string): Promise<Map<string, { enabled: boolean; mention: boolean }>> {
  const rows = await q.query<{ staff_id: string; case_id: string | null; enabled: boolean; mention: boolean }>(
    // A row holding only the feed choice (enabled NULL) leaves the channel card on its default.
    'SELECT staff_id, case_id, enabled, mention FROM notification_preferences WHERE firm_id = $1 AND event = $2 AND (case_id = $3 OR case_id IS NULL) AND enabled IS NOT NULL',
    [firmId, event, caseId],
  );
  return new Map([...mostSpecific(rows)].map(([id, r]) => [id, { enabled: r.enabled, mention: r.mention }]));
}

/** Each staff member's row that applies: their per-case row when there is one, else their firm-wide one. */
function mostSpecific<T extends { staff_id: string; case_id: string | null }>(rows: T[]): Map<string, T> {
  const result = new Map<string, T>();
  for (const r of rows) {
    const current = result.get(r.staff_id);
    if (!current || (current.case_id === null && r.case_id !== null)) result.set(r.staff_id, r);
  }
  return result;
}

/**
 * The staff members who get an activity-feed notice of a guest's upload or message on a case:
 * a per-case choice wins over a firm-wide one; with neither, only the case's assigned staff member.
 */
export async function feedRecipients(q: Queryable, c: Pick<CaseRecord, 'firmId' | 'id' | 'assignedStaffId'>, event: FeedEvent): Promise<Set<string>> {
  const rows = await q.query<{ staff_id: string; case_id: string | null; feed: boolean }>(
    'SELECT staff_id, case_id, feed FROM notification_preferences WHERE firm_id = $1 AND event = $2 AND (case_id = $3 OR case_id IS NULL) AND feed IS NOT NULL',
    [c.firmId, event, c.id],
  );
  const chosen = mostSpecific(rows);
  const recipients = new Set([...chosen].filter(([, p]) => p.feed).map(([staffId]) => staffId));
  if (c.assignedStaffId && !chosen.has(c.assignedStaffId)) recipients.add(c.assignedStaffId);
  // Someone walled off the case since they chose (or were assigned) hears nothing of it.
  const wall = await new WallsRepo(q).wallOf(c.id);
  return new Set([...recipients].filter((staffId) => canSeeCase(wall, staffId)));
}
