/**
 * Signing keys and JWTs, Entra-style (v2.0 claims). One RS256 key pair signs for every tenant,
 * as Entra's keys are shared across tenants; it is persisted so tokens survive a restart.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, jwtVerify, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import type { AppRecord, TenantRecord, UserRecord } from '../state/model';

/** Graph accepts either form as `aud`. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The Bot Framework's resource: a bot's client-credentials token for the Bot Connector names it (`aud`). */
export const BOT_FRAMEWORK_RESOURCE = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

const generateRsaPrivateKeyPem = (): Promise<string> =>
  new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve(privateKey))),
  );

export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, 'identity', 'signing-key.pem');
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // RS256, as Entra signs. Generated off the main thread (0.1–1 s of CPU, by luck of the primes):
    // a first start opens the store and loads the app meanwhile.
    pem = await generateRsaPrivateKeyPem();
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, pem, { mode: 0o600 });
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicKey, publicJwk: { ...publicJwk, kid, use: 'sig', alg: 'RS256', x5t: kid } };
}

export type TokenClaims = JWTPayload & {
  tid: string;
  oid?: string;
  azp?: string;
  appid?: string;
  roles?: string[];
  scp?: string;
  name?: string;
  preferred_username?: string;
  acct?: number;
  idtyp?: string;
  ver?: string;
  nonce?: string;
};

export class TokenError extends Error {
  constructor(
    readonly reason: 'malformed' | 'signature' | 'expired' | 'issuer' | 'audience',
    message: string,
  ) {
    super(message);
  }
}

export class TokenService {
  constructor(
    private readonly key: SigningKey,
    private readonly httpsBase: () => string,
    private readonly lifetimeSeconds: () => number,
  ) {}

  issuerFor(tenantId: string): string {
    return `${this.httpsBase()}/${tenantId}/v2.0`;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** App-only Graph token (client credentials): `roles`, no `scp`, oid = the service principal. */
  async appToken(tenant: TenantRecord, app: AppRecord, audience: string, roles: string[], lifetimeSeconds?: number): Promise<string> {
    return this.sign(
      {
        aud: audience,
        tid: tenant.id,
        oid: app.servicePrincipalId,
        sub: app.servicePrincipalId,
        azp: app.clientId,
        appid: app.clientId,
        azpacr: '1',
        roles,
        idtyp: 'app',
      },
      lifetimeSeconds,
    );
  }

  /** Delegated token for a user, as issued by OBO or the sign-in page. */
  async userToken(tenant: TenantRecord, user: UserRecord, app: AppRecord, audience: string, scopes: string[], lifetimeSeconds?: number): Promise<string> {
    return this.sign(
      {
        aud: audience,
        tid: tenant.id,
        oid: user.id,
        sub: pairwiseSubject(user.id, app.clientId),
        azp: app.clientId,
        appid: app.clientId,
        azpacr: '1',
        scp: scopes.join(' '),
        name: user.displayName,
        preferred_username: user.userType === 'Guest' ? user.mail : user.userPrincipalName,
        upn: user.userType === 'Guest' ? undefined : user.userPrincipalName,
        email: user.mail,
        // acct: 0 = member of the tenant, 1 = guest (v2 optional claim, relied on by the app).
        acct: user.userType === 'Guest' ? 1 : 0,
        idtyp: 'user',
        // Entra's access tokens carry the user's directory role template ids (learn.microsoft.com/entra/identity-platform/access-token-claims-reference, `wids`).
        wids: user.roleTemplateIds?.length ? [...user.roleTemplateIds] : undefined,
      },
      lifetimeSeconds,
    );
  }

  /** ID token for the sign-in page (aud = the client id, optional nonce echoed). */
  async idToken(tenant: TenantRecord, user: UserRecord, app: AppRecord, nonce: string | null): Promise<string> {
    return this.sign({
      aud: app.clientId,
      tid: tenant.id,
      oid: user.id,
      sub: pairwiseSubject(user.id, app.clientId),
      name: user.displayName,
      preferred_username: user.userType === 'Guest' ? user.mail : user.userPrincipalName,
      email: user.mail,
      acct: user.userType === 'Guest' ? 1 : 0,
      ...(nonce ? { nonce } : {}),
    });
  }

  /** `lifetimeSeconds` may be negative (admin API) to mint already-expired tokens for tests. */
  private async sign(claims: Record<string, unknown>, lifetimeSeconds = this.lifetimeSeconds()): Promise<string> {
    const tid = claims.tid as string;
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = lifetimeSeconds > 0 ? now : now + lifetimeSeconds - 3600;
    const cleaned = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return new SignJWT({ ...cleaned, ver: '2.0', uti: randomUUID().replace(/-/g, '').slice(0, 22) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.key.kid })
      .setIssuer(this.issuerFor(tid))
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
  }

  /**
   * Verifies signature, lifetime and issuer (which must be this simulator's issuer for the
   * token's own tenant). Audience is the caller's business: Graph and OBO accept different ones.
   */
  async verify(token: string): Promise<TokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key.publicKey, { algorithms: ['RS256'], clockTolerance: 5 }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'Lifetime validation failed, the token is expired.');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenError('signature', 'Signature validation failed.');
      throw new TokenError('malformed', 'IDX14100: JWT is not well formed.');
    }
    const claims = payload as TokenClaims;
    if (typeof claims.tid !== 'string' || claims.iss !== this.issuerFor(claims.tid)) throw new TokenError('issuer', 'Invalid issuer.');
    return claims;
  }
}

/** Entra's `sub` is pairwise: the same user has a different subject in each app. */
function pairwiseSubject(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId}:${clientId}`).digest('base64url').slice(0, 43);
}
