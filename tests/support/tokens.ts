import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/http/auth';

/**
 * An identity provider made in the test: its own RSA key, issuer and audience. The app under
 * test validates these tokens with the production verifier, only the key set differs.
 */
export const TEST_AUDIENCE = 'api://localhost/caseroom-test';
export const issuerFor = (tenantId: string) => `https://login.test.example/${tenantId}/v2.0`;
/** The staff group of test firms (tests/support/app.ts createFirm); test tokens carry it in `groups` unless told otherwise. */
export const TEST_STAFF_GROUP = '5a1f0c3e-7d2b-4c8a-9e6f-0b1d2c3e4f50';

export interface TestIdentity {
  verify: TokenVerifier;
  /** The key tokens are signed with, public half: enough to verify them elsewhere (testTokenVerifier). */
  publicJwk: JWK;
  token(claims: {
    tid: string;
    oid: string;
    name?: string;
    guest?: boolean;
    scp?: string;
    aud?: string;
    iss?: string;
    expiresIn?: string | number;
    notBefore?: string | number;
    email?: string;
    groups?: string[] | null;
    wids?: string[];
  }): Promise<string>;
  /** A token signed by a different key: looks right, is forged. */
  forged(claims: { tid: string; oid: string; groups?: string[] | null; wids?: string[] }): Promise<string>;
}

/** The production verifier over the test identity's public key: what an app in another process (bench P7's workers) checks tokens with. */
export const testTokenVerifier = (homeTenantId: string, publicJwk: JWK): TokenVerifier =>
  createTokenVerifier({ issuer: issuerFor(homeTenantId), tenantId: homeTenantId, audiences: [TEST_AUDIENCE], keys: createLocalJWKSet({ keys: [publicJwk] }), requiredScope: 'access_as_user' });

export async function createTestIdentity(homeTenantId: string): Promise<TestIdentity> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const verify = testTokenVerifier(homeTenantId, publicJwk);
  const sign = async (key: KeyLike, keyId: string, c: Parameters<TestIdentity['token']>[0]) => {
    const jwt = new SignJWT({
      tid: c.tid,
      oid: c.oid,
      name: c.name ?? 'Test User',
      preferred_username: c.email ?? `${c.oid}@test.example`,
      scp: c.scp ?? 'access_as_user',
      ver: '2.0',
      ...(c.guest ? { acct: 1 } : { acct: 0 }),
      // Entra puts the groups claim in when the registration asks for it; null leaves it out (membership then comes from Graph).
      ...(c.groups === null || c.guest ? {} : { groups: c.groups ?? [TEST_STAFF_GROUP] }),
      ...(c.wids ? { wids: c.wids } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: keyId, typ: 'JWT' })
      .setIssuer(c.iss ?? issuerFor(c.tid))
      .setAudience(c.aud ?? TEST_AUDIENCE)
      .setSubject(c.oid)
      .setIssuedAt()
      .setExpirationTime(c.expiresIn ?? '1h');
    if (c.notBefore !== undefined) jwt.setNotBefore(c.notBefore);
    return jwt.sign(key);
  };
  const other = await generateKeyPair('RS256');
  return {
    verify,
    publicJwk,
    token: (c) => sign(privateKey, kid, c),
    forged: (c) => sign(other.privateKey, kid, c),
  };
}
