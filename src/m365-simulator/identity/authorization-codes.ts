/**
 * Authorization codes of the code flow: opaque, single-use, short-lived and bound to what the
 * authorize request said (client, redirect URI, PKCE challenge, nonce, scopes, user).
 * "Authorization codes are short lived. Typically, they expire after about 10 minutes."
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response
 * Kept in memory: a code outliving a simulator restart would outlive its 10 minutes anyway.
 */
import { createHash, randomBytes } from 'node:crypto';

export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60_000;

export interface CodeGrant {
  tenantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** Sent to a `spa` redirect URI: redeemable only cross-origin (with an Origin header), without a secret. */
  spa: boolean;
  /** The whole `scope` parameter of the authorize request. */
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
}

export type Redemption = { grant: CodeGrant } | { problem: 'unknown' | 'redeemed' | 'expired' };

/** PKCE (RFC 7636 §4.6): BASE64URL(SHA256(verifier)) for S256, the verifier itself for plain. */
export function verifierMatches(grant: CodeGrant, verifier: string): boolean {
  if (!grant.codeChallenge) return true;
  const derived = grant.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier, 'ascii').digest('base64url');
  return derived === grant.codeChallenge;
}

export class AuthorizationCodes {
  private readonly live = new Map<string, { grant: CodeGrant; expiresAtMs: number }>();
  /** Redeemed codes, remembered until they would have expired, so a replay is named as one (AADSTS54005). */
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(grant: CodeGrant): string {
    this.sweep();
    const code = `1.${randomBytes(48).toString('base64url')}`;
    this.live.set(code, { grant, expiresAtMs: this.now() + AUTHORIZATION_CODE_LIFETIME_MS });
    return code;
  }

  /** Takes the code: whatever the outcome of the token request, it cannot be presented again. */
  redeem(code: string): Redemption {
    this.sweep();
    if (this.spent.has(code)) return { problem: 'redeemed' };
    const entry = this.live.get(code);
    if (!entry) return { problem: 'unknown' };
    this.live.delete(code);
    this.spent.set(code, entry.expiresAtMs);
    return entry.expiresAtMs <= this.now() ? { problem: 'expired' } : { grant: entry.grant };
  }

  private sweep(): void {
    const now = this.now();
    for (const [code, until] of this.spent) if (until <= now) this.spent.delete(code);
    // Expired live codes are kept for one more lifetime so their redemption says "expired", not "unknown".
    for (const [code, entry] of this.live) if (entry.expiresAtMs + AUTHORIZATION_CODE_LIFETIME_MS <= now) this.live.delete(code);
  }
}

/**
 * A refresh token issued to a single-page app lives 24 hours and cannot be extended
 * (AADSTS700084); it is redeemed cross-origin like the code it came from.
 * https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime
 */
export const SPA_REFRESH_TOKEN_LIFETIME_MS = 24 * 3600_000;

export interface RefreshGrant {
  tenantId: string;
  clientId: string;
  userId: string;
  spa: boolean;
}

export class RefreshTokens {
  private readonly live = new Map<string, { grant: RefreshGrant; expiresAtMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(grant: RefreshGrant, expiresAtMs = this.now() + SPA_REFRESH_TOKEN_LIFETIME_MS): string {
    const token = `1.${randomBytes(64).toString('base64url')}`;
    this.live.set(token, { grant, expiresAtMs });
    return token;
  }

  /** Rotates: the token presented is spent, the caller issues its successor with the same expiry. */
  redeem(token: string): { grant: RefreshGrant; expiresAtMs: number } | { problem: 'unknown' | 'expired' } {
    const entry = this.live.get(token);
    if (!entry) return { problem: 'unknown' };
    this.live.delete(token);
    return entry.expiresAtMs <= this.now() ? { problem: 'expired' } : entry;
  }
}
