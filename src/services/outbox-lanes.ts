import type { ClaimKinds } from '../store/outbox';

/**
 * Lanes of the outbox: each kind of job runs in one lane, and each lane has slots of its own in
 * every worker, so a slow or hung job can only hold up its own lane. Access changes (a sync
 * may revoke, the expiry sweep queues revocations) never wait behind notifications or bulk
 * Microsoft 365 work, since all of an app's calls share one resource-unit budget per tenant and
 * a revocation must not queue behind anything. A sync job cannot tell in advance whether it grants or revokes (it reads the latest
 * state when it runs), so every sync is in the access lane.
 */
export const LANES = ['access', 'm365', 'notify'] as const;
export type Lane = (typeof LANES)[number];

/**
 * Every outbox kind CaseRoom enqueues, and its lane. The composition root refuses a part whose
 * handler kind is missing here (src/app.ts), so a new kind cannot silently land in a lane.
 */
export const JOB_LANES = {
  'sync-guest-access': 'access',
  'm365-expiry': 'access',
  // Closing a staff-only item to guests in SharePoint is access work: it must not wait behind bulk work.
  'seal-staff-only': 'access',
  'provision-case': 'm365',
  'invite-guest': 'm365',
  'm365-acceptance': 'm365',
  'm365-drift': 'm365',
  'm365-subscriptions': 'm365',
  'm365-delta': 'm365',
  'm365-import-file': 'm365',
  notify: 'notify',
  'bot-deliver': 'notify',
  'guest-digest': 'notify',
} as const satisfies Record<string, Lane>;

export type JobKind = keyof typeof JOB_LANES;

/** Kinds not in JOB_LANES (tests' probe jobs, or a job whose part is not loaded) run here. */
export const DEFAULT_LANE: Lane = 'm365';

/** Slots per lane in one worker (10 in all, the batch size the worker had before lanes). */
export const DEFAULT_LANE_SLOTS: Readonly<Record<Lane, number>> = { access: 4, m365: 3, notify: 3 };

export function isJobKind(kind: string): kind is JobKind {
  return Object.prototype.hasOwnProperty.call(JOB_LANES, kind);
}

export function laneOf(kind: string): Lane {
  return isJobKind(kind) ? JOB_LANES[kind] : DEFAULT_LANE;
}

/** Which kinds a lane's claim may take: its own kinds, and for the default lane every kind no other lane has. */
export function kindFilterOf(lane: Lane): ClaimKinds {
  const kinds = Object.keys(JOB_LANES) as JobKind[];
  if (lane === DEFAULT_LANE) return { except: kinds.filter((k) => JOB_LANES[k] !== lane) };
  return { only: kinds.filter((k) => JOB_LANES[k] === lane) };
}
