/**
 * From an empty tenant to a working firm, on the production build (package.json "serve", compiled,
 * in a child process) against the strict simulator with no demo data in the store: a Global
 * Administrator completes first-run set-up in the browser; a partner creates a client and a case,
 * uploads a document and shares it with a guest invited through B2B; the guest accepts, signs in
 * with code + PKCE in a second browser and opens it in the portal; the bot posts the card in the
 * case channel. A tenant member outside the staff group gets the 403 page, and a staff member
 * walled off the case finds it neither in the tab, nor through the API (404), nor through the bot.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import { DEMO_DIRECTORY, DEMO_SENDER_MAILBOX } from '../../src/demo/demo-data';
import type { ChannelLog, StoredActivity } from '../../src/m365-simulator/connector/state';
import { type RunningSimulator, startSimulator } from '../../src/m365-simulator';
import { demoCasesTeam, registerCaseRoomApp, seedDemoTenant } from '../../scripts/local-tenant';
import { cardOf, cardText } from '../bot/harness';
import { freePort } from '../support/free-port';
import type { SharePointAccessOfCase } from '../../src/contract';
import { type Child, REPO_ROOT, spawnNode, until } from '../stress/support/child';
import { api, CHROMIUM, CHROMIUM_ARGS, requireChromium, screenshot, waitForApiToken } from './harness';

jest.setTimeout(900_000);

const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const person = (name: string) => {
  const found = DEMO_DIRECTORY.find((p) => p.name === name);
  if (!found) throw new Error(`${name} is not in the demo directory`);
  return found;
};
const ALEX = person('Alex Hartley');
const SAM = person('Sam Lee');
const GUEST = { name: 'Gina Guestly', email: 'gina.guestly@client.example' };
const DOCUMENT = 'Engagement letter.pdf';
const UPLOADED_TEXT = '%PDF-1.7\nengagement letter\n';
const CASE_NUMBER = 'E2E-2026-001';
const CASE_TITLE = 'Guestly v. Northwind (first case)';
/** Generous: the machine is shared and the app is a separate process with its own outbox timer. */
const SLOW = 120_000;

let sim: RunningSimulator | null = null;
let child: Child | null = null;
let browser: Browser | null = null;
let dataDir = '';
let url = '';
const contexts: BrowserContext[] = [];
/** Every Content-Security-Policy refusal any page reported (the tab runs under its CSP, and nothing it needs may be refused). */
const cspViolations: string[] = [];

beforeAll(async () => {
  requireChromium();
  // `npm run build` as serve.test.ts runs it: the tab bundle, then the server, into dist/.
  const run = promisify(execFile);
  await run(process.execPath, ['scripts/build-tab.mjs'], { cwd: REPO_ROOT });
  await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });

  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'caseroom-e2e-'));
  sim = await startSimulator({ dataDir: path.join(dataDir, 'sim') });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The tenant's directory, staff group and the browser's registration; the app's store stays empty.
  await seedDemoTenant(sim, [url]);
  await registerCaseRoomApp(sim, `${url}/api/messages`);
  await sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Iris Admin', mail: 'iris.admin@hartleymoss.example', roleTemplateIds: [GLOBAL_ADMINISTRATOR] });
  await sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Olly Outsider', mail: 'olly.outsider@hartleymoss.example' });
  const state = await sim.admin.state();
  const staffGroup = Object.values(state.groups).find((g) => g.displayName === 'Hartley & Moss staff');
  const iris = Object.values(state.users).find((u) => u.displayName === 'Iris Admin');
  if (!staffGroup || !iris) throw new Error('the seeded tenant has no staff group or no Iris Admin');
  await sim.admin.addGroupMember(staffGroup.id, iris.id);

  const [node, ...args] = (JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve.split(' ');
  expect(node).toBe('node');
  child = spawnNode(args, {
    NODE_ENV: 'production',
    M365_MODE: 'simulator',
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    DATA_DIR: path.join(dataDir, 'app'),
    M365_SPOOL_DIR: path.join(dataDir, 'app'),
    DATABASE_URL: undefined, // the embedded store, whatever the test run's environment holds
    SIMULATOR_URL: sim.httpsUrl,
    SIMULATOR_SIGN_IN_URL: sim.httpUrl,
    M365_CA_CERT_FILE: sim.caCertPath,
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
  });
  await until('the production build answering /healthz', SLOW, async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200, child);
  // The tenant's admin adds CaseRoom to the Cases team (the bot answers now), as docs/deploy.md says.
  await demoCasesTeam(sim);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}, 600_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (child) {
    const c = child;
    await Promise.race([c.kill('SIGTERM'), new Promise((r) => setTimeout(r, 15_000)).then(() => c.kill('SIGKILL'))]);
  }
  await sim?.close().catch(() => undefined);
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
}, 120_000);

/** A fresh browser session signed in as `name` on the simulator's sign-in page (code + PKCE through MSAL). */
async function signIn(name: string, startPath: string): Promise<Page> {
  const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await context.exposeBinding('reportViolation', (_source, text: string) => void cspViolations.push(`${name}: ${text}`));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  const page = await context.newPage();
  await page.goto(`${url}${startPath}`);
  await page.waitForURL((u) => u.href.startsWith((sim as RunningSimulator).httpUrl), { timeout: SLOW });
  const authorize = new URL(page.url());
  expect([authorize.searchParams.get('response_type'), authorize.searchParams.get('code_challenge_method')]).toEqual(['code', 'S256']);
  await page
    .getByRole('button', { name: new RegExp(name) })
    .first()
    .click();
  await page.waitForURL((u) => u.href.startsWith(`${url}${startPath.split(/[?#]/)[0]}`) && !u.hash.includes('code='), { timeout: SLOW });
  await waitForApiToken(page);
  return page;
}

/** An API call from inside the page with its token, answering the status instead of throwing. */
async function apiStatus(page: Page, method: string, apiPath: string): Promise<number> {
  const token = await waitForApiToken(page);
  return page.evaluate(async ({ method, apiPath, token }) => (await fetch(`/api${apiPath}`, { method, headers: { Authorization: `Bearer ${token}` } })).status, { method, apiPath, token });
}

async function connectorAdmin<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${(sim as RunningSimulator).httpUrl}/botconnector/_admin${p}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

interface CaseAnswer {
  id: string;
  number: string;
  channelId: string | null;
  folderItemId: string | null;
  provisioning: string;
}

let caseId = '';
let documentId = '';
let channelId = '';
let alexPage: Page;

test('a Global Administrator completes first-run set-up in the browser', async () => {
  const page = await signIn('Iris Admin', '/tab/firm/clients');
  const form = page.getByRole('form', { name: 'Set up CaseRoom' });
  await form.waitFor({ timeout: SLOW });
  await page.getByLabel('Firm name').fill('Hartley & Moss LLP');
  const team = page.getByRole('checkbox', { name: 'Hartley & Moss LLP Cases' });
  await team.waitFor({ timeout: SLOW });
  if (!(await team.isChecked())) await team.check();
  await page.getByLabel('Find a security group by the start of its name').fill('Hartley');
  await page.getByRole('button', { name: 'Find groups' }).click();
  await page.getByRole('radio', { name: 'Hartley & Moss staff' }).check({ timeout: SLOW });
  await page.getByLabel('CaseRoom admins (sign-in names, one per line)').fill(ALEX.email);
  await page.getByLabel("Mailbox guests' e-mail goes out from").fill(DEMO_SENDER_MAILBOX);
  await page.getByRole('button', { name: 'Check mailbox' }).click();
  await page.getByText(/is a mailbox of your organisation/).waitFor({ timeout: SLOW });
  await page.getByRole('button', { name: 'Complete set-up' }).click();
  await page.getByText('CaseRoom is set up. Staff can use it now.').waitFor({ timeout: SLOW });
  await screenshot(page, 'e2e-setup-done');
  const me = await api<{ role: string; firm: { name: string } }>(page, 'GET', '/me');
  expect(me).toMatchObject({ role: 'admin', firm: { name: 'Hartley & Moss LLP' } });
});

test('a partner creates a client and a case, uploads a document and shares it with an invited guest', async () => {
  alexPage = await signIn('Alex Hartley', '/tab/firm/clients');
  await alexPage.getByRole('navigation', { name: 'Firm pages' }).waitFor({ timeout: SLOW });
  // The client through the clients page; the case through the API (the firm pages have no new-case screen: a case's channel tab is where it is worked on).
  await alexPage.getByLabel('New client name').fill('Guestly Holdings');
  await alexPage.getByRole('button', { name: 'Add client' }).click();
  const client = await until('the new client', SLOW, async () => (await api<Array<{ id: string; name: string }>>(alexPage, 'GET', '/clients')).find((c) => c.name === 'Guestly Holdings'));
  const created = await api<CaseAnswer>(alexPage, 'POST', '/cases', { clientId: client.id, number: CASE_NUMBER, title: CASE_TITLE });
  caseId = created.id;
  const ready = await until(
    `case ${CASE_NUMBER} provisioned (channel and folder)`,
    SLOW * 2,
    async () => {
      const c = await api<CaseAnswer>(alexPage, 'GET', `/cases/${caseId}`);
      return c.provisioning === 'ready' && c.channelId && c.folderItemId ? c : null;
    },
    child ?? undefined,
  );
  channelId = ready.channelId as string;

  // The document, uploaded through the case tab's Documents panel.
  await alexPage.goto(`${url}/tab/case?caseId=${caseId}`);
  await alexPage.getByRole('heading', { name: new RegExp(CASE_TITLE.replace(/[()]/g, '\\$&')) }).waitFor({ timeout: SLOW });
  await alexPage.getByRole('tab', { name: 'Documents' }).click();
  await alexPage.getByTestId('file-input').setInputFiles({ name: DOCUMENT, mimeType: 'application/pdf', buffer: Buffer.from(UPLOADED_TEXT) });
  await alexPage.locator(`[data-testid=doc-node][data-title="${DOCUMENT}"]`).first().waitFor({ timeout: SLOW });
  await screenshot(alexPage, 'e2e-staff-upload');
  const item = await until(
    `${DOCUMENT} in the case's items`,
    SLOW,
    async () => (await api<{ items: Array<{ id: string; title: string }> }>(alexPage, 'GET', `/cases/${caseId}/items`)).items.find((i) => i.title === DOCUMENT),
    child ?? undefined,
  );

  documentId = item.id;

  // The guest: a contact with portal access (a B2B invitation), linked to the case, who accepts.
  const contact = await api<{ id: string }>(alexPage, 'POST', '/contacts', { email: GUEST.email, name: GUEST.name, kind: 'client', clientId: client.id });
  await api(alexPage, 'POST', `/cases/${caseId}/links`, { contactId: contact.id });
  await api(alexPage, 'PUT', `/contacts/${contact.id}/portal-access`, { enabled: true, reason: 'client of the case' });
  const guestUserId = await until('the B2B invitation sent (the guest user exists)', SLOW, async () => (await api<{ guestUserId: string | null }>(alexPage, 'GET', `/contacts/${contact.id}`)).guestUserId, child ?? undefined);
  await (sim as RunningSimulator).admin.acceptInvitation(guestUserId);
  await api(alexPage, 'POST', '/shares', { contactIds: [contact.id], itemIds: [item.id], reason: 'for review' });
  // The portal's download asks SharePoint with the guest's own token, so it works once the share's
  // sync job has given her the permission there: what the staff Access page shows as in sync.
  await until(
    `${DOCUMENT} held by ${GUEST.name} in SharePoint`,
    SLOW,
    async () => (await api<SharePointAccessOfCase>(alexPage, 'GET', `/cases/${caseId}/access/sharepoint`)).rows.some((r) => r.contactId === contact.id && r.itemId === item.id && r.held !== null && r.status === 'in-sync'),
    child ?? undefined,
  );
});

test('the guest signs in with code + PKCE in a second browser and opens the document in the portal', async () => {
  const page = await signIn(GUEST.name, '/tab/portal');
  await page.locator('[data-testid=portal-case-card]').first().waitFor({ timeout: SLOW });
  await page.getByText(CASE_TITLE).first().click();
  const row = page.getByTestId('guest-document').filter({ hasText: DOCUMENT });
  await row.waitFor({ timeout: SLOW });
  const opened = page.waitForResponse((res) => res.url().includes(`/api/portal/cases/${caseId}/documents/${documentId}/content`), { timeout: SLOW });
  await page.getByRole('button', { name: `Preview ${DOCUMENT}` }).click();
  expect((await opened).status()).toBe(200);
  // What the portal fetched is the uploaded file itself (read again in the page: Playwright keeps no body of a response the page consumed as a blob).
  const fetched = await page.evaluate(
    async ({ path, token }) => {
      const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    },
    { path: `/api/portal/cases/${caseId}/documents/${documentId}/content`, token: await waitForApiToken(page) },
  );
  expect(fetched).toEqual({ status: 200, type: 'application/pdf', text: UPLOADED_TEXT });
  // The preview shows it (a PDF in a frame of the fetched blob): nothing refused by the CSP.
  await page.getByTitle(`Preview of ${DOCUMENT}`).waitFor({ timeout: SLOW });
  await screenshot(page, 'e2e-guest-document');
  expect(cspViolations).toEqual([]);
});

test('the bot posts the card about the document in the case channel', async () => {
  const texts = await until(
    `a card naming ${DOCUMENT} in the case channel`,
    SLOW * 2,
    async () => {
      const res = await connectorAdmin<ChannelLog>('GET', `/channels/${encodeURIComponent(channelId)}`);
      if (res.status !== 200) return null;
      const all = res.body.threads.flatMap((t) => t.activities).map((a: StoredActivity) => cardText(cardOf(a)));
      return all.some((t) => t.includes(DOCUMENT)) ? all : null;
    },
    child ?? undefined,
  );
  // The share card: who shared what with whom (the guest accepted in Entra; CaseRoom learns it at their first sign-in).
  expect(texts.find((t) => t.includes(DOCUMENT))).toMatch(new RegExp(`Shared with a guest.*${CASE_NUMBER}.*${ALEX.name} shared 1 item with ${GUEST.name}`));
});

test('a tenant member outside the staff group gets the 403 page', async () => {
  const page = await signIn('Olly Outsider', '/tab/firm/clients');
  await page.getByText("You are not on CaseRoom's staff", { exact: true }).waitFor({ timeout: SLOW });
  await expect(page.getByText(/sign-in has expired/i).count()).resolves.toBe(0);
  expect(await apiStatus(page, 'GET', '/cases')).toBe(403);
});

test('a staff member walled off the case finds it neither in the tab, nor through the API, nor through the bot', async () => {
  const sam = await signIn('Sam Lee', '/tab/firm/clients');
  await sam.getByRole('navigation', { name: 'Firm pages' }).waitFor({ timeout: SLOW });
  // Before the wall Sam sees it on the clients page and through the API, so what follows is the wall's doing.
  await sam.getByText(CASE_TITLE).first().waitFor({ timeout: SLOW });
  expect(await apiStatus(sam, 'GET', `/cases/${caseId}`)).toBe(200);
  const staffList = await api<Array<{ id: string; name: string }>>(alexPage, 'GET', '/staff');
  const alexStaff = staffList.find((s) => s.name === ALEX.name);
  expect(alexStaff).toBeDefined();
  await api(alexPage, 'PUT', `/cases/${caseId}/wall`, { staffIds: [alexStaff?.id], reason: 'Sam acted for the other side' });

  await sam.reload();
  await sam.getByText('Guestly Holdings').first().waitFor({ timeout: SLOW });
  expect(await sam.getByText(CASE_TITLE).count()).toBe(0);
  expect((await api<Array<{ id: string }>>(sam, 'GET', '/cases')).map((c) => c.id)).not.toContain(caseId);
  expect(await apiStatus(sam, 'GET', `/cases/${caseId}`)).toBe(404);
  await sam.goto(`${url}/tab/case?caseId=${caseId}`);
  await sam.getByText(/This case does not exist in CaseRoom/).waitFor({ timeout: SLOW });
  expect(await sam.getByText(CASE_TITLE).count()).toBe(0);

  // The bot, in Sam's 1:1 chat: `status <case number>` finds nothing; Alex, inside the wall, gets the status.
  const askBot = async (userId: string, text: string): Promise<string> => {
    const chat = async () => {
      const res = await connectorAdmin<{ activities: StoredActivity[] }>('GET', `/personal/${userId}`);
      return res.status === 200 ? res.body.activities : [];
    };
    const before = (await chat()).length;
    expect((await connectorAdmin('POST', `/personal/${userId}/messages`, { text })).status).toBe(201);
    return until(
      `the bot's answer to "${text}"`,
      SLOW,
      async () => {
        // Only the answer to this question (a welcome on install may come in between).
        const answers = (await chat()).slice(before).filter((a) => a.from.role === 'bot');
        const text = answers.map((a) => (cardOf(a) ? cardText(cardOf(a)) : (a.text ?? ''))).join('\n');
        return /No case of your firm|Case status/.test(text) ? text : null;
      },
      child ?? undefined,
    );
  };
  for (const userId of [SAM.userId, ALEX.userId]) await (sim as RunningSimulator).admin.installAppForUser(userId, SIMULATOR_TEAMS_APP_ID);
  const samAnswer = await askBot(SAM.userId, `status ${CASE_NUMBER}`);
  expect(samAnswer).toContain(`No case of your firm has the number or title ${CASE_NUMBER}`);
  expect(samAnswer).not.toContain(CASE_TITLE);
  expect(await askBot(ALEX.userId, `status ${CASE_NUMBER}`)).toContain('Case status');
});
