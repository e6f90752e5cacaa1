import { Client } from 'pg';
import { CHANGE_CHANNEL } from '../../src/store/changes';
import { type Db, openDb } from '../../src/store/db';
import { freshPglite, postgresUrl } from '../support/db';

/**
 * What live pages rely on (src/store/changes.ts): a listener hears a change only once its
 * transaction commits, never one that rolled back; on PostgreSQL, one store's commits reach a
 * listener on another store (another app instance), and a lost listening connection comes back
 * and says that it may have missed some.
 */
const url = postgresUrl();
if (!url) throw new Error('TEST_DATABASE_URL is not set: run through `npm test` or `npm run jest`, which start a PostgreSQL.');

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const notify = (q: Pick<Db, 'query'>, payload: string) => q.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);

describe.each([
  ['PGlite', async () => ({ writer: await freshPglite(), listener: null as Db | null })],
  ['PostgreSQL, two instances', async () => ({ writer: await openDb({ kind: 'postgres', url }), listener: await openDb({ kind: 'postgres', url }) })],
])('change notifications on %s', (_name, open) => {
  let writer: Db;
  let listenerDb: Db;
  let heard: string[];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const stores = await open();
    writer = stores.writer;
    listenerDb = stores.listener ?? stores.writer;
    heard = [];
    stop = await listenerDb.listen(CHANGE_CHANNEL, (p) => heard.push(p));
  });
  afterAll(async () => {
    await stop?.();
    if (listenerDb !== writer) await listenerDb?.close();
    await writer?.close();
  });

  it('delivers at commit, never for a rollback', async () => {
    let heardInside: string[] = [];
    await writer.transaction(async (tx) => {
      await notify(tx, 'committed');
      heardInside = [...heard];
    });
    await expect(
      writer.transaction(async (tx) => {
        await notify(tx, 'rolled back');
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await notify(writer, 'after');
    await until(() => heard.includes('after'), 'the last notification');
    expect(heardInside).toEqual([]);
    expect(heard).toEqual(['committed', 'after']);
  });
});

describe('a lost PostgreSQL listening connection', () => {
  it('comes back, reports the gap, and hears again', async () => {
    const db = await openDb({ kind: 'postgres', url });
    const heard: string[] = [];
    let gaps = 0;
    const stop = await db.listen(
      CHANGE_CHANNEL,
      (p) => heard.push(p),
      () => gaps++,
    );
    try {
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        const listeners = (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query ILIKE 'LISTEN ${CHANGE_CHANNEL}%' AND pid <> pg_backend_pid()`)).rows;
        expect(listeners).toHaveLength(1);
        await admin.query('SELECT pg_terminate_backend($1)', [listeners[0].pid]);
      } finally {
        await admin.end();
      }
      await until(() => gaps === 1, 'reconnecting');
      await notify(db, 'after the loss');
      await until(() => heard.includes('after the loss'), 'hearing after the loss');
    } finally {
      await stop();
      await db.close();
    }
  });
});
