import express from 'express';
import { type AppPart, definePart, type PartContext, usesPartIfPresent } from '../app-part';
import { requestPostDelivery } from '../services/job-requests';
import type { ActivityFeed } from '../../bot/activity-feed';
import type { AdaptiveCardJson } from '../../bot/cards';
import { botbuilderConnector, type ChannelConnector, createAdapter } from '../../bot/connector';
import { Deliverer, type PostFinder } from '../../bot/delivery';
import { createHandlers } from '../../bot/handlers';
import { parseIncoming } from '../../bot/incoming';
import { createLinks } from '../../bot/links';
import { createDeliverHandler, createNotifyHandler } from '../../bot/notify';
import { createThreadLimiter, type RateWindow } from '../../bot/rate-limit';
import { queueExpiringGrantNotices } from '../../bot/expiring-grants';
import { scanAccessReviews } from '../../bot/access-reviews';
import { scheduleScans } from '../../bot/scans';
import { AccessReviewService } from '../services/access-reviews';
import type { Microsoft365Part } from './m365';
import { rememberedMembership } from '../services/staff-membership';

/**
 * The bot part: Bot Framework messages on /api/messages (botbuilder CloudAdapter), the outbox
 * handlers that turn CaseRoom events into channel cards, and a scan for grants about to expire.
 * Everything is wired here; each piece takes only what it uses.
 */

export interface BotOptions {
  /** Replaces the botbuilder connector (tests of delivery rules). */
  connector?: ChannelConnector;
  feed?: ActivityFeed;
  /** How long a burst of uploads stays open after its latest file (default 2 minutes). */
  burstIdleMs?: number;
  /** Delay that coalesces updates to one card (default 1.5 s). */
  coalesceMs?: number;
  limits?: RateWindow[];
  /** Where to reach teams the bot saw no installation for (local simulator only). */
  defaultServiceUrl?: string;
  /**
   * Expiry reminders (each firm's `expiryReminderDays`): scanned `expiryFirstScanMs` after start
   * (default 5 s, so a restart never skips a day's reminder and /healthz never waits for it), then
   * every `expiryScanMs` (default 1 h; 0 = never, neither at start nor after).
   */
  expiryScanMs?: number;
  expiryFirstScanMs?: number;
  /** Access reviews: due reviews started and overdue ones sent to staff every `reviewScanMs` (default 1 h, first scan at start; 0 = never). */
  reviewScanMs?: number;
  onCard?: (card: AdaptiveCardJson) => void;
  /** Replaces the Graph look-up of cards already posted (default: the m365 part's, when there is one). */
  finder?: PostFinder | null;
  /** Bound on one connector call (default CONNECTOR_TIMEOUT_MS). */
  connectorTimeoutMs?: number;
}

export interface BotPart extends AppPart {
  /** Queues a reminder card for each grant that entered a reminder window and has not had its card; returns how many. */
  scanExpiringGrants(): Promise<number>;
  /** Starts the access reviews that are due (a card each) and sends overdue ones to responsible staff, once. */
  scanAccessReviews(): Promise<{ started: number; overdueNotices: number }>;
}

/** What the bot uses of the Microsoft 365 part: its activity feed and its look-up of posted cards (tests stand in with less). */
export type M365ForBot = AppPart & Partial<Pick<Microsoft365Part, 'activityFeed' | 'channelMessages'>>;

/** The bot part. It uses the Microsoft 365 part when the composition has one (built before it). */
export function botPart(options: BotOptions = {}) {
  return definePart({
    name: 'bot',
    needs: { m365: usesPartIfPresent<M365ForBot>('m365') },
    build: (ctx, { m365 }) => buildBotPart(ctx, m365, options),
  });
}

function buildBotPart(ctx: PartContext, m365: M365ForBot | undefined, o: BotOptions): BotPart {
  const logger = ctx.logger.child({ part: 'bot' });
  // Guests' notices go through the one Graph gateway (budget, retry, logging): the m365 part's feed.
  const guestFeed = o.feed ?? m365?.activityFeed;
  if (!guestFeed) throw new Error('the bot part needs the m365 part (listed before it) for its activity feed, or a feed in its options');
  const adapter = createAdapter(ctx.config, { timeoutMs: o.connectorTimeoutMs });
  const connector = o.connector ?? botbuilderConnector(adapter, ctx.config.bot.appId);
  const links = createLinks({ publicBaseUrl: ctx.config.publicBaseUrl, teamsAppId: ctx.config.teamsAppId });
  const clock = ctx.clock;
  const deliverer = new Deliverer({
    db: ctx.db,
    connector,
    limiter: createThreadLimiter(o.limits),
    logger,
    describe: { links, now: () => clock.now() },
    defaultServiceUrl: o.defaultServiceUrl,
    onCard: o.onCard,
    finder: o.finder !== undefined ? o.finder : (m365?.channelMessages ?? null),
  });
  const requestDelivery = async (firmId: string, postKey: string) => requestPostDelivery(ctx.db, firmId, postKey);
  const reviews = new AccessReviewService({ db: ctx.db, clock, sharing: ctx.services.sharing });
  const handlers = createHandlers({
    db: ctx.db,
    sharing: ctx.services.sharing,
    reviews,
    casework: ctx.services.casework,
    links,
    clock,
    logger,
    allowChannelLinking: ctx.config.m365.mode === 'simulator',
    requestDelivery,
    onCard: o.onCard,
    isStaffMember: m365?.directory ? rememberedMembership(m365.directory) : null,
  });

  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    if (context.activity.type === 'message') await context.sendActivity({ type: 'message', text: 'CaseRoom hit an error and has logged it. Please try again.', textFormat: 'plain' }).catch(() => undefined);
    if (context.activity.type === 'invoke')
      await context
        .sendActivity({ type: 'invokeResponse', value: { status: 500, body: { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: 'CaseRoom hit an error.' } } } })
        .catch(() => undefined);
  };

  const messages = express.Router();
  messages.use(express.json({ limit: '1mb' }));
  messages.post('/', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      const incoming = parseIncoming(context);
      const body = await handlers.onTurn(context, incoming);
      // Universal Actions answer the click in the HTTP response: a card replaces the card, a message is shown.
      if (incoming.kind === 'cardAction') await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body } });
    });
  });

  const scanExpiringGrants = () => queueExpiringGrantNotices(ctx.db, clock);
  const everyMs = o.expiryScanMs ?? 3_600_000;
  const expiryScans = scheduleScans(scanExpiringGrants, { firstAfterMs: o.expiryFirstScanMs ?? 5_000, everyMs, onError: (err) => logger.warn({ err }, 'expiry scan failed') });
  const scanReviews = () => scanAccessReviews({ db: ctx.db, clock, reviews, feed: guestFeed, links, logger });
  const reviewEveryMs = o.reviewScanMs ?? 3_600_000;
  const reviewScans = scheduleScans(scanReviews, { firstAfterMs: 0, everyMs: reviewEveryMs, onError: (err) => logger.warn({ err }, 'access review scan failed') });

  return {
    name: 'bot',
    handlers: {
      notify: createNotifyHandler({ db: ctx.db, clock, logger, feed: guestFeed, links, burstIdleMs: o.burstIdleMs ?? 120_000, coalesceMs: o.coalesceMs ?? 1500 }),
      'bot-deliver': createDeliverHandler(deliverer),
    },
    routes: [{ path: '/api/messages', router: messages }],
    scanExpiringGrants,
    scanAccessReviews: scanReviews,
    async health() {
      const rows = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_installations WHERE removed_at IS NULL');
      return { installedTeams: Number(rows[0]?.n ?? 0), appId: ctx.config.bot.appId ? 'configured' : 'none (local, no auth)' };
    },
    async start() {
      // Not awaited: the first scans run once the app is serving.
      if (everyMs > 0) expiryScans.start();
      if (reviewEveryMs > 0) reviewScans.start();
    },
    async stop() {
      await Promise.all([expiryScans.stop(), reviewScans.stop()]);
    },
  };
}
