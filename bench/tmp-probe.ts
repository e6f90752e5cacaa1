import { startProductionWorld } from './p3-upload';
(async () => {
  const { startThrowawayPostgres } = await import('../scripts/postgres-cluster.mjs');
  const pg = startThrowawayPostgres({ database: 'probe' });
  const w = await startProductionWorld({ caseNumber: 'COM-2026-003', env: { NODE_OPTIONS: '--require /tmp/memlog.js', DATABASE_URL: pg.url }, entry: process.env.ENTRY ?? 'dist/src/server.js' });
  await new Promise((r) => setTimeout(r, 3000));
  await w.close();
  pg.stop();
})();
