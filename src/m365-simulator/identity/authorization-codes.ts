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
