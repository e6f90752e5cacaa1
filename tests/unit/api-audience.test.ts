/**
 * The API takes tokens for its own audience only: the browser signs in with a client of its own
 * (M365_BROWSER_CLIENT_ID), whose ID tokens carry a tenant and a user but name that client as
 * their audience, and a Graph token names Graph. Neither opens the API.
 */
import { loadConfig } from '../../src/config';
import { tabSettings } from '../../src/parts/tab';
import { createTestIdentity, TEST_AUDIENCE } from '../support/tokens';

const TENANT = '11111111-2222-3333-4444-555555555555';

const tenantConfig = () =>
  loadConfig({
    M365_MODE: 'tenant',
    PUBLIC_BASE_URL: 'https://caseroom.example',
    M365_TENANT_ID: TENANT,
    M365_CLIENT_ID: 'api-client',
    M365_CLIENT_SECRET: 'secret',
    M365_BROWSER_CLIENT_ID: 'browser-client',
    API_AUDIENCE: 'api://caseroom.example/api-client',
    BOT_ID: 'bot',
    BOT_PASSWORD: 'bot-secret',
    TEAMS_APP_ID: 'teams-app',
    DATABASE_URL: 'postgresql://app:pw@db.example:5432/caseroom',
  });

describe('API audience', () => {
  it("accepts the API's app id URI and client id only, never the browser's client or Graph", () => {
    for (const config of [tenantConfig(), loadConfig({ SIMULATOR_URL: 'https://127.0.0.1:4443' })]) {
      expect(config.identity.browserClientId).not.toBe(config.identity.clientId);
      expect(config.identity.audiences).toEqual([expect.stringMatching(/^api:\/\//), config.identity.clientId]);
      expect(config.identity.audiences).not.toContain(config.identity.browserClientId);
    }
  });

  it('hands the tab the browser client, the API scope and Entra endpoints under the authority', () => {
    const settings = tabSettings(tenantConfig());
    expect(settings.signIn).toEqual({
      clientId: 'browser-client',
      authority: `https://login.microsoftonline.com/${TENANT}`,
      knownAuthorities: ['login.microsoftonline.com'],
      endpoints: {
        issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
        token_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
        end_session_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`,
        jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      },
    });
    expect(settings.scope).toBe('api://caseroom.example/api-client/access_as_user');
  });

  it("refuses a token whose audience is the browser's client (its ID token) or Graph, and takes the API's", async () => {
    const identity = await createTestIdentity(TENANT);
    const user = { tid: TENANT, oid: 'user-1' };
    await expect(identity.verify(await identity.token({ ...user, aud: 'browser-client' }))).rejects.toThrow(/aud claim is not accepted/);
    await expect(identity.verify(await identity.token({ ...user, aud: 'https://graph.microsoft.com' }))).rejects.toThrow(/aud claim is not accepted/);
    await expect(identity.verify(await identity.token({ ...user, aud: TEST_AUDIENCE }))).resolves.toMatchObject({ oid: 'user-1' });
  });
});
