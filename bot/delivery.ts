import { WallsRepo } from '../src/store/walls';
import type { Logger } from 'pino';
import { DomainError } from '../src/domain/errors';
import type { ChannelMessagesPort } from '../src/m365/channel-messages';
import type { Db } from '../src/store/db';
import type { CaseRecord } from '../src/store/records';
import { Repo } from '../src/store/repo';
import { type AdaptiveCardJson, cardActivity, postMarker, renderNotice, withPostMarker } from './cards';
import { type ChannelConnector, ConnectorError, rootIdOf, threadConversationId, type ThreadTarget } from './connector';
import type { DescribeDeps, PostData } from './notices';
import { describePost } from './notices';
import type { ThreadLimiter } from './rate-limit';
import { BotStore, type Post } from './store';

/**
 * Puts a post on screen exactly once and keeps it current. A post row exists before anything is
 * sent; the activity id is written the moment the connector answers; a retry that finds it
 * updates the card in place instead of posting again. Delivery is at least once (the outbox
 * retries), the screen shows each post once.
 *
 * The gap between the connector's answer and writing the activity id (a crash, a timeout or a
 * connection lost after Teams acted) is closed with a send marker: the row records that a send
 * began, and the card carries the post's marker. A retry that finds the send marker but no
 * activity id looks for the card in the channel (Microsoft Graph, through `finder`) and adopts
 * it instead of posting a second one.
 */

/** Finds a card the bot already posted, by the post marker in it: the m365 part's Graph look-up. */
export type PostFinder = ChannelMessagesPort;

export interface DeliveryDeps {
  db: Db;
  connector: ChannelConnector;
  limiter: ThreadLimiter;
  logger: Logger;
  describe: Omit<DescribeDeps, 'q'>;
  /** Where to reach a team the bot has no installation record for (local simulator only). */
  defaultServiceUrl?: string;
  /** Longest Retry-After waited for inline before the job is handed back to the outbox. */
  maxInlineWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Every card sent, for tests that validate them. */
  onCard?: (card: AdaptiveCardJson) => void;
  /** Without it, a send whose fate is unknown is sent again (at least once, possibly twice). */
  finder?: PostFinder | null;
}

export type DeliveryResult = 'sent' | 'updated' | 'up-to-date' | 'gone' | 'withheld';

/** "Not yet" conditions (channel not provisioned, thread root not posted): retried by the outbox. */
class NotYet extends Error {}

export class Deliverer {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly d: DeliveryDeps) {
    this.sleep = d.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async deliver(postKey: string): Promise<DeliveryResult> {
    const store = new BotStore(this.d.db);
    const post = await store.post(postKey);
    if (!post) return 'gone';
    if (post.deliveredVersion >= post.version) return 'up-to-date';
    const repo = new Repo(this.d.db);
    const c = await repo.case(post.firmId, post.caseId);
    if (!c) return 'gone';
    /*
     * Ethical walls: a case channel is a standard channel of the cases team, which every staff
     * member in the team reads, walled off or not. So nothing about a walled case is posted
     * there (channel cards, guest messages, reminders, review cards); the staff inside the wall
     * hear of guests' uploads and messages through their activity feed and see the rest in the
     * tab. Posts are marked done, not retried, and are not sent later if the wall comes down.
     * A private channel per walled case (membership = the wall) would let posts go on.
     */
    if ((await new WallsRepo(this.d.db).wallOf(c.id)).length > 0) {
      await store.markDelivered(postKey, post.version);
      return 'withheld';
    }
    try {
      const result = await this.send(store, repo, c, post);
      await store.markDelivered(postKey, post.version);
      return result;
    } catch (err) {
      await store.countAttempt(postKey);
      throw this.forOutbox(err, postKey);
    }
  }

  /** Hands a failure to the outbox with the right wait: Retry-After for throttling, backoff otherwise. */
  private forOutbox(err: unknown, postKey: string): Error {
    if (err instanceof ConnectorError && err.throttled) {
      return new DomainError('throttled', `connector throttled post ${postKey}`, undefined, Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)));
    }
    if (err instanceof NotYet) this.d.logger.debug({ postKey, reason: err.message }, 'post waits');
    else this.d.logger.warn({ postKey, err: err instanceof Error ? err.message : String(err) }, 'post delivery failed; the outbox retries');
    return err instanceof Error ? err : new Error(String(err));
  }

  private async target(store: BotStore, c: CaseRecord): Promise<{ serviceUrl: string; tenantId: string; teamThreadId: string | null; channelId: string }> {
    if (!c.channelId || !c.teamId) throw new NotYet(`case ${c.number} has no channel yet`);
    const installation = await store.installation(c.teamId);
    const repo = new Repo(this.d.db);
    const firm = await repo.firm(c.firmId);
    const serviceUrl = installation?.serviceUrl ?? this.d.defaultServiceUrl;
    if (!serviceUrl) throw new NotYet(`the bot is not installed in team ${c.teamId}`);
    const teamThreadId = (installation?.reference.conversation?.id as string | undefined) ?? null;
    return { serviceUrl, tenantId: installation?.tenantId ?? firm?.tenantId ?? '', teamThreadId, channelId: c.channelId };
  }

  private async send(store: BotStore, repo: Repo, c: CaseRecord, post: Post): Promise<DeliveryResult> {
    const target = await this.target(store, c);
    const data = post.data as PostData;
    const described = await describePost({ q: this.d.db, ...this.d.describe }, post.postKey, c, data, post.itemIds);
    const marker = postMarker(post.postKey);
    const card = withPostMarker(renderNotice(described.model), marker);
    this.d.onCard?.(card);
    const activity = cardActivity(card, described.summary);

    if (post.activityId && post.conversationId) {
      const thread: ThreadTarget = { serviceUrl: target.serviceUrl, tenantId: target.tenantId, conversationId: post.conversationId };
      try {
        await this.withInlineRetry(target.channelId, () => this.d.connector.update(thread, post.activityId as string, activity));
        return 'updated';
      } catch (err) {
        // The card was deleted in Teams: post it again rather than lose the notification.
        if (!(err instanceof ConnectorError && err.status === 404)) throw err;
        this.d.logger.warn({ postKey: post.postKey }, 'card to update is gone; posting it again');
        await store.forgetSent(post.postKey);
        post = { ...post, activityId: null, conversationId: null, sendStartedAt: null };
      }
    }

    const replyTo = await this.replyConversation(store, repo, post, data);
    if (post.sendStartedAt && !post.activityId) {
      const adopted = await this.findEarlierSend(c, target.channelId, replyTo, marker, post.postKey);
      if (adopted) {
        await store.recordSent(post.postKey, adopted.conversationId, adopted.activityId);
        // The card on screen is the one that attempt rendered; bring it to the current version.
        const thread: ThreadTarget = { serviceUrl: target.serviceUrl, tenantId: target.tenantId, conversationId: adopted.conversationId };
        await this.withInlineRetry(target.channelId, () => this.d.connector.update(thread, adopted.activityId, activity));
        if (data.kind === 'message' && data.rootPostKey === null && !replyTo) await repo.setThreadConversation(data.event.threadId, adopted.conversationId);
        return 'sent';
      }
    }
    await store.markSendStarted(post.postKey);
    if (replyTo) {
      const thread: ThreadTarget = { serviceUrl: target.serviceUrl, tenantId: target.tenantId, conversationId: replyTo };
      const { activityId } = await this.withInlineRetry(target.channelId, () => this.d.connector.reply(thread, activity));
      await store.recordSent(post.postKey, replyTo, activityId);
      return 'sent';
    }
    const { conversationId, activityId } = await this.withInlineRetry(target.channelId, () => this.d.connector.startThread(target, activity));
    await store.recordSent(post.postKey, conversationId, activityId);
    // A guest's portal thread is now bridged: staff replies in this Teams thread go back to it.
    if (data.kind === 'message' && data.rootPostKey === null) await repo.setThreadConversation(data.event.threadId, conversationId);
    return 'sent';
  }

  /**
   * An earlier attempt began sending and recorded nothing: the card may be on screen. Returns it
   * when Graph shows it; null when it is not there (or no finder is configured: then the post is
   * sent again, at least once rather than never). A failed look-up throws: the outbox retries.
   */
  private async findEarlierSend(c: CaseRecord, channelId: string, replyTo: string | null, marker: string, postKey: string): Promise<{ conversationId: string; activityId: string } | null> {
    if (!this.d.finder || !c.teamId) {
      this.d.logger.warn({ postKey }, 'an earlier send of this post may have reached Teams and cannot be checked; sending again');
      return null;
    }
    const rootMessageId = replyTo ? rootIdOf(replyTo) : null;
    if (replyTo && !rootMessageId) return null;
    const found = await this.d.finder.findBotMessage({ teamId: c.teamId, channelId, rootMessageId, marker });
    if (!found) {
      this.d.logger.info({ postKey }, 'an earlier send of this post did not reach Teams; sending again');
      return null;
    }
    this.d.logger.warn({ postKey, activityId: found.messageId }, 'an earlier send of this post reached Teams unrecorded; adopting it');
    return replyTo ? { conversationId: replyTo, activityId: found.messageId } : { conversationId: threadConversationId(channelId, found.messageId), activityId: found.messageId };
  }

  /** Follow-ups in a bridged thread reply to its root; the root must be on screen first. */
  private async replyConversation(store: BotStore, repo: Repo, post: Post, data: PostData): Promise<string | null> {
    if (post.replyToConversationId) return post.replyToConversationId;
    if (data.kind !== 'message' || data.rootPostKey === null) return null;
    const thread = await repo.thread(post.firmId, data.event.threadId);
    if (thread?.channelConversationId) return thread.channelConversationId;
    const root = await store.post(data.rootPostKey);
    if (root?.conversationId) return root.conversationId;
    throw new NotYet('the thread root is not posted yet');
  }

  /** Waits for the channel's rate limit, and absorbs short Retry-After waits without a round trip through the outbox. */
  private async withInlineRetry<T>(channelId: string, send: () => Promise<T>): Promise<T> {
    const maxWait = this.d.maxInlineWaitMs ?? 5000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.d.limiter.run(channelId, send);
      } catch (err) {
        const e = err instanceof ConnectorError ? err : null;
        const waitMs = e?.throttled ? (e.retryAfterSeconds ?? 1) * 1000 : 250 * 2 ** attempt;
        // Only answers that say nothing happened (429, 503) are retried here. A connection lost
        // mid-call is ambiguous (the post may exist): the outbox retries it, and for a new post no
        // client can tell; see the report's note on resets after processing.
        const nothingHappened = e !== null && (e.status === 429 || e.status === 503);
        if (!nothingHappened || attempt >= 2 || waitMs > maxWait) throw err;
        await this.sleep(waitMs);
      }
    }
  }
}
