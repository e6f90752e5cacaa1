import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { definePart } from '../../src/app-part';
import { recordingPart } from './recording-part';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Clock } from '../../src/services/context';
import type { LiveSettings } from '../../src/services/live';
import type { Db } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import { freshPglite } from './db';
import { createTestIdentity, TEST_STAFF_GROUP, type TestIdentity } from './tokens';
import type { TokenVerifier } from '../../src/http/auth';
import type { NamedAdmin } from '../../src/domain/setup';
import type { DirectoryPort } from '../../src/m365/directory';
import { callApi } from './http';

export const HOME_TENANT = '11111111-1111-4111-8111-111111111111';

export interface TestApp {
  app: RunningApp;
  db: Db;
  identity: TestIdentity;
  recorder: ReturnType<typeof recordingPart>;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  call(method: string, path: string, token: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  close(): Promise<void>;
}

type AppOptions = { clock?: Clock; env?: Record<string, string>; live?: Partial<LiveSettings>; directory?: DirectoryPort };

/** The real app (routes, auth, services, store) with a recording Microsoft 365 part, on an ephemeral port. */
export async function startTestApp(options: AppOptions & { db?: Db } = {}): Promise<TestApp> {
  const db = options.db ?? (await freshPglite());
  const identity = await createTestIdentity(HOME_TENANT);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const { app, recorder } = await startRecordingApp(db, identity.verify, logger, options);
  return {
    app,
    db,
    identity,
    recorder,
    logs,
    call: (method, path, token, body, headers = {}) => callApi(app.url, method, path, token, body, headers),
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * The app as the tests run it over `db`: tokens checked by `verify`, Microsoft 365 recorded, no
 * outbox worker. Bench P7 runs it in worker processes of its own (bench/lib/app-worker.ts).
 */
export async function startRecordingApp(db: Db, verify: TokenVerifier, logger: Logger, options: AppOptions = {}) {
  const recorder = recordingPart();
  const config = loadConfig({ SIMULATOR_URL: 'https://simulator.invalid', PORT: '0', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'test', M365_TENANT_ID: HOME_TENANT, ...options.env });
  const app = await startCaseRoom({
    config,
    db,
    logger,
    verify,
    clock: options.clock,
    parts: [definePart({ name: recorder.name, build: () => (options.directory ? { ...recorder, directory: options.directory } : recorder) })],
    startWorker: false,
    live: options.live,
  });
  return { app, recorder };
}

/**
 * A firm that has completed set-up (staff group TEST_STAFF_GROUP, which test tokens carry) with one
 * staff member, Pat, its admin; built straight in the store (tests of the API then act through HTTP).
 */
export async function createFirm(db: Db, tenantId: string = randomUUID(), name = 'Test Firm') {
  const repo = new Repo(db);
  const inserted = await repo.insertFirm({ tenantId, name });
  const staff = await repo.insertStaff({ firmId: inserted.id, userId: randomUUID(), name: 'Pat Partner', email: 'pat@firm.example', phone: '+1 555 0100', title: 'Partner', role: 'admin' });
  await completeSetupInStore(db, inserted.id, { name, staffGroupId: TEST_STAFF_GROUP, admins: [{ userId: staff.userId, name: staff.name, upn: staff.email }] });
  const firm = (await repo.firm(inserted.id)) as NonNullable<Awaited<ReturnType<Repo['firm']>>>;
  return { firm, staff, tenantId };
}

/**
 * The usual start of a hostile API test: the app with two set-up firms, A in HOME_TENANT and B in
 * a tenant of its own, and a token for each firm's admin (Pat).
 */
export async function startTwoFirmApp(options: Parameters<typeof startTestApp>[0] = {}) {
  const t = await startTestApp(options);
  const firmA = await createFirm(t.db, HOME_TENANT, 'Firm A');
  const firmB = await createFirm(t.db, randomUUID(), 'Firm B');
  const staffA = await t.identity.token({ tid: firmA.tenantId, oid: firmA.staff.userId });
  const staffB = await t.identity.token({ tid: firmB.tenantId, oid: firmB.staff.userId });
  return { t, firmA, firmB, staffA, staffB };
}

/** A call that must succeed: its answer, or an error naming the request and the refusal. */
export async function okCall(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  const res = await t.call(method, path, token, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Marks a firm set up straight in the store (fixtures; the product goes through PUT /api/setup). */
export async function completeSetupInStore(db: Db, firmId: string, setup: { name: string; staffGroupId: string; admins: NamedAdmin[] }): Promise<void> {
  await new Repo(db).saveSetup(firmId, {
    name: setup.name,
    staffGroupId: setup.staffGroupId,
    staffGroupName: 'CaseRoom staff',
    admins: setup.admins,
    guestDefaultSections: null,
    guestDefaultExpiryDays: null,
    senderMailbox: null,
    completedBy: setup.admins[0]?.userId ?? 'fixture',
  });
}

/** Snapshot of every table's rows, to prove a refused request changed nothing. */
export async function storeFingerprint(db: Db): Promise<string> {
  const tables = ['firms', 'staff', 'clients', 'cases', 'contacts', 'case_links', 'items', 'ledger_entries', 'grants', 'grant_views', 'message_threads', 'messages', 'notification_preferences', 'audit_log', 'outbox'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await db.query(`SELECT to_jsonb(t) AS row FROM ${table} t`);
    parts.push(
      `${table}:${rows
        .map((r) => JSON.stringify((r as { row: unknown }).row))
        .sort()
        .join('|')}`,
    );
  }
  return parts.join('\n');
}
