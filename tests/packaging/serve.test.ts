/**
 * What App Service runs: the artifact `atk deploy` zips (npm run build, then npm run artifact),
 * started with package.json "serve" (infra.test.ts checks the Bicep start command points here).
 * Compiled CommonJS under plain node with the production dependencies only, so what tsx or a
 * stray dev dependency would paper over (an ESM-only package, a runtime import listed under
 * devDependencies, a file found relative to src/) fails here instead of on the first deploy.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TENANT_REQUIRED } from '../../src/config';
import { startSim, type SimHandle, tmpDir } from '../integration/harness';
import { freePort } from '../support/free-port';
import { type Child, REPO_ROOT, spawnNode, until } from '../stress/support/child';
import { readJson } from './helpers';
import { Client } from 'pg';
import { postgresUrl } from '../support/db';

// "node <flags> dist/src/server.js" (its shape is checked in infra.test.ts).
/** The processes `pid` started (Linux's /proc children list): a supervising primary's workers. */
const childrenOf = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const nodeArgs = readJson<{ scripts: Record<string, string> }>('package.json').scripts.serve.split(' ').slice(1);

describe('npm run serve (the compiled build)', () => {
  let sim: SimHandle | null = null;
  let child: Child | null = null;
  let dataDir = '';
  let artifact = '';

  beforeAll(async () => {
    const run = promisify(execFile);
    // `npm run build` (tab bundle, then the server), then `npm run artifact` into a scratch folder.
    await run(process.execPath, ['scripts/build-tab.mjs'], { cwd: REPO_ROOT });
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
    dataDir = await tmpDir('caseroom-serve-');
    artifact = path.join(await tmpDir('caseroom-artifact-'), 'deploy');
    await run(process.execPath, ['scripts/make-artifact.mjs', '--out', artifact], { cwd: REPO_ROOT, timeout: 240_000 });
  }, 300_000);
  afterEach(async () => {
    await child?.kill('SIGTERM');
    child = null;
  });
  afterAll(async () => {
    await sim?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
    if (artifact) await fs.rm(path.dirname(artifact), { recursive: true, force: true });
  });

  it('holds the build output and production dependencies only', async () => {
    const top = (await fs.readdir(artifact)).sort();
    expect(top).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    expect((await fs.readdir(path.join(artifact, 'dist'))).sort()).toEqual(['bot', 'src', 'tab']);
    const present = (p: string) => existsSync(path.join(artifact, p));
    for (const shipped of ['dist/src/server.js', 'dist/tab/assets/main.js', 'node_modules/express', 'node_modules/botbuilder', 'node_modules/@electric-sql/pglite']) expect([shipped, present(shipped)]).toEqual([shipped, true]);
    // Bundled into dist/tab at build, or used only locally and by the tests: never shipped.
    for (const absent of [
      'dist/src/m365-simulator',
      'node_modules/react',
      'node_modules/@fluentui',
      'node_modules/@microsoft/teams-js',
      'node_modules/tsx',
      'node_modules/typescript',
      'node_modules/jest',
      'node_modules/esbuild',
      'node_modules/playwright-core',
      '.git',
      'env',
      '.data',
      'tests',
      'tab',
      'src',
    ])
      expect([absent, present(absent)]).toEqual([absent, false]);
    const sources = (await fs.readdir(path.join(artifact, 'dist'), { recursive: true })).filter((f) => String(f).endsWith('.ts') && !String(f).endsWith('.d.ts'));
    expect(sources).toEqual([]);
    const { stdout } = await promisify(execFile)('du', ['-sm', artifact]);
    const megabytes = Number(stdout.split(/\s+/)[0]);
    // Measured 209 MiB when written, about 130 of it botbuilder and the Azure SDK packages it
    // pulls in; @azure/monitor-opentelemetry (Application Insights) added 113 MiB more, 137
    // packages (the OpenTelemetry SDK with every exporter its sdk-node depends on): 328 MiB. The
    // checkout's node_modules, which `atk deploy` used to zip whole, is about 400 MiB plus the distro.
    expect(megabytes).toBeLessThan(360);
  });

  /** Starts the built artifact against the simulator (embedded store, no demo data); answers its address. */
  async function startArtifact(extra: Record<string, string> = {}): Promise<string> {
    sim ??= await startSim();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawnNode(
      nodeArgs,
      {
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
        ...extra,
      },
      artifact,
    );
    return url;
  }

  it('starts against Microsoft 365 (here the simulator) and answers /healthz and the portal', async () => {
    const url = await startArtifact();
    const health = await until(
      'the compiled build answering /healthz',
      60_000,
      async () => {
        const res = await fetch(`${url}/healthz`);
        return res.status === 200 ? ((await res.json()) as { status: string; store: string; parts: { m365: { graph: string } } }) : null;
      },
      child as Child,
    );
    expect(health).toMatchObject({ status: 'ok', store: 'pglite', parts: { m365: { graph: 'reachable' } } });
    const portal = await fetch(`${url}/tab/portal`);
    expect(portal.status).toBe(200);
    expect(portal.headers.get('content-type')).toMatch(/text\/html/);
  }, 90_000);

  it('with Application Insights on (the distro from the production dependencies), starts and answers', async () => {
    const url = await startArtifact({
      // A closed local port: nothing leaves the machine, and an unreachable endpoint must not stop the app.
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://127.0.0.1:9/;LiveEndpoint=https://127.0.0.1:9/',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
    });
    const health = await until('the compiled build with telemetry answering /healthz', 60_000, async () => ((await fetch(`${url}/healthz`)).status === 200 ? true : null), child as Child);
    expect(health).toBe(true);
    expect((await fetch(`${url}/tab/portal`)).status).toBe(200);
  }, 90_000);

  it('with WEB_CONCURRENCY=2 on PostgreSQL, serves from two worker processes, replaces one that dies, and stops them all on SIGTERM', async () => {
    const testDatabase = postgresUrl();
    if (!testDatabase) throw new Error('TEST_DATABASE_URL is not set: run through `npm test` or `npm run jest`, which start a PostgreSQL.');
    // A database of its own: the workers migrate it as a deployment would.
    const database = `caseroom_serve_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new Client({ connectionString: testDatabase });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const databaseUrl = new URL(testDatabase);
      databaseUrl.pathname = `/${database}`;
      const url = await startArtifact({ WEB_CONCURRENCY: '2', DATABASE_URL: databaseUrl.toString() });
      const primary = (child as Child).proc.pid as number;
      const healthy = async () => {
        const res = await fetch(`${url}/healthz`);
        return res.status === 200 ? ((await res.json()) as { store: string }) : null;
      };
      expect(await until('two workers answering /healthz', 90_000, healthy, child as Child)).toMatchObject({ store: 'postgres' });
      const workers = await until('two worker processes', 60_000, async () => (childrenOf(primary).length === 2 ? childrenOf(primary) : null), child as Child);

      process.kill(workers[0], 'SIGKILL');
      const replaced = await until('a worker in place of the one killed', 90_000, async () => {
        const now = childrenOf(primary);
        return now.length === 2 && !now.includes(workers[0]) ? now : null;
      });
      expect(replaced).toContain(workers[1]);
      expect(await until('answers after the replacement', 60_000, healthy, child as Child)).toMatchObject({ store: 'postgres' });

      expect(await (child as Child).kill('SIGTERM')).toBe(0);
      child = null;
      expect(replaced.filter(isRunning)).toEqual([]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }, 240_000);

  it('refuses WEB_CONCURRENCY above 1 on the embedded store, naming both settings', async () => {
    child = spawnNode(nodeArgs, { NODE_ENV: 'production', M365_MODE: 'simulator', SIMULATOR_URL: 'https://127.0.0.1:9', DATABASE_URL: undefined, DATA_DIR: dataDir, WEB_CONCURRENCY: '2' }, artifact);
    expect(await child.exited).toBe(78); // EX_CONFIG
    expect(child.stderr()).toMatch(/WEB_CONCURRENCY=2 needs DATABASE_URL/);
  }, 30_000);

  it('in tenant mode without its settings, stops and names every missing one', async () => {
    const unset = Object.fromEntries(TENANT_REQUIRED.map((name) => [name, undefined]));
    child = spawnNode(nodeArgs, { ...unset, NODE_ENV: 'production', M365_MODE: 'tenant', DATA_DIR: dataDir }, artifact);
    expect(await child.exited).toBe(78); // EX_CONFIG
    const stderr = child.stderr();
    expect(TENANT_REQUIRED.filter((name) => !stderr.includes(name))).toEqual([]);
  }, 30_000);
});
