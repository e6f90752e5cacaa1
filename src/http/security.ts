import type { RequestHandler } from 'express';
import { DomainError } from '../domain/errors';

/**
 * The hosts that may frame CaseRoom's pages: Teams, the Microsoft 365 app and Outlook, as listed
 * in "Prerequisites" of https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements
 * (including the *.cloud.microsoft domains those clients are moving to). Any other page that
 * frames the tab gets a blank frame: no clickjacking of a share button.
 */
export const TAB_FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
  'https://outlook.live.com',
] as const;

/**
 * No inline script anywhere (the tab is one bundle from /tab/assets). Styles may be inline:
 * Fluent UI v9 (Griffel) inserts its atomic CSS rules at run time. TeamsJS (2.19+) fetches the list
 * of valid host domains from res.cdn.office.net when it initialises. Outside Teams MSAL redeems
 * the sign-in code at the authority's token endpoint (a cross-origin fetch): `signInOrigins`.
 * Office documents are previewed in a frame of SharePoint's own preview page (POST …/preview):
 * `previewOrigins` (the tenant's `https://*.sharepoint.com`, or the
 * simulator's plain-HTTP origin).
 */
export function contentSecurityPolicy(signInOrigins: readonly string[] = [], previewOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    ['connect-src', "'self'", 'https://res.cdn.office.net', ...signInOrigins].join(' '),
    // The document preview shows a PDF in a frame of the blob the tab fetched with its token (tab/components/DocumentPreview.tsx);
    // without this, frames fall back to default-src and the preview is refused.
    ['frame-src', "'self'", 'blob:', ...previewOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors 'self' ${TAB_FRAME_ANCESTORS.join(' ')}`,
  ].join('; ');
}

/** The policy of an app that signs in nowhere outside Teams. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export const securityHeaders =
  (policy: string = CONTENT_SECURITY_POLICY): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };

/** Case data must not stay in a shared browser's or a proxy's cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

export interface RateLimit {
  /** Requests one person may make per minute, on average. */
  perMinute: number;
  /** How many may come at once (a page opening fires several). */
  burst: number;
}

/**
 * A token bucket per key: `burst` tokens, refilled at `perMinute / 60` a second. Pure apart
 * from the time it is given, so it is tested without waiting.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** Takes one token; when there is none, says how many whole seconds until there is. */
  take(key: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const perMs = this.limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: nowMs };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (nowMs - bucket.at) * perMs);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    this.forgetFull(nowMs);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** Buckets that would be full again are the same as none: drop them so memory follows active users. */
  private forgetFull(nowMs: number): void {
    if (this.buckets.size < 10_000) return;
    const perMs = this.limit.perMinute / 60_000;
    for (const [key, bucket] of this.buckets) if (bucket.tokens + (nowMs - bucket.at) * perMs >= this.limit.burst) this.buckets.delete(key);
  }
}

/** Per signed-in person (after authentication): 429 with Retry-After through the one error mapper. */
export function rateLimitPerUser(limit: RateLimit, now: () => number = Date.now): RequestHandler {
  const buckets = new TokenBuckets(limit);
  return (req, _res, next) => {
    const actor = req.actor;
    const key = actor && actor.kind !== 'system' ? `${actor.firmId}/${actor.userId}` : `ip/${req.ip ?? ''}`;
    const verdict = buckets.take(key, now());
    if (verdict.allowed) return next();
    req.log?.warn({ key, retryAfterSeconds: verdict.retryAfterSeconds }, 'rate limit reached');
    next(new DomainError('throttled', `too many requests: try again in ${verdict.retryAfterSeconds} s`, undefined, verdict.retryAfterSeconds));
  };
}
