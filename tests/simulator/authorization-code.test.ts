/**
 * The authorization code flow with PKCE as Entra runs it for a single-page application, and the
 * implicit grant refused unless the registration enables it. Status codes and AADSTS errors from
 * "Microsoft identity platform and OAuth 2.0 authorization code flow"
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow) and the error code
 * reference (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startFixture, type Fixture } from './helpers';

let f: Fixture;
let browserClientId: string;
const APP_ORIGIN = 'http://127.0.0.1:3978';
const REDIRECT_URI = `${APP_ORIGIN}/tab/portal`;

beforeAll(async () => {
  f = await startFixture();
  const browser = await f.sim.admin.createApp(f.tenantId, { displayName: 'Browser', identifierUris: [], spaRedirectUris: [REDIRECT_URI], graphDelegatedScopes: ['openid', 'profile', 'offline_access'] });
  browserClientId = browser.clientId;
});
afterAll(() => f.close());

const apiScope = () => `api://localhost/${f.clientId}/access_as_user`;

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeParams(overrides: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    client_id: browserClientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    response_mode: 'fragment',
    scope: `${apiScope()} openid profile offline_access`,
    state: 'state-1',
    nonce: 'nonce-1',
    client_info: '1',
    ...overrides,
  });
}

/** The sign-in page's POST (a person picked an account): the browser is sent to the redirect URI. */
async function signIn(params: URLSearchParams, userId = f.staff.id): Promise<Response> {
  const form = new URLSearchParams(params);
  form.set('sim_user_id', userId);
  return fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize`, { method: 'POST', body: form, redirect: 'manual' });
}

async function codeFor(challenge: string): Promise<string> {
  const response = await signIn(authorizeParams({ code_challenge: challenge, code_challenge_method: 'S256' }));
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') as string);
  const answer = new URLSearchParams(location.hash.slice(1));
  expect(answer.get('state')).toBe('state-1');
  return answer.get('code') as string;
}

interface TokenAnswer {
  status: number;
  allowOrigin: string | null;
  json: { access_token?: string; id_token?: string; refresh_token?: string; client_info?: string; error?: string; error_codes?: number[]; error_description?: string };
}

async function redeem(form: Record<string, string>, headers: Record<string, string> = { origin: APP_ORIGIN }): Promise<TokenAnswer> {
  const response = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers }, body: new URLSearchParams(form) });
  return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin'), json: (await response.json()) as TokenAnswer['json'] };
}

const redemption = (code: string, verifier: string, overrides: Record<string, string> = {}) => ({
  client_id: browserClientId,
  grant_type: 'authorization_code',
  code,
  code_verifier: verifier,
  redirect_uri: REDIRECT_URI,
  scope: `${apiScope()} openid profile offline_access`,
  ...overrides,
});

describe('authorization code + PKCE for a single-page application (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow)', () => {
  test('a code sent to the spa redirect URI is redeemed cross-origin with its verifier, for the API scope, readable by the origin (CORS)', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(challenge);
    const preflight = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/token`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const answer = await redeem(redemption(code, verifier));
    expect(answer.status).toBe(200);
    expect(answer.allowOrigin).toBe(APP_ORIGIN);
    // The access token is for CaseRoom's API (its client id), issued to the browser's client.
    expect(decodeJwt(answer.json.access_token as string)).toMatchObject({ aud: f.clientId, azp: browserClientId, oid: f.staff.id, scp: 'access_as_user' });
    expect(decodeJwt(answer.json.id_token as string)).toMatchObject({ aud: browserClientId, nonce: 'nonce-1' });
    expect(JSON.parse(Buffer.from(answer.json.client_info as string, 'base64url').toString('utf8'))).toEqual({ uid: f.staff.id, utid: f.tenantId });
  });

  test('a wrong code_verifier is refused: 400 invalid_grant AADSTS501481', async () => {
    const { challenge } = pkcePair();
    const code = await codeFor(challenge);
    const answer = await redeem(redemption(code, pkcePair().verifier));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    expect(answer.allowOrigin).toBe(APP_ORIGIN);
  });

  test('a code is single-use: the second redemption is 400 invalid_grant AADSTS54005', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(challenge);
    expect((await redeem(redemption(code, verifier))).status).toBe(200);
    const again = await redeem(redemption(code, verifier));
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  test('a redirect URI other than the one the code was sent to is refused at the token endpoint (AADSTS50011), and an unregistered one gets no redirect at all', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(challenge);
    const answer = await redeem(redemption(code, verifier, { redirect_uri: `${APP_ORIGIN}/tab/firm` }));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_grant', error_codes: [50011] });
    const page = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize?${authorizeParams({ redirect_uri: 'http://127.0.0.1:3978/elsewhere', code_challenge: challenge, code_challenge_method: 'S256' })}`, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('AADSTS50011');
  });

  test('the app that holds the Graph permissions has no spa redirect URI: a browser cannot sign in with it (AADSTS50011)', async () => {
    const page = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize?${authorizeParams({ client_id: f.clientId, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })}`, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('AADSTS50011');
  });

  test('a spa code redeemed without an Origin header is refused (AADSTS9002327), and PKCE is required for spa redirect URIs (AADSTS9002325)', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(challenge);
    const answer = await redeem(redemption(code, verifier), {});
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_request', error_codes: [9002327] });
    const noPkce = await signIn(authorizeParams());
    const error = new URLSearchParams(new URL(noPkce.headers.get('location') as string).hash.slice(1));
    expect(error.get('error')).toBe('invalid_request');
    expect(error.get('error_description')).toContain('AADSTS9002325');
  });

  test('the browser client gets no Graph token: a Graph scope it was never granted is refused (AADSTS65001)', async () => {
    const { verifier, challenge } = pkcePair();
    const graphScope = 'https://graph.microsoft.com/Files.ReadWrite.All openid';
    const response = await signIn(authorizeParams({ scope: graphScope, code_challenge: challenge, code_challenge_method: 'S256' }));
    const code = new URLSearchParams(new URL(response.headers.get('location') as string).hash.slice(1)).get('code') as string;
    const answer = await redeem(redemption(code, verifier, { scope: graphScope }));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_grant', error_codes: [65001] });
    expect(answer.json.access_token).toBeUndefined();
  });
});

test('the refresh token of a spa sign-in renews the API token cross-origin, rotates, and is refused without an Origin (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token)', async () => {
  const { verifier, challenge } = pkcePair();
  const first = await redeem(redemption(await codeFor(challenge), verifier));
  const refresh = { client_id: browserClientId, grant_type: 'refresh_token', scope: `${apiScope()} openid profile offline_access` };
  const renewed = await redeem({ ...refresh, refresh_token: first.json.refresh_token as string });
  expect(renewed.status).toBe(200);
  expect(decodeJwt(renewed.json.access_token as string)).toMatchObject({ aud: f.clientId, azp: browserClientId, oid: f.staff.id, scp: 'access_as_user' });
  // Rotated: the spent one is refused, its successor works only cross-origin.
  expect((await redeem({ ...refresh, refresh_token: first.json.refresh_token as string })).json).toMatchObject({ error: 'invalid_grant' });
  const sameOrigin = await redeem({ ...refresh, refresh_token: renewed.json.refresh_token as string }, {});
  expect(sameOrigin.json).toMatchObject({ error: 'invalid_request', error_codes: [9002327] });
});

describe('implicit grant (learn.microsoft.com/entra/identity-platform/v2-oauth2-implicit-grant-flow)', () => {
  test('refused unless the registration enables it: unsupported_response_type AADSTS700054 sent back to the redirect URI, with no token', async () => {
    for (const responseType of ['token', 'id_token']) {
      const response = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize?${authorizeParams({ response_type: responseType })}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      const answer = new URLSearchParams(new URL(response.headers.get('location') as string).hash.slice(1));
      expect(answer.get('error')).toBe('unsupported_response_type');
      expect(answer.get('error_description')).toContain(`AADSTS700054: response_type '${responseType}' is not enabled for the application.`);
      expect(answer.get('access_token')).toBeNull();
      // Picking an account does not get around it.
      const posted = new URLSearchParams(new URL((await signIn(authorizeParams({ response_type: responseType }))).headers.get('location') as string).hash.slice(1));
      expect(posted.get('error')).toBe('unsupported_response_type');
      expect(posted.get('access_token')).toBeNull();
    }
  });
});
