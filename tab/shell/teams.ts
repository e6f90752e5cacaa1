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

/**
 * A link to one item of the case tab. Inside Teams it is the tab's deep link (the app, the tab's
 * entity and channel from the context, `subEntityId` `item:{id}` as bot/links.ts writes it, and
 * the web address as Teams' own fallback:
 * https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application#deep-link-to-a-tab);
 * outside Teams, or when the context lacks the app id, the web address, which tab/shell/deep-link.ts reads the same way.
 */
export async function itemLink(caseId: string, itemId: string, label: string): Promise<string> {
  const webUrl = `${window.location.origin}/tab/case?${new URLSearchParams({ caseId, itemId }).toString()}`;
  if (!(await initTeams())) return webUrl;
  try {
    const context = await app.getContext();
    const appId = context.app.appId?.toString();
    if (!appId || !context.page.id) return webUrl;
    const query = new URLSearchParams({ webUrl, label, context: JSON.stringify({ subEntityId: `item:${itemId}`, ...(context.channel?.id ? { channelId: context.channel.id } : {}) }) });
    return `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${encodeURIComponent(context.page.id)}?${query.toString()}`;
  } catch {
    return webUrl;
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
