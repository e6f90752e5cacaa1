import type { Db } from './db';
import { migrate } from './migrations';

/**
 * PostgreSQL in production runs with two identities: the server's owner (the administrator
 * Bicep creates) changes the schema, and the role the app serves requests as may only read and
 * write rows. A bug or an injected statement in the serving path then cannot drop a table,
 * change the schema, or rewrite the audit log, whatever the append-only trigger says.
 */

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The login and password the serving connection uses, read from its URL. */
export function servingRole(databaseUrl: string): { name: string; password: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.username);
  if (!ROLE_NAME.test(name)) throw new Error(`DATABASE_URL's user "${name}" is not a plain PostgreSQL role name (lower-case letters, digits, _)`);
  return { name, password: decodeURIComponent(url.password) };
}

const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * As the owner: creates (or re-keys, after a rotation) the serving role, applies the migrations,
 * and grants the serving role row access to every table and sequence, except changing or
 * deleting audit entries. Default privileges give it the same on tables the owner creates later
 * (a migration applied by hand, before the next start grants again). Idempotent; safe for several instances starting at once (migrations
 * hold an advisory lock, role statements are re-runnable).
 */
export async function prepareForServingRole(owner: Db, role: { name: string; password: string }): Promise<number[]> {
  await owner.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727275)');
    const exists = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
    // Role names cannot be parameters; ROLE_NAME has vetted it. The password is a quoted literal.
    const password = role.password ? ` PASSWORD ${quoteLiteral(role.password)}` : '';
    await tx.query(`${exists.length ? 'ALTER' : 'CREATE'} ROLE ${role.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE${password}`);
  });
  const applied = await migrate(owner);
  const database = (await owner.query<{ db: string }>('SELECT current_database() AS db'))[0].db;
  await owner.exec(`
    GRANT CONNECT ON DATABASE "${database.replace(/"/g, '""')}" TO ${role.name};
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    REVOKE CREATE ON SCHEMA public FROM ${role.name};
    GRANT USAGE ON SCHEMA public TO ${role.name};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role.name};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role.name};
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role.name};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${role.name};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role.name};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role.name};
  `);
  return applied;
}
