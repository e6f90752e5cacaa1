import path from 'node:path';
import { type AppPart, definePart, type PartContext, type PartFactory } from '../../app-part';
import { demoPlaceholderFor } from '../../demo/placeholder-files';
import { gatheredSyncs, Reconciler } from '../../services/reconciler';
import { ProvisioningService } from '../../services/provision';
import { UploadDetection, UploadService } from '../../services/uploads';
import { applyDefaultSender, GUEST_DIGEST_JOB, GuestDigestService, requestGuestDigest } from '../../services/guest-digest';
import { requestGuestSync, requestSweep, requestUploadWrite, type SweepKind } from '../../services/job-requests';
import type { JobHandlers } from '../../services/outbox-worker';
import { M365Repo } from '../../store/m365';
import { Repo } from '../../store/repo';
import { keepUndelivered } from '../../services/undelivered-notice';
import { type ActivityFeedPort, gatewayActivityFeed } from '../../m365/activity';
import { type ChannelMessagesPort, gatewayChannelMessages } from '../../m365/channel-messages';
import { gatewayMailSender, MailSendError } from '../../m365/mail';
import { createTokenSource } from '../../m365/auth';
import { GraphGateway } from '../../m365/graph';
import { gatewayDriveItems } from '../../m365/drive-items';
import { type DirectoryPort, gatewayDirectory } from '../../m365/directory';
import { accessRoutes, fileRoutes, notificationRoute } from './routes';
import { SharePointAccessView } from '../../services/sharepoint-access';
import type { M365Settings } from '../../m365/settings';
import { boundFetch, createDispatcher } from '../../m365/transport';

/** Outbox kinds the gateway adds for its own background work (run once across instances). */
export const M365_JOBS = {
  drift: 'm365-drift',
  acceptance: 'm365-acceptance',
  expiry: 'm365-expiry',
  subscriptions: 'm365-subscriptions',
  delta: 'm365-delta',
  importFile: 'm365-import-file',
} as const;

export interface Microsoft365Part extends AppPart {
  graph: GraphGateway;
  reconciler: Reconciler;
  provisioning: ProvisioningService;
  detection: UploadDetection;
  uploads: UploadService;
  settings: M365Settings;
  /** Used by the bot for guests' Teams activity feed (src/parts/bot.ts hands it to the notify handler). */
  activityFeed: ActivityFeedPort;
  /** Used by the bot to check whether a card it may have sent is in the channel (bot/delivery.ts). */
  channelMessages: ChannelMessagesPort;
  /** Guests' e-mail digests (outbox kind `guest-digest`). */
  digests: GuestDigestService;
  /** The case Access page: SharePoint beside CaseRoom's intent, and Repair. */
  access: SharePointAccessView;
  /** Staff-group membership (checkMemberGroups) and set-up's directory look-ups. */
  directory: DirectoryPort;
}

/** Fire a moment after the expiry instant, so the sweep's `now` is past it. */
const EXPIRY_TIMER_SLACK_MS = 50;
/** Far expiries are re-checked hourly (setTimeout's own limit is under 25 days). */
const MAX_EXPIRY_TIMER_MS = 3_600_000;

/** The Microsoft 365 part with the settings loadConfig parsed, optionally overridden (tests). It needs no other part. */
export function microsoft365Part(overrides: Partial<M365Settings> = {}): PartFactory<Record<never, never>, Microsoft365Part> {
  return definePart({ name: 'm365', build: (ctx) => buildPart(ctx, { ...ctx.config.m365.settings, ...overrides }) });
}

function buildPart(ctx: PartContext, settings: M365Settings): Microsoft365Part {
  const { config, db, logger: rootLogger, clock, services } = ctx;
  const logger = rootLogger.child({ part: 'm365' });
  const dispatcher = createDispatcher(config.m365.caCertFile);
  const tokens = createTokenSource(config.identity, boundFetch(dispatcher), logger, { simulator: config.m365.mode === 'simulator' });
  const graph = new GraphGateway({ graphBaseUrl: config.m365.graphBaseUrl, tenantId: config.identity.tenantId, tokens, dispatcher, logger, unitsPerMinute: settings.unitsPerMinute });
  // Staff's create folder, rename, move and delete reach SharePoint first from now on.
  services.casework.connectSharePoint(gatewayDriveItems(graph));
  const reconciler = new Reconciler({ db, graph, logger: logger.child({ job: 'reconcile' }), clock, driftPolicy: settings.driftPolicy });
  const provisioning = new ProvisioningService({
    db,
    graph,
    logger: logger.child({ job: 'provision' }),
    sharing: services.sharing,
    publicBaseUrl: config.publicBaseUrl,
    teamsAppId: config.teamsAppId,
    placeholderFor: config.seedDemoData ? demoPlaceholderFor : undefined,
  });
  const detection = new UploadDetection({ db, graph, logger: logger.child({ job: 'uploads' }), services, clientId: config.identity.clientId, publicBaseUrl: config.publicBaseUrl, clock });
  const uploads = new UploadService({ db, graph, logger: logger.child({ job: 'upload' }), services, settings, clock, spoolDir: settings.spoolDir ?? path.join(config.dataDir, 'upload-spool') });
  const access = new SharePointAccessView({ db, graph, clock });

  const digests = new GuestDigestService({
    db,
    portal: services.portal,
    mail: gatewayMailSender(graph),
    publicBaseUrl: config.publicBaseUrl,
    logger: logger.child({ job: 'digest' }),
    isPermanentFailure: (err) => err instanceof MailSendError && err.permanent,
  });

  const syncGuest = gatheredSyncs(reconciler);
  const handlers: JobHandlers = {
    'provision-case': async (job) => {
      // A case waiting for a cases team ends its job here; adopting a team queues it again (src/services/cases-teams.ts).
      if ((await provisioning.provisionCase(job.payload.caseId)) === 'waiting') return;
      // A new case may be in a new team (a new drive): make sure uploads there are detected.
      await requestSweep(db, M365_JOBS.subscriptions, job.firmId);
    },
    'invite-guest': async (job) => provisioning.inviteGuest(job.firmId ?? '', job.payload.contactId),
    'sync-guest-access': async (job) => {
      const { contactId } = job.payload;
      const firmId = job.firmId ?? (await firmOfContact(contactId));
      await syncGuest(firmId, contactId);
      // A share, an unshare, an acceptance or a new document all end in this sync: the guest's
      // digest (one window later, joined by whatever else comes meanwhile) tells them what is new.
      await requestGuestDigest(db, firmId, contactId);
      // Every grant change is followed by its guest's sync: a new or moved expiry may be the next one.
      armExpiryTimer();
    },
    [GUEST_DIGEST_JOB]: async (job) => {
      await digests.run(job.firmId ?? (await firmOfContact(job.payload.contactId)), job.payload.contactId);
    },
    'seal-staff-only': async (job) => {
      await reconciler.sealStaffOnly(job.firmId ?? '', job.payload.itemId);
    },
    [M365_JOBS.drift]: async (job) => {
      const firms = job.payload.firmId ? [job.payload.firmId] : (await new Repo(db).allFirms()).map((f) => f.id);
      for (const firmId of firms) await reconciler.checkDrift(firmId);
    },
    [M365_JOBS.acceptance]: async () => {
      await provisioning.pollAcceptances();
    },
    [M365_JOBS.expiry]: async () => {
      await sweepExpiredGrants();
      armExpiryTimer();
    },
    [M365_JOBS.subscriptions]: async () => {
      await detection.ensureSubscriptions();
    },
    [M365_JOBS.delta]: async (job) => {
      await detection.syncDrive(job.payload.driveId);
    },
    [M365_JOBS.importFile]: async (job) => {
      await detection.importIfUnknown(job.payload.driveId, job.payload.driveItemId);
    },
    'upload-write': async (job, signal) => {
      // A batch larger than one slice hands over to a fresh job (same key), so no run nears the worker's time limit.
      if ((await uploads.writeBatch(job.payload.batchId, signal)) === 'more') await requestUploadWrite(db, job.firmId, job.payload.batchId);
    },
  };

  async function firmOfContact(contactId: string): Promise<string> {
    const rows = await db.query<{ firm_id: string }>('SELECT firm_id FROM contacts WHERE id = $1', [contactId]);
    return rows[0]?.firm_id ?? '';
  }

  /** Grants that expired since the last sweep: their guests' SharePoint permissions must go now, not at the next change. */
  async function sweepExpiredGrants(): Promise<number> {
    const m365 = new M365Repo(db);
    const now = clock.now().toISOString();
    const since = (await m365.getState('expiry-sweep')) ?? new Date(0).toISOString();
    const due = await m365.contactsWithGrantsExpiredBetween(since, now);
    await db.transaction(async (tx) => {
      for (const d of due) await requestGuestSync(tx, d.firmId, d.contactId);
      await new M365Repo(tx).setState('expiry-sweep', now);
    });
    if (due.length) logger.info({ contacts: due.length }, 'expired grants: guests queued for sync');
    return due.length;
  }

  /**
   * Expiry is CaseRoom's to enforce: SharePoint ignores expirationDateTime on direct permissions
   * (learn.microsoft.com/graph/api/driveitem-invite). A timer set for the next grant expiry runs
   * the sweep at that instant, so the guest's sync is queued within moments of it; the periodic
   * sweep stays as the backstop (another instance changed a grant, a timer lost to a restart).
   */
  let expiryTimer: NodeJS.Timeout | null = null;
  let expiryTimerStopped = false;
  let arming: Promise<void> = Promise.resolve();
  let armingQueued = false;
  function armExpiryTimer(): void {
    // One arming at a time, each reading the store afresh; a burst of syncs (a bulk share)
    // queues one more reading, not one per sync.
    if (armingQueued) return;
    armingQueued = true;
    arming = arming
      .then(() => {
        armingQueued = false;
        return armOnce();
      })
      .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not set the grant expiry timer'));
  }
  async function armOnce(): Promise<void> {
    if (expiryTimerStopped) return;
    const now = clock.now();
    const next = await new M365Repo(db).nextGrantExpiry(now.toISOString());
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = null;
    if (!next || expiryTimerStopped) return;
    const delay = Math.min(Math.max(0, Date.parse(next) - now.getTime()) + EXPIRY_TIMER_SLACK_MS, MAX_EXPIRY_TIMER_MS);
    expiryTimer = setTimeout(() => {
      expiryTimer = null;
      sweepExpiredGrants().then(armExpiryTimer, (err: unknown) => {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'expiry sweep failed; the periodic sweep will retry');
        armExpiryTimer();
      });
    }, delay);
    expiryTimer.unref();
  }

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, kind: SweepKind) => {
    if (ms <= 0) return;
    const tick = () => {
      requestSweep(db, kind).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err), kind }, 'could not queue periodic job'));
    };
    const timer = setInterval(tick, ms);
    timer.unref();
    timers.push(timer);
    return tick;
  };

  let probe: { at: number; result: Record<string, unknown> } | null = null;

  return {
    name: 'm365',
    graph,
    reconciler,
    provisioning,
    detection,
    uploads,
    settings,
    activityFeed: gatewayActivityFeed(graph, { teamsAppId: config.teamsAppId, keepUndelivered: (notice, webUrl, status) => keepUndelivered(db, notice, webUrl, status) }),
    channelMessages: gatewayChannelMessages(graph),
    digests,
    access,
    directory: gatewayDirectory(graph),
    handlers,
    routes: [{ path: '/api/graph/notifications', router: notificationRoute({ db, logger }) }, ...fileRoutes({ db, logger, uploads, services }), ...accessRoutes(access)],
    async start() {
      const filled = await applyDefaultSender(db, config.mail.sender);
      if (filled) logger.info({ firms: filled, sender: config.mail.sender }, 'MAIL_SENDER set as the sending mailbox of firms that had none');
      armExpiryTimer();
      const swept = await uploads.sweepSpool();
      if (swept) logger.warn({ swept }, 'upload spool directories of requests that never completed removed');
      every(settings.acceptancePollMs, M365_JOBS.acceptance);
      every(settings.expirySweepMs, M365_JOBS.expiry);
      every(settings.driftIntervalMs, M365_JOBS.drift)?.();
      every(settings.subscriptionCheckMs, M365_JOBS.subscriptions)?.();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      expiryTimerStopped = true;
      await arming;
      if (expiryTimer) clearTimeout(expiryTimer);
      expiryTimer = null;
      await dispatcher.close().catch(() => undefined);
    },
    async health() {
      // Cached: /healthz is polled by load balancers, and each probe costs a token and a call.
      if (probe && Date.now() - probe.at < 30_000) return probe.result;
      const started = Date.now();
      let reachable = false;
      let error: string | undefined;
      try {
        // A call CaseRoom's declared permissions cover (User.Read.All, which it holds to read guests'
        // acceptance); GET /sites/root would need Sites.Read.All, which CaseRoom does not ask for.
        await graph.call({ method: 'GET', path: '/users?$top=1&$select=id', maxInlineWaitSeconds: 0 });
        reachable = true;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const subscriptions = await new M365Repo(db).subscriptions().catch(() => []);
      const result = {
        mode: config.m365.mode,
        tenantId: config.identity.tenantId,
        graph: reachable ? 'reachable' : 'unreachable',
        ...(error ? { error } : {}),
        probeMs: Date.now() - started,
        budget: graph.budget().snapshot(),
        subscriptions: subscriptions.length,
        ...graph.health(),
      };
      probe = { at: Date.now(), result };
      return result;
    },
  };
}
