/**
 * Sign-in outside Teams as a real browser does it: MSAL's redirect to the identity provider with
 * an authorization code request and a PKCE challenge, the code back on the tab's redirect page,
 * redeemed cross-origin with the verifier; the tab's CSP holds throughout, and at no point does
 * the browser hold a token for Microsoft Graph (in sessionStorage or on the wire).
 */
import type { BrowserContext, Request, Response } from 'playwright-core';
import { decodeJwt } from 'jose';
import { SIMULATOR_BROWSER_CLIENT_ID, SIMULATOR_CLIENT_ID } from '../../src/config';
import { SIGN_IN_REDIRECT_PATH } from '../../src/contract';
import { until } from '../stress/support/child';
import { apiGet, type Harness, startHarness, waitForApiToken } from './harness';

jest.setTimeout(180_000);

const GRAPH_AUDIENCES = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** MSAL's POST to the token endpoint (it adds its telemetry as a query string). */
const isTokenRedemption = (request: Request) => request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/oauth2/v2.0/token');

interface Recording {
  requests: Request[];
  tokenResponses: Array<{ status: number; body: Record<string, unknown> }>;
  cspViolations: string[];
}

/** A browser session that records every request, every token endpoint answer and every CSP refusal from its first page on. */
async function recordingContext(): Promise<{ context: BrowserContext; recording: Recording }> {
  const context = await h.browser.newContext();
  const recording: Recording = { requests: [], tokenResponses: [], cspViolations: [] };
  await context.exposeBinding('reportViolation', (_source, text: string) => void recording.cspViolations.push(text));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  context.on('request', (request) => void recording.requests.push(request));
  context.on('response', (response: Response) => {
    if (isTokenRedemption(response.request())) {
      void response.json().then(
        (body: Record<string, unknown>) => recording.tokenResponses.push({ status: response.status(), body }),
        () => undefined,
      );
    }
  });
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) recording.cspViolations.push(message.text());
  });
  return { context, recording };
}

/** Every JWT-shaped string in the page's sessionStorage, decoded. */
async function jwtsInSessionStorage(page: import('playwright-core').Page): Promise<Array<Record<string, unknown>>> {
  const values = await page.evaluate(() => Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.getItem(sessionStorage.key(i) ?? '') ?? ''));
  const jwts = values.flatMap((value) => value.match(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g) ?? []);
  return jwts.map((jwt) => decodeJwt(jwt) as Record<string, unknown>);
}

it.each([
  ['a guest', 'John Smith', '/tab/portal', '[data-testid=portal-case-card]', '/portal/me'],
  ['a staff member', 'Alex Hartley', '/tab/firm/clients', '[data-testid]', '/me'],
])('%s signs in with authorization code + PKCE; the browser never holds a Graph token and no CSP rule is broken', async (_who, person, startPath, visible, mePath) => {
  const { context, recording } = await recordingContext();
  try {
    const page = await context.newPage();
    await page.goto(`${h.url}${startPath}`);
    await page.waitForURL((u) => u.href.startsWith(h.sim.httpUrl), { timeout: 30_000 });

    // The authorize request: a code, a S256 challenge, the browser's own client, the API scope only.
    const authorize = new URL(page.url());
    expect(authorize.pathname).toMatch(/\/oauth2\/v2\.0\/authorize$/);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('client_id')).toBe(SIMULATOR_BROWSER_CLIENT_ID);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.url}${SIGN_IN_REDIRECT_PATH}`);
    const scopes = (authorize.searchParams.get('scope') ?? '').split(' ').sort();
    expect(scopes).toEqual([`api://localhost/${SIMULATOR_CLIENT_ID}/access_as_user`, 'offline_access', 'openid', 'profile'].sort());

    await page
      .getByRole('button', { name: new RegExp(person) })
      .first()
      .click();
    await page.waitForURL((u) => u.href.startsWith(`${h.url}${startPath}`) && !u.hash.includes('code='), { timeout: 30_000 });
    const token = await waitForApiToken(page);
    await page.locator(visible).first().waitFor({ timeout: 60_000 });
    // The server takes that token (apiGet throws on any refusal).
    await expect(apiGet<Record<string, unknown>>(page, mePath)).resolves.toBeTruthy();

    // The code came back to the registered redirect page and was redeemed there, cross-origin, with its verifier.
    const accountPicked = recording.requests.findIndex((r) => r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/oauth2/v2.0/authorize'));
    expect(accountPicked).toBeGreaterThan(0);
    const afterSignIn = recording.requests.slice(accountPicked + 1);
    expect(afterSignIn.some((r) => r.isNavigationRequest() && r.url().startsWith(`${h.url}${SIGN_IN_REDIRECT_PATH}`))).toBe(true);
    const redemptions = recording.requests.filter(isTokenRedemption);
    expect(redemptions).toHaveLength(1);
    const form = new URLSearchParams(redemptions[0].postData() ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_~.-]{43,128}$/);
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_id')).toBe(SIMULATOR_BROWSER_CLIENT_ID);
    expect((await redemptions[0].allHeaders()).origin).toBe(h.url);
    await until('the token endpoint answer', 30_000, async () => recording.tokenResponses.length > 0);
    expect(recording.tokenResponses).toHaveLength(1);
    expect(recording.tokenResponses[0].status).toBe(200);

    // No implicit grant, no token in any address the browser visited.
    expect(recording.requests.filter((r) => /[#?&]access_token=|response_type=(id_)?token/.test(r.url())).map((r) => r.url())).toEqual([]);

    // What the browser holds: the API token (issued to the browser's client) and its ID token. Nothing for Graph.
    expect(decodeJwt(token)).toMatchObject({ aud: SIMULATOR_CLIENT_ID, azp: SIMULATOR_BROWSER_CLIENT_ID, scp: 'access_as_user' });
    const held = [
      ...(await jwtsInSessionStorage(page)),
      ...recording.tokenResponses.flatMap(({ body }) => [body.access_token, body.id_token].filter((t): t is string => typeof t === 'string').map((t) => decodeJwt(t) as Record<string, unknown>)),
    ];
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(held.filter((claims) => GRAPH_AUDIENCES.includes(String(claims.aud)))).toEqual([]);
    expect(held.every((claims) => claims.aud === SIMULATOR_CLIENT_ID || claims.aud === SIMULATOR_BROWSER_CLIENT_ID)).toBe(true);
    // And the browser never calls Graph itself.
    expect(recording.requests.filter((r) => new URL(r.url()).pathname.startsWith('/v1.0/')).map((r) => r.url())).toEqual([]);

    expect(recording.cspViolations).toEqual([]);
  } finally {
    await context.close();
  }
});
