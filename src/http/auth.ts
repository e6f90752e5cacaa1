import https from 'node:https';
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '../domain/errors';
import { type Actor, rememberGuestRows, rememberStaffFirm } from '../services/context';
import type { SharingService } from '../services/sharing';
import { Repo } from '../store/repo';
import type { Db } from '../store/db';
import type { DirectoryPort } from '../services/setup';
import { type CallerFacts, memberStanding, type SetupAuthority, setupAccess, setupStateOf, whomToAsk } from '../domain/setup';
import { rememberedMembership } from '../services/staff-membership';

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
  /** Entra role template ids the user holds (access tokens carry them by default). */
  wids?: string[];
  /** Security group ids, when the app registration asks for them (groupMembershipClaims). */
  groups?: string[];
  hasgroups?: boolean;
  _claim_names?: Record<string, string>;
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

export interface AuthDeps {
  db: Db;
  verify: TokenVerifier;
  sharing: SharingService;
  /** checkMemberGroups for tokens without a `groups` claim; absent: only the claim counts. */
  directory?: Pick<DirectoryPort, 'memberGroups'> | null;
  /** SETUP_ADMIN_UPNS (lower-case). */
  setupAdminUpns: readonly string[];
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The token's facts set-up and roles are decided from (src/domain/setup.ts). */
export const callerFacts = (token: VerifiedToken): CallerFacts => ({ userId: token.oid, upn: (token.preferred_username ?? token.email ?? '').toLowerCase(), wids: stringList(token.wids) });

/**
 * Staff-group membership: the token's `groups` claim when Entra put one in (it is signed, so it
 * cannot be forged without the issuer's key), else Graph checkMemberGroups app-only, remembered
 * briefly per user so a page's burst of calls makes one Graph call. A token whose groups did not
 * fit (Entra's overage: `_claim_names.groups`, or `hasgroups`) is checked through Graph too.
 */
export function staffGroupMembership(directory: AuthDeps['directory'], now: () => number = Date.now) {
  const viaGraph = rememberedMembership(directory, now);
  return async function isMember(token: VerifiedToken, groupId: string): Promise<boolean> {
    const claimNames = token._claim_names as Record<string, unknown> | undefined;
    const overage = token.hasgroups === true || (claimNames !== undefined && typeof claimNames === 'object' && 'groups' in claimNames);
    if (Array.isArray(token.groups) && !overage) return stringList(token.groups).some((g) => g.toLowerCase() === groupId.toLowerCase());
    return viaGraph(token.tid, token.oid, groupId);
  };
}

/** The 403 a tenant member gets before set-up, naming whom to ask; `canSetUp` tells the tab to offer the set-up page. */
export const notSetUpError = (askWhom: string, canSetUp: boolean) => new DomainError('not_set_up', `CaseRoom is not set up for this organisation yet; ask ${askWhom}`, undefined, undefined, { askWhom, canSetUp });

/**
 * Resolves the caller. Guests must be a contact with portal access; staff are the members of the
 * staff group chosen at set-up, with the role set-up gave them. Before set-up nobody is staff.
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  const isMember = staffGroupMembership(deps.directory);
  return async (req, _res, next) => {
    try {
      const bearer = bearerOf(req.headers.authorization);
      const token = await deps.verify(bearer);
      const repo = new Repo(deps.db);
      // A contact with the token's user as its guest account makes the caller a guest whatever the
      // token says; a guest token's staff row plays no part.
      const caller = await repo.caller(token.tid, token.oid, isGuestToken(token));
      const firm = caller?.firm ?? null;
      const facts = callerFacts(token);
      const state = setupStateOf(firm);
      const contact = caller?.contact ?? null;
      const staffRow = caller?.staff ?? null;
      if (firm && contact) {
        if (!contact.portalAccess) throw new DomainError('forbidden', 'your portal access has been switched off by the firm');
        // A guest's first signed-in call proves the invitation was redeemed.
        if (contact.invitation !== 'accepted') await deps.sharing.markInvitationAccepted(firm.id, contact.id, token.oid);
        const actor = { kind: 'guest' as const, firmId: firm.id, contactId: contact.id, userId: token.oid, name: contact.name };
        rememberGuestRows(actor, firm, contact);
        req.actor = actor;
      } else if (isGuestToken(token)) {
        if (!firm) throw unauthenticated('the token is for a tenant that does not use CaseRoom');
        throw new DomainError('forbidden', 'this guest account has no CaseRoom access at this firm');
      } else {
        const inGroup = state.kind === 'set-up' ? await isMember(token, state.staffGroupId) : false;
        const standing = memberStanding(state, facts, () => inGroup, deps.setupAdminUpns);
        const canSetUp = setupAccess(state, facts, deps.setupAdminUpns) !== null;
        if (standing.kind === 'not-set-up') throw notSetUpError(standing.askWhom, canSetUp);
        if (standing.kind === 'not-staff' || !firm) {
          const group = firm?.staffGroupName ? `the ${firm.staffGroupName} group` : "the firm's staff group";
          throw new DomainError('not_staff', `You are not on CaseRoom's staff at ${firm?.name ?? 'this firm'}: only members of ${group} are. Ask ${whomToAsk(state, deps.setupAdminUpns)} to add you.`, undefined, undefined, { canSetUp });
        }
        const name = token.name ?? token.preferred_username ?? 'Unknown user';
        let staff = staffRow;
        if (!staff) staff = await repo.insertStaff({ firmId: firm.id, userId: token.oid, name, email: token.preferred_username ?? token.email ?? '', phone: null, title: null, role: standing.role });
        else if (staff.role !== standing.role) await repo.setStaffRole(firm.id, staff.id, standing.role);
        const actor = { kind: 'staff' as const, firmId: firm.id, staffId: staff.id, userId: token.oid, name: staff.name, role: standing.role };
        rememberStaffFirm(actor, firm);
        req.actor = actor;
      }
      req.token = token;
      req.bearer = bearer;
      req.log = req.log?.child({ actor: req.actor.kind, userId: token.oid });
      next();
    } catch (err) {
      next(err);
    }
  };
}

function bearerOf(header: string | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  if (!match) throw unauthenticated('a bearer token is required');
  return match[1];
}

/** Who may run set-up, resolved for /api/setup (which the staff authentication above would refuse before set-up). */
export interface SetupCaller {
  tenantId: string;
  userId: string;
  name: string;
  upn: string;
  authority: Exclude<SetupAuthority, null>;
  firmId: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    setupCaller?: SetupCaller;
  }
}

/** Admits set-up's callers: a tenant admin (Entra role or SETUP_ADMIN_UPNS) always, the firm's named admins once set up. */
export function authenticateSetup(deps: Pick<AuthDeps, 'db' | 'verify' | 'setupAdminUpns'>): RequestHandler {
  return async (req, _res, next) => {
    try {
      const token = await deps.verify(bearerOf(req.headers.authorization));
      if (isGuestToken(token)) throw new DomainError('setup_admin_only', 'only an administrator of this organisation can set CaseRoom up');
      const firm = await new Repo(deps.db).firmByTenant(token.tid);
      const facts = callerFacts(token);
      const authority = setupAccess(setupStateOf(firm), facts, deps.setupAdminUpns);
      if (!authority) throw new DomainError('setup_admin_only', 'only an administrator of this organisation (a Global, Privileged Role or Teams Administrator, or a CaseRoom admin) can set CaseRoom up');
      req.setupCaller = { tenantId: token.tid, userId: token.oid, name: token.name ?? token.preferred_username ?? 'Unknown user', upn: facts.upn, authority, firmId: firm?.id ?? null };
      req.token = token;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const staffOnly: RequestHandler = (req, _res, next) => {
  next(req.actor?.kind === 'staff' ? undefined : new DomainError('forbidden', 'this endpoint is for firm staff'));
};

/** Firm settings and policy, the audit log, everyone's access: admins only (403 `admin_only` for plain staff). */
export const adminOnly: RequestHandler = (req, _res, next) => {
  const actor = req.actor;
  if (actor?.kind !== 'staff') return next(new DomainError('forbidden', 'this endpoint is for firm staff'));
  next(actor.role === 'admin' ? undefined : new DomainError('admin_only', 'Only a CaseRoom admin of your firm can open this; ask one of them if you need it changed.'));
};

export const guestOnly: RequestHandler = (req, _res, next) => {
  next(req.actor?.kind === 'guest' ? undefined : new DomainError('forbidden', 'this endpoint is for portal guests'));
};
