import { randomUUID } from 'node:crypto';
import type { Context, FetchOptions, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TokenSource } from './auth';
import { currentBudgetPriority, type ResourceBudget, resourceUnitCost } from './budget';
import { GraphRequestError, parseRetryAfter } from './errors';
import type { M365Fetch } from './transport';
import { type GraphCallTrace, traceGraphCall } from '../telemetry';

/**
 * The Graph client's middleware chain, in order:
 *   request id → logging → telemetry → retry → resource-unit budget → auth → fetch
 * Retry sits outside budget and auth so every attempt pays for itself and gets a fresh token.
 * Per-call settings travel as a MiddlewareOptions object (`GraphCallOptions`).
 */

export type GraphAuth = { kind: 'app' } | { kind: 'user'; assertion: string };

export class GraphCallOptions implements MiddlewareOptions {
  constructor(
    readonly auth: GraphAuth,
    /** Resource units this call costs; default from the method and path. `$batch` passes the sum of its parts. */
    readonly units?: number,
    /** A POST that may be sent twice without harm (invite, invitations): retried after a dropped connection too. */
    readonly idempotent = false,
    /** Longest Retry-After we wait for inside one call; longer advice goes back to the caller (the outbox reschedules). */
    readonly maxInlineWaitSeconds = 30,
  ) {}
}

const DEFAULT_OPTIONS = new GraphCallOptions({ kind: 'app' });

function optionsOf(context: Context): GraphCallOptions {
  const found = context.middlewareControl?.getMiddlewareOptions(GraphCallOptions);
  return found instanceof GraphCallOptions ? found : DEFAULT_OPTIONS;
}

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

function setHeader(options: FetchOptions, name: string, value: string): void {
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else options.headers = { ...(headers as Record<string, string> | undefined), [name]: value };
}

function getHeader(options: FetchOptions | undefined, name: string): string | undefined {
  const headers = options?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

abstract class Link implements Middleware {
  protected next: Middleware | undefined;
  setNext(next: Middleware): void {
    this.next = next;
  }
  protected async forward(context: Context): Promise<void> {
    if (!this.next) throw new Error('Graph middleware chain has no terminal handler');
    await this.next.execute(context);
  }
  abstract execute(context: Context): Promise<void>;
}

/** client-request-id on every call, so our logs and Microsoft's support can find the same request. */
export class RequestIdMiddleware extends Link {
  async execute(context: Context): Promise<void> {
    context.options ??= {};
    if (!getHeader(context.options, 'client-request-id')) setHeader(context.options, 'client-request-id', randomUUID());
    await this.forward(context);
  }
}

export class LoggingMiddleware extends Link {
  constructor(private readonly logger: Logger) {
    super();
  }
  async execute(context: Context): Promise<void> {
    const started = Date.now();
    const requestId = getHeader(context.options, 'client-request-id');
    const method = context.options?.method ?? 'GET';
    const url = urlOf(context).replace(/([?&](token|tempauth|validationToken)=)[^&]+/gi, '$1…');
    try {
      await this.forward(context);
      const status = context.response?.status;
      const level = status !== undefined && status >= 500 ? 'warn' : 'debug';
      this.logger[level]({ requestId, method, url, status, ms: Date.now() - started }, 'graph call');
    } catch (err) {
      this.logger.warn({ requestId, method, url, ms: Date.now() - started, err: err instanceof Error ? err.message : String(err) }, 'graph call failed');
      throw err;
    }
  }
}

/** The telemetry span of each call in flight, so the retry link can record its retries on it. */
const callTraces = new WeakMap<Context, GraphCallTrace>();

/** One Application Insights dependency per Graph call, spanning its retries (src/telemetry.ts). */
export class TelemetryMiddleware extends Link {
  async execute(context: Context): Promise<void> {
    await traceGraphCall((context.options?.method ?? 'GET').toUpperCase(), urlOf(context), async (call) => {
      callTraces.set(context, call);
      await this.forward(context);
      if (context.response) call.answered(context.response.status);
    });
  }
}

const RETRY_STATUSES = new Set([429, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * Retries throttling and outages, honouring Retry-After, a bounded number of times. A dropped
 * connection is retried only for idempotent calls: a POST that may have been carried out
 * before the connection died would otherwise be done twice.
 */
export class RetryMiddleware extends Link {
  constructor(
    private readonly logger: Logger,
    private readonly budgets: () => ResourceBudget,
    private readonly maxRetries = 5,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const call = optionsOf(context);
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const canResend = isResendable(context.options?.body);
    for (let attempt = 0; ; attempt++) {
      let networkError: unknown = null;
      try {
        await this.forward(context);
      } catch (err) {
        if (err instanceof GraphRequestError) throw err;
        networkError = err;
      }
      const requestId = getHeader(context.options, 'client-request-id') ?? '';
      if (networkError) {
        const retryable = canResend && (IDEMPOTENT_METHODS.has(method) || call.idempotent) && attempt < this.maxRetries;
        if (!retryable) throw new GraphRequestError(0, 'networkError', networkErrorMessage(networkError), requestId);
        const delay = backoffMs(attempt);
        this.logger.warn({ requestId, attempt, delayMs: delay, err: networkErrorMessage(networkError) }, 'graph connection failed; retrying');
        callTraces.get(context)?.retrying();
        await this.sleep(delay);
        continue;
      }
      const response = context.response as Response;
      if (!RETRY_STATUSES.has(response.status)) return;
      const advised = parseRetryAfter(response.headers.get('retry-after'));
      if (response.status !== 504) callTraces.get(context)?.throttled(response.status, advised);
      if (response.status === 429) this.budgets().pause((advised ?? 1) * 1000);
      if (attempt >= this.maxRetries || !canResend || (advised !== undefined && advised > call.maxInlineWaitSeconds)) return;
      const delay = advised !== undefined ? advised * 1000 : backoffMs(attempt);
      this.logger.warn({ requestId, status: response.status, attempt, delayMs: delay }, 'graph throttled or unavailable; retrying');
      callTraces.get(context)?.retrying();
      // The body of the refused response is not needed; free the connection.
      await response.body?.cancel().catch(() => undefined);
      await this.sleep(delay);
    }
  }
}

/** Strings and byte buffers can be sent again; a stream was consumed by the first attempt. */
function isResendable(body: unknown): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

export function networkErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message} (${cause.code})` : err.message;
}

/** Spends resource units before the request leaves, so the tenant's budget is respected, not probed; a removal spends from its reserve (withBudgetPriority). */
export class BudgetMiddleware extends Link {
  constructor(private readonly budget: () => ResourceBudget) {
    super();
  }
  async execute(context: Context): Promise<void> {
    const call = optionsOf(context);
    const units = call.units ?? resourceUnitCost(context.options?.method ?? 'GET', urlOf(context));
    await this.budget().take(units, currentBudgetPriority());
    await this.forward(context);
  }
}

export class AuthMiddleware extends Link {
  constructor(private readonly tokens: TokenSource) {
    super();
  }
  async execute(context: Context): Promise<void> {
    const call = optionsOf(context);
    const token = call.auth.kind === 'app' ? await this.tokens.appToken() : await this.tokens.userToken(call.auth.assertion);
    context.options ??= {};
    setHeader(context.options, 'authorization', `Bearer ${token}`);
    await this.forward(context);
  }
}

/** Default bound on one Graph attempt, from sending the request to its response headers. */
export const GRAPH_RESPONSE_TIMEOUT_MS = 60_000;

/**
 * The end of the chain: undici's fetch with our dispatcher (the SDK's handler uses the global fetch).
 * Each attempt must see response headers within `responseTimeoutMs` or it is aborted (a network
 * error to the retry link: GETs retry, a POST is reported, never silently repeated). The body is
 * not under this deadline, since downloads stream for as long as they keep moving; the
 * dispatcher's bodyTimeout ends one that stalls.
 */
export class FetchMiddleware implements Middleware {
  constructor(
    private readonly fetchImpl: M365Fetch,
    private readonly responseTimeoutMs = GRAPH_RESPONSE_TIMEOUT_MS,
  ) {}
  async execute(context: Context): Promise<void> {
    const { dispatcher: _ignored, signal: callerSignal, ...init } = (context.options ?? {}) as FetchOptions & { dispatcher?: unknown };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`no response from Microsoft 365 within ${this.responseTimeoutMs} ms`)), this.responseTimeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal as AbortSignal, deadline.signal]) : deadline.signal;
    try {
      const response = await this.fetchImpl(urlOf(context), { ...(init as Parameters<M365Fetch>[1]), signal });
      // undici's Response implements the same WHATWG interface the SDK's Context declares.
      context.response = response as unknown as Response;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function chain(...links: Middleware[]): Middleware {
  for (let i = 0; i < links.length - 1; i++) links[i].setNext?.(links[i + 1]);
  return links[0];
}
