import { app } from '@microsoft/teams-js';

/**
 * Teams hosts tabs in an iframe (web, desktop) or a webview with a native bridge (mobile).
 * Anywhere else (a guest in a browser, local use) teams-js is not initialised at all.
 */
let ready: Promise<boolean> | null = null;

function maybeHosted(): boolean {
  if (new URLSearchParams(window.location.search).get('inTeams') === '0') return false;
  const native = (window as unknown as { nativeInterface?: unknown }).nativeInterface;
  return window.self !== window.top || native !== undefined;
}

export function initTeams(timeoutMs = 4000): Promise<boolean> {
  ready ??= maybeHosted()
    ? Promise.race([
        app.initialize().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs)),
      ])
    : Promise.resolve(false);
  return ready;
}

/** What a Teams deep link asked the tab to open (its `context.subEntityId`); null outside Teams. */
export async function teamsSubPageId(): Promise<string | null> {
  if (!(await initTeams())) return null;
  try {
    return (await app.getContext()).page.subPageId || null;
  } catch {
    return null;
  }
}

/** The locale Teams reports for the user (inside Teams), else the browser's. */
export async function detectReaderLocale(): Promise<string | undefined> {
  const browser = typeof navigator === 'undefined' ? undefined : navigator.language;
  if (!(await initTeams())) return browser;
  try {
    return (await app.getContext()).app.locale || browser;
  } catch {
    return browser;
  }
}
