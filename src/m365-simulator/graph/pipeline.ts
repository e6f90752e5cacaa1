/**
 * What every Graph call goes through, on a socket or inside `$batch`: latency, bearer token
 * validation (401 InvalidAuthenticationToken), authorisation by the token's permissions (403,
 * see authorization.ts), fault injection, the SharePoint resource-unit
 * budget (429 + Retry-After), the route, and Graph's error envelope.
 */
import type { SimContext } from '../context';
import { GraphError, renderGraphError } from '../web/errors';
import type { Router } from '../web/router';
import type { Caller, SimRequest, SimResponse } from '../web/types';
import { GRAPH_APP_ID, GRAPH_RESOURCE, TokenError } from '../identity/tokens';
import { ResourceUnitBudget, resourceUnitCost, rollFault } from '../throttle';
import { sessionForRequest } from './uploads';
import { withODataContext } from './odataContext';
import { AuthorizationDenied, authorizationDenied, GraphAuthorizer, vendoredPermissionIndex, workloadOf } from './authorization';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const WWW_AUTHENTICATE = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;

function unauthorized(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': WWW_AUTHENTICATE });
}

/** `/teams('id')/operations('op')` → `/teams/id/operations/op`: both key syntaxes reach the same route. */
export function normalizeODataKeys(rawPath: string): string {
  return rawPath.replace(/\/([A-Za-z]+)\('([^']*)'\)/g, (_match, segment: string, key: string) => `/${segment}/${encodeURIComponent(decodeURIComponent(key))}`);
}

export class GraphPipeline {
  readonly budget: ResourceUnitBudget;
  private readonly authorizer = new GraphAuthorizer(vendoredPermissionIndex());

  constructor(
    private readonly ctx: SimContext,
    private readonly router: Router,
  ) {
    this.budget = new ResourceUnitBudget(ctx.knobs);
  }

  async authenticate(req: SimRequest): Promise<Caller> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw unauthorized('Access token is empty.');
    let claims;
    try {
      claims = await this.ctx.tokens.verify(match[1].trim());
    } catch (error) {
      if (error instanceof TokenError) throw unauthorized(error.reason === 'expired' ? 'Lifetime validation failed, the token is expired.' : `Access token validation failure. ${error.message}`);
      throw error;
    }
    if (claims.aud !== GRAPH_RESOURCE && claims.aud !== GRAPH_APP_ID && claims.aud !== `${GRAPH_RESOURCE}/`) throw unauthorized('Access token validation failure. Invalid audience.');
    const tenant = this.ctx.store.data.tenants[claims.tid];
    const appId = claims.azp ?? claims.appid;
    if (!tenant || !appId || !this.ctx.store.data.apps[appId]) throw unauthorized('Access token validation failure. The tenant or application no longer exists.');
    if (claims.idtyp === 'app' || (!claims.scp && Array.isArray(claims.roles))) return { kind: 'app', tenantId: tenant.id, appId, roles: claims.roles ?? [] };
    const user = claims.oid ? this.ctx.store.data.users[claims.oid] : undefined;
    if (!user || user.tenantId !== tenant.id || !user.accountEnabled) throw unauthorized('Access token validation failure. The user no longer exists in the tenant.');
    return { kind: 'user', tenantId: tenant.id, appId, userId: user.id, scopes: (claims.scp ?? '').split(' ').filter(Boolean) };
  }

  /** A Graph v1.0 request (socket or `$batch` inner request). */
  async run(req: SimRequest): Promise<SimResponse> {
    req.rawPath = normalizeODataKeys(req.rawPath);
    try {
      if (!req.insideBatch && this.ctx.knobs.latencyMs > 0) await sleep(this.ctx.knobs.latencyMs);
      req.caller = await this.authenticate(req);
      this.authorize(req, req.caller);
      return await this.runAuthenticated(req, req.caller.appId, () => this.router.dispatch(req));
    } catch (error) {
      return this.renderError(error, req);
    }
  }

  /** Graph checks permissions before it looks at the resource: a refused call learns nothing about it. */
  private authorize(req: SimRequest, caller: Caller): void {
    const graphPath = req.rawPath.replace(/^\/v1\.0/i, '') || '/';
    const call = { method: req.method, path: graphPath, appId: caller.appId, tokenKind: caller.kind === 'app' ? ('app' as const) : ('delegated' as const) };
    let decision;
    try {
      decision = this.authorizer.authorize(this.ctx.store.data, caller, req.method, graphPath);
    } catch (error) {
      if (!(error instanceof AuthorizationDenied)) throw error;
      this.ctx.stats.recordGraphCall({ ...call, template: error.result.template, accepted: error.result.accepted, grantedBy: [], denied: true });
      throw error.error;
    }
    if (decision === 'open') return;
    if (decision === 'unlisted') {
      if (!this.router.hasRoute(req.method, req.rawPath)) return;
      this.ctx.log.warn('simulator: an implemented Graph operation is in neither the permission reference nor AUTHORIZATION_EXCEPTIONS', { method: req.method, path: graphPath });
      this.ctx.stats.recordGraphCall({ ...call, template: null, accepted: [], grantedBy: [], denied: true });
      throw authorizationDenied(workloadOf(graphPath), { accepted: [], roles: caller.kind === 'app' ? caller.roles : caller.scopes, resourceSpecific: [] });
    }
    this.ctx.stats.recordGraphCall({ ...call, template: decision.template, accepted: decision.accepted, grantedBy: decision.grantedBy, denied: false });
  }

  /** The upload URL carries no token; its session names the app whose budget it uses. */
  async runUpload(req: SimRequest, handler: () => Promise<SimResponse>): Promise<SimResponse> {
    try {
      if (this.ctx.knobs.latencyMs > 0) await sleep(this.ctx.knobs.latencyMs);
      const session = sessionForRequest(this.ctx, req);
      if (!session) return await handler();
      return await this.runAuthenticated(req, session.appId, handler);
    } catch (error) {
      return this.renderError(error, req);
    }
  }

  private async runAuthenticated(req: SimRequest, appId: string, handler: () => Promise<SimResponse | null>): Promise<SimResponse> {
    const stats = this.ctx.stats.forApp(appId);
    stats.calls += 1;
    const fault = rollFault(this.ctx.knobs, req.insideBatch);
    if (fault?.kind === '429') {
      stats.injected429 += 1;
      throw new GraphError(429, 'TooManyRequests', 'Too many requests.', { 'retry-after': '1' });
    }
    if (fault?.kind === '503') {
      stats.injected503 += 1;
      throw new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.', { 'retry-after': '1' });
    }
    if (fault?.kind === 'reset' && !fault.afterProcessing) {
      stats.injectedResets += 1;
      return { destroySocket: true };
    }
    let rateLimitHeaders: Record<string, string> = {};
    const cost = resourceUnitCost(req.method, req.rawPath, req.query);
    if (cost) {
      stats.resourceUnits += cost.units;
      if (cost.permissionOperation) stats.permissionOperations += 1;
      const decision = this.budget.consume(`${req.caller?.tenantId ?? ''}/${appId}`, cost.units);
      if (!decision.allowed) {
        stats.throttled429 += 1;
        throw new GraphError(429, 'activityLimitReached', 'The request has been throttled', { 'retry-after': String(decision.retryAfterSeconds) });
      }
      rateLimitHeaders = decision.headers;
    }
    const response =
      (await handler()) ??
      (() => {
        throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${req.rawPath.split('/')[2] ?? ''}'.`);
      })();
    if (fault?.kind === 'reset' && fault.afterProcessing) {
      // The work is done but the client never hears about it: idempotent retries are the cure.
      stats.injectedResets += 1;
      return { destroySocket: true };
    }
    if ('status' in response && Object.keys(rateLimitHeaders).length) response.headers = { ...rateLimitHeaders, ...response.headers };
    // Graph v1.0 answers only: the upload URL is SharePoint's own API, not Graph's OData service.
    if ('json' in response && response.status < 300 && /^\/v1\.0\//i.test(req.rawPath)) response.json = withODataContext(req.origin, req.method, req.rawPath.slice('/v1.0'.length), response.json);
    return response;
  }

  renderError(error: unknown, req: SimRequest): SimResponse {
    if (error instanceof GraphError) return renderGraphError(error, req.requestId);
    this.ctx.log.warn('simulator: unexpected error', { path: req.rawPath, error: (error as Error).stack ?? String(error) });
    return renderGraphError(new GraphError(500, 'generalException', 'An unexpected error occurred.'), req.requestId);
  }
}
