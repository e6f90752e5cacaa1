import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { type Db, openDb, PGLITE_OPTIONS, pgliteDb } from '../../src/store/db';
import { migrate } from '../../src/store/migrations';
import { pgliteTemplateTarball } from '../../src/store/pglite-template';

/**
 * Stores for tests. PGlite's initdb takes seconds, so each test file loads the migrated cluster
 * of src/store/pglite-template.ts into memory once (initdb only if it cannot be had) and clones
 * it per test; PostgreSQL (TEST_DATABASE_URL) gets a fresh schema instead.
 */
let template: Promise<PGliteInterface> | null = null;

export async function freshPglite(): Promise<Db> {
  template ??= (async () => {
    const loadDataDir = await pgliteTemplateTarball();
    const pg = new PGlite({ ...PGLITE_OPTIONS, ...(loadDataDir ? { loadDataDir } : {}) });
    await migrate(pgliteDb(pg));
    return pg;
  })();
  return pgliteDb(await (await template).clone());
}

export const postgresUrl = (): string | undefined => process.env.TEST_DATABASE_URL || undefined;

/** A PostgreSQL database with a clean schema, for the store suite's second run. */
export async function freshPostgres(url: string): Promise<Db> {
  const db = await openDb({ kind: 'postgres', url });
  await db.exec('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await migrate(db);
  return db;
}

/** Closes the per-file template (registered for every test file in tests/support/jest-setup.ts). */
export async function closeTemplate(): Promise<void> {
  if (!template) return;
  const pg = await template;
  template = null;
  await pg.close();
}
