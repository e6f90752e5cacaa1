import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type Db, openDb } from '../../../src/store/db';
import { migrate } from '../../../src/store/migrations';

/**
 * A database of its own on the PostgreSQL server the test run uses (TEST_DATABASE_URL, started
 * by scripts/test.mjs). The store suite drops and recreates `public` in the main database, so
 * stress tests never share it: each gets `CREATE DATABASE`, and drops it afterwards.
 */
export interface ScratchDatabase {
  url: string;
  name: string;
  /** Opens a fresh pool on the scratch database (one per simulated app instance). */
  open(): Promise<Db>;
  drop(): Promise<void>;
}

export function requireTestDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the stress tests with `npm run jest -- tests/stress` (scripts/test.mjs starts a PostgreSQL)');
  return url;
}

export async function createScratchDatabase(prefix: string, options: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  const base = new URL(requireTestDatabaseUrl());
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad scratch database name ${name}`);
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  if (options.migrate !== false) {
    const db = await openDb({ kind: 'postgres', url: url.toString() });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  }
  return {
    url: url.toString(),
    name,
    open: () => openDb({ kind: 'postgres', url: url.toString() }),
    async drop() {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
