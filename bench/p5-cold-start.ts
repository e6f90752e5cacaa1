import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, log, round, type Scenario, type ScenarioResult } from './lib/common';

/**
 * P5: `npm start` (tsx scripts/start.ts: simulator + app + demo firm) until /healthz answers 200,
 * first on an empty DATA_DIR (PGlite initdb, migrations, seeding), then again on the same,
 * now warm, directory. The process is stopped with SIGTERM between the runs.
 */
const ROOT = path.resolve(__dirname, '..');

async function startOnce(dataDir: string): Promise<{ msToHealthy: number; health: unknown }> {
  const [port, https, http] = [await freePort(), await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, SIMULATOR_HTTPS_PORT: String(https), SIMULATOR_HTTP_PORT: String(http), LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > 120_000) throw new Error(`not healthy within 120 s: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return { msToHealthy: performance.now() - started, health: await res.json() };
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export const p5: Scenario = {
  key: 'P5',
  title: 'cold and warm start of npm start to healthy',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseroom-bench-start-'));
    try {
      const cold = await startOnce(dataDir);
      log(`P5 cold ${round(cold.msToHealthy)} ms`);
      const warm = await startOnce(dataDir);
      log(`P5 warm ${round(warm.msToHealthy)} ms`);
      return { status: 'ok', seconds: round((performance.now() - started) / 1000), coldMs: round(cold.msToHealthy, 0), warmMs: round(warm.msToHealthy, 0), warmOverCold: round(warm.msToHealthy / cold.msToHealthy, 2), health: warm.health };
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
