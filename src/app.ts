import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { AppConfig } from './config';
import { createApp } from './http/app';
import { createTokenVerifier, remoteKeys, type TokenVerifier } from './http/auth';
import type { AppPart, BuiltDependencies, PartContext, PartDependencies, PartFactory, Services } from './app-part';
import { CaseworkService } from './services/casework';
import { type Clock, systemClock } from './services/context';
import { seedDemoFirm } from './demo/demo-data';
import { isJobKind } from './domain/jobs';
import { OutboxWorker, releaseDeadPredecessorLeases } from './services/outbox-worker';
import { PortalService } from './services/portal';
import { LiveChanges, type LiveSettings } from './services/live';
import { CaseClosureService } from './services/case-closure';
import { SharingService } from './services/sharing';
import { type Db, openDb } from './store/db';
import { migrate } from './store/migrations';
import { prepareForServingRole, servingRole } from './store/roles';

export type { Services };

export interface RunningApp {
  url: string;
  db: Db;
  server: Server;
  worker: OutboxWorker;
  services: Services;
  logger: Logger;
  close(): Promise<void>;
}

export interface ComposeOptions {
  config: AppConfig;
  /** Microsoft 365, the bot, the tab: built in order once the store and services exist. */
  parts: PartFactory[];
  logger?: Logger;
  clock?: Clock;
  db?: Db;
  verify?: TokenVerifier;
  /** Tests step the worker themselves. */
  startWorker?: boolean;
  /**
   * Settled before the parts are built. `npm start` opens, migrates and seeds the store while the
   * local simulator the parts call is still starting (its keys, its tenant); a rejection fails the start.
   */
  partsAfter?: Promise<unknown>;
  /** Live pages' timings and limits; the defaults suit production. */
  live?: Partial<LiveSettings>;
}

/** With a separate owner connection, migrations and grants run as the owner, once, before serving starts. */
async function prepareStore(store: AppConfig['store']): Promise<number[]> {
  if (store.kind !== 'postgres' || !store.migrationUrl) return [];
  const owner = await openDb({ kind: 'postgres', url: store.migrationUrl });
  try {
    return await prepareForServingRole(owner, servingRole(store.url));
  } finally {
    await owner.close();
  }
}

/**
 * Every part's dependencies come before it in `parts`: checked once, before any part is built,
 * so a wrong composition fails at start-up naming the part it lacks.
 */
export function checkPartOrder(factories: readonly PartFactory[]): void {
  const names = factories.map((f) => f.name);
  factories.forEach((factory, index) => {
    if (names.indexOf(factory.name) !== index) throw new Error(`two parts are named ${factory.name}: each part is built once`);
    for (const dependency of Object.values(factory.needs)) {
      const at = names.indexOf(dependency.name);
      if (at === -1 && dependency.optional) continue;
      if (at === -1) throw new Error(`part ${factory.name} needs part ${dependency.name}, which this composition does not have: add ${dependency.name} before ${factory.name} in the parts`);
      if (at > index) throw new Error(`part ${factory.name} needs part ${dependency.name}, which is built after it: list ${dependency.name} before ${factory.name} in the parts`);
    }
  });
}

/** The composition root: config → store → services → Microsoft 365 → HTTP. Nothing else wires parts together. */
export async function startCaseRoom(o: ComposeOptions): Promise<RunningApp> {
  const { config } = o;
  const logger = o.logger ?? pino({ level: config.logLevel, base: { app: 'caseroom' } });
  const clock = o.clock ?? systemClock;
  const started = Date.now();
  const applied = o.db ? [] : await prepareStore(config.store);
  const db =
    o.db ??
    (await openDb(config.store, {
      onConnectionError: (err) => logger.warn({ err }, 'store: an idle PostgreSQL connection failed; the pool replaces it'),
      onTemplateUnavailable: (err) => logger.warn({ err }, 'store: the PGlite template could not be made, so this start runs initdb'),
    }));
  logger.info({ store: db.kind, ms: Date.now() - started }, 'store open');
  if (!(config.store.kind === 'postgres' && config.store.migrationUrl)) applied.push(...(await migrate(db)));
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const deps = { db, clock };
  const services: Services = { sharing: new SharingService(deps), casework: new CaseworkService(deps), portal: new PortalService(deps), closure: new CaseClosureService(deps) };
  if (config.seedDemoData && (await seedDemoFirm(deps))) logger.info('demo firm seeded');

  checkPartOrder(o.parts);
  await o.partsAfter;
  const ctx: PartContext = { db, services, logger, config, clock };
  const parts: AppPart[] = [];
  for (const factory of o.parts) {
    const built = Object.fromEntries(Object.entries(factory.needs).map(([key, dependency]) => [key, parts.find((p) => p.name === dependency.name)]));
    const part = await factory.build(ctx, built as BuiltDependencies<PartDependencies>);
    if (part.name !== factory.name) throw new Error(`part ${factory.name} built a part named ${part.name}`);
    parts.push(part);
  }
  const handlers: AppPart['handlers'] = {};
  for (const part of parts) {
    for (const kind of Object.keys(part.handlers)) {
      // Typed handlers cannot name another kind; a cast could, and its jobs would run in no lane of their own.
      if (!isJobKind(kind)) throw new Error(`outbox job kind ${kind} (part ${part.name}) is not a CaseRoom job kind: add it to JobPayloads in src/domain/jobs.ts`);
      if (handlers[kind]) throw new Error(`outbox job kind ${kind} is handled by two parts`);
    }
    Object.assign(handlers, part.handlers);
  }
  const outboxLogger = logger.child({ part: 'outbox' });
  const worker = new OutboxWorker({ db, logger: outboxLogger, handlers, pollMs: config.outboxPollMs, leaseSeconds: config.outboxLeaseSeconds });
  // A store handed in by the caller may be shared with a live worker in this process; one this
  // process opened itself is its alone (on PGlite), so any lease in it is a dead predecessor's.
  if (!o.db) await releaseDeadPredecessorLeases(db, outboxLogger);
  const verify =
    o.verify ??
    createTokenVerifier({
      issuer: config.identity.issuer,
      tenantId: config.identity.tenantId,
      audiences: config.identity.audiences,
      keys: remoteKeys(config.identity.jwksUri, config.m365.caCertFile ? readFileSync(config.m365.caCertFile, 'utf8') : undefined),
      requiredScope: 'access_as_user',
    });

  const live = new LiveChanges({ db, portal: services.portal, logger: logger.child({ part: 'live' }), clock, settings: o.live });
  await live.start();
  const app = createApp({
    db,
    logger,
    verify,
    ...services,
    live,
    health: async () => {
      const details = await Promise.all(parts.map(async (p) => (p.health ? { [p.name]: await p.health() } : {})));
      return { store: db.kind, m365: config.m365.mode, ...(config.m365.mode === 'simulator' ? { simulatorUrl: config.m365.simulatorUrl } : {}), parts: Object.assign({}, ...details) };
    },
    extraRoutes: parts.flatMap((p) => p.routes),
    rateLimit: config.apiRateLimit,
    defaultMailSender: config.mail.sender,
    signInOrigins: [new URL(config.identity.signInAuthority).origin],
    previewFrameOrigins: config.m365.previewFrameOrigins,
    directory: parts.find((p) => p.directory)?.directory ?? null,
    setupAdminUpns: config.setup.adminUpns,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listen error (port in use, address not available) to this callback.
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(new Error(`CaseRoom cannot listen on ${config.host}:${config.port}: ${err.message}`, { cause: err })) : resolve(s)));
  });
  keepIdleConnectionsOpen(server);
  endLiveStreamsOnClose(server, live);
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  for (const part of parts) await part.start?.();
  const workerStart = o.startWorker !== false ? startAfterFirstAnswer(server, () => worker.start(), WORKER_START_GRACE_MS) : null;
  logger.info({ url, ms: Date.now() - started }, 'CaseRoom is listening');

  return {
    url,
    db,
    server,
    worker,
    services,
    logger,
    async close() {
      workerStart?.cancel();
      await live.stop();
      await worker.stop();
      for (const part of [...parts].reverse()) await part.stop?.();
      await closeServer(server);
      if (!o.db) await db.close();
    },
  };
}

/**
 * Jobs left from before a restart (deliveries, drift checks) wait until the app has answered its
 * first request, a health probe or a person, and at most this long after it listens: run at once,
 * they race that answer for the one main thread (about 0.4 s of a warm start, bench/PROFILE.md).
 */
export const WORKER_START_GRACE_MS = 2_000;

export function startAfterFirstAnswer(server: Server, start: () => void, graceMs: number): { cancel(): void } {
  let done = false;
  const settle = () => {
    done = true;
    clearTimeout(timer);
    server.off('request', onRequest);
  };
  const go = () => {
    if (done) return;
    settle();
    start();
  };
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => res.once('finish', go);
  const timer = setTimeout(go, graceMs);
  server.on('request', onRequest);
  return { cancel: settle };
}

/**
 * How long an idle keep-alive connection stays open. A client reuses an idle connection until
 * shortly before the server's advertised timeout (undici: the `Keep-Alive: timeout` hint minus
 * 2 s); on a loaded machine the server's timer can fire in that gap and reset a request the
 * client just sent on the socket (ECONNRESET, "other side closed"). Node's 5 s default puts
 * that gap after every few seconds of idling, which is common; a minute of idling is not.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function keepIdleConnectionsOpen(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Above the keep-alive timeout, so the headers timer never ends a reused connection first.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

/**
 * Live streams never go idle, so server.close() would wait for them for ever: whoever closes the
 * server (this file's close(), a test, a host) ends them first, which lets their connections close.
 */
function endLiveStreamsOnClose(server: Server, live: LiveChanges): void {
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    live.endAllStreams();
    return close(callback);
  };
}

/**
 * Stops accepting connections and resolves once every open one has ended. A request in progress
 * finishes; each connection is closed as soon as it is idle (a kept-alive one would otherwise
 * hold close() up for the whole keep-alive timeout).
 */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    server.closeIdleConnections();
    await closed;
  } finally {
    clearInterval(sweep);
  }
}
