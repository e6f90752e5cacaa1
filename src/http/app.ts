import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Db } from '../store/db';
import type { CaseClosureService } from '../services/case-closure';
import type { CaseworkService } from '../services/casework';
import type { LiveChanges } from '../services/live';
import type { PortalService } from '../services/portal';
import type { SharingService } from '../services/sharing';
import { authenticate, authenticateSetup, type TokenVerifier } from './auth';
import type { DirectoryPort } from '../services/setup';
import { SetupService } from '../services/setup';
import { setupRoutes } from './setup-routes';
import { systemClock } from '../services/context';
import { errorHandler, notFoundHandler } from './errors';
import { portalRoutes, staffRoutes } from './routes';
import { wallGuard } from './walls';
import { traceRequest } from '../telemetry';
import { contentSecurityPolicy, noStore, type RateLimit, rateLimitPerUser, securityHeaders } from './security';

export interface HttpDeps {
  db: Db;
  logger: Logger;
  verify: TokenVerifier;
  sharing: SharingService;
  casework: CaseworkService;
  portal: PortalService;
  live: LiveChanges;
  closure: CaseClosureService;
  health: () => Promise<Record<string, unknown>>;
  rateLimit: RateLimit;
  /** Origins of the identity provider's endpoints the tab calls outside Teams (MSAL's token redemption): CSP connect-src. */
  signInOrigins?: string[];
  /** Origins of SharePoint's preview pages the tab frames (Office documents): CSP frame-src. */
  previewFrameOrigins?: string[];
  /** MAIL_SENDER: the sending mailbox of guests' digests for firms that set none. */
  defaultMailSender?: string | null;
  /** Staff-group membership and set-up's look-ups (Graph); absent: only tokens' `groups` claims count and set-up cannot look anything up. */
  directory?: DirectoryPort | null;
  /** SETUP_ADMIN_UPNS (lower-case). */
  setupAdminUpns?: readonly string[];
  /** Routers other parts mount before the API's 404 (bot messages, Graph webhook, tab files, uploads). */
  extraRoutes?: Array<{ path: string; router: Router | RequestHandler; authenticated?: boolean }>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function createApp(d: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => traceRequest(req.method, req.originalUrl, (ended) => res.once('close', () => ended(res.statusCode)), next));
  app.use(
    pinoHttp({
      logger: d.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  app.use(securityHeaders(contentSecurityPolicy(d.signInOrigins, d.previewFrameOrigins)));
  app.use('/api', noStore);

  app.get('/healthz', async (_req, res) => {
    res.json({ status: 'ok', ...(await d.health()) });
  });

  const setupAdminUpns = d.setupAdminUpns ?? [];
  const auth = authenticate({ db: d.db, verify: d.verify, sharing: d.sharing, directory: d.directory ?? null, setupAdminUpns });
  const limit = rateLimitPerUser(d.rateLimit);
  // Set-up has its own door: before it is done nobody is staff, so the staff authentication would refuse its admin.
  const setup = new SetupService({ db: d.db, clock: systemClock, logger: d.logger.child({ part: 'setup' }), directory: d.directory ?? null });
  app.use('/api/setup', express.json({ limit: '64kb', strict: true }), authenticateSetup({ db: d.db, verify: d.verify, setupAdminUpns }), limit, setupRoutes(setup));
  for (const extra of d.extraRoutes ?? []) {
    // Files and SharePoint views of a case: the ethical-wall guard answers 404 for a walled-off staff caller.
    if (extra.authenticated) app.use(extra.path, auth, limit, wallGuard(d.db), extra.router);
    else app.use(extra.path, extra.router);
  }

  const api = express.Router();
  api.use(express.json({ limit: '256kb', strict: true }));
  api.use(auth);
  api.use(limit);
  const deps = { db: d.db, sharing: d.sharing, casework: d.casework, portal: d.portal, live: d.live, closure: d.closure, defaultMailSender: d.defaultMailSender ?? null };
  api.use('/portal', portalRoutes(deps));
  api.use(staffRoutes(deps));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
