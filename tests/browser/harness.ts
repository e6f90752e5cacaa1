/**
 * Browser-test harness: the local Microsoft 365 simulator, the real app (demo firm seeded,
 * Microsoft 365 + bot + tab parts), and Debian's Chromium driven by playwright-core.
 */
import { existsSync, mkdirSync, promises as fs, readFileSync } from 'node:fs';
import { freePort } from '../support/free-port';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PartFactory } from '../../src/app-part';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { loadConfig } from '../../src/config';
import { tabPart } from '../../src/parts/tab';
import { type RunningSimulator, startSimulator } from '../../src/m365-simulator';
import { demoCasesTeam, registerCaseRoomApp, seedDemoTenant } from '../../scripts/local-tenant';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = path.resolve(__dirname, '../../test-artifacts/screenshots');

export interface Harness {
  sim: RunningSimulator;
  app: RunningApp;
  browser: Browser;
  url: string;
  /** Why pointing the simulator's Bot Connector at the app failed, if it did. */
  botProblem: string | null;
  /** A fresh browser session signed in as `name` (through the simulator's sign-in page); `locale` is the browser's language (default en-US). */
  signIn(name: string, startPath: string, viewport?: { width: number; height: number }, locale?: string): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with: apt-get update && apt-get install -y chromium (CI's .ci/run does this).`);
  }
}

/** The product's parts, loaded when needed so a half-built part names itself in the failure. */
function productParts(): PartFactory[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  const { microsoft365Part } = require('../../src/parts/m365') as typeof import('../../src/parts/m365');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
  const { botPart } = require('../../src/parts/bot') as typeof import('../../src/parts/bot');
  return [microsoft365Part(), botPart()];
}

export async function startHarness(options: { parts?: PartFactory[] } = {}): Promise<Harness> {
  requireChromium();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'caseroom-browser-'));
  const sim = await startSimulator({ dataDir: path.join(dataDir, 'sim') });
  // The app's port is chosen first so the simulator's Bot Connector knows where the bot listens
  // and the browser's sign-in comes back to the app's own address (its spa redirect URI).
  const port = await freePort();
  await seedDemoTenant(sim, [`http://127.0.0.1:${port}`]);
  await registerCaseRoomApp(sim, `http://127.0.0.1:${port}/api/messages`);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    SIMULATOR_URL: sim.httpsUrl,
    SIMULATOR_SIGN_IN_URL: sim.httpUrl,
    M365_CA_CERT_FILE: sim.caCertPath,
    DATA_DIR: path.join(dataDir, 'app'),
    SEED_DEMO_DATA: 'true',
    LOG_LEVEL: process.env.BROWSER_TEST_LOG ?? 'error',
    OUTBOX_POLL_MS: '100',
  });
  // Browsers sign in on the simulator's plain-HTTP port (SIMULATOR_SIGN_IN_URL); the server checks
  // tokens exactly as `npm start` does, fetching the keys over HTTPS with the simulator's CA.
  const logger = pino({ level: config.logLevel, base: { app: 'caseroom-browser-test' } });
  const app = await startCaseRoom({
    config,
    logger,
    parts: [...(options.parts ?? productParts()), tabPart()],
  });
  // The firm's admin adds CaseRoom to its Cases team (the bot answers now); CaseRoom adopts it and sets up the demo cases there.
  const botProblem = await demoCasesTeam(sim).then(
    () => null,
    (err: unknown) => (err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err)),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    sim,
    app,
    browser,
    url: app.url,
    botProblem,
    async signIn(name, startPath, viewport = { width: 1280, height: 900 }, locale) {
      const context = await browser.newContext({ viewport, locale });
      const page = await context.newPage();
      await page.goto(`${app.url}${startPath}`);
      // The tab redirects to the identity provider's sign-in page, which lists the demo people.
      await page.waitForURL((u) => u.href.startsWith(sim.httpUrl), { timeout: 30_000 });
      await page
        .getByRole('button', { name: new RegExp(name) })
        .first()
        .click();
      // Back on the redirect page (SIGN_IN_REDIRECT_PATH), MSAL redeems the code and returns to the page that asked.
      await page.waitForURL((u) => u.href.startsWith(`${app.url}${startPath.split(/[?#]/)[0]}`) && !u.hash.includes('code='), { timeout: 30_000 });
      await waitForApiToken(page);
      return { context, page };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await app.close().catch(() => undefined);
      await sim.close().catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** GET /api{path} from inside the page, with the token the tab holds (the signed-in person's). */
export const apiGet = <T>(page: Page, path: string): Promise<T> => api<T>(page, 'GET', path);

/** The firm's cases as the signed-in staff member sees them: case number → id. */
export async function caseIdsByNumber(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries((await apiGet<Array<{ id: string; number: string }>>(page, '/cases')).map((c) => [c.number, c.id]));
}

const AXE_SOURCE = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html: string }>;
}

/** axe-core's serious and critical findings on the page exactly as it is now. */
async function axeNow(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>: the tab's CSP forbids those.
  await page.evaluate(AXE_SOURCE());
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    // Fluent UI's focus manager (tabster) puts invisible focus sentinels (<i data-tabster-dummy>) at
    // the edges of focus zones; they forward focus at once and carry no content, so they are left out.
    const result = await axe.run({ exclude: [['[data-tabster-dummy]']] } as unknown as Document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * axe-core's serious and critical findings, once the page has settled: dialogs fade in and buttons
 * change colour through transitions, and contrast mid-fade is not what people see; a closed dialog
 * gives the page back (Fluent takes `aria-hidden` off `#root`) only after its exit animation. A
 * page left hidden with no dialog open is still measured, after the wait, and fails.
 */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 10_000 }).catch(() => undefined);
  await page.waitForFunction(() => document.querySelector('[role=dialog], [role=alertdialog]') !== null || !document.getElementById('root')?.hasAttribute('aria-hidden'), undefined, { timeout: 10_000 }).catch(() => undefined);
  return axeNow(page);
}

/** After each test: a failed test must not leave its dialog over the page for the next one. */
export async function dismissDialogs(page: Page): Promise<void> {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) {
    await page.keyboard.press('Escape');
    await page
      .getByRole('dialog')
      .waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => undefined);
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * The API access token MSAL keeps for the page (its sessionStorage cache holds credentials as JSON
 * entries with `credentialType` and `target`, the scopes), or null before sign-in finished.
 */
export const apiTokenInPage = (page: Page): Promise<string | null> =>
  page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const raw = sessionStorage.getItem(sessionStorage.key(i) ?? '') ?? '';
      if (!raw.includes('"AccessToken"')) continue;
      try {
        const entry = JSON.parse(raw) as { credentialType?: string; target?: string; secret?: string };
        if (entry.credentialType === 'AccessToken' && entry.target?.includes('access_as_user') && entry.secret) return entry.secret;
      } catch {
        // not one of MSAL's entries
      }
    }
    return null;
  });

/** Waits for the signed-in page's API token (MSAL has it once the redirect was handled). */
export async function waitForApiToken(page: Page): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const token = await apiTokenInPage(page);
    if (token) return token;
    if (Date.now() > deadline) throw new Error(`no API token in the page's MSAL cache after sign-in (at ${page.url()})`);
    await page.waitForTimeout(100);
  }
}

/** Calls the API from inside a signed-in page, with that page's token. */
export async function api<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const token = await waitForApiToken(page);
  return page.evaluate(
    async ({ method, path, body, token }) => {
      const res = await fetch(`/api${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    { method, path, body, token },
  ) as Promise<T>;
}
