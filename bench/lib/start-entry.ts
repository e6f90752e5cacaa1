import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from './common';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `npm start`'s command from package.json, run without npm in front of it: npm adds its own
 * process (~55 MB) and does not pass SIGTERM on to the app, so a bench that stopped npm would leave
 * the app running. `node …` runs this Node; anything else from node_modules/.bin.
 */
export function npmStartCommand(): { command: string; args: string[]; script: string } {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [first, ...args] = script.split(/\s+/);
  return { command: first === 'node' ? process.execPath : path.join(ROOT, 'node_modules', '.bin', first), args, script };
}

export interface StartedEntry {
  child: ChildProcess;
  url: string;
  /** The local simulator's plain-HTTP address (sign-in pages). */
  simulatorHttpUrl: string;
  msToHealthy: number;
  health: unknown;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry on free ports with `dataDir`, and waits for /healthz to answer 200. */
export async function startEntry(dataDir: string): Promise<StartedEntry> {
  const [port, https, http] = [await freePort(), await freePort(), await freePort()];
  const { command, args } = npmStartCommand();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, SIMULATOR_HTTPS_PORT: String(https), SIMULATOR_HTTP_PORT: String(http), LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > 120_000) throw new Error(`not healthy within 120 s: ${stderr}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200) return { child, url, simulatorHttpUrl: `http://127.0.0.1:${http}`, msToHealthy: performance.now() - started, health: await res.json(), stop };
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
