/**
 * CaseRoom against the Microsoft 365 simulator, over real HTTP on loopback: the simulator on
 * ephemeral ports with a seeded tenant, the app started by the composition root with its
 * production Microsoft 365 part (MSAL over HTTPS trusting the simulator's CA, Graph client,
 * reconciler), the outbox stepped by the test (`drain`) for determinism.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet } from 'jose';
import pino from 'pino';
import { type AppPart, definePart } from '../../src/app-part';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { botPart } from '../../src/parts/bot';
import { adminInstallsCaseRoom, type CasesTeamSetup, publishCaseRoomTeamsApp, registerCaseRoomApp } from '../../scripts/local-tenant';
import { loadConfig, SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET, SIMULATOR_TENANT_ID } from '../../src/config';
import { createTokenVerifier } from '../../src/http/auth';
import { type Microsoft365Part, microsoft365Part } from '../../src/parts/m365';
import type { M365Settings } from '../../src/m365/settings';
import { startSimulator, type RunningSimulator } from '../../src/m365-simulator';
import type { CaseRoomEvent } from '../../src/domain/events';
import type { UploadBatchStatus } from '../../src/contract';
import type { Actor } from '../../src/services/context';
import type { ContactKind } from '../../src/domain/model';
import type { Db } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import type { Firm, Staff } from '../../src/store/records';
import { declaredAppRegistration } from '../../scripts/declared-app';
import { freshPglite } from '../support/db';
import { completeSetupInStore } from '../support/app';
import { type Inspector, registerInspector } from '../support/tenant-admin';
import { freePort } from '../support/free-port';
import { callApi, harnessFetch } from '../support/http';

export const API_AUDIENCE = `api://localhost/${SIMULATOR_CLIENT_ID}`;

export interface SimHandle {
  sim: RunningSimulator;
  dataDir: string;
  /** The administrator's Graph Explorer: its own app registration, never CaseRoom's. */
  inspector: Inspector;
  /** Graph over the simulator's plain-HTTP port with the inspector's app-only token (what an admin would see), or the token given. */
  graph<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary Graph JSON
  userToken(userId: string): Promise<string>;
  /** CaseRoom's own app-only token: exactly its declared application permissions. */
  appToken(): Promise<string>;
  close(): Promise<void>;
}

export async function tmpDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startSim(knobs: Record<string, unknown> = {}): Promise<SimHandle> {
  const dataDir = await tmpDir('caseroom-sim-');
  const sim = await startSimulator({ dataDir, knobs: { teamProvisioningMs: 30, notificationCoalesceMs: 30, ...knobs } });
  await sim.admin.createTenant({
    tenantId: SIMULATOR_TENANT_ID,
    domain: 'hartleymoss.onmicrosoft.com',
    displayName: 'Hartley & Moss',
    app: { clientId: SIMULATOR_CLIENT_ID, clientSecret: SIMULATOR_CLIENT_SECRET, identifierUris: [API_AUDIENCE], ...declaredAppRegistration() },
  });
  await publishCaseRoomTeamsApp(sim);
  const inspector = await registerInspector(sim, SIMULATOR_TENANT_ID);
  const appToken = () => sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID });
  return {
    sim,
    dataDir,
    inspector,
    appToken,
    userToken: (userId) => sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId, audience: API_AUDIENCE, scopes: ['access_as_user'] }),
    async graph(method, p, body, token) {
      const res = await harnessFetch(`${sim.httpUrl}/v1.0${p}`, {
        method,
        headers: { authorization: `Bearer ${token ?? (await inspector.token())}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await sim.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface AppHandle {
  app: RunningApp;
  m365: Microsoft365Part;
  db: Db;
  url: string;
  notifications: CaseRoomEvent[];
  /** Runs outbox jobs until none is ready; retries that are due later are left. */
  drain(): Promise<number>;
  /** Like drain, but also waits out jobs scheduled a few seconds ahead (throttling retries). */
  settle(maxMs?: number): Promise<void>;
  call(method: string, p: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  close(): Promise<void>;
}

export interface StartAppOptions {
  db?: Db;
  port?: number;
  settings?: Partial<M365Settings>;
  dataDir?: string;
}

/**
 * The bot part as far as installations go: Teams tells CaseRoom it was added to a team through
 * the bot, and that is how a cases team is adopted. Its card delivery is left out (the tests here
 * record notifications instead; tests/bot covers the cards).
 */
const bot = botPart({ expiryScanMs: 0 });
const installationListener = { ...bot, build: async (...args: Parameters<typeof bot.build>) => ({ ...(await bot.build(...args)), handlers: {} }) };

/** The app with its production Microsoft 365 part; timers off (tests run the periodic jobs). */
export async function startApp(sim: SimHandle, o: StartAppOptions = {}): Promise<AppHandle> {
  const db = o.db ?? (await freshPglite());
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? (await tmpDir('caseroom-app-'));
  // The public URL must be known before listening (webhooks, invitation redirect), so the port is chosen first.
  const config = loadConfig({
    NODE_ENV: 'test',
    SIMULATOR_URL: sim.sim.httpsUrl,
    SIMULATOR_SIGN_IN_URL: sim.sim.httpUrl,
    M365_CA_CERT_FILE: sim.sim.caCertPath,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
    API_AUDIENCE,
  });
  // The app's token check is production code; only the key set comes from the simulator's JWKS.
  const jwks = (await (await harnessFetch(`${sim.sim.httpUrl}/${SIMULATOR_TENANT_ID}/discovery/v2.0/keys`)).json()) as Parameters<typeof createLocalJWKSet>[0];
  const verify = createTokenVerifier({ issuer: config.identity.issuer, tenantId: config.identity.tenantId, audiences: config.identity.audiences, keys: createLocalJWKSet(jwks), requiredScope: 'access_as_user' });
  let m365: Microsoft365Part | null = null;
  const notifications: CaseRoomEvent[] = [];
  const factory = microsoft365Part({ driftIntervalMs: 0, acceptancePollMs: 0, expirySweepMs: 0, subscriptionCheckMs: 0, spoolDir: dataDir, ...o.settings });
  const capture = { ...factory, build: async (...args: Parameters<typeof factory.build>) => (m365 = await factory.build(...args)) };
  const notifyRecorder: AppPart = {
    name: 'test-notify',
    handlers: { notify: async (job) => void notifications.push(job.payload.event) },
    routes: [],
  };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await startCaseRoom({ config, db, logger, verify, parts: [capture, installationListener, definePart({ name: notifyRecorder.name, build: () => notifyRecorder })], startWorker: false });
  // CaseRoom's Teams app in the tenant's catalog, its bot reachable: an admin can now install it (seedFirm does).
  await registerCaseRoomApp(sim.sim, `${app.url}/api/messages`);
  const drain = () => app.worker.drain();
  return {
    app,
    m365: m365 as unknown as Microsoft365Part,
    db,
    url: app.url,
    notifications,
    drain,
    async settle(maxMs = 15_000) {
      const until = Date.now() + maxMs;
      for (;;) {
        await drain();
        const rows = await db.query<{ n: number; next: string | null }>(`SELECT count(*)::int AS n, min(run_after)::text AS next FROM outbox WHERE status IN ('pending','running')`);
        if (Number(rows[0].n) === 0 || Date.now() > until) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    call: (method, p, token, body) => callApi(app.url, method, p, token, body),
    async close() {
      await app.close();
      // A store handed in is the caller's to close; one made here is ours (an open PGlite keeps a timer running).
      if (!o.db) await db.close();
      // So is a data directory made here (the upload spool); the bench runs this harness outside Jest's temporary folder.
      if (!o.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FirmFixture {
  firm: Firm;
  staff: Staff;
  actor: Extract<Actor, { kind: 'staff' }>;
  staffToken: string;
}

/**
 * The firm of the simulated tenant with one staff member who exists in both places and, unless
 * told not to, its Teams admin's act: a Cases team with CaseRoom installed (CaseRoom adopts it).
 */
export async function seedFirm(sim: SimHandle, db: Db, o: { installCaseRoom?: boolean } = {}): Promise<FirmFixture> {
  const user = await sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Alex Hartley', mail: 'alex@hartleymoss.onmicrosoft.com' });
  const repo = new Repo(db);
  const inserted = await repo.insertFirm({ tenantId: SIMULATOR_TENANT_ID, name: 'Hartley & Moss' });
  const staff = await repo.insertStaff({ firmId: inserted.id, userId: user.id, name: 'Alex Hartley', email: user.mail, phone: null, title: 'Partner', role: 'admin' });
  // Set up, with Alex its admin and in the staff group (the simulator answers CaseRoom's checkMemberGroups from it).
  const group = await sim.sim.admin.createGroup(SIMULATOR_TENANT_ID, { displayName: 'Hartley & Moss staff', memberIds: [user.id] });
  await completeSetupInStore(db, inserted.id, { name: inserted.name, staffGroupId: group.id, admins: [{ userId: user.id, name: staff.name, upn: user.userPrincipalName }] });
  const firm = (await repo.firm(inserted.id)) as Firm;
  if (o.installCaseRoom !== false) await installCaseRoom(sim, user.id);
  return { firm, staff, actor: { kind: 'staff', firmId: firm.id, staffId: staff.id, userId: user.id, name: staff.name, role: 'admin' }, staffToken: await sim.userToken(user.id) };
}

/**
 * A guest as most tests want one: a B2B guest of the simulated tenant who has accepted, known to
 * the firm as a contact with portal access whose invitation is accepted, linked to `caseId` when
 * one is named, with the guest's own token for CaseRoom's API and Graph.
 */
export async function acceptedGuest(
  sim: SimHandle,
  app: Pick<AppHandle, 'app' | 'db'>,
  firm: Pick<FirmFixture, 'firm' | 'actor'>,
  g: { name: string; email: string; kind?: ContactKind; clientId?: string | null; caseId?: string },
): Promise<{ userId: string; contactId: string; token: string }> {
  const { sharing } = app.app.services;
  const user = await sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: g.name, mail: g.email, userType: 'Guest', externalUserState: 'Accepted' });
  const contact = await sharing.createContact(firm.actor, { email: g.email, name: g.name, kind: g.kind ?? 'client', phone: null, clientId: g.clientId ?? null });
  await app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
  await sharing.markInvitationAccepted(firm.firm.id, contact.id, user.id);
  if (g.caseId) await sharing.link(firm.actor, g.caseId, contact.id);
  return { userId: user.id, contactId: contact.id, token: await sim.userToken(user.id) };
}

/** The firm's Teams admin creates the Cases team (owned by `ownerUserId`) and adds CaseRoom to it. */
export function installCaseRoom(sim: SimHandle, ownerUserId: string, teamName = 'Hartley & Moss Cases'): Promise<CasesTeamSetup> {
  return adminInstallsCaseRoom(sim.sim, { teamName, ownerUserIds: [ownerUserId] });
}

/**
 * Direct permissions of an item for one user: those Graph lists for them that the item holds
 * itself. Graph does not say which those are (SharePoint libraries return no `inheritedFrom`,
 * learn.microsoft.com/graph/api/resources/permission), so the test asks the simulator's own state,
 * as an administrator would read SharePoint's advanced permissions page.
 */
export async function permissionsFor(sim: SimHandle, driveId: string, itemId: string, userId: string): Promise<Array<{ id: string; roles: string[] }>> {
  const res = await sim.graph<{ value: Array<{ id: string; roles: string[]; grantedToV2?: { user?: { id?: string } } }> }>('GET', `/drives/${driveId}/items/${itemId}/permissions`);
  if (res.status !== 200) throw new Error(`permissions ${res.status}: ${JSON.stringify(res.body)}`);
  const heldByItem = new Set(
    Object.values((await sim.sim.admin.state()).permissions)
      .filter((p) => p.itemId === itemId)
      .map((p) => p.id),
  );
  return res.body.value.filter((p) => p.grantedToV2?.user?.id === userId && heldByItem.has(p.id)).map(({ id, roles }) => ({ id, roles }));
}

/** Multipart body for the file routes (fields first, as the tab sends them). */
export function multipart(parts: Array<{ name: string; value: string } | { name: string; filename: string; content: Buffer; type?: string }>): { body: Buffer; contentType: string } {
  const boundary = `----caseroom${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('filename' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(p.content, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The upload answer as sent, before the background write (a guest's batch is still pending). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export async function uploadAnswer(app: Pick<AppHandle, 'url'>, p: string, token: string, parts: Parameters<typeof multipart>[0]): Promise<{ status: number; body: any }> {
  const { body, contentType } = multipart(parts);
  const res = await fetch(`${app.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * Runs the outbox until a guest's upload batch is no longer pending (generous limit), and
 * returns its status as the guest reads it.
 */
export async function waitForBatch(app: Pick<AppHandle, 'url' | 'drain'>, token: string, batchId: string, limitMs = 120_000): Promise<UploadBatchStatus> {
  const until = Date.now() + limitMs;
  for (;;) {
    await app.drain();
    const res = await callApi(app.url, 'GET', `/api/portal/uploads/${batchId}`, token);
    if (res.status !== 200) throw new Error(`upload batch ${batchId}: ${res.status} ${JSON.stringify(res.body)}`);
    const status = res.body as UploadBatchStatus;
    if (status.state !== 'pending') return status;
    if (Date.now() > until) throw new Error(`upload batch ${batchId} still pending after ${limitMs} ms: ${JSON.stringify(status.files.filter((f) => f.state === 'pending').length)} files left`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An upload as the tests before background writes knew it: a guest's batch is waited for (the
 * outbox runs until it is done) and `files` then lists the documents it created, as the answer
 * used to. Tests about the answer itself use uploadAnswer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export async function upload(app: AppHandle, p: string, token: string, parts: Parameters<typeof multipart>[0]): Promise<{ status: number; body: any }> {
  const answer = await uploadAnswer(app, p, token, parts);
  const batch = answer.body?.batch as UploadBatchStatus | undefined;
  if (answer.status !== 201 || !batch) return answer;
  const done = await waitForBatch(app, token, batch.id);
  const itemIds = done.files.flatMap((f) => (f.itemId ? [f.itemId] : []));
  const rows = itemIds.length ? await app.db.query<{ id: string; title: string; parent_id: string | null; size_bytes: string | null }>('SELECT id, title, parent_id, size_bytes FROM items WHERE id = ANY($1::uuid[])', [itemIds]) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const files = itemIds.map((id) => byId.get(id)).flatMap((r) => (r ? [{ id: r.id, title: r.title, parentId: r.parent_id, sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes) }] : []));
  return { status: answer.status, body: { ...answer.body, files, batch: done } };
}
