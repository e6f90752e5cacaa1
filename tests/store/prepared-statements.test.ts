import { randomUUID } from 'node:crypto';
import { type Db, openDb } from '../../src/store/db';
import { postgresUrl } from '../support/db';

/**
 * The PostgreSQL store prepares the statements it runs again and again (src/store/statement-names.ts).
 * A newer release migrating the same database while this one still serves (a rolling deployment)
 * changes a table under a prepared `SELECT *`, which PostgreSQL then refuses to run: the store
 * prepares it afresh instead of failing every request on that connection.
 */
const url = postgresUrl();
if (!url) throw new Error('TEST_DATABASE_URL is not set: run through `npm test` or `npm run jest`, which start a PostgreSQL.');

describe('prepared statements on PostgreSQL', () => {
  const schema = `prepared_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ kind: 'postgres', url });
    await db.exec(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.notes (id int PRIMARY KEY, title text NOT NULL); INSERT INTO ${schema}.notes VALUES (1, 'Deed');`);
  });
  afterAll(async () => {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  });

  it('keeps answering a repeated read after a migration adds a column under it, outside and inside transactions', async () => {
    const read = `SELECT * FROM ${schema}.notes WHERE id = $1`;
    for (let k = 0; k < 4; k++) expect(await db.query(read, [1])).toEqual([{ id: 1, title: 'Deed' }]);

    await db.exec(`ALTER TABLE ${schema}.notes ADD COLUMN due_on text NOT NULL DEFAULT 'soon'`);

    expect(await db.query(read, [1])).toEqual([{ id: 1, title: 'Deed', due_on: 'soon' }]);
    expect(await db.query(read, [1])).toEqual([{ id: 1, title: 'Deed', due_on: 'soon' }]);
    expect(await db.transaction((tx) => tx.query(read, [1]))).toEqual([{ id: 1, title: 'Deed', due_on: 'soon' }]);
  });
});
