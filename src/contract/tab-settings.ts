/**
 * Where the identity provider sends the browser back after sign-in outside Teams: the guest portal
 * page, which runs MSAL and then returns to the page that asked. It is registered as a `spa`
 * redirect URI (aad.browser.manifest.json, the simulator's registration); tests/packaging checks they agree.
 */
export const SIGN_IN_REDIRECT_PATH = '/tab/portal';

/** The authority's endpoints, handed to MSAL (`authorityMetadata`) so it needs no discovery call. */
export interface AuthorityEndpoints {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
}

/** Public settings the server hands the tab at /tab/settings.json: nothing secret. */
export interface TabSettings {
  appName: string;
  mode: 'simulator' | 'tenant';
  tenantId: string;
  /** Sign-in outside Teams: MSAL's PublicClientApplication, code + PKCE. */
  signIn: {
    /** The browser's public-client registration (not the app that holds CaseRoom's Graph permissions). */
    clientId: string;
    /** e.g. https://login.microsoftonline.com/{tenant} */
    authority: string;
    knownAuthorities: string[];
    endpoints: AuthorityEndpoints;
  };
  /** The delegated scope the API requires, e.g. api://localhost/{clientId}/access_as_user: the only scope the tab asks for. */
  scope: string;
}
