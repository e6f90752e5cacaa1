/** Shared set-up for the simulator's tests: a simulator on ephemeral ports with a seeded tenant. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/m365-simulator';

export interface GraphResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export interface Fixture {
  sim: RunningSimulator;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  rootDriveId: string;
  staff: { id: string; mail: string };
  acceptedGuest: { id: string; mail: string };
  pendingGuest: { id: string; mail: string };
  appToken: string;
  tokenFor(userId: string): Promise<string>;
  graph<T = Record<string, unknown>>(method: string, pathOrUrl: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string>; redirect?: RequestRedirect }): Promise<GraphResult<T>>;
  close(): Promise<void>;
}

/**
 * For a test file: the fixture, started before its tests and closed after them. The object is
 * filled in once started, so read it inside tests and hooks (`f.graph`, `f.rootDriveId`).
 */
export function useFixture(options?: Parameters<typeof startFixture>[0]): Fixture {
  const fixture = {} as Fixture;
  beforeAll(async () => {
    Object.assign(fixture, await startFixture(options));
  });
  afterAll(() => fixture.close?.());
  return fixture;
}

export async function tempDir(prefix = 'sim-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * The permissions the fixture's app registration is granted: a generic Graph client's, listed
 * explicitly because the simulator grants an app nothing it was not given (as Entra does).
 */
export const FIXTURE_APP_ROLES = [
  'Files.ReadWrite.All',
  'Sites.ReadWrite.All',
  'User.Invite.All',
  'User.Read.All',
  'Team.Create',
  'Team.ReadBasic.All',
  'Channel.Create',
  'Channel.ReadBasic.All',
  'Channel.Delete.All',
  'ChannelMember.ReadWrite.All',
  'TeamMember.ReadWrite.All',
  'TeamsActivity.Send',
];
export const FIXTURE_DELEGATED_SCOPES = ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'User.Read', 'User.ReadBasic.All'];

export async function startFixture(options: SimulatorOptions = {}): Promise<Fixture> {
  const dataDir = options.dataDir ?? (await tempDir());
  const sim = await startSimulator({ ...options, dataDir, knobs: { teamProvisioningMs: 50, notificationCoalesceMs: 30, ...options.knobs } });
  const created = await sim.admin.createTenant({ domain: 'contoso.onmicrosoft.com', displayName: 'Contoso Legal', app: { graphAppRoles: FIXTURE_APP_ROLES, graphDelegatedScopes: FIXTURE_DELEGATED_SCOPES } });
  const tenantId = created.tenant.id;
  const staff = await sim.admin.createUser(tenantId, { displayName: 'Megan Bowen', mail: 'megan@contoso.onmicrosoft.com' });
  const acceptedGuest = await sim.admin.createUser(tenantId, { displayName: 'Ada Client', mail: 'ada@client.example', userType: 'Guest', externalUserState: 'Accepted' });
  const pendingGuest = await sim.admin.createUser(tenantId, { displayName: 'Ben Expert', mail: 'ben@expert.example', userType: 'Guest' });
  const appToken = await sim.admin.token({ tenantId, clientId: created.app.clientId });
  const fixture: Fixture = {
    sim,
    tenantId,
    clientId: created.app.clientId,
    clientSecret: created.app.clientSecret,
    rootDriveId: created.rootDriveId,
    staff,
    acceptedGuest,
    pendingGuest,
    appToken,
    tokenFor: (userId) => sim.admin.token({ tenantId, clientId: created.app.clientId, userId }),
    async graph<T>(method: string, pathOrUrl: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string>; redirect?: RequestRedirect } = {}) {
      const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.httpUrl}/v1.0${pathOrUrl}`;
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? appToken : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (options.body instanceof Uint8Array || typeof options.body === 'string') body = options.body as BodyInit;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(url, { method, headers, body, redirect: options.redirect ?? 'follow' });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        // Not JSON (a download, a page): callers read `text`.
        json = {};
      }
      return { status: response.status, headers: response.headers, json: json as T, text };
    },
    close: () => sim.close(),
  };
  return fixture;
}

export function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return resolve(value);
      if (Date.now() > deadline) return reject(new Error('waitFor: timed out'));
      setTimeout(tick, intervalMs);
    };
    void tick();
  });
}
