import { authentication } from '@microsoft/teams-js';
import { initTeams } from './teams';
import { loadSettings } from './settings';

/**
 * Bearer tokens for the API. Inside Teams: SSO (`authentication.getAuthToken`). Outside: an
 * implicit-flow redirect to the identity provider (the simulator's sign-in page locally) that
 * comes back to /tab/auth-end.html with `#access_token=…`; the token lives in sessionStorage.
 */
const TOKEN_KEY = 'caseroom.token';
const SIGNIN_KEY = 'caseroom.signin';

interface StoredToken {
  token: string;
  exp: number;
}

function decodeExp(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof payload.exp === 'number' ? payload.exp : 0;
  } catch {
    return 0;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, exp: decodeExp(token) } satisfies StoredToken));
}

function storedToken(): string | null {
  const raw = sessionStorage.getItem(TOKEN_KEY);
  if (!raw) return null;
  try {
    const t = JSON.parse(raw) as StoredToken;
    return t.exp * 1000 - 60_000 > Date.now() ? t.token : null;
  } catch {
    return null;
  }
}

export function takeSignInState(): { state: string; returnTo: string } | null {
  const raw = sessionStorage.getItem(SIGNIN_KEY);
  sessionStorage.removeItem(SIGNIN_KEY);
  return raw ? (JSON.parse(raw) as { state: string; returnTo: string }) : null;
}

/** Leaves the page for the sign-in page; resolves never. */
export async function redirectToSignIn(selectAccount = false): Promise<never> {
  const settings = await loadSettings();
  const state = crypto.randomUUID();
  sessionStorage.setItem(SIGNIN_KEY, JSON.stringify({ state, returnTo: window.location.href }));
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('response_type', 'token');
  url.searchParams.set('redirect_uri', `${window.location.origin}/tab/auth-end.html`);
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('response_mode', 'fragment');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', crypto.randomUUID());
  if (selectAccount) url.searchParams.set('prompt', 'select_account');
  window.location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

export function signOut(): Promise<never> {
  sessionStorage.removeItem(TOKEN_KEY);
  return redirectToSignIn(true);
}

export async function getToken(): Promise<string> {
  if (await initTeams()) return authentication.getAuthToken();
  return storedToken() ?? redirectToSignIn();
}

export async function canSignOut(): Promise<boolean> {
  return !(await initTeams());
}
