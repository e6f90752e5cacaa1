import type { Db, Queryable } from '../../src/store/db';

/**
 * A store that counts the statements it is sent (a transaction's BEGIN and COMMIT each count as
 * one: on PostgreSQL each is a round trip, and round trips are what bench/PROFILE.md found costly).
 */
export interface CountingDb extends Db {
  /** Statements sent while `work` ran (nothing else may use the store meanwhile). */
  countDuring(work: () => Promise<unknown>): Promise<number>;
}

export function countingDb(db: Db): CountingDb {
  let count = 0;
  const counted = (q: Queryable): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]) => {
      count += 1;
      return q.query<T>(sql, params);
    },
  });
  return {
    kind: db.kind,
    query: counted(db).query,
    transaction: (work) => {
      count += 2;
      return db.transaction((tx) => work(counted(tx)));
    },
    exec: (sql) => db.exec(sql),
    listen: (channel, onPayload, onGap) => db.listen(channel, onPayload, onGap),
    close: () => db.close(),
    async countDuring(work) {
      const before = count;
      await work();
      return count - before;
    },
  };
}
