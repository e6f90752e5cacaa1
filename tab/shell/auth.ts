import { BrowserCacheLocation, CacheLookupPolicy, type IPublicClientApplication, PublicClientApplication } from '@azure/msal-browser';
import { authentication } from '@microsoft/teams-js';
import { SIGN_IN_REDIRECT_PATH } from '../../src/contract/tab-settings';
import { initTeams } from './teams';
import { loadSettings } from './settings';

/**
 * Bearer tokens for the API. Inside Teams: SSO (`authentication.getAuthToken`). Outside: MSAL's
 * redirect flow, authorization code + PKCE, with the browser's own public-client registration and
 * CaseRoom's API scope only; MSAL keeps its cache in sessionStorage. The identity provider sends
 * the browser back to SIGN_IN_REDIRECT_PATH, where MSAL (started by every page of the tab) takes
 * the answer and returns to the page that asked.
 */
let client: Promise<IPublicClientApplication> | null = null;

function signInClient(): Promise<IPublicClientApplication> {
  client ??= (async () => {
    const { signIn } = await loadSettings();
    const msal = new PublicClientApplication({
      auth: {
        clientId: signIn.clientId,
        authority: signIn.authority,
        // The endpoints come with the settings: no instance discovery or OpenID metadata fetch.
        knownAuthorities: signIn.knownAuthorities,
        authorityMetadata: JSON.stringify(signIn.endpoints),
        redirectUri: `${window.location.origin}${SIGN_IN_REDIRECT_PATH}`,
      },
      cache: { cacheLocation: BrowserCacheLocation.SessionStorage },
    });
    await msal.initialize();
    // On the redirect page this redeems the code, or takes the browser back to where sign-in started.
    const result = await msal.handleRedirectPromise();
    if (result?.account) msal.setActiveAccount(result.account);
    return msal;
  })();
  return client;
}

/** Outside Teams: finishes a sign-in coming back from the identity provider before the page renders. */
export async function completeSignInRedirect(): Promise<void> {
  if (!(await initTeams())) await signInClient();
}

/** Leaves the page for the sign-in page; resolves never. */
async function redirectToSignIn(selectAccount: boolean): Promise<never> {
  const [msal, { scope }] = await Promise.all([signInClient(), loadSettings()]);
  await msal.acquireTokenRedirect({ scopes: [scope], redirectStartPage: window.location.href, ...(selectAccount ? { prompt: 'select_account' } : {}) });
  return new Promise<never>(() => undefined);
}

export async function signOut(): Promise<never> {
  const msal = await signInClient();
  // Forget this browser's accounts and tokens here; the identity provider's session is left alone.
  await msal.clearCache();
  return redirectToSignIn(true);
}

export async function getToken(): Promise<string> {
  if (await initTeams()) return authentication.getAuthToken();
  const [msal, { scope }] = await Promise.all([signInClient(), loadSettings()]);
  const account = msal.getActiveAccount() ?? msal.getAllAccounts()[0];
  if (account) {
    try {
      // Cache and refresh token only: a hidden iframe to the identity provider would need frame-src.
      return (await msal.acquireTokenSilent({ scopes: [scope], account, cacheLookupPolicy: CacheLookupPolicy.AccessTokenAndRefreshToken })).accessToken;
    } catch {
      // Expired without a refresh token, or consent withdrawn: sign in again.
    }
  }
  return redirectToSignIn(false);
}

export async function canSignOut(): Promise<boolean> {
  return !(await initTeams());
}
