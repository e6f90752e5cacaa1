import { Client } from 'pg';
import { type Db, openDb } from '../../src/store/db';
import { postgresUrl } from '../support/db';

/**
 * PostgreSQL ends an idle pooled connection (a restart, a failover, an administrator). Before
 * the pool had an error listener this crashed the process; now the app hears of it once and
 * the next query runs on a new connection.
 */
const url = postgresUrl();
if (!url) throw new Error('TEST_DATABASE_URL is not set: run through `npm test` or `npm run jest`, which start a PostgreSQL.');

describe('an idle PostgreSQL connection ended by the server', () => {
  let db: Db | null = null;
  afterAll(async () => {
    await db?.close();
  });

  it('is reported, and the store keeps answering on a new connection', async () => {
    const heard: Array<Error & { code?: string }> = [];
    db = await openDb({ kind: 'postgres', url }, { onConnectionError: (err) => heard.push(err) });
    const [{ pid }] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');

    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const [terminated] = (await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])).rows;
      expect(terminated.ok).toBe(true);
    } finally {
      await admin.end();
    }
    for (let waited = 0; heard.length === 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));

    expect(heard.map((e) => e.code)).toEqual(['57P01']); // admin_shutdown
    const [{ pid: now }] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(now).not.toBe(pid);
    expect(await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });
});
