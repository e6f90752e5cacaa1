import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';
import { parse } from 'yaml';
import { botPart } from '../../src/parts/bot';
import { type AppPart, definePart } from '../../src/app-part';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import { checkCards } from './card-validator';
import { cardText } from './harness';
import { freshPglite } from '../support/db';
import { createTestIdentity, TEST_STAFF_GROUP } from '../support/tokens';
import { completeSetupInStore } from '../support/app';

/**
 * Microsoft 365 Agents Playground, headless, as a second and independent Teams client: its own
 * mocked connector, its own activities, driven through its HTTP API with the project's
 * .m365agentsplayground.yml. Skipped (with the reason) when the package is not installed.
 */

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin/agentsplayground');

interface MockConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: { id: string; name: string; aadObjectId: string };
  team: { id: string; channels: Array<{ id: string; name: string }> };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** What the playground streams for each message (its own shape, not a Bot Framework activity). */
type PlaygroundMessage = { messageId: string; from?: { id: string }; attachments?: Array<{ contentType: string; content: unknown }>; directLineConversationId?: string };

let available = true;
let app: RunningApp;
let db: Db;
let playground: ChildProcess;
let base: string;
let ws: WebSocket;
let mock: MockConfig;
const received: PlaygroundMessage[] = [];
let guestName: string;

beforeAll(async () => {
  available = await fs.access(BIN).then(
    () => true,
    () => false,
  );
  if (!available) return;
  mock = parse(await fs.readFile(path.join(ROOT, '.m365agentsplayground.yml'), 'utf8')) as MockConfig;
  const caseChannel = mock.team.channels[0];

  // The app, with the firm and staff member the mock data names, and a case bound to the mock channel.
  db = await freshPglite();
  const appPort = await freePort();
  const config = loadConfig({ SIMULATOR_URL: 'https://simulator.invalid', PORT: String(appPort), SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test', M365_TENANT_ID: mock.tenantId, BOT_AUTH: 'off' });
  const stub = definePart({
    name: 'm365',
    build: (): AppPart =>
      ({ name: 'm365', handlers: { 'provision-case': async () => undefined, 'invite-guest': async () => undefined, 'sync-guest-access': async () => undefined }, routes: [], activityFeed: { notifyGuest: async () => undefined } }) as AppPart,
  });
  app = await startCaseRoom({ config, db, verify: (await createTestIdentity(mock.tenantId)).verify, parts: [stub, botPart({ expiryScanMs: 0 })], startWorker: false });
  const repo = new Repo(db);
  const firm = await repo.insertFirm({ tenantId: mock.tenantId, name: 'Hartley & Moss' });
  await completeSetupInStore(db, firm.id, { name: firm.name, staffGroupId: TEST_STAFF_GROUP, admins: [{ userId: mock.currentUser.aadObjectId, name: 'Firm admin', upn: 'admin@firm.example' }] });
  const staff = await repo.insertStaff({ firmId: firm.id, userId: mock.currentUser.aadObjectId, name: mock.currentUser.name, email: 'alex@firm.example', phone: null, title: null });
  const actor = { kind: 'staff' as const, firmId: firm.id, staffId: staff.id, userId: staff.userId, name: staff.name, role: staff.role };
  const client = await app.services.sharing.createClient(actor, { name: 'John Smith' });
  const c = await app.services.sharing.createCase(actor, { clientId: client.id, number: 'PI-2026-014', title: 'Smith v. Metro Transit', assignedStaffId: staff.id, budgetCents: null });
  await repo.setCaseProvisioned(c.id, { teamId: randomUUID(), channelId: caseChannel.id, driveId: 'd', folderItemId: 'f' });
  guestName = 'John Smith';
  const contact = await app.services.sharing.createContact(actor, { email: 'john@mail.example', name: guestName, kind: 'client', phone: null, clientId: client.id });
  await repo.setPortalAccess(contact.id, true);
  await repo.setInvitation(contact.id, 'pending', randomUUID());
  await app.services.sharing.link(actor, c.id, contact.id);
  await app.services.sharing.grant(actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });

  // The playground reads ./.m365agentsplayground.yml and writes ./devTools: run it in a scratch directory.
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'caseroom-playground-'));
  await fs.copyFile(path.join(ROOT, '.m365agentsplayground.yml'), path.join(cwd, '.m365agentsplayground.yml'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  playground = spawn(BIN, ['-e', `${app.url}/api/messages`, '-c', 'msteams', '--disable-telemetry', '-p', String(port)], { cwd, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', NODE_OPTIONS: '' }, stdio: 'ignore' });
  for (let i = 0; ; i++) {
    const pong = await fetch(`${base}/_debug/ping`).then(
      (r) => r.text(),
      () => '',
    );
    if (pong.includes('pong')) break;
    if (i > 100) throw new Error('Agents Playground did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  ws = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
  ws.addEventListener('message', (event) => {
    const parsed = JSON.parse(String(event.data)) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const item of list as Array<Record<string, unknown>>) received.push((item.message ?? item.data ?? item) as PlaygroundMessage);
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('websocket failed')));
  });
}, 60_000);

afterAll(async () => {
  ws?.close();
  playground?.kill('SIGTERM');
  await app?.close();
  await db?.close();
});

const waitFor = async <T>(find: () => T | undefined, what: string, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const cardIn = (m: PlaygroundMessage) => (m.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

it('"@CaseRoom who has access" in the mocked case channel answers with the right card, and its button round-trips', async () => {
  if (!available) {
    console.warn('Agents Playground is not installed (npm i -D @microsoft/m365agentsplayground); skipped');
    return;
  }
  const channelId = mock.team.channels[0].id;
  const mention = `<at>${mock.bot.name}</at>`;
  const sent = await fetch(`${base}/_conversation/v1/conversations/${encodeURIComponent(channelId)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: { id: mock.currentUser.id }, text: `${mention} who has access`, textFormat: 'plain', mentions: [{ mentioned: { id: mock.bot.id }, text: mention }] }),
  });
  expect(sent.status).toBe(200);
  const answer = await waitFor(() => received.find((m) => cardIn(m) && cardText(cardIn(m)).includes('Who has access')), 'the who-has-access card');
  const card = cardIn(answer) as { actions: Array<{ verb?: string; data?: unknown }> };
  expect(cardText(card)).toContain(`${guestName} · client — PI-2026-014: documents`);
  expect(cardText(card)).toContain('pending (invitation not accepted)');

  const refresh = card.actions.find((a) => a.verb === 'access.refresh')!;
  const invoked = await fetch(`${base}/_conversation/v1/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: refresh.verb, data: refresh.data }, trigger: 'manual' },
      from: { id: mock.currentUser.id },
      conversation: { id: answer.directLineConversationId ?? channelId },
      replyToId: answer.messageId,
    }),
  });
  // The playground answers with the bot's invoke response body (and swaps the card it shows).
  const response = (await invoked.json()) as { statusCode?: number; type?: string; value?: unknown; code?: string; message?: string };
  expect([invoked.status, invoked.status === 200 ? '' : JSON.stringify(response)]).toEqual([200, '']);
  expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardText(response.value)).toContain(`${guestName} · client — PI-2026-014: documents`);
  const checks = checkCards([card, response.value]);
  expect(checks.flatMap((c) => [...c.parseErrors, ...c.validationErrors])).toEqual([]);
}, 60_000);
