import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** A worker that dies this soon after it was forked did not start; three such deaths in a row end the primary. */
const STARTUP_GRACE_MS = 15_000;
const FAILED_STARTS_BEFORE_GIVING_UP = 3;
/** How long workers have to finish their requests and close the store after a stop signal. */
const STOP_GRACE_MS = 30_000;

/**
 * WEB_CONCURRENCY=N: this process becomes a primary that only supervises. N workers each run the
 * whole of CaseRoom (routes, outbox worker, live changes, bot) over the same PostgreSQL, as N
 * instances would (migrations take an advisory lock; outbox jobs are claimed), and node:cluster
 * hands each incoming connection to one of them: one Node process serves from one core.
 *
 * A worker that dies is replaced. Workers that cannot start at all (each dies within
 * STARTUP_GRACE_MS, several in a row) end the primary with an error, so the platform's restart
 * policy and logs see the failure instead of a crash loop hidden inside. SIGTERM or SIGINT is
 * passed to every worker, and the primary exits when they have.
 */
export function superviseWorkers(count: number, logger: Logger): void {
  const forkedAt = new Map<number, number>();
  let failedStarts = 0;
  let stopping: { exitCode: number } | null = null;

  const fork = () => {
    const worker = cluster.fork();
    forkedAt.set(worker.id, Date.now());
    worker.once('listening', () => (failedStarts = 0));
  };
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const stopAll = (signal: NodeJS.Signals, exitCode: number) => {
    if (stopping) return;
    stopping = { exitCode };
    logger.info({ signal, workers: live().length }, 'stopping the workers');
    for (const worker of live()) worker.process.kill(signal);
    setTimeout(() => {
      for (const worker of live()) worker.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
    if (live().length === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (forkedAt.get(worker.id) ?? 0);
    forkedAt.delete(worker.id);
    if (stopping) {
      if (live().length === 0) process.exit(stopping.exitCode);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal, livedMs: lived }, 'a worker ended; starting another');
    if (lived < STARTUP_GRACE_MS && ++failedStarts >= FAILED_STARTS_BEFORE_GIVING_UP) {
      logger.fatal({ failedStarts }, 'workers keep ending as they start; stopping');
      stopAll('SIGTERM', 1);
      return;
    }
    fork();
  });
  process.once('SIGTERM', () => stopAll('SIGTERM', 0));
  process.once('SIGINT', () => stopAll('SIGINT', 0));
  logger.info({ workers: count }, 'starting workers');
  for (let k = 0; k < count; k++) fork();
}
