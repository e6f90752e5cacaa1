import { DomainError } from '../domain/errors';

/**
 * A Graph call that did not succeed, with what callers need to decide: the HTTP status, Graph's
 * error code (and inner code, e.g. `resyncRequired` on a stale delta token), and how long the
 * service asked us to wait. Network failures have status 0.
 */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string,
    readonly retryAfterSeconds?: number,
    readonly innerCode?: string,
  ) {
    super(`Graph ${status || 'network error'} ${code}: ${message}`);
    this.name = 'GraphRequestError';
  }

  get isThrottled(): boolean {
    return this.status === 429 || this.status === 503 || this.status === 504;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** Graph's error envelope `{ error: { code, message, innerError: { code } } }`, read defensively. */
export function parseGraphError(status: number, body: unknown, requestId: string, retryAfterSeconds?: number): GraphRequestError {
  const envelope = (body && typeof body === 'object' ? (body as { error?: { code?: unknown; message?: unknown; innerError?: { code?: unknown } } }).error : undefined) ?? {};
  const code = typeof envelope.code === 'string' ? envelope.code : `http${status}`;
  const message = typeof envelope.message === 'string' ? envelope.message : 'no error message';
  const innerCode = typeof envelope.innerError?.code === 'string' ? envelope.innerError.code : undefined;
  return new GraphRequestError(status, code, message, requestId, retryAfterSeconds, innerCode);
}

/** Retry-After is seconds or an HTTP date; anything unreadable means "no advice". */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Turns a Graph failure into what the outbox worker understands: throttling and outages become
 * `throttled` with a retry delay (the job is retried at that time instead of burning attempts
 * on a fixed back-off); everything else stays a plain error and is retried with back-off.
 */
export function asRetryable(err: unknown): unknown {
  if (err instanceof GraphRequestError && (err.isThrottled || err.status === 0)) {
    return new DomainError('throttled', err.message, undefined, Math.max(1, Math.ceil(err.retryAfterSeconds ?? 5)));
  }
  return err;
}
