// One of P7's app processes on PostgreSQL: bench/lib/app-workers.ts forks several through node:cluster,
// and they share one listening port as a production server's workers would (WEB_CONCURRENCY).
import type { JWK } from 'jose';
import pino from 'pino';
import { openDb } from '../../src/store/db';
import { startRecordingApp } from '../../tests/support/app';
import { testTokenVerifier } from '../../tests/support/tokens';

export interface AppWorkerSettings {
  url: string;
  port: number;
  homeTenantId: string;
  publicJwk: JWK;
  env: Record<string, string>;
}

async function run(settings: AppWorkerSettings) {
  const db = await openDb({ kind: 'postgres', url: settings.url });
  const { app } = await startRecordingApp(db, testTokenVerifier(settings.homeTenantId, settings.publicJwk), productionLikeLogger(), { env: { ...settings.env, PORT: String(settings.port) } });
  process.on('message', (message: { kind?: string }) => {
    if (message?.kind !== 'stop') return;
    void app
      .close()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
  process.send?.({ kind: 'ready' });
}

/** As `npm start` logs: a JSON line per request at info, written out (here to /dev/null), not kept in memory. */
export const productionLikeLogger = () => pino({ level: 'info', base: { app: 'caseroom' } }, pino.destination({ dest: '/dev/null', sync: true }));

if (process.env.BENCH_APP_WORKER) {
  run(JSON.parse(process.env.BENCH_APP_WORKER) as AppWorkerSettings).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
