import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import type { AppWorkerSettings } from './app-worker';
import { freePort } from './common';
import { treeCpuMs } from './proc';

export interface AppWorkers {
  url: string;
  /** CPU the workers have used so far, in ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

/**
 * `count` app processes over one PostgreSQL, sharing one port through node:cluster (the primary,
 * this bench process, hands each connection to a worker in turn): one Node process serves from
 * one core, and a production server uses every core it has the same way.
 */
export async function startAppWorkers(count: number, settings: Omit<AppWorkerSettings, 'port'>): Promise<AppWorkers> {
  const port = await freePort();
  cluster.setupPrimary({ exec: path.join(__dirname, 'app-worker.ts'), execArgv: ['--import', 'tsx'], silent: false });
  const workers: Worker[] = [];
  const ready = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      worker.once('exit', (code) => reject(new Error(`an app worker exited (${code}) before it was ready`)));
      worker.on('message', (message: { kind?: string }) => {
        if (message?.kind === 'ready') resolve();
      });
    });
  try {
    for (let k = 0; k < count; k++) workers.push(cluster.fork({ BENCH_APP_WORKER: JSON.stringify({ ...settings, port } satisfies AppWorkerSettings) }));
    await Promise.all(workers.map(ready));
  } catch (err) {
    for (const worker of workers) worker.process.kill('SIGKILL');
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMs: () => workers.reduce((sum, w) => sum + (w.process.pid ? treeCpuMs(w.process.pid) : 0), 0),
    async close() {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              const timer = setTimeout(() => worker.process.kill('SIGKILL'), 20_000);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              worker.send({ kind: 'stop' });
            }),
        ),
      );
    },
  };
}
