/**
 * `npm start` (README's first command) runs the app from JavaScript that scripts/start.mjs
 * transpiled into dist/start, under plain node: no tsx, no esbuild left running beside it. The
 * build is made again when a source changed and reused when none did.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../integration/harness';
import { freePort } from '../support/free-port';
import { type Child, REPO_ROOT, spawnNode, until } from '../stress/support/child';
import { readJson } from './helpers';

const startScript = readJson<{ scripts: Record<string, string> }>('package.json').scripts.start;
const STAMP = path.join(REPO_ROOT, 'dist', 'start', 'stamp.json');

/** Child processes of `pid` (Linux's /proc children list): the app should have none. */
const childrenOf = (pid: number): string => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();

describe('npm start', () => {
  let child: Child | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await child?.kill('SIGTERM');
    child = null;
  });
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ child: Child; url: string }> {
    const [port, https, http] = [await freePort(), await freePort(), await freePort()];
    const dataDir = await tmpDir('caseroom-start-');
    dirs.push(dataDir);
    const [command, ...args] = startScript.split(' ');
    expect(command).toBe('node');
    child = spawnNode(args, { PORT: String(port), DATA_DIR: dataDir, SIMULATOR_HTTPS_PORT: String(https), SIMULATOR_HTTP_PORT: String(http), LOG_LEVEL: 'warn' });
    await child.waitFor(/CaseRoom is running at/, 240_000);
    return { child, url: `http://127.0.0.1:${port}` };
  }

  it('runs the transpiled start script under plain node, builds it again after a source changed, and reuses it otherwise', async () => {
    expect(startScript).toMatch(/^node (--[\w-]+=\S+ )*scripts\/start\.mjs$/);
    // As after an edit: the stamp no longer matches the sources.
    if (existsSync(STAMP)) await fs.writeFile(STAMP, JSON.stringify({ ...(JSON.parse(readFileSync(STAMP, 'utf8')) as object), fingerprint: 'sources changed' }));

    const first = await start();
    expect(first.child.lines.some((line) => /^Compiled \d+ modules for npm start/.test(line))).toBe(true);
    const health = await until('healthy', 60_000, async () => ((await fetch(`${first.url}/healthz`)).status === 200 ? true : null), first.child);
    expect(health).toBe(true);
    // The app alone: esbuild's service stopped once the build was written.
    expect(childrenOf(first.child.proc.pid ?? 0)).toBe('');
    expect(existsSync(path.join(REPO_ROOT, 'dist', 'start', 'src', 'm365-simulator', 'graph', 'permission-reference.json'))).toBe(true);
    await first.child.kill('SIGTERM');

    const second = await start();
    expect(second.child.lines.some((line) => /^Compiled/.test(line))).toBe(false);
    expect((await fetch(`${second.url}/tab/settings.json`)).status).toBe(200);
  }, 600_000);
});
