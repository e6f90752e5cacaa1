import { randomUUID } from 'node:crypto';
import { type AppPart, definePart } from '../../src/app-part';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { type AppConfig, loadConfig, SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET } from '../../src/config';
import { adminInstallsCaseRoom, registerCaseRoomApp } from '../../scripts/local-tenant';
import { type ConnectorKnobs, connectorPlugin } from '../../src/m365-simulator/connector';
import type { StoredActivity, Thread } from '../../src/m365-simulator/connector/state';
import { type RunningSimulator, startSimulator } from '../../src/m365-simulator';
import type { Actor } from '../../src/services/context';
import type { Db } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, Staff } from '../../src/store/records';
import type { GuestNotice } from '../../bot/activity-feed';
import { type BotOptions, type BotPart, botPart } from '../../src/parts/bot';
import type { AdaptiveCardJson } from '../../bot/cards';
import { freshPglite } from '../support/db';
import { harnessFetch } from '../support/http';
import { createTestIdentity, TEST_STAFF_GROUP, type TestIdentity } from '../support/tokens';
import { completeSetupInStore } from '../support/app';

/**
 * The bot under test end to end: the simulator (with its Bot Connector plugin) on loopback, the
 * real app with the bot part on loopback, a firm with staff, a case with a channel, guests.
 * The Microsoft 365 part is a stub that only records guest feed notifications: the bot's
 * behaviour is the subject, and provisioning is the gateway's (its own suites cover it).
 */

/** The cases team the firm's admin made and installed CaseRoom in (Graph id); these ids are set by startHarness, as the simulated tenant gives them. */
export let TEAM_ID = '';
/** Its case channels (Graph ids), made by the admin with the team so the bot harness needs no provisioning. */
export let CASE_CHANNEL = '';
export let OTHER_CHANNEL = '';

export interface Harness {
  sim: RunningSimulator;
  app: RunningApp;
  /** The app's settings (its bot identity in the simulated tenant), for tests that build their own botbuilder adapter. */
  config: AppConfig;
  db: Db;
  identity: TestIdentity;
  tenantId: string;
  staff: Staff;
  actor: Extract<Actor, { kind: 'staff' }>;
  caseRecord: CaseRecord;
  otherCase: CaseRecord;
  cards: AdaptiveCardJson[];
  feed: GuestNotice[];
  bot: BotPart;
  connectorAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- same
  threads(channelId?: string): Promise<Thread[]>;
  /** Runs the outbox until nothing is ready or waiting (delayed card updates included). */
  settle(timeoutMs?: number): Promise<void>;
  guest(name: string, options?: { accepted?: boolean; linkTo?: CaseRecord[] }): Promise<{ contact: ContactRecord; token: string }>;
  staffToken(): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: { knobs?: Partial<ConnectorKnobs>; bot?: BotOptions } = {}): Promise<Harness> {
  const plugin = connectorPlugin({ knobs: { retryAfterSeconds: 0, ...options.knobs } });
  const sim = await startSimulator({ plugins: [plugin] });
  const tenantId = randomUUID();
  await sim.admin.createTenant({ tenantId, domain: 'hartleymoss.onmicrosoft.com', displayName: 'Hartley & Moss', app: { clientId: SIMULATOR_CLIENT_ID, clientSecret: SIMULATOR_CLIENT_SECRET } });
  const staffUser = await sim.admin.createUser(tenantId, { displayName: 'Priya Raman', mail: 'priya@hartleymoss.onmicrosoft.com' });
  // The firm's staff group lives in the simulator's directory: the bot asks it, as the API does.
  await sim.admin.createGroup(tenantId, { id: TEST_STAFF_GROUP, displayName: 'Firm staff', securityEnabled: true, memberIds: [staffUser.id] });
  const db = await freshPglite();
  const identity = await createTestIdentity(tenantId);
  const cards: AdaptiveCardJson[] = [];
  const feed: GuestNotice[] = [];
  const m365Stub = definePart({
    name: 'm365',
    build: () => {
      const noop = async () => undefined;
      const unused = async (): Promise<never> => {
        throw new Error('the bot harness directory answers membership only');
      };
      const part: AppPart & { activityFeed: { notifyGuest(n: GuestNotice): Promise<void> } } = {
        name: 'm365',
        handlers: { 'provision-case': noop, 'invite-guest': noop, 'sync-guest-access': noop },
        routes: [],
        activityFeed: { notifyGuest: async (n) => void feed.push(n) },
        // Membership read from the simulator's groups; the Graph path itself is tested in tests/http/setup-roles.test.ts.
        directory: {
          memberGroups: async (userId, groupIds) => {
            const { groups } = await sim.admin.state();
            return groupIds.filter((g) => groups[g.toLowerCase()]?.memberIds.includes(userId));
          },
          searchSecurityGroups: unused,
          group: unused,
          user: unused,
        },
      };
      return part;
    },
  });
  let bot: BotPart | null = null;
  const botFactory = botPart({ coalesceMs: 300, expiryScanMs: 0, onCard: (c) => cards.push(c), ...options.bot });
  const config = loadConfig({ SIMULATOR_URL: sim.httpsUrl, SIMULATOR_SIGN_IN_URL: sim.httpUrl, M365_CA_CERT_FILE: sim.caCertPath, PORT: '0', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test', M365_TENANT_ID: tenantId });
  const app = await startCaseRoom({
    config,
    db,
    verify: identity.verify,
    parts: [m365Stub, { ...botFactory, build: async (...args: Parameters<typeof botFactory.build>) => (bot = await botFactory.build(...args)) }],
    startWorker: false,
  });

  const repo = new Repo(db);
  const firm = await repo.insertFirm({ tenantId, name: 'Hartley & Moss' });
  await completeSetupInStore(db, firm.id, { name: firm.name, staffGroupId: TEST_STAFF_GROUP, admins: [{ userId: staffUser.id, name: 'Firm admin', upn: 'admin@firm.example' }] });
  const staff = await repo.insertStaff({ firmId: firm.id, userId: staffUser.id, name: 'Priya Raman', email: 'priya@firm.example', phone: null, title: 'Associate' });
  const actor = { kind: 'staff' as const, firmId: firm.id, staffId: staff.id, userId: staff.userId, name: staff.name, role: staff.role };
  const client = await app.services.sharing.createClient(actor, { name: 'John Smith' });
  const made = await app.services.sharing.createCase(actor, { clientId: client.id, number: 'PI-1', title: 'Smith v. Metro Transit', assignedStaffId: staff.id, budgetCents: null });
  const other = await app.services.sharing.createCase(actor, { clientId: client.id, number: 'COM-2', title: 'Smith lease', assignedStaffId: null, budgetCents: null });

  // The firm's admin sets CaseRoom up in Teams: a cases team (here with the two case channels
  // already in it, so the bot is tested without the gateway's provisioning) and the app installed.
  await registerCaseRoomApp(sim, `${app.url}/api/messages`, { tenantId });
  const team = await adminInstallsCaseRoom(sim, { tenantId, teamName: 'Cases', ownerUserIds: [staffUser.id], channels: ['PI-1 Smith v. Metro Transit', 'COM-2 Smith lease'] });
  const channelNamed = (name: string) => (team.channels.find((c) => c.displayName === name) as { id: string }).id;
  TEAM_ID = team.teamId;
  CASE_CHANNEL = channelNamed('PI-1 Smith v. Metro Transit');
  OTHER_CHANNEL = channelNamed('COM-2 Smith lease');
  await repo.setCaseProvisioned(made.id, { teamId: TEAM_ID, channelId: CASE_CHANNEL, driveId: 'drive-1', folderItemId: 'folder-1' });
  await repo.setCaseProvisioned(other.id, { teamId: TEAM_ID, channelId: OTHER_CHANNEL, driveId: 'drive-1', folderItemId: 'folder-2' });

  const connectorAdmin = async (method: string, path: string, body?: unknown) => {
    const res = await harnessFetch(`${sim.httpUrl}/botconnector/_admin${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const harness: Harness = {
    sim,
    app,
    config,
    db,
    identity,
    tenantId,
    staff,
    actor,
    caseRecord: (await repo.case(firm.id, made.id)) as CaseRecord,
    otherCase: (await repo.case(firm.id, other.id)) as CaseRecord,
    cards,
    feed,
    get bot() {
      return bot as BotPart;
    },
    connectorAdmin,
    async api(method, path, token, body) {
      const res = await harnessFetch(`${app.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async threads(channelId = CASE_CHANNEL) {
      const res = await connectorAdmin('GET', `/channels/${encodeURIComponent(channelId)}`);
      return res.status === 200 ? (res.body.threads as Thread[]) : [];
    },
    async settle(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        await app.worker.drain();
        const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'running')");
        if (Number(row.n) === 0) return;
        if (Date.now() > until) throw new Error(`outbox did not settle: ${JSON.stringify(await db.query("SELECT kind, status, attempts, last_error, run_after FROM outbox WHERE status IN ('pending','running')"))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async guest(name, o = {}) {
      const contact = await app.services.sharing.createContact(actor, { email: `${randomUUID().slice(0, 8)}@guest.example`, name, kind: 'client', phone: null, clientId: client.id });
      const guestUserId = randomUUID();
      await repo.setPortalAccess(contact.id, true);
      await repo.setInvitation(contact.id, o.accepted === false ? 'pending' : 'accepted', guestUserId);
      for (const c of o.linkTo ?? [made]) await app.services.sharing.link(actor, c.id, contact.id);
      const token = await identity.token({ tid: tenantId, oid: guestUserId, name, guest: true });
      return { contact: (await repo.contact(firm.id, contact.id)) as ContactRecord, token };
    },
    staffToken: () => identity.token({ tid: tenantId, oid: staff.userId, name: staff.name }),
    async close() {
      await app.close();
      await sim.close();
      await db.close();
    },
  };
  await harness.settle();
  return harness;
}

export const cardOf = (a: StoredActivity | undefined): AdaptiveCardJson | undefined => a?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content as AdaptiveCardJson | undefined;

/** All TextRun/TextBlock text of a card, joined: what a reader sees, for assertions. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ((o.type === 'TextRun' || o.type === 'TextBlock') && typeof o.text === 'string') parts.push(o.text);
      for (const [k, v] of Object.entries(o)) if (k !== 'msteams') walk(v);
    }
  };
  walk(card);
  return parts.join('');
}

/** Posts as a staff member in the simulated channel (a new post, or a reply in a thread). */
export async function postAsStaff(h: Harness, text: string, o: { channelId?: string; conversationId?: string; mentionBot?: boolean; aadObjectId?: string } = {}) {
  const res = await h.connectorAdmin('POST', `/channels/${encodeURIComponent(o.channelId ?? CASE_CHANNEL)}/messages`, {
    from: { aadObjectId: o.aadObjectId ?? h.staff.userId, name: h.staff.name },
    text,
    mentionBot: o.mentionBot ?? true,
    conversationId: o.conversationId,
  });
  if (res.status !== 201) throw new Error(`post failed: ${JSON.stringify(res.body)}`);
  return res.body as { conversationId: string; activityId: string; bot: { status: number } | null };
}

export async function clickAction(h: Harness, conversationId: string, activityId: string, action: { verb: string; data: unknown }, aadObjectId?: string) {
  const res = await h.connectorAdmin('POST', '/invoke', { conversationId, activityId, from: { aadObjectId: aadObjectId ?? h.staff.userId, name: h.staff.name }, action });
  return res.body as { status: number; response: { type: string; value: unknown } };
}
