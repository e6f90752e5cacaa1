import express from 'express';
import type { AppPart, PartContext, PartFactory } from '../src/app-part';
import type { CaseRoomEvent } from '../src/domain/events';
import { requestNotify, requestPostDelivery } from '../src/services/job-requests';
import { Repo } from '../src/store/repo';
import { type ActivityFeed, resolveActivityFeed } from './activity-feed';
import type { AdaptiveCardJson } from './cards';
import { botbuilderConnector, type ChannelConnector, createAdapter } from './connector';
import { Deliverer, type PostFinder } from './delivery';
import { createHandlers } from './handlers';
import { parseIncoming } from './incoming';
import { createLinks } from './links';
import { createDeliverHandler, createNotifyHandler } from './notify';
import { createThreadLimiter, type RateWindow } from './rate-limit';
import { BotStore } from './store';

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
  /** Grants expiring within this many days get a card (default 3); scanned every `expiryScanMs` (default 1 h, 0 = never). */
  expiryNoticeDays?: number;
  expiryScanMs?: number;
  onCard?: (card: AdaptiveCardJson) => void;
  /** Replaces the Graph look-up of cards already posted (default: the m365 part's, when there is one). */
  finder?: PostFinder | null;
  /** Bound on one connector call (default CONNECTOR_TIMEOUT_MS). */
  connectorTimeoutMs?: number;
}

export interface BotPart extends AppPart {
  /** Queues a card for each grant that expires soon and has not had one; returns how many. */
  scanExpiringGrants(): Promise<number>;
}

export function botPart(options: BotOptions = {}): PartFactory {
  return (ctx) => buildBotPart(ctx, options);
}

/** The composition root's entry (src/server.ts). */
export function createBotPart(ctx: PartContext): AppPart {
  return buildBotPart(ctx, {});
}

/** The m365 part's channel-message look-up, when this composition has a Graph gateway. */
function resolvePostFinder(ctx: PartContext): PostFinder | null {
  try {
    return ctx.part<AppPart & { channelMessages?: PostFinder }>('m365').channelMessages ?? null;
  } catch {
    return null;
  }
}

function buildBotPart(ctx: PartContext, o: BotOptions): BotPart {
  const logger = ctx.logger.child({ part: 'bot' });
  const adapter = createAdapter(ctx.config, { timeoutMs: o.connectorTimeoutMs });
  const connector = o.connector ?? botbuilderConnector(adapter, ctx.config.bot.appId);
  const links = createLinks(ctx.config.publicBaseUrl);
  const clock = ctx.clock;
  const deliverer = new Deliverer({
    db: ctx.db,
    connector,
    limiter: createThreadLimiter(o.limits),
    logger,
    describe: { links, now: () => clock.now() },
    defaultServiceUrl: o.defaultServiceUrl,
    onCard: o.onCard,
    finder: o.finder !== undefined ? o.finder : resolvePostFinder(ctx),
  });
  const requestDelivery = async (firmId: string, postKey: string) => requestPostDelivery(ctx.db, firmId, postKey);
  const handlers = createHandlers({
    db: ctx.db,
    sharing: ctx.services.sharing,
    casework: ctx.services.casework,
    links,
    clock,
    logger,
    allowChannelLinking: ctx.config.m365.mode === 'simulator',
    requestDelivery,
    onCard: o.onCard,
  });

  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    if (context.activity.type === 'message') await context.sendActivity({ type: 'message', text: 'CaseRoom hit an error and has logged it. Please try again.', textFormat: 'plain' }).catch(() => undefined);
    if (context.activity.type === 'invoke') await context.sendActivity({ type: 'invokeResponse', value: { status: 500, body: { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: 'CaseRoom hit an error.' } } } }).catch(() => undefined);
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

  async function scanExpiringGrants(): Promise<number> {
    const days = o.expiryNoticeDays ?? 3;
    const now = clock.now();
    const rows = await ctx.db.query<{ id: string; firm_id: string; contact_id: string; expires_at: Date | string }>(
      `SELECT id, firm_id, contact_id, expires_at FROM grants WHERE expires_at > $1 AND expires_at <= $2`,
      [now.toISOString(), new Date(now.getTime() + days * 24 * 3600 * 1000).toISOString()],
    );
    let queued = 0;
    for (const r of rows) {
      const expiresAt = new Date(r.expires_at).toISOString();
      queued += await ctx.db.transaction(async (tx) => {
        // One card per grant and expiry: extending the grant moves the expiry, and a later scan may warn again.
        if (!(await new BotStore(tx).firstDelivery(`expiring:${r.id}:${expiresAt}`))) return 0;
        const repo = new Repo(tx);
        const grant = await repo.grant(r.firm_id, r.id);
        if (!grant) return 0;
        const caseIds = grant.scope.kind === 'client' ? (await repo.listCases(r.firm_id, grant.scope.clientId)).map((c) => c.id) : [grant.scope.caseId];
        const event: CaseRoomEvent = { type: 'grant.expiring', firmId: r.firm_id, caseIds, contactId: r.contact_id, grantId: r.id, expiresAt };
        await requestNotify(tx, event);
        return 1;
      });
    }
    return queued;
  }

  let timer: NodeJS.Timeout | null = null;
  return {
    name: 'bot',
    handlers: {
      notify: createNotifyHandler({ db: ctx.db, clock, logger, feed: o.feed ?? resolveActivityFeed(ctx), links, burstIdleMs: o.burstIdleMs ?? 120_000, coalesceMs: o.coalesceMs ?? 1500 }),
      'bot-deliver': createDeliverHandler(deliverer),
    },
    routes: [{ path: '/api/messages', router: messages }],
    scanExpiringGrants,
    async health() {
      const rows = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_installations WHERE removed_at IS NULL');
      return { installedTeams: Number(rows[0]?.n ?? 0), appId: ctx.config.bot.appId ? 'configured' : 'none (local, no auth)' };
    },
    async start() {
      const every = o.expiryScanMs ?? 3_600_000;
      if (every > 0) {
        timer = setInterval(() => void scanExpiringGrants().catch((err: unknown) => logger.warn({ err }, 'expiry scan failed')), every);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
