import https from 'node:https';
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '../domain/errors';
import type { Actor } from '../services/context';
import type { SharingService } from '../services/sharing';
import { Repo } from '../store/repo';
import type { Db } from '../store/db';

/**
 * Bearer tokens: signature (JWKS), issuer, audience, expiry and tenant checked by jose, then
 * the caller resolved to a firm's staff member or guest. Tests hand in a key set they made;
 * production fetches the identity provider's JWKS. Same code either way.
 */
export interface TokenVerifierOptions {
  /** Issuer of the configured tenant; other tenants' issuers are derived by swapping the tenant id. */
  issuer: string;
  tenantId: string;
  audiences: string[];
  keys: JWTVerifyGetKey;
  /** Delegated scope the tab's SSO token must carry. */
  requiredScope: string;
  clockToleranceSeconds?: number;
}

export interface VerifiedToken extends JWTPayload {
  tid: string;
  oid: string;
  name?: string;
  preferred_username?: string;
  email?: string;
  scp?: string;
  acct?: number;
  idp?: string;
}

/** The identity provider's signing keys, cached; `caPem` trusts a private CA (the local simulator's). */
export const remoteKeys = (jwksUri: string, caPem?: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, ...(caPem ? { agent: new https.Agent({ ca: caPem }) } : {}) });

const unauthenticated = (message: string) => new DomainError('unauthenticated', message);

/** Tokens already verified, kept at most this many (the oldest go first). */
const VERIFIED_CACHE_SIZE = 10_000;

export function createTokenVerifier(options: TokenVerifierOptions) {
  const issuerFor = (tid: string) => options.issuer.replace(options.tenantId, tid);
  const toleranceSeconds = options.clockToleranceSeconds ?? 60;
  // A signature check (RS256) was the largest piece of a portal read's own CPU. The same token
  // arrives with every call the tab makes; once it passed every check it stays good until the
  // expiry jose would enforce, so it is not checked again before then.
  const verified = new Map<string, { payload: VerifiedToken; goodUntilMs: number }>();
  return async function verify(token: string): Promise<VerifiedToken> {
    const known = verified.get(token);
    if (known && Date.now() < known.goodUntilMs) return { ...known.payload };
    if (known) verified.delete(token);
    const payload = await verifyAfresh(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, { payload, goodUntilMs: ((payload.exp as number) + toleranceSeconds) * 1000 });
    return payload;
  };

  async function verifyAfresh(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        audience: options.audiences,
        algorithms: ['RS256'],
        clockTolerance: toleranceSeconds,
        requiredClaims: ['exp', 'iat', 'tid', 'oid', 'iss', 'aud'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('the token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`the token's ${err.claim} claim is not accepted`);
      if (err instanceof joseErrors.JOSEError) throw unauthenticated('the token signature or format is not valid');
      throw err;
    }
    const tid = payload.tid;
    if (typeof tid !== 'string' || typeof payload.oid !== 'string') throw unauthenticated('the token has no tenant or user');
    if (payload.iss !== issuerFor(tid)) throw unauthenticated(`the token's iss claim is not accepted`);
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(options.requiredScope)) throw unauthenticated(`the token lacks the ${options.requiredScope} scope`);
    return payload as VerifiedToken;
  }
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** Entra marks guests with acct=1, or with an idp other than the issuer (their home tenant). */
export const isGuestToken = (t: VerifiedToken): boolean => t.acct === 1 || (typeof t.idp === 'string' && t.idp !== t.iss);

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
    token?: VerifiedToken;
    bearer?: string;
  }
}

/** Resolves the caller. Guests must be a contact with portal access; staff are the tenant's members. */
export function authenticate(deps: { db: Db; verify: TokenVerifier; sharing: SharingService }): RequestHandler {
  return async (req, _res, next) => {
    try {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/.exec(header);
      if (!match) throw unauthenticated('a bearer token is required');
      const token = await deps.verify(match[1]);
      const repo = new Repo(deps.db);
      const firm = await repo.firmByTenant(token.tid);
      if (!firm) throw unauthenticated('the token is for a tenant that does not use CaseRoom');
      const name = token.name ?? token.preferred_username ?? 'Unknown user';
      const contact = await repo.contactByGuestUser(firm.id, token.oid);
      if (contact) {
        if (!contact.portalAccess) throw new DomainError('forbidden', 'your portal access has been switched off by the firm');
        // A guest's first signed-in call proves the invitation was redeemed.
        if (contact.invitation !== 'accepted') await deps.sharing.markInvitationAccepted(firm.id, contact.id, token.oid);
        req.actor = { kind: 'guest', firmId: firm.id, contactId: contact.id, userId: token.oid, name: contact.name };
      } else if (isGuestToken(token)) {
        throw new DomainError('forbidden', 'this guest account has no CaseRoom access at this firm');
      } else {
        const staff = (await repo.staffByUser(firm.id, token.oid)) ?? (await repo.insertStaff({ firmId: firm.id, userId: token.oid, name, email: token.preferred_username ?? token.email ?? '', phone: null, title: null }));
        req.actor = { kind: 'staff', firmId: firm.id, staffId: staff.id, userId: token.oid, name: staff.name };
      }
      req.token = token;
      req.bearer = match[1];
      req.log = req.log?.child({ actor: req.actor.kind, userId: token.oid });
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const staffOnly: RequestHandler = (req, _res, next) => {
  next(req.actor?.kind === 'staff' ? undefined : new DomainError('forbidden', 'this endpoint is for firm staff'));
};

export const guestOnly: RequestHandler = (req, _res, next) => {
  next(req.actor?.kind === 'guest' ? undefined : new DomainError('forbidden', 'this endpoint is for portal guests'));
};
