/**
 * Entra ID endpoints, per tenant, at the same paths as login.microsoftonline.com:
 * OpenID configuration, JWKS, the token endpoint (client credentials and on-behalf-of) and a
 * dev sign-in page standing in for the interactive login. Errors use Entra's AADSTS shape.
 */
import { randomUUID } from 'node:crypto';
import type { SimContext } from '../context';
import { escapeHtml, page } from '../web/html';
import type { Router } from '../web/router';
import type { SimRequest, SimResponse } from '../web/types';
import { findApp, findTenant } from '../state/directory';
import type { AppRecord, TenantRecord, UserRecord } from '../state/model';
import { acceptInvitation } from '../graph/directory';
import { BOT_FRAMEWORK_RESOURCE, GRAPH_APP_ID, GRAPH_RESOURCE, TokenError } from './tokens';
import { AuthorizationCodes, RefreshTokens, verifierMatches } from './authorization-codes';

/** Narrows "a record or an error response" results. */
function isResponse(value: object): value is SimResponse {
  return 'status' in value;
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function aadError(status: number, error: string, code: number, description: string): SimResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    json: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function tenantNotFound(key: string): SimResponse {
  return aadError(400, 'invalid_request', 90002, `Tenant '${key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
}

function openIdConfiguration(ctx: SimContext, tenant: TenantRecord): Record<string, unknown> {
  const base = `${ctx.urls.https}/${tenant.id}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: ctx.tokens.issuerFor(tenant.id),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.urls.https}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

async function readForm(req: SimRequest): Promise<URLSearchParams> {
  return new URLSearchParams((await req.body.buffer(1024 * 1024)).toString('utf8'));
}

function unknownClient(tenant: TenantRecord, clientId: string): SimResponse {
  return aadError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  );
}

/** Client authentication: secret in the body (MSAL) or HTTP Basic. */
function authenticateClient(ctx: SimContext, tenant: TenantRecord, req: SimRequest, form: URLSearchParams): AppRecord | SimResponse {
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, password] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId = clientId ?? decodeURIComponent(id);
    secret = secret ?? decodeURIComponent(password ?? '');
  }
  if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const app = findApp(ctx.store.data, tenant.id, clientId);
  if (!app) return unknownClient(tenant, clientId);
  if (form.has('client_assertion')) return aadError(401, 'invalid_client', 700027, 'Client assertion (certificate) credentials are not supported by the simulator; use a client secret.');
  if (!secret) return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  if (secret !== app.clientSecret)
    return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.');
  return app;
}

interface ResourceScopes {
  audience: string;
  /** Scope names without the resource prefix, e.g. "Files.ReadWrite.All" or ".default". */
  names: string[];
  /** The resource prefix as the client wrote it, to echo scopes back. */
  prefix: string;
}

function parseScopes(ctx: SimContext, tenant: TenantRecord, scope: string | null): ResourceScopes | { error: string } {
  const requested = (scope ?? '').split(/\s+/).filter((entry) => entry && !OIDC_SCOPES.has(entry));
  if (requested.length === 0) return { error: 'The request must include a scope for a resource.' };
  const parsed: Array<{ audience: string; name: string; prefix: string }> = [];
  for (const entry of requested) {
    const slash = entry.lastIndexOf('/');
    const prefix = slash > 0 ? entry.slice(0, slash) : GRAPH_RESOURCE;
    const name = slash > 0 ? entry.slice(slash + 1) : entry;
    let audience: string | null = null;
    if (prefix === GRAPH_RESOURCE || prefix === GRAPH_APP_ID) audience = GRAPH_RESOURCE;
    // A bot's token for the Bot Connector (botbuilder asks for https://api.botframework.com/.default).
    else if (prefix === BOT_FRAMEWORK_RESOURCE) audience = BOT_FRAMEWORK_RESOURCE;
    else {
      const app = Object.values(ctx.store.data.apps).find((candidate) => candidate.tenantId === tenant.id && (candidate.identifierUris.includes(prefix) || candidate.clientId === prefix));
      if (app) audience = app.clientId;
    }
    if (!audience) return { error: `The resource principal named ${prefix} was not found in the tenant named ${tenant.displayName}.` };
    parsed.push({ audience, name, prefix });
  }
  if (new Set(parsed.map((entry) => entry.audience)).size > 1) return { error: 'Scopes for more than one resource were requested in a single request.' };
  return { audience: parsed[0].audience, prefix: parsed[0].prefix, names: parsed.map((entry) => entry.name) };
}

function tokenResponse(ctx: SimContext, accessToken: string, scopes: ResourceScopes, extra: Record<string, unknown> = {}): SimResponse {
  const lifetime = ctx.knobs.tokenLifetimeSeconds;
  const scopeEcho = scopes.names.map((name) => `${scopes.prefix}/${name}`).join(' ');
  return { status: 200, headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' }, json: { token_type: 'Bearer', scope: scopeEcho, expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken, ...extra } };
}

async function clientCredentials(ctx: SimContext, tenant: TenantRecord, app: AppRecord, form: URLSearchParams): Promise<SimResponse> {
  const scopes = parseScopes(ctx, tenant, form.get('scope'));
  if ('error' in scopes) return aadError(400, 'invalid_resource', 500011, scopes.error);
  if (scopes.names.length !== 1 || scopes.names[0] !== '.default') {
    return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const roles = scopes.audience === GRAPH_RESOURCE ? app.graphAppRoles : [];
  return tokenResponse(ctx, await ctx.tokens.appToken(tenant, app, scopes.audience, roles), scopes);
}

async function onBehalfOf(ctx: SimContext, tenant: TenantRecord, app: AppRecord, form: URLSearchParams): Promise<SimResponse> {
  if (form.get('requested_token_use') !== 'on_behalf_of') return aadError(400, 'invalid_request', 50027, "The request must contain 'requested_token_use=on_behalf_of'.");
  const assertion = form.get('assertion');
  if (!assertion) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'assertion'.");
  let claims;
  try {
    claims = await ctx.tokens.verify(assertion);
  } catch (error) {
    if (error instanceof TokenError && error.reason === 'expired') return aadError(400, 'invalid_grant', 500133, 'Assertion is not within its valid time range.');
    return aadError(400, 'invalid_grant', 50013, 'Assertion failed signature validation.');
  }
  const acceptedAudiences = [app.clientId, ...app.identifierUris];
  if (typeof claims.aud !== 'string' || !acceptedAudiences.includes(claims.aud))
    return aadError(400, 'invalid_grant', 50013, 'Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was not expected.');
  if (claims.tid !== tenant.id) return aadError(400, 'invalid_grant', 50013, 'Assertion was issued for another tenant.');
  const user = claims.oid ? ctx.store.data.users[claims.oid] : undefined;
  if (!user || claims.idtyp === 'app' || user.tenantId !== tenant.id) return aadError(400, 'invalid_grant', 50013, 'The assertion does not represent a user of this tenant.');
  const granted = delegatedGrant(ctx, tenant, app, form.get('scope'));
  if (isResponse(granted)) return granted;
  const { scopes, names } = granted;
  const accessToken = await ctx.tokens.userToken(tenant, user, app, scopes.audience, names);
  const wantsOpenId = (form.get('scope') ?? '').split(/\s+/).includes('openid');
  const extra: Record<string, unknown> = {};
  if (wantsOpenId) {
    extra.id_token = await ctx.tokens.idToken(tenant, user, app, null);
    extra.client_info = clientInfo(tenant, user);
  }
  return tokenResponse(ctx, accessToken, { ...scopes, names }, extra);
}

function accountsOf(ctx: SimContext, tenant: TenantRecord): { staff: UserRecord[]; guests: UserRecord[] } {
  const users = Object.values(ctx.store.data.users)
    .filter((user) => user.tenantId === tenant.id && user.accountEnabled)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return { staff: users.filter((user) => user.userType === 'Member'), guests: users.filter((user) => user.userType === 'Guest') };
}

function signInError(message: string): SimResponse {
  return { status: 400, html: page('Sign-in error', `<h1>Sign-in error</h1><p>${escapeHtml(message)}</p>`) };
}

type ResponseType = 'code' | 'token' | 'id_token';

interface AuthorizeRequest {
  app: AppRecord;
  redirectUri: string;
  /** The redirect URI is registered on the `spa` platform. */
  spa: boolean;
  responseTypes: Set<ResponseType>;
  responseMode: 'query' | 'fragment' | 'form_post';
}

/** Where the answer of an authorize request goes, errors included once the redirect URI is known good. */
function answerRedirect(redirectUri: string, mode: AuthorizeRequest['responseMode'], answer: URLSearchParams): SimResponse {
  if (mode === 'form_post') {
    const inputs = [...answer.entries()].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    return { status: 200, html: page('Signing in…', `<form method="post" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script>document.forms[0].submit()</script>`) };
  }
  return { status: 302, headers: { location: `${redirectUri}${mode === 'query' ? '?' : '#'}${answer.toString()}` }, empty: true };
}

/**
 * An error sent back to a registered redirect URI, as Entra does once the redirect URI checked out
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#error-response).
 */
function redirectedError(request: Pick<AuthorizeRequest, 'redirectUri' | 'responseMode'>, params: URLSearchParams, error: string, description: string): SimResponse {
  const answer = new URLSearchParams({ error, error_description: description });
  const state = params.get('state');
  if (state !== null) answer.set('state', state);
  return answerRedirect(request.redirectUri, request.responseMode, answer);
}

/**
 * Checks an authorize request as Entra does: the client, then the redirect URI (an unregistered one
 * gets an error page, never a redirect: AADSTS50011), then the response type against the
 * registration: the implicit grant only where `implicitGrantSettings` enable it (AADSTS700054,
 * unsupported_response_type), PKCE for codes sent to `spa` redirect URIs (AADSTS9002325).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redirect-uris-for-single-page-apps-spas
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
function validateAuthorizeRequest(ctx: SimContext, tenant: TenantRecord, params: URLSearchParams): AuthorizeRequest | SimResponse {
  const clientId = params.get('client_id') ?? '';
  const app = findApp(ctx.store.data, tenant.id, clientId);
  if (!app) return signInError(`AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`);
  const redirectUri = params.get('redirect_uri') ?? '';
  const spa = (app.spaRedirectUris ?? []).includes(redirectUri);
  // Exact match on a registered URI, as Entra does: an app with none signs nobody in.
  const web = app.redirectUris.includes(redirectUri);
  if (!spa && !web) return signInError(`AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`);
  const requested = (params.get('response_type') ?? '').split(/\s+/).filter(Boolean);
  const implicit = requested.some((type) => type !== 'code');
  const mode = params.get('response_mode');
  const responseMode: AuthorizeRequest['responseMode'] = mode === 'query' || mode === 'fragment' || mode === 'form_post' ? mode : implicit ? 'fragment' : 'query';
  const request = { redirectUri, responseMode };
  if (requested.length === 0) return redirectedError(request, params, 'invalid_request', "AADSTS900144: The request body must contain the following parameter: 'response_type'.");
  const unknown = requested.find((type) => type !== 'code' && type !== 'token' && type !== 'id_token');
  if (unknown) return redirectedError(request, params, 'unsupported_response_type', `The response_type '${unknown}' is not supported.`);
  const responseTypes = new Set(requested as ResponseType[]);
  const grant = app.implicitGrant ?? { enableAccessTokenIssuance: false, enableIdTokenIssuance: false };
  if (responseTypes.has('token') && !grant.enableAccessTokenIssuance) return redirectedError(request, params, 'unsupported_response_type', "AADSTS700054: response_type 'token' is not enabled for the application.");
  if (responseTypes.has('id_token') && !grant.enableIdTokenIssuance) return redirectedError(request, params, 'unsupported_response_type', "AADSTS700054: response_type 'id_token' is not enabled for the application.");
  if (responseTypes.has('code')) {
    const method = params.get('code_challenge_method');
    if (method !== null && method !== 'S256' && method !== 'plain') return redirectedError(request, params, 'invalid_request', `AADSTS501491: Invalid code_challenge_method '${method}'.`);
    if (spa && !params.get('code_challenge')) return redirectedError(request, params, 'invalid_request', 'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.');
  }
  return { app, redirectUri, spa, responseTypes, responseMode };
}

interface DelegatedGrant {
  scopes: ResourceScopes;
  names: string[];
}

/**
 * The delegated permissions a user's token for `app` carries: `.default` expands to what was
 * consented; a Graph scope nobody consented to for this app is refused (AADSTS65001), since
 * interactive consent is not simulated,
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example
 */
function delegatedGrant(ctx: SimContext, tenant: TenantRecord, app: AppRecord, scope: string | null): DelegatedGrant | SimResponse {
  const scopes = parseScopes(ctx, tenant, scope);
  if ('error' in scopes) return aadError(400, 'invalid_resource', 500011, scopes.error);
  const names = scopes.names.includes('.default') ? (scopes.audience === GRAPH_RESOURCE ? app.graphDelegatedScopes : ['access_as_user']) : scopes.names;
  const unconsented = scopes.audience === GRAPH_RESOURCE ? names.filter((name) => !OIDC_SCOPES.has(name) && !app.graphDelegatedScopes.includes(name)) : [];
  if (unconsented.length)
    return aadError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`,
    );
  return { scopes, names };
}

function clientInfo(tenant: TenantRecord, user: UserRecord): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
}

function signInPage(ctx: SimContext, tenant: TenantRecord, params: URLSearchParams): string {
  const hidden = [...params.entries()].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  const button = (user: UserRecord) => {
    const badge = user.userType === 'Guest' ? `<span class="badge">guest · ${escapeHtml(user.externalUserState ?? '')}</span>` : '<span class="badge">staff</span>';
    return `<form class="account" method="post" action="/${escapeHtml(tenant.id)}/oauth2/v2.0/authorize">${hidden}<input type="hidden" name="sim_user_id" value="${escapeHtml(user.id)}"><button type="submit"><strong>${escapeHtml(user.displayName)}</strong>${badge}<br><span class="muted">${escapeHtml(user.mail)}</span></button></form>`;
  };
  const { staff, guests } = accountsOf(ctx, tenant);
  const section = (title: string, users: UserRecord[]) => `<h2>${escapeHtml(title)}</h2>${users.length ? users.map(button).join('') : '<p class="muted">None yet.</p>'}`;
  return page(
    `Sign in to ${tenant.displayName}`,
    `<h1>Pick an account</h1><p class="muted">Microsoft 365 simulator · tenant <code>${escapeHtml(tenant.domain)}</code>. Local development only: no password is asked.</p>${section('Staff', staff)}${section('Guests', guests)}`,
  );
}

async function completeSignIn(ctx: SimContext, codes: AuthorizationCodes, tenant: TenantRecord, params: URLSearchParams): Promise<SimResponse> {
  const validated = validateAuthorizeRequest(ctx, tenant, params);
  if (isResponse(validated)) return validated;
  const { app, redirectUri, responseTypes } = validated;
  const user = ctx.store.data.users[params.get('sim_user_id') ?? ''];
  if (!user || user.tenantId !== tenant.id) return signInError('Unknown account.');
  // A guest's first sign-in redeems their B2B invitation, as in Entra.
  acceptInvitation(ctx, user);
  const answer = new URLSearchParams();
  if (responseTypes.has('code')) {
    const method = params.get('code_challenge_method');
    const challenge = params.get('code_challenge');
    answer.set(
      'code',
      codes.issue({
        tenantId: tenant.id,
        clientId: app.clientId,
        userId: user.id,
        redirectUri,
        spa: validated.spa,
        scope: params.get('scope') ?? '',
        codeChallenge: challenge,
        // RFC 7636 §4.3: a challenge without a method is `plain`.
        codeChallengeMethod: challenge ? (method === 'S256' ? 'S256' : 'plain') : null,
        nonce: params.get('nonce'),
      }),
    );
    if (params.get('client_info') === '1') answer.set('client_info', clientInfo(tenant, user));
  }
  if (responseTypes.has('token')) {
    const granted = delegatedGrant(ctx, tenant, app, params.get('scope') ?? `api://localhost/${app.clientId}/access_as_user`);
    if (isResponse(granted)) return signInError(`AADSTS65001: the requested scopes cannot be granted to this application.`);
    answer.set('access_token', await ctx.tokens.userToken(tenant, user, app, granted.scopes.audience, granted.names));
    answer.set('token_type', 'Bearer');
    answer.set('expires_in', String(ctx.knobs.tokenLifetimeSeconds));
    answer.set('scope', granted.names.map((name) => `${granted.scopes.prefix}/${name}`).join(' '));
  }
  if (responseTypes.has('id_token')) answer.set('id_token', await ctx.tokens.idToken(tenant, user, app, params.get('nonce')));
  const state = params.get('state');
  if (state !== null) answer.set('state', state);
  answer.set('session_state', randomUUID());
  return answerRedirect(redirectUri, validated.responseMode, answer);
}

const requestedResourceScopes = (scope: string | null): string[] => (scope ?? '').split(/\s+/).filter((entry) => entry && !OIDC_SCOPES.has(entry));

/**
 * grant_type=authorization_code. A code sent to a `spa` redirect URI is redeemed by the browser:
 * the request must carry an Origin header (AADSTS9002327) and no client secret (AADSTS700025); a
 * code sent to a web redirect URI must not come cross-origin (AADSTS9002326) and needs the
 * client's secret. PKCE: a wrong or missing verifier is AADSTS501481 (invalid_grant); a code is
 * single-use (AADSTS54005) and expires (AADSTS70008); the redirect URI must be the one the code
 * was sent to (AADSTS50011).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
async function redeemCode(ctx: SimContext, codes: AuthorizationCodes, tokens: RefreshTokens, tenant: TenantRecord, req: SimRequest, form: URLSearchParams): Promise<SimResponse> {
  const clientId = form.get('client_id');
  if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const code = form.get('code');
  if (!code) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code'.");
  const redemption = codes.redeem(code);
  if ('problem' in redemption) {
    if (redemption.problem === 'redeemed') return aadError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
    if (redemption.problem === 'expired')
      return aadError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
    return aadError(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid.");
  }
  const { grant } = redemption;
  if (grant.clientId !== clientId.toLowerCase() || grant.tenantId !== tenant.id) return aadError(400, 'invalid_grant', 70000, 'The provided authorization code was issued to another client or tenant.');
  const app = redeemingClient(ctx, tenant, req, form, grant);
  if (isResponse(app)) return app;
  if (form.get('redirect_uri') !== grant.redirectUri)
    return aadError(400, 'invalid_grant', 50011, `The redirect URI '${form.get('redirect_uri') ?? ''}' specified in the request does not match the redirect URI the authorization code was issued for.`);
  if (grant.codeChallenge && !verifierMatches(grant, form.get('code_verifier') ?? '')) return aadError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
  const user = ctx.store.data.users[grant.userId];
  if (!user || !user.accountEnabled) return aadError(400, 'invalid_grant', 50057, 'The user account is disabled.');
  // The token request may narrow the scopes the user signed in for, never widen them.
  const authorized = new Set(requestedResourceScopes(grant.scope));
  const scope = form.get('scope') ?? grant.scope;
  if (requestedResourceScopes(scope).some((entry) => !authorized.has(entry))) return aadError(400, 'invalid_grant', 70000, 'The requested scopes were not part of the authorization request the code was issued for.');
  const granted = delegatedGrant(ctx, tenant, app, scope);
  if (isResponse(granted)) return granted;
  return userTokens(ctx, tenant, user, app, granted, scope, { nonce: grant.nonce, refresh: () => tokens.issue({ tenantId: tenant.id, clientId: app.clientId, userId: user.id, spa: grant.spa }) });
}

/**
 * Who redeems a code or refresh token: for a `spa` grant the browser, cross-origin (an Origin
 * header, AADSTS9002327) and without a secret (AADSTS700025); otherwise a confidential client with
 * its secret, never cross-origin (AADSTS9002326).
 */
function redeemingClient(ctx: SimContext, tenant: TenantRecord, req: SimRequest, form: URLSearchParams, grant: { clientId: string; spa: boolean }): AppRecord | SimResponse {
  const origin = req.headers.origin;
  if (!grant.spa) {
    if (origin) return aadError(400, 'invalid_request', 9002326, `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`);
    return authenticateClient(ctx, tenant, req, form);
  }
  if (!origin) return aadError(400, 'invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.");
  if (form.has('client_secret') || form.has('client_assertion') || req.headers.authorization) return aadError(400, 'invalid_request', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
  return findApp(ctx.store.data, tenant.id, grant.clientId) ?? unknownClient(tenant, grant.clientId);
}

/** The token answer for a user: access token, ID token when `openid` was asked for, a refresh token with `offline_access`. */
async function userTokens(ctx: SimContext, tenant: TenantRecord, user: UserRecord, app: AppRecord, granted: DelegatedGrant, scope: string, options: { nonce: string | null; refresh: () => string }): Promise<SimResponse> {
  const asked = scope.split(/\s+/);
  const accessToken = await ctx.tokens.userToken(tenant, user, app, granted.scopes.audience, granted.names);
  const extra: Record<string, unknown> = { client_info: clientInfo(tenant, user) };
  if (asked.includes('openid')) extra.id_token = await ctx.tokens.idToken(tenant, user, app, options.nonce);
  if (asked.includes('offline_access')) extra.refresh_token = options.refresh();
  return tokenResponse(ctx, accessToken, { ...granted.scopes, names: granted.names }, extra);
}

/**
 * grant_type=refresh_token, as MSAL.js uses it to renew an expired access token silently. SPA
 * refresh tokens rotate, are redeemed cross-origin like the code, and expire after 24 hours
 * (AADSTS700084). https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 */
async function redeemRefreshToken(ctx: SimContext, tokens: RefreshTokens, tenant: TenantRecord, req: SimRequest, form: URLSearchParams): Promise<SimResponse> {
  const presented = form.get('refresh_token');
  if (!presented) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'refresh_token'.");
  const redemption = tokens.redeem(presented);
  if ('problem' in redemption) {
    if (redemption.problem === 'expired')
      return aadError(
        400,
        'invalid_grant',
        700084,
        'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.',
      );
    return aadError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
  }
  const { grant, expiresAtMs } = redemption;
  if (grant.tenantId !== tenant.id || grant.clientId !== (form.get('client_id') ?? '').toLowerCase()) return aadError(400, 'invalid_grant', 70000, 'The refresh token was issued to another client or tenant.');
  const app = redeemingClient(ctx, tenant, req, form, grant);
  if (isResponse(app)) return app;
  const user = ctx.store.data.users[grant.userId];
  if (!user || !user.accountEnabled) return aadError(400, 'invalid_grant', 50057, 'The user account is disabled.');
  const scope = form.get('scope') ?? '';
  const granted = delegatedGrant(ctx, tenant, app, scope);
  if (isResponse(granted)) return granted;
  return userTokens(ctx, tenant, user, app, granted, scope, { nonce: null, refresh: () => tokens.issue(grant, expiresAtMs) });
}

const corsHeaders = (req: SimRequest): Record<string, string> => (req.headers.origin ? { 'access-control-allow-origin': req.headers.origin, vary: 'Origin' } : {});

function withCors(req: SimRequest, response: SimResponse): SimResponse {
  return 'status' in response ? { ...response, headers: { ...response.headers, ...corsHeaders(req) } } : response;
}

export function registerIdentityRoutes(router: Router, ctx: SimContext): void {
  const codes = new AuthorizationCodes();
  const refreshTokens = new RefreshTokens();
  const withTenant =
    (handler: (req: SimRequest, tenant: TenantRecord) => Promise<SimResponse>) =>
    async (req: SimRequest): Promise<SimResponse> => {
      const tenant = findTenant(ctx.store.data, req.params.tenant);
      return tenant ? handler(req, tenant) : tenantNotFound(req.params.tenant);
    };

  // MSAL asks login.microsoftonline.com for instance metadata unless knownAuthorities is set;
  // served here too for clients configured to ask the simulator.
  router.add('GET', '/common/discovery/instance', async (req) => {
    const host = new URL(ctx.urls.https).host;
    const authorization = req.query.get('authorization_endpoint') ?? `${ctx.urls.https}/common/oauth2/v2.0/authorize`;
    const tenantSegment = new URL(authorization).pathname.split('/')[1] ?? 'common';
    return {
      status: 200,
      json: { tenant_discovery_endpoint: `${ctx.urls.https}/${tenantSegment}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] },
    };
  });
  // Entra answers discovery to any origin (a browser's MSAL may fetch it).
  router.add(
    'GET',
    '/{tenant}/v2.0/.well-known/openid-configuration',
    withTenant(async (_req, tenant) => ({ status: 200, headers: { 'access-control-allow-origin': '*' }, json: openIdConfiguration(ctx, tenant) })),
  );
  router.add('GET', '/{tenant}/discovery/v2.0/keys', async () => ({ status: 200, json: ctx.tokens.jwks() }));
  router.add('GET', '/discovery/v2.0/keys', async () => ({ status: 200, json: ctx.tokens.jwks() }));
  // A browser redeems codes for spa redirect URIs cross-origin: CORS preflight, and the answer
  // (errors included) readable by the requesting origin.
  router.add('OPTIONS', '/{tenant}/oauth2/v2.0/token', async (req) => ({
    status: 204,
    headers: {
      ...corsHeaders(req),
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
      'access-control-max-age': '86400',
    },
    empty: true,
  }));
  router.add(
    'POST',
    '/{tenant}/oauth2/v2.0/token',
    withTenant(async (req, tenant) => {
      const form = await readForm(req);
      const grantType = form.get('grant_type');
      if (grantType === 'authorization_code') return withCors(req, await redeemCode(ctx, codes, refreshTokens, tenant, req, form));
      if (grantType === 'refresh_token') return withCors(req, await redeemRefreshToken(ctx, refreshTokens, tenant, req, form));
      const client = authenticateClient(ctx, tenant, req, form);
      if (isResponse(client)) return client;
      if (grantType === 'client_credentials') return clientCredentials(ctx, tenant, client, form);
      if (grantType === JWT_BEARER) return onBehalfOf(ctx, tenant, client, form);
      return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`);
    }),
  );
  router.add(
    'GET',
    '/{tenant}/oauth2/v2.0/authorize',
    withTenant(async (req, tenant) => {
      const validated = validateAuthorizeRequest(ctx, tenant, req.query);
      if (isResponse(validated)) return validated;
      return { status: 200, html: signInPage(ctx, tenant, req.query) };
    }),
  );
  router.add(
    'POST',
    '/{tenant}/oauth2/v2.0/authorize',
    withTenant(async (req, tenant) => completeSignIn(ctx, codes, tenant, await readForm(req))),
  );
  router.add(
    'GET',
    '/{tenant}/redeem/{invitationId}',
    withTenant(async (req, tenant) => {
      const invitation = ctx.store.data.invitations[req.params.invitationId];
      const user = invitation ? ctx.store.data.users[invitation.userId] : undefined;
      if (!invitation || !user || invitation.tenantId !== tenant.id) return { status: 404, html: page('Invitation not found', '<h1>Invitation not found</h1>') };
      acceptInvitation(ctx, user);
      return { status: 302, headers: { location: invitation.inviteRedirectUrl }, empty: true };
    }),
  );
}
