/**
 * What App Service runs: package.json "serve" over tsconfig.build.json's output (infra.test.ts
 * checks the Bicep start command points here). Compiled CommonJS under plain node, without tsx,
 * so what tsx would paper over (an ESM-only dependency, a file found relative to src/) fails
 * here instead of on the first deploy.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { TENANT_REQUIRED } from '../../src/config';
import { startSim, type SimHandle, tmpDir } from '../integration/harness';
import { freePort } from '../support/free-port';
import { type Child, REPO_ROOT, spawnNode, until } from '../stress/support/child';
import { readJson } from './helpers';

// "node <flags> dist/src/server.js" (its shape is checked in infra.test.ts).
const nodeArgs = readJson<{ scripts: Record<string, string> }>('package.json').scripts.serve.split(' ').slice(1);

describe('npm run serve (the compiled build)', () => {
  let sim: SimHandle | null = null;
  let child: Child | null = null;
  let dataDir = '';

  beforeAll(async () => {
    // `npm run build`'s server half; the tab bundle is built by the tab part itself when missing.
    await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
    dataDir = await tmpDir('caseroom-serve-');
  }, 120_000);
  afterEach(async () => {
    await child?.kill('SIGTERM');
    child = null;
  });
  afterAll(async () => {
    await sim?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts against Microsoft 365 (here the simulator) and answers /healthz and the portal', async () => {
    sim = await startSim();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawnNode(nodeArgs, {
      NODE_ENV: 'production',
      M365_MODE: 'simulator',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: undefined, // the embedded store, whatever the test run's environment holds
      SIMULATOR_URL: sim.sim.httpsUrl,
      SIMULATOR_SIGN_IN_URL: sim.sim.httpUrl,
      M365_CA_CERT_FILE: sim.sim.caCertPath,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
    });
    const health = await until('the compiled build answering /healthz', 60_000, async () => {
      const res = await fetch(`${url}/healthz`);
      return res.status === 200 ? ((await res.json()) as { status: string; store: string; parts: { m365: { graph: string } } }) : null;
    }, child);
    expect(health).toMatchObject({ status: 'ok', store: 'pglite', parts: { m365: { graph: 'reachable' } } });
    const portal = await fetch(`${url}/tab/portal`);
    expect(portal.status).toBe(200);
    expect(portal.headers.get('content-type')).toMatch(/text\/html/);
  }, 90_000);

  it('in tenant mode without its settings, stops and names every missing one', async () => {
    const unset = Object.fromEntries(TENANT_REQUIRED.map((name) => [name, undefined]));
    child = spawnNode(nodeArgs, { ...unset, NODE_ENV: 'production', M365_MODE: 'tenant', DATA_DIR: dataDir });
    expect(await child.exited).toBe(78); // EX_CONFIG
    const stderr = child.stderr();
    expect(TENANT_REQUIRED.filter((name) => !stderr.includes(name))).toEqual([]);
  }, 30_000);
});
