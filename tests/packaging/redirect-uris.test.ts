/**
 * Sign-in outside Teams comes back to one address, spelled the same in the three places that must
 * agree or Entra refuses the sign-in (AADSTS50011): the browser registration's `spa` redirect URIs
 * (aad.browser.manifest.json), the tab's code (SIGN_IN_REDIRECT_PATH under the tab's origin) and
 * the local simulator's registration (made by scripts/local-tenant.ts). And the app that holds
 * CaseRoom's Graph permissions has no redirect URI at all: no browser signs in with it.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BROWSER_AAD_MANIFEST, declaredBrowserApp, TAB_ENDPOINT_PLACEHOLDER } from '../../scripts/declared-app';
import { seedDemoTenant } from '../../scripts/local-tenant';
import { SIMULATOR_BROWSER_CLIENT_ID, SIMULATOR_CLIENT_ID } from '../../src/config';
import { SIGN_IN_REDIRECT_PATH } from '../../src/contract';
import { type RunningSimulator, startSimulator } from '../../src/m365-simulator';
import { readEnv, readJson, readLifecycle, readText } from './helpers';

interface AadManifest {
  appId: string;
  replyUrlsWithType: Array<{ url: string; type: string }>;
  oauth2AllowImplicitFlow?: boolean;
  oauth2AllowIdTokenImplicitFlow?: boolean;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
  preAuthorizedApplications?: Array<{ appId: string }>;
}

const apiManifest = readJson<AadManifest>('aad.manifest.json');
const browserManifest = readJson<AadManifest>(BROWSER_AAD_MANIFEST);
const local = readEnv('local');

let sim: RunningSimulator;
let dataDir: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'caseroom-redirects-'));
  sim = await startSimulator({ dataDir });
  await seedDemoTenant(sim, [local.TAB_ENDPOINT]);
});
afterAll(async () => {
  await sim?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('sign-in redirect URIs', () => {
  it('the browser registration, the tab and the simulator name the same spa redirect URI', async () => {
    const declared = browserManifest.replyUrlsWithType.filter((reply) => reply.type === 'Spa').map((reply) => reply.url);
    expect(declared).toEqual([`${TAB_ENDPOINT_PLACEHOLDER}${SIGN_IN_REDIRECT_PATH}`]);
    // The tab asks MSAL to come back to exactly that path under its own origin (TAB_ENDPOINT).
    expect(readText('tab/shell/auth.ts')).toContain('redirectUri: `${window.location.origin}${SIGN_IN_REDIRECT_PATH}`');
    const registered = (await sim.admin.state()).apps[SIMULATOR_BROWSER_CLIENT_ID];
    expect(registered.spaRedirectUris).toEqual([`${local.TAB_ENDPOINT}${SIGN_IN_REDIRECT_PATH}`]);
    expect(registered.redirectUris).toEqual([]);
  });

  it('the redirect page is one the tab serves', () => {
    expect(SIGN_IN_REDIRECT_PATH).toMatch(/^\/tab\//);
    const served = readText('src/parts/tab.ts').match(/for \(const entry of (\[[^\]]+\])/)?.[1] ?? '[]';
    expect(JSON.parse(served.replace(/'/g, '"')).map((entry: string) => `/tab${entry}`)).toContain(SIGN_IN_REDIRECT_PATH);
  });

  it('neither registration enables the implicit grant, and the simulator registers the browser without it', async () => {
    for (const manifest of [apiManifest, browserManifest]) {
      expect(manifest.oauth2AllowImplicitFlow).toBe(false);
      expect(manifest.oauth2AllowIdTokenImplicitFlow).toBe(false);
    }
    expect(declaredBrowserApp().implicitGrant).toEqual({ enableAccessTokenIssuance: false, enableIdTokenIssuance: false });
    expect((await sim.admin.state()).apps[SIMULATOR_BROWSER_CLIENT_ID].implicitGrant).toEqual({ enableAccessTokenIssuance: false, enableIdTokenIssuance: false });
  });

  it('the app that holds the Graph permissions has no redirect URI, here or in the simulator', async () => {
    expect(apiManifest.replyUrlsWithType).toEqual([]);
    const caseRoom = (await sim.admin.state()).apps[SIMULATOR_CLIENT_ID];
    expect(caseRoom.redirectUris).toEqual([]);
    expect(caseRoom.spaRedirectUris ?? []).toEqual([]);
  });

  it("the browser registration asks for CaseRoom's API scope and no Graph permission beyond sign-in, and is pre-authorised by the API", () => {
    const byResource = Object.fromEntries(browserManifest.requiredResourceAccess.map((entry) => [entry.resourceAppId, entry.resourceAccess]));
    expect(byResource['${{AAD_APP_CLIENT_ID}}']).toEqual([{ id: '${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}', type: 'Scope' }]);
    expect(byResource['Microsoft Graph'].map((access) => access.id).sort()).toEqual(['offline_access', 'openid', 'profile']);
    expect(apiManifest.preAuthorizedApplications?.map((app) => app.appId)).toContain(browserManifest.appId);
  });

  it('teamsapp.yml creates the browser registration and renders its manifest; the local env names the simulator one', () => {
    const provision = readLifecycle('teamsapp.yml').provision ?? [];
    expect(provision.some((step) => step.uses === 'aadApp/create' && step.writeToEnvironmentFile?.clientId === 'AAD_BROWSER_APP_CLIENT_ID')).toBe(true);
    expect(provision.some((step) => step.uses === 'aadApp/update' && step.with?.manifestPath === `./${BROWSER_AAD_MANIFEST}`)).toBe(true);
    expect(local.AAD_BROWSER_APP_CLIENT_ID).toBe(SIMULATOR_BROWSER_CLIENT_ID);
  });
});
