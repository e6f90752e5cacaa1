import type { Logger } from 'pino';
import type { GraphGateway } from '../../m365/graph';
import type { Db } from '../../store/db';
import type { Clock } from '../context';

export interface SyncOutcome {
  invited: number;
  rerolled: number;
  revoked: number;
  unchanged: number;
}

/** A guest whose run failed, and why; the others of the same run are unaffected. */
export type SyncResult = { ok: true; outcome: SyncOutcome } | { ok: false; error: unknown };

export type DriftPolicy = 'repair' | 'report';

export interface ReconcilerDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  clock: Clock;
  driftPolicy: DriftPolicy;
}
