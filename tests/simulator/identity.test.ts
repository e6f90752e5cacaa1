/**
 * Identity: OpenID metadata, JWKS, token endpoint (client credentials, on-behalf-of) and the dev
 * sign-in page, exercised with the real @azure/msal-node over HTTPS trusting the generated CA.
 */
import https from 'node:https';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startFixture, type Fixture } from './helpers';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

/** An MSAL network client that trusts the simulator's CA (what NODE_EXTRA_CA_CERTS does for a whole process). */
function networkClientTrusting(ca: string): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      const request = https.request(url, { method, ca, headers: options?.headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[name] = value;
          resolve({ status: response.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as T });
        });
      });
      request.on('error', reject);
      if (options?.body) request.write(options.body);
      request.end();
    });
  return { sendGetRequestAsync: (url, options) => send('GET', url, options), sendPostRequestAsync: (url, options) => send('POST', url, options) };
}

function msalClient(clientSecret = f.clientSecret): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: f.clientId, clientSecret, authority: `${f.sim.httpsUrl}/${f.tenantId}`, knownAuthorities: [new URL(f.sim.httpsUrl).host] },
    system: { networkClient: networkClientTrusting(f.sim.caCertPem) },
  });
}

describe('Entra ID endpoints', () => {
  test('openid-configuration names this tenant as issuer, HTTPS endpoints and the JWKS (learn.microsoft.com/entra/identity-platform/v2-protocols-oidc)', async () => {
    const config = await fetch(`${f.sim.httpUrl}/${f.tenantId}/v2.0/.well-known/openid-configuration`).then((r) => r.json());
    expect(config.issuer).toBe(`${f.sim.httpsUrl}/${f.tenantId}/v2.0`);
    expect(config.token_endpoint).toBe(`${f.sim.httpsUrl}/${f.tenantId}/oauth2/v2.0/token`);
    const jwks = await fetch(config.jwks_uri.replace(f.sim.httpsUrl, f.sim.httpUrl)).then((r) => r.json());
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
  });

  test('client credentials with the real MSAL over HTTPS: app-only token with roles (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow)', async () => {
    const result = await msalClient().acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(result?.accessToken).toBeTruthy();
    const claims = decodeJwt(result!.accessToken);
    expect(claims).toMatchObject({ iss: `${f.sim.httpsUrl}/${f.tenantId}/v2.0`, aud: 'https://graph.microsoft.com', tid: f.tenantId, azp: f.clientId, ver: '2.0', idtyp: 'app' });
    expect(claims.roles).toEqual(expect.arrayContaining(['Files.ReadWrite.All', 'Sites.ReadWrite.All']));
    expect(claims.scp).toBeUndefined();
    // The token is accepted by the simulated Graph.
    expect((await f.graph('GET', '/sites/root', { token: result!.accessToken })).status).toBe(200);
    // …and verifies against the published JWKS, as any resource server would check it.
    const jwks = createRemoteJWKSet(new URL(`${f.sim.httpUrl}/${f.tenantId}/discovery/v2.0/keys`));
    await expect(jwtVerify(result!.accessToken, jwks, { issuer: `${f.sim.httpsUrl}/${f.tenantId}/v2.0` })).resolves.toBeTruthy();
  });

  test('on-behalf-of with the real MSAL: delegated Graph token for the same user with scp (learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow)', async () => {
    const tabToken = await f.sim.admin.token({ tenantId: f.tenantId, clientId: f.clientId, userId: f.staff.id, audience: `api://localhost/${f.clientId}` });
    const result = await msalClient().acquireTokenOnBehalfOf({ oboAssertion: tabToken, scopes: ['https://graph.microsoft.com/Files.ReadWrite.All'] });
    const claims = decodeJwt(result!.accessToken);
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', oid: f.staff.id, tid: f.tenantId, scp: 'Files.ReadWrite.All', acct: 0, preferred_username: f.staff.mail, ver: '2.0' });
    // The token carries exactly the scope asked for: files yes, the user's profile (User.Read) no.
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/root`, { token: result!.accessToken })).status).toBe(200);
    const me = await f.graph<{ error: { code: string } }>('GET', '/me', { token: result!.accessToken });
    expect([me.status, me.json.error.code]).toEqual([403, 'Authorization_RequestDenied']);
  });

  test('on-behalf-of refuses an assertion whose audience is not this app (AADSTS50013)', async () => {
    const graphToken = await f.tokenFor(f.staff.id);
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: f.clientId,
      client_secret: f.clientSecret,
      assertion: graphToken,
      scope: 'https://graph.microsoft.com/.default',
    });
    const response = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', body });
    expect(response.status).toBe(400);
    const json = await response.json();
    expect(json.error).toBe('invalid_grant');
    expect(json.error_codes).toEqual([50013]);
  });

  test('a wrong client secret is refused with AADSTS7000215 (learn.microsoft.com/entra/identity-platform/reference-error-codes)', async () => {
    await expect(msalClient('wrong-secret').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })).rejects.toThrow(/7000215/);
  });

  test('client credentials need a /.default scope (AADSTS1002012)', async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope: 'https://graph.microsoft.com/Files.Read.All' });
    const json = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', body }).then((r) => r.json());
    expect(json.error_codes).toEqual([1002012]);
  });

  test('Graph answers 401 InvalidAuthenticationToken without a token, with a foreign token and with an expired one (learn.microsoft.com/graph/errors)', async () => {
    const none = await f.graph('GET', '/sites/root', { token: null });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
    expect(none.json.error).toHaveProperty('innerError.request-id');
    expect(none.json.error).toHaveProperty('innerError.date');
    const appAudience = await f.sim.admin.token({ tenantId: f.tenantId, clientId: f.clientId, userId: f.staff.id, audience: f.clientId });
    expect((await f.graph('GET', '/sites/root', { token: appAudience })).status).toBe(401);
    const shortLived = await f.sim.admin.token({ tenantId: f.tenantId, clientId: f.clientId, userId: f.staff.id, lifetimeSeconds: -60 });
    const expired = await f.graph('GET', '/sites/root', { token: shortLived });
    expect(expired.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } });
  });

  test('guest tokens carry acct 1, members acct 0 (learn.microsoft.com/entra/identity-platform/optional-claims-reference)', async () => {
    expect(decodeJwt(await f.tokenFor(f.acceptedGuest.id)).acct).toBe(1);
    expect(decodeJwt(await f.tokenFor(f.staff.id)).acct).toBe(0);
  });
});

describe('dev sign-in page', () => {
  const redirectUri = 'http://localhost:3000/auth-end';

  test('lists staff and guests with escaped names and, for a registration that enables the implicit grant, redirects with tokens in the fragment (learn.microsoft.com/entra/identity-platform/v2-oauth2-implicit-grant-flow)', async () => {
    await f.sim.admin.createUser(f.tenantId, { displayName: '<script>alert(1)</script> Mallory', mail: 'mallory@contoso.onmicrosoft.com' });
    const implicit = await f.sim.admin.createApp(f.tenantId, { displayName: 'Legacy implicit client', identifierUris: [], redirectUris: [redirectUri], implicitGrant: { enableAccessTokenIssuance: true, enableIdTokenIssuance: true } });
    const params = new URLSearchParams({ client_id: implicit.clientId, redirect_uri: redirectUri, response_type: 'token id_token', scope: `api://localhost/${f.clientId}/access_as_user openid`, state: 'xyz', nonce: 'n-1' });
    const html = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize?${params}`).then((r) => r.text());
    expect(html).toContain('Megan Bowen');
    expect(html).toContain('Ada Client');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    const form = new URLSearchParams(params);
    form.set('sim_user_id', f.pendingGuest.id);
    const response = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('state')).toBe('xyz');
    const access = decodeJwt(fragment.get('access_token')!);
    expect(access).toMatchObject({ aud: f.clientId, azp: implicit.clientId, oid: f.pendingGuest.id, acct: 1, scp: 'access_as_user' });
    expect(decodeJwt(fragment.get('id_token')!)).toMatchObject({ aud: implicit.clientId, nonce: 'n-1' });
    // Signing in redeems a pending guest's invitation, as the first Entra sign-in does.
    const user = await f.graph('GET', `/users/${f.pendingGuest.id}?$select=externalUserState`);
    expect(user.json.externalUserState).toBe('Accepted');
  });

  test('refuses redirect URIs that are not registered, loopback ones included (AADSTS50011)', async () => {
    for (const uri of ['https://evil.example/cb', 'http://localhost:3000/auth-end']) {
      const params = new URLSearchParams({ client_id: f.clientId, redirect_uri: uri, response_type: 'code', scope: `api://localhost/${f.clientId}/access_as_user` });
      const response = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/authorize?${params}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('AADSTS50011');
    }
  });
});
