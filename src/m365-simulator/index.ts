/**
 * The local Microsoft 365 simulator: Entra ID (OpenID, JWKS, tokens, sign-in page), a Graph v1.0
 * subset with SharePoint's permission rules, throttling and faults, on loopback. Two ports serve
 * the same routes: HTTPS (MSAL insists on it; the CA is generated at first start) and plain HTTP
 * (for people's browsers). Product code never imports this module; scripts and tests do.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createReadStream, promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { registerAdminRoutes } from './admin/routes';
import { SimulatorAdminClient } from './admin/client';
import { defaultKnobs, Stats, type Knobs, type Logger, type SimContext } from './context';
import { registerBatchRoute } from './graph/batch';
import { registerDirectoryRoutes } from './graph/directory';
import { registerGroupRoutes } from './graph/groups';
import { registerDriveRoutes, servePreauthenticatedDownload } from './graph/drives';
import { isPreviewPagePath, servePreviewPage } from './graph/preview';
import { registerMailPages, registerMailRoutes } from './graph/mail';
import { GraphPipeline } from './graph/pipeline';
import { ChangeNotifier, registerSubscriptionRoutes } from './graph/subscriptions';
import { registerTeamRoutes } from './graph/teams';
import { handleUploadUrl } from './graph/uploads';
import { GraphError, renderGraphError } from './web/errors';
import { escapeHtml, page } from './web/html';
import { Router } from './web/router';
import type { RequestBody, SimRequest, SimResponse } from './web/types';
import { registerIdentityRoutes } from './identity/routes';
import { loadOrCreateSigningKey, TokenService } from './identity/tokens';
import { defaultPlugins, type NodeHandler, type SimulatorPlugin, type SimulatorPluginHost } from './plugins';
import { InstallationEvents } from './state/installations';
import { SimulatorStore } from './state/store';
import { loadOrCreateTls } from './tls';

export type { Knobs, FaultKind, AppStats, GraphCallRecord } from './context';
export type { SimulatorPlugin, SimulatorPluginHost } from './plugins';
export { SimulatorAdminClient } from './admin/client';
/**
 * Creates (or loads) the CA and server certificate in `dataDir` without starting anything, so a
 * start script can launch the app with NODE_EXTRA_CA_CERTS=<caCertPath> before the simulator runs.
 */
export { loadOrCreateTls as ensureSimulatorCertificates } from './tls';
export type { CreatedTenant, StatsSnapshot } from './admin/client';

export interface SimulatorOptions {
  /** Where state, blobs, the CA and the signing key live. Default: a new temporary directory. */
  dataDir?: string;
  /** 0 (default) = ephemeral. */
  httpsPort?: number;
  httpPort?: number;
  /** Interface to bind; loopback by default (the admin API has no authentication). */
  host?: string;
  latencyMs?: number;
  resourceUnitsPerMinute?: number;
  faultRate?: number;
  faultKinds?: Knobs['faultKinds'];
  /** Any other knob; also changeable at runtime with POST /_admin/knobs. */
  knobs?: Partial<Knobs>;
  /** Defaults to `defaultPlugins()`. */
  plugins?: SimulatorPlugin[];
  logger?: Logger;
}

export interface RunningSimulator {
  httpsUrl: string;
  httpUrl: string;
  caCertPem: string;
  caCertPath: string;
  dataDir: string;
  admin: SimulatorAdminClient;
  knobs: Knobs;
  close(): Promise<void>;
}

const JSON_LIMIT_BYTES = 4 * 1024 * 1024;
const GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const quietLogger: Logger = {
  info: () => undefined,
  warn: (message, details) => console.warn(message, details ?? ''),
};

function nodeBody(req: IncomingMessage): RequestBody {
  let cached: Promise<Buffer> | null = null;
  const readAll = (limit: number) =>
    (cached ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          reject(new GraphError(413, 'requestEntityTooLarge', 'The request body is too large.'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    }));
  return {
    async json() {
      const buffer = await readAll(JSON_LIMIT_BYTES);
      if (buffer.length === 0) return undefined;
      try {
        return JSON.parse(buffer.toString('utf8'));
      } catch {
        throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
    },
    buffer: (limit) => readAll(limit),
    stream: () => (cached ? null : req),
    declaredLength: () => (req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length'])),
  };
}

function headerMap(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function writeResponse(req: IncomingMessage, res: ServerResponse, response: SimResponse, graph: boolean): void {
  if ('destroySocket' in response) {
    req.socket.destroy();
    return;
  }
  if ('handledByNode' in response) return;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.statusCode = response.status;
  if ('json' in response) {
    const body = JSON.stringify(response.json);
    res.setHeader('content-type', graph ? GRAPH_CONTENT_TYPE : 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  } else if ('text' in response) {
    res.setHeader('content-type', response.contentType ?? 'text/plain; charset=utf-8');
    res.end(response.text);
  } else if ('html' in response) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *");
    res.end(response.html);
  } else if ('file' in response) {
    res.setHeader('content-type', response.contentType);
    res.setHeader('content-length', response.file.end - response.file.start + 1);
    const stream = createReadStream(response.file.path, { start: response.file.start, end: response.file.end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  } else {
    res.end();
  }
}

function indexPage(ctx: SimContext): string {
  const data = ctx.store.data;
  const tenants = Object.values(data.tenants)
    .map((tenant) => {
      const apps = Object.values(data.apps).filter((app) => app.tenantId === tenant.id);
      const users = Object.values(data.users).filter((user) => user.tenantId === tenant.id);
      const teams = Object.values(data.teams).filter((team) => team.tenantId === tenant.id);
      return `<h2>${escapeHtml(tenant.displayName)} <span class="muted">${escapeHtml(tenant.domain)} · ${escapeHtml(tenant.id)}</span></h2>
<p>Apps: ${apps.map((app) => `<code>${escapeHtml(app.displayName)} ${escapeHtml(app.clientId)}</code>`).join(', ') || 'none'}</p>
<p>Users: ${users.map((user) => `${escapeHtml(user.displayName)}${user.userType === 'Guest' ? ` <span class="badge">guest · ${escapeHtml(user.externalUserState)}</span>` : ''}`).join(', ') || 'none'}</p>
<p>Teams: ${teams.map((team) => escapeHtml(team.displayName)).join(', ') || 'none'}</p>`;
    })
    .join('');
  return page(
    'Microsoft 365 simulator',
    `<h1>Microsoft 365 simulator</h1><p class="muted">HTTPS ${escapeHtml(ctx.urls.https)} · HTTP ${escapeHtml(ctx.urls.http)} · <a href="/_admin/state">state</a> · <a href="/_admin/stats">stats</a> · <a href="/mail">mail</a> · <a href="/_admin/ca.crt">CA certificate</a></p>${tenants || '<p>No tenant yet: POST /_admin/tenants.</p>'}`,
  );
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'm365-simulator-')));
  await fs.mkdir(dataDir, { recursive: true });
  const log = options.logger ?? quietLogger;
  const knobs: Knobs = { ...defaultKnobs, faultKinds: [...defaultKnobs.faultKinds], ...options.knobs };
  if (options.latencyMs !== undefined) knobs.latencyMs = options.latencyMs;
  if (options.resourceUnitsPerMinute !== undefined) knobs.resourceUnitsPerMinute = options.resourceUnitsPerMinute;
  if (options.faultRate !== undefined) knobs.faultRate = options.faultRate;
  if (options.faultKinds !== undefined) knobs.faultKinds = options.faultKinds;

  const [tls, signingKey] = await Promise.all([loadOrCreateTls(dataDir), loadOrCreateSigningKey(dataDir)]);
  const store = new SimulatorStore(dataDir);
  await store.load();
  const urls = { https: '', http: '' };
  const tokens = new TokenService(
    signingKey,
    () => urls.https,
    () => knobs.tokenLifetimeSeconds,
  );
  const ctx: SimContext = { store, tokens, knobs, stats: new Stats(), log, urls, installations: new InstallationEvents() };

  const graphRouter = new Router();
  registerDriveRoutes(graphRouter, ctx);
  registerSubscriptionRoutes(graphRouter, ctx);
  registerDirectoryRoutes(graphRouter, ctx);
  registerGroupRoutes(graphRouter, ctx);
  registerTeamRoutes(graphRouter, ctx);
  registerMailRoutes(graphRouter, ctx);
  const pipeline = new GraphPipeline(ctx, graphRouter);
  registerBatchRoute(graphRouter, ctx, (req) => pipeline.run(req));

  const adminRouter = new Router();
  registerAdminRoutes(adminRouter, ctx, {
    caCertPem: tls.caCertPem,
    resetCounters: () => {
      ctx.stats.reset();
      pipeline.budget.reset();
    },
  });
  const pluginRouter = new Router();
  const identityRouter = new Router();
  registerIdentityRoutes(identityRouter, ctx);
  registerMailPages(identityRouter, ctx);
  identityRouter.add('GET', '/', async () => ({ status: 200, html: indexPage(ctx) }));

  const nodeMounts: Array<{ prefix: string; handler: NodeHandler }> = [];
  const notifier = new ChangeNotifier(ctx);

  const handle = async (req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): Promise<void> => {
    const requestId = randomUUID();
    res.setHeader('request-id', requestId);
    res.setHeader('client-request-id', String(req.headers['client-request-id'] ?? requestId));
    const url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? '127.0.0.1'}`);
    const mount = nodeMounts.find((entry) => url.pathname === entry.prefix || url.pathname.startsWith(`${entry.prefix}/`));
    if (mount) {
      mount.handler(req, res, (error) => {
        if (!res.headersSent) writeResponse(req, res, { status: error ? 500 : 404, json: { error: { code: error ? 'internalError' : 'notFound', message: error ? String(error) : 'Not found' } } }, false);
      });
      return;
    }
    const simReq: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      rawPath: url.pathname,
      query: url.searchParams,
      headers: headerMap(req),
      body: nodeBody(req),
      requestId,
      origin: url.origin,
      fromLoopback: LOOPBACK.has(req.socket.remoteAddress ?? ''),
      insideBatch: false,
      params: {},
      node: { req, res },
    };
    let response: SimResponse;
    let graph = false;
    try {
      if (/^\/v1\.0(\/|$)/i.test(url.pathname)) {
        graph = true;
        response = await pipeline.run(simReq);
      } else if (url.pathname.toLowerCase() === '/_api/v2.0/uploadsession') {
        graph = true;
        response = await pipeline.runUpload(simReq, () => handleUploadUrl(ctx, simReq));
      } else if (url.pathname.toLowerCase() === '/_layouts/15/download.aspx') {
        response = await servePreauthenticatedDownload(ctx, simReq);
      } else if (isPreviewPagePath(url.pathname)) {
        response = await servePreviewPage(ctx, simReq);
      } else if (url.pathname.startsWith('/_admin/')) {
        if (!simReq.fromLoopback) response = { status: 403, json: { error: { code: 'forbidden', message: 'The admin API is available from loopback only.' } } };
        else response = (await adminRouter.dispatch(simReq)) ?? { status: 404, json: { error: { code: 'notFound', message: `No admin route ${simReq.method} ${url.pathname}` } } };
      } else {
        response = (await pluginRouter.dispatch(simReq)) ?? (await identityRouter.dispatch(simReq)) ?? { status: 404, json: { error: { code: 'notFound', message: `Nothing at ${url.pathname}` } } };
      }
    } catch (error) {
      if (!(error instanceof GraphError)) log.warn('simulator: unexpected error', { path: url.pathname, error: (error as Error).stack ?? String(error) });
      response = renderGraphError(error instanceof GraphError ? error : new GraphError(500, 'generalException', 'An unexpected error occurred.'), requestId);
    }
    if (res.writableEnded || res.destroyed) return;
    writeResponse(req, res, response, graph);
  };

  const onRequest = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, scheme).catch((error: unknown) => {
      log.warn('simulator: request failed', { error: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const httpsServer = createHttpsServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, onRequest('https'));
  const httpServer = createHttpServer(onRequest('http'));
  // Idle keep-alive connections stay open a minute (Node's default is 5 s): a client reuses an
  // idle socket until just before the server's advertised timeout, and on a loaded machine the
  // server's timer can fire in that gap and reset a request already sent (ECONNRESET).
  for (const server of [httpsServer, httpServer]) {
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  }
  const host = options.host ?? '127.0.0.1';
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  urls.https = `https://${urlHost}:${await listen(httpsServer, options.httpsPort ?? 0)}`;
  urls.http = `http://${urlHost}:${await listen(httpServer, options.httpPort ?? 0)}`;

  const plugins = options.plugins ?? defaultPlugins();
  const pluginHost: SimulatorPluginHost = {
    state: {
      tenants: () => Object.values(store.data.tenants),
      users: (tenantId) => Object.values(store.data.users).filter((user) => !tenantId || user.tenantId === tenantId),
      teams: (tenantId) => Object.values(store.data.teams).filter((team) => !tenantId || team.tenantId === tenantId),
      channels: (teamId) => Object.values(store.data.channels).filter((channel) => !channel.deletedDateTime && (!teamId || channel.teamId === teamId)),
      teamMembers: (teamId) => Object.values(store.data.teamMembers).filter((member) => member.teamId === teamId),
      raw: () => store.data,
    },
    route: (method, pattern, handler) => void pluginRouter.add(method, pattern, handler),
    graphRoute: (method, pattern, handler) => void graphRouter.add(method, pattern, handler),
    mountNode: (prefix, handler) => void nodeMounts.push({ prefix: prefix.replace(/\/$/, ''), handler }),
    verifyToken: (token) => tokens.verify(token),
    onAppInstallation: (listener) => ctx.installations.on(listener),
    urls: () => ({ ...urls }),
    storage: <T>(name: string) => ({
      get: () => store.data.pluginData[name] as T | undefined,
      set: (value: T) => {
        store.data.pluginData[name] = value;
        store.markDirty();
      },
    }),
    log,
  };
  for (const plugin of plugins) await plugin.setup(pluginHost);
  log.info('Microsoft 365 simulator listening', { https: urls.https, http: urls.http, dataDir });

  let closed = false;
  return {
    httpsUrl: urls.https,
    httpUrl: urls.http,
    caCertPem: tls.caCertPem,
    caCertPath: tls.caCertPath,
    dataDir,
    admin: new SimulatorAdminClient(urls.http),
    knobs,
    async close() {
      if (closed) return;
      closed = true;
      await notifier.close();
      for (const plugin of plugins) await plugin.close?.();
      const stop = (server: Server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      await Promise.all([stop(httpsServer), stop(httpServer)]);
      await store.close();
    },
  };
}
