import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { percentile } from '../../tests/stress/support/load-driver';
import { round } from './common';

/** One request of the mix: a path under the app and the bearer token to send. Made before the clock starts. */
export type LoadRequest = { path: string; token: string };

export interface RateStep {
  rate: number;
  requests: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU the server used during the step (what `serverCpuMs` measures: the app's process, or its process tree). */
  serverCpuMs: number;
  /** The part of serverCpuMs spent in PostgreSQL's own processes (absent on PGlite, which runs in the app's). */
  databaseCpuMs?: number;
  /** CPU the load generator used: on 2 cores, the client's share is CPU the server could not have. */
  clientCpuMs: number;
  /** 1-minute load average when the step ended: the machine is shared, read every figure beside it. */
  loadAverage1m: number;
}

type ClientAnswer = { kind: 'result'; latencies: number[]; failed: number; wallMs: number; clientCpuMs: number } | { kind: 'error'; message: string };

/**
 * The open-loop load generator (bench/lib/open-loop-client.mjs) in a child process of its own, so
 * the server measured is alone in its event loop. One client serves every step of a run.
 */
export class LoadClient {
  private readonly child: ChildProcess;

  constructor() {
    // No inherited --import tsx or inspector flags: the client is plain JavaScript.
    this.child = fork(path.join(__dirname, 'open-loop-client.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  /** Requests at `rate` per second for `seconds`, from `pool` in turn; `serverCpuMs` reads the server's CPU so far. */
  async atRate(url: string, pool: LoadRequest[], rate: number, seconds: number, serverCpuMs: () => number, databaseCpuMs?: () => number): Promise<RateStep> {
    const cpuBefore = serverCpuMs();
    const databaseBefore = databaseCpuMs?.();
    const answer = await new Promise<ClientAnswer>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: ClientAnswer) => {
        this.child.off('exit', onExit);
        resolve(message);
      });
      this.child.send({ url, pool, rate, seconds });
    });
    if (answer.kind === 'error') throw new Error(`load generator: ${answer.message}`);
    const { latencies } = answer;
    return {
      rate,
      requests: latencies.length,
      failed: answer.failed,
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      serverCpuMs: round(serverCpuMs() - cpuBefore, 0),
      ...(databaseCpuMs && databaseBefore !== undefined ? { databaseCpuMs: round(databaseCpuMs() - databaseBefore, 0) } : {}),
      clientCpuMs: round(answer.clientCpuMs, 0),
      loadAverage1m: round(os.loadavg()[0], 2),
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** CPU this process has used, in ms (user + system): the in-process app's, when the load comes from elsewhere. */
export const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
