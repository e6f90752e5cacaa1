import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A node process started by a test or bench (so it can SIGKILL it), with line-wise stdout.
 */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line matching `pattern`; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has ended by itself (or been killed). */
  exited: Promise<number | null>;
  stderr(): string;
}

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Runs a TypeScript file under `node --import tsx`, not the tsx CLI: the CLI runs the script in a
 * grandchild, which a SIGKILL of the CLI leaves running (holding its port and its store).
 */
export function spawnTsx(script: string, env: Record<string, string | undefined>): Child {
  return spawnNode(['--import', 'tsx', script], env);
}

/** `node <args>` in the repository root, or in `cwd` (a deployable artifact). */
export function spawnNode(args: string[], env: Record<string, string | undefined>, cwd: string = REPO_ROOT): Child {
  // Jest's NODE_OPTIONS (--experimental-vm-modules) are not for the child.
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters])
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    waitFor(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print ${pattern} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${code}) before printing ${pattern}; stderr: ${err.slice(-2000)}`));
        });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Resolves with the first truthy answer of `probe` (tried every 200 ms; a throw counts as no
 * answer). Fails after `maxMs`, or at once when `child` has exited, with the child's stderr.
 */
export async function until<T>(what: string, maxMs: number, probe: () => Promise<T | null | undefined | false>, child?: Child): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    if (child && child.proc.exitCode !== null) throw new Error(`the app exited (${child.proc.exitCode}) while waiting for ${what}: ${child.stderr().slice(-2000)}`);
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${maxMs / 1000} s${child ? `; app stderr: ${child.stderr().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
