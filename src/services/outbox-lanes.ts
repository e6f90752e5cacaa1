import { isJobKind, JOB_KINDS, JOB_LANES, type Lane } from '../domain/jobs';
import type { ClaimKinds } from '../store/outbox';

/**
 * How the worker uses the lanes of src/domain/jobs.ts (each kind's lane is set there, in the
 * table of job kinds, so a kind cannot exist without one).
 */

/** Kinds outside CaseRoom's table (tests' probe jobs, or rows of a kind this version no longer has) run here. */
export const DEFAULT_LANE: Lane = 'm365';

/**
 * Slots per lane in one worker. Access takes 10, the batch the worker claimed before lanes: the
 * syncs of one firm claimed together gather into one run, one invite per document for all their
 * guests (src/services/reconcile/gather.ts); with 4, a share with a fifth guest went out twice
 * (bench P1: 4,000 permission operations for 2,000 documents, not 2,000). Syncs are paced by the
 * tenant's budget, not by the CPU. Two for bulk writes: more would only share the same budget, and
 * two keep one hung batch from holding up every other.
 */
export const DEFAULT_LANE_SLOTS: Readonly<Record<Lane, number>> = { access: 10, m365: 3, notify: 3, bulk: 2 };

export function laneOf(kind: string): Lane {
  return isJobKind(kind) ? JOB_LANES[kind] : DEFAULT_LANE;
}

/** Which kinds a lane's claim may take: its own kinds, and for the default lane every kind no other lane has. */
export function kindFilterOf(lane: Lane): ClaimKinds {
  if (lane === DEFAULT_LANE) return { except: JOB_KINDS.filter((k) => JOB_LANES[k] !== lane) };
  return { only: JOB_KINDS.filter((k) => JOB_LANES[k] === lane) };
}
