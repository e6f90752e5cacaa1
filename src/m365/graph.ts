import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { TokenSource } from './auth';
import { ResourceBudget } from './budget';
import { GraphRequestError, parseGraphError, parseRetryAfter } from './errors';
import { AuthMiddleware, BudgetMiddleware, chain, FetchMiddleware, type GraphAuth, GraphCallOptions, LoggingMiddleware, RequestIdMiddleware, RetryMiddleware, TelemetryMiddleware } from './middleware';
import { boundFetch, type M365Fetch } from './transport';

export type { GraphAuth };

export interface GraphCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** '/drives/…' relative to the Graph version root, or an absolute nextLink/deltaLink. */
  path: string;
  body?: unknown;
  auth?: GraphAuth;
  units?: number;
  idempotent?: boolean;
  headers?: Record<string, string>;
  maxInlineWaitSeconds?: number;
}

export interface GraphGatewayOptions {
  graphBaseUrl: string;
  tenantId: string;
  tokens: TokenSource;
  dispatcher: Dispatcher;
  logger: Logger;
  unitsPerMinute: number;
  /** Bound on one attempt until response headers (default GRAPH_RESPONSE_TIMEOUT_MS). */
  responseTimeoutMs?: number;
}

export const APP: GraphAuth = { kind: 'app' };
export const onBehalfOf = (assertion: string): GraphAuth => ({ kind: 'user', assertion });

/**
 * The one Graph client of the process (built once at start-up) and the typed calls the rest of
 * CaseRoom makes through it. Every call goes through the middleware chain; failures become
 * GraphRequestError with status, Graph code and Retry-After.
 */
export class GraphGateway {
  readonly client: Client;
  readonly fetch: M365Fetch;
  readonly versionRoot: string;
  private readonly budgets = new Map<string, ResourceBudget>();
  private lastSuccessAt: string | null = null;
  private lastFailure: { at: string; message: string } | null = null;

  constructor(private readonly o: GraphGatewayOptions) {
    this.fetch = boundFetch(o.dispatcher);
    this.versionRoot = o.graphBaseUrl.replace(/\/$/, '');
    const match = /^(https?:\/\/[^/]+)\/(v1\.0|beta)$/.exec(this.versionRoot);
    if (!match) throw new Error(`GRAPH_BASE_URL must end with /v1.0 or /beta: ${o.graphBaseUrl}`);
    const logger = o.logger.child({ part: 'graph' });
    const budget = () => this.budget();
    this.client = Client.initWithMiddleware({
      baseUrl: match[1],
      defaultVersion: match[2],
      fetchOptions: { dispatcher: o.dispatcher } as unknown as RequestInit,
      middleware: chain(
        new RequestIdMiddleware(),
        new LoggingMiddleware(logger),
        new TelemetryMiddleware(),
        new RetryMiddleware(logger, budget),
        new BudgetMiddleware(budget),
        new AuthMiddleware(o.tokens),
        new FetchMiddleware(this.fetch, o.responseTimeoutMs),
      ),
    });
  }

  /** The tenant's resource-unit bucket (one tenant per deployment today; keyed so a second one gets its own). */
  budget(tenantId = this.o.tenantId): ResourceBudget {
    let b = this.budgets.get(tenantId);
    if (!b) {
      b = new ResourceBudget(this.o.unitsPerMinute);
      this.budgets.set(tenantId, b);
    }
    return b;
  }

  get tokens(): TokenSource {
    return this.o.tokens;
  }

  /** The raw response of a call that went through the whole chain (status not checked). */
  async raw(call: GraphCall): Promise<Response> {
    let request = this.client
      .api(call.path)
      .middlewareOptions([new GraphCallOptions(call.auth ?? APP, call.units, call.idempotent ?? false, call.maxInlineWaitSeconds ?? 30)])
      .responseType(ResponseType.RAW);
    for (const [name, value] of Object.entries(call.headers ?? {})) request = request.header(name, value);
    const response: Response = await (call.method === 'GET'
      ? request.get()
      : call.method === 'POST'
        ? request.post(call.body ?? {})
        : call.method === 'PUT'
          ? request.put(call.body ?? {})
          : call.method === 'PATCH'
            ? request.patch(call.body ?? {})
            : request.delete());
    return response;
  }

  /** JSON result of a successful call (undefined for 204); anything else throws GraphRequestError. */
  async call<T>(call: GraphCall): Promise<T> {
    let response: Response;
    try {
      response = await this.raw(call);
    } catch (err) {
      this.noteFailure(err);
      throw err;
    }
    if (response.status >= 400) {
      const error = await errorOf(response);
      if (error.status >= 500 || error.status === 429) this.noteFailure(error);
      throw error;
    }
    this.lastSuccessAt = new Date().toISOString();
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, auth: GraphAuth = APP): Promise<T> {
    return this.call<T>({ method: 'GET', path, auth });
  }

  /** Follows @odata.nextLink to the end (bounded), collecting `value`. */
  async all<T>(path: string, auth: GraphAuth = APP, maxPages = 200): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < maxPages; page++) {
      const body: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, auth);
      out.push(...(body.value ?? []));
      next = body['@odata.nextLink'];
    }
    return out;
  }

  private noteFailure(err: unknown): void {
    this.lastFailure = { at: new Date().toISOString(), message: err instanceof Error ? err.message : String(err) };
  }

  health(): { lastSuccessAt: string | null; lastFailure: { at: string; message: string } | null } {
    return { lastSuccessAt: this.lastSuccessAt, lastFailure: this.lastFailure };
  }
}

export async function errorOf(response: Response): Promise<GraphRequestError> {
  const requestId = response.headers.get('request-id') ?? response.headers.get('client-request-id') ?? '';
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: { code: `http${response.status}`, message: text.slice(0, 300) } };
  }
  return parseGraphError(response.status, body, requestId, parseRetryAfter(response.headers.get('retry-after')));
}

export const isGraphStatus = (err: unknown, ...statuses: number[]): err is GraphRequestError => err instanceof GraphRequestError && statuses.includes(err.status);

/** Path segment escaping for ids and names in Graph URLs (`items/{id}`, `root:/a/b:`). */
export const seg = (value: string): string => encodeURIComponent(value);
export const pathOf = (relative: string): string => relative.split('/').filter(Boolean).map(seg).join('/');
