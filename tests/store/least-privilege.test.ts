import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { loadConfig } from '../../src/config';
import { type Db, openDb } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import { createScratchDatabase, requireTestDatabaseUrl, type ScratchDatabase } from '../stress/support/scratch-db';

/**
 * In production the app serves requests as a role that may only read and write rows; the owner
 * connection (DATABASE_MIGRATION_URL) is used at start-up to migrate and grant. A bug or injected
 * statement on the serving path cannot change the schema or rewrite the audit log.
 */
describe('serving as a least-privilege PostgreSQL role', () => {
  let scratch: ScratchDatabase;
  let role: string;
  let app: RunningApp | null = null;
  let serving: Db | null = null;

  beforeAll(async () => {
    scratch = await createScratchDatabase('caseroom_roles', { migrate: false });
    role = `caseroom_app_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  });
  afterAll(async () => {
    await serving?.close();
    await app?.close();
    await scratch.drop();
    const admin = new Client({ connectionString: requireTestDatabaseUrl() });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  const servingUrl = () => {
    const url = new URL(scratch.url);
    url.username = role;
    url.password = 'serving-secret';
    return url.toString();
  };

  it('starts with the owner migrating and granting, then serves as the role', async () => {
    const config = loadConfig({ SIMULATOR_URL: 'https://simulator.invalid', PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test', SEED_DEMO_DATA: 'true', DATABASE_URL: servingUrl(), DATABASE_MIGRATION_URL: scratch.url });
    app = await startCaseRoom({ config, parts: [], startWorker: false });
    // The demo firm was seeded through the serving connection.
    expect((await new Repo(app.db).allFirms()).length).toBe(1);
    const [{ user }] = await app.db.query<{ user: string }>('SELECT current_user AS user');
    expect(user).toBe(role);
  });

  it('lets the role read and write rows but not change the schema or the audit log', async () => {
    serving = await openDb({ kind: 'postgres', url: servingUrl() });
    const denied = async (sql: string) => {
      const error = await serving!.query(sql).then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      return error?.code;
    };
    expect(await denied('CREATE TABLE smuggled (id int)')).toBe('42501'); // insufficient_privilege
    expect(await denied('DROP TABLE cases')).toBe('42501');
    expect(await denied('ALTER TABLE grants ADD COLUMN x int')).toBe('42501');
    expect(await denied('TRUNCATE audit_log')).toBe('42501');
    expect(await denied('DELETE FROM audit_log')).toBe('42501');
    expect(await denied('UPDATE audit_log SET reason = NULL')).toBe('42501');
    expect(await denied("INSERT INTO schema_migrations (version, name) VALUES (9999, 'forged')")).toBe('42501');
    const firms = await serving.query<{ id: string }>('SELECT id FROM firms');
    expect(firms.length).toBe(1);
    await serving.query('UPDATE firms SET name = name WHERE id = $1', [firms[0].id]);
  });

  it('gets row access to a table the owner creates later (default privileges), still without DDL', async () => {
    const owner = await openDb({ kind: 'postgres', url: scratch.url });
    try {
      await owner.exec('CREATE TABLE later_table (id serial PRIMARY KEY, note text)');
    } finally {
      await owner.close();
    }
    await serving!.query("INSERT INTO later_table (note) VALUES ('written by the serving role')");
    expect(await serving!.query('SELECT note FROM later_table')).toEqual([{ note: 'written by the serving role' }]);
    const dropped = await serving!.query('DROP TABLE later_table').then(
      () => null,
      (e: Error & { code?: string }) => e.code,
    );
    expect(dropped).toBe('42501');
  });

  it('a second start re-keys the role and applies nothing twice', async () => {
    await app?.close();
    app = null;
    const config = loadConfig({ SIMULATOR_URL: 'https://simulator.invalid', PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test', SEED_DEMO_DATA: 'true', DATABASE_URL: servingUrl(), DATABASE_MIGRATION_URL: scratch.url });
    app = await startCaseRoom({ config, parts: [], startWorker: false });
    expect((await new Repo(app.db).allFirms()).length).toBe(1);
  });
});
