import type { Logger } from 'pino';
import type { GraphGateway } from '../../m365/graph';
import type { PermissionKnowledge } from '../../domain/model';
import type { Db, Queryable } from '../../store/db';
import { M365Repo } from '../../store/m365';
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

/** What CaseRoom's records say about items' permissions, for readPermissions: Graph's lists cannot tell an item's own. */
export function recordedKnowledge(q: Queryable): (driveItemIds: readonly string[]) => Promise<PermissionKnowledge> {
  return (driveItemIds) => new M365Repo(q).permissionKnowledge(driveItemIds);
}
