import fs from 'node:fs';
import type { PGliteInterface } from '@electric-sql/pglite';
import { seedFromTemplate } from './pglite-template';
import { isStalePreparedStatement, StatementNames } from './statement-names';
import { isoFromTimestamptz, TIMESTAMPTZ_OID } from './timestamps';
import { type QueryTarget, traceQuery } from '../telemetry';

/** Where the store lives: PGlite in a folder, or PostgreSQL (with an owner connection for migrations when `migrationUrl` is set). */
export type StoreConfig = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; migrationUrl?: string };

/** What repositories need from a database: parameterised SQL and transactions. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** The first row a query answers, mapped, or null when it answers none. */
export async function queryOne<T>(q: Queryable, sql: string, params: readonly unknown[], map: (row: Record<string, unknown>) => T): Promise<T | null> {
  const rows = await q.query(sql, params);
  return rows[0] ? map(rows[0]) : null;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; throws roll back. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements at once, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Hears NOTIFY on `channel` (committed ones only: PostgreSQL's rule). `onGap` is called when
   * some may have been missed (the listening connection was lost and is back). Resolves to
   * the way to stop listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Channel names are identifiers in LISTEN (they cannot be parameters): only plain ones. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
function checkChannel(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`"${channel}" is not a plain channel name (lower-case letters, digits, _)`);
}

export interface DbEvents {
  /**
   * A pooled PostgreSQL connection failed while idle (the server restarted or failed over, an
   * administrator ended the session). The pool has dropped it and connects anew on next use.
   */
  onConnectionError?(err: Error): void;
  /**
   * PGlite's pre-initialised template could not be made (a read-only install, a full disk), so
   * this start runs initdb: seconds slower, and worth a line in the log saying why.
   */
  onTemplateUnavailable?(err: unknown): void;
}

/** Rows per statement in bulk writes: PostgreSQL allows 65,535 parameters in one. */
const ROWS_PER_STATEMENT = 500;

/**
 * A bulk write, a few hundred rows a statement: `sql` receives the chunk's `($1,…,$n),(…)`
 * list and each row contributes `params(row)` (the same count for every row). Returns what
 * the statements returned.
 */
export async function writeInChunks<T, R = Record<string, unknown>>(q: Queryable, rows: readonly T[], params: (row: T) => unknown[], sql: (values: string) => string): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map(params);
    let n = 0;
    const values = chunk.map((row) => `(${row.map(() => `$${++n}`).join(',')})`).join(',');
    out.push(...(await q.query<R>(sql(values), chunk.flat())));
  }
  return out;
}

/**
 * Opens the store the config names. An empty PGlite directory is first filled from the
 * pre-initialised template (store/pglite-template.ts), so it skips initdb (seconds).
 */
export async function openDb(config: StoreConfig, events: DbEvents = {}): Promise<Db> {
  if (config.kind === 'pglite') return traced(await openPglite(config.dataDir, events), { server: 'pglite', database: 'postgres' });
  const url = new URL(config.url);
  return traced(await openPostgres(config.url, events), { server: url.hostname, database: decodeURIComponent(url.pathname.slice(1)) || 'postgres' });
}

/** Every statement as a PostgreSQL dependency in Application Insights (src/telemetry.ts); nothing else changes. */
function traced(db: Db, target: QueryTarget): Db {
  const traceable = (q: Queryable): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]) => traceQuery(target, sql, () => q.query<T>(sql, params)),
  });
  return {
    ...traceable(db),
    kind: db.kind,
    transaction: (work) => db.transaction((tx) => work(traceable(tx))),
    exec: (sql) => traceQuery(target, sql, () => db.exec(sql)),
    listen: (channel, onPayload, onGap) => db.listen(channel, onPayload, onGap),
    close: () => db.close(),
  };
}

/** DATE columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone to shift it. timestamptz: ISO strings (src/store/timestamps.ts). */
export const PGLITE_OPTIONS = { parsers: { 1082: (v: string) => v, [TIMESTAMPTZ_OID]: isoFromTimestamptz } };

const PGLITE_SHARED_BUFFERS = '32MB';

async function openPglite(dataDir: string, events: DbEvents): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir !== 'memory://') {
    await seedFromTemplate(dataDir, events.onTemplateUnavailable);
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const pg = new PGlite(dataDir === 'memory://' ? undefined : dataDir, {
    ...PGLITE_OPTIONS,
    // PostgreSQL's 128 MB of shared buffers is sized for a server with the machine to itself; in
    // the app's own heap 32 MB holds a firm's hot indexes and leaves ~100 MB less resident.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  await pg.waitReady;
  return pgliteDb(pg);
}

/**
 * PGlite is one connection: transactions are serialised by PGlite itself, and a query issued
 * outside the transaction waits for it, which is what a single-process store wants.
 */
export function pgliteDb(pg: PGliteInterface): Db {
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await pg.query<T>(sql, params as unknown[])).rows;
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      return pg.transaction(async (tx) =>
        work({
          async query<R>(sql: string, params: readonly unknown[] = []) {
            return (await tx.query<R>(sql, params as unknown[])).rows;
          },
        }),
      );
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
    async listen(channel: string, onPayload: (payload: string) => void) {
      checkChannel(channel);
      // One in-process connection: nothing can be missed, so there is no gap to report.
      const unlisten = await pg.listen(channel, onPayload);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async close() {
      await pg.close();
    },
  };
}

async function openPostgres(url: string, events: DbEvents): Promise<Db> {
  const { Pool, types } = await import('pg');
  // int8 (counts, cents) as numbers: every value we store fits well inside 2^53.
  types.setTypeParser(20, (v) => Number(v));
  types.setTypeParser(1082, (v) => v);
  types.setTypeParser(TIMESTAMPTZ_OID, isoFromTimestamptz);
  const pool = new Pool({ connectionString: url, max: 10 });
  // pg emits an idle connection's error on the pool, and an 'error' nobody listens to ends the
  // process: one PostgreSQL restart would take every instance down with it.
  pool.on('error', (err) => events.onConnectionError?.(err));
  await pool.query('SELECT 1');
  const names = new StatementNames();
  // Only statements with parameters: those already run one statement each (the extended protocol),
  // where a parameterless text may hold several, which a prepared statement cannot.
  const statement = (text: string, params: readonly unknown[]) => ({ name: params.length > 0 ? names.nameFor(text) : undefined, text, values: params as unknown[] });
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      try {
        return (await pool.query(statement(sql, params))).rows as T[];
      } catch (err) {
        if (!isStalePreparedStatement(err)) throw err;
        // Outside a transaction nothing was done: prepare afresh and run it once more.
        names.forgetAll();
        return (await pool.query(statement(sql, params))).rows as T[];
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      // One connection runs one query at a time; callers may still issue reads in parallel
      // (Promise.all), so queue them here instead of leaning on pg's deprecated implicit queue.
      let queue: Promise<unknown> = Promise.resolve();
      const serialised = <R>(sql: string, params: readonly unknown[]): Promise<R[]> => {
        const next = queue.then(async () => {
          try {
            return (await client.query(statement(sql, params))).rows as R[];
          } catch (err) {
            // The transaction is lost either way (the caller's work is rolled back); the next one prepares afresh.
            if (isStalePreparedStatement(err)) names.forgetAll();
            throw err;
          }
        });
        queue = next.catch(() => undefined);
        return next;
      };
      try {
        await client.query('BEGIN');
        const result = await work({
          query: <R>(sql: string, params: readonly unknown[] = []) => serialised<R>(sql, params),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    listen: (channel, onPayload, onGap) => listenOnOwnConnection(url, channel, { onPayload, onGap, onError: (err) => events.onConnectionError?.(err) }),
    async close() {
      await pool.end();
    },
  };
}

/** How long to wait before connecting the listening connection again, after `failures` in a row. */
export const relistenDelayMs = (failures: number): number => Math.min(30_000, 500 * 2 ** Math.min(failures, 6));

/**
 * LISTEN needs a connection of its own for as long as it listens (a pooled one goes back to the
 * pool between queries). When it is lost (server restart, failover) it is made again, with
 * backoff, and `onGap` says that notifications may have been missed meanwhile.
 */
async function listenOnOwnConnection(url: string, channel: string, on: { onPayload: (payload: string) => void; onGap?: () => void; onError: (err: Error) => void }): Promise<() => Promise<void>> {
  checkChannel(channel);
  const { Client } = await import('pg');
  let client: InstanceType<typeof Client> | null = null;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | null = null;

  const scheduleReconnect = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect(true);
    }, relistenDelayMs(failures++));
  };
  const connect = async (afterLoss: boolean): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) on.onPayload(n.payload);
    });
    // pg emits 'error' and then 'end' for a lost connection; either one starts a new one.
    c.on('error', (err) => {
      on.onError(err);
      if (client === c) client = null;
      scheduleReconnect();
    });
    c.on('end', () => {
      if (client === c) client = null;
      scheduleReconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      on.onError(err as Error);
      await c.end().catch(() => undefined);
      scheduleReconnect();
      return;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    failures = 0;
    if (afterLoss) on.onGap?.();
  };

  await connect(false);
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    retry = null;
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}
