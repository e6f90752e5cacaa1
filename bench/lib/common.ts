import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, openDb } from '../../src/store/db';
import { migrate } from '../../src/store/migrations';

export { freePort } from '../../tests/support/free-port';

/** What every scenario returns: figures, or why it was not run (never invented numbers). */
export type ScenarioResult = { status: 'ok'; seconds: number; [figure: string]: unknown } | { status: 'not run'; why: string };

export interface Scenario {
  key: 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6' | 'P7' | 'P8';
  title: string;
  run(): Promise<ScenarioResult>;
}

export function machine() {
  const cpus = os.cpus();
  return { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/**
 * Runs one measurement against each store CaseRoom supports, side by side: a fresh PGlite in a
 * temporary folder, then a throwaway PostgreSQL cluster; each migrated, each removed afterwards.
 */
export async function onEachStore<T extends object>(name: string, measure: (store: 'pglite' | 'postgres', db: Db, postgresUrl?: string) => Promise<T>): Promise<{ pglite: T; postgres: T & { version: string } }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `caseroom-bench-${name}-`));
  let pglite: T;
  try {
    const db = await openDb({ kind: 'pglite', dataDir: dir });
    await migrate(db);
    pglite = await measure('pglite', db);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const { startThrowawayPostgres } = await import('../../scripts/postgres-cluster.mjs');
  const pg = startThrowawayPostgres({ database: `caseroom_bench_${name}` });
  try {
    const db = await openDb({ kind: 'postgres', url: pg.url });
    await migrate(db);
    return { pglite, postgres: { version: pg.version, ...(await measure('postgres', db, pg.url)) } };
  } finally {
    pg.stop();
  }
}
