import type { CaseRoomEvent, CaseRoomEventType } from './events';

/**
 * Every kind of outbox job CaseRoom enqueues, and what its payload holds. The one place that
 * connects the code that enqueues a job (typed `enqueue`, src/store/outbox.ts) to its handler
 * (`JobHandler<K>`, src/services/outbox-worker.ts): a field renamed here fails to compile at both.
 */
export interface JobPayloads {
  /** Brings a guest's SharePoint permissions in line with their grants (grants or revokes: it reads the latest state). */
  'sync-guest-access': { contactId: string };
  /** Queues a sync for every guest whose grant expired since the last sweep. */
  'm365-expiry': NoPayload;
  /** Closes a staff-only item to guests in SharePoint. */
  'seal-staff-only': { itemId: string };
  'provision-case': { caseId: string };
  'invite-guest': { contactId: string };
  'm365-acceptance': NoPayload;
  /** Every firm's drift check, or one firm's when `firmId` is given. */
  'm365-drift': { firmId?: string };
  'm365-subscriptions': NoPayload;
  'm365-delta': { driveId: string };
  /** Re-checks a file that appeared in a case's drive and imports it if CaseRoom does not know it. */
  'm365-import-file': { driveId: string; driveItemId: string };
  notify: { event: CaseRoomEvent };
  /** Puts one planned bot post on screen. */
  'bot-deliver': { postKey: string };
  /** A guest's e-mail digest. */
  'guest-digest': { contactId: string };
  /** Writes an accepted upload batch's spooled files to SharePoint (src/services/uploads.ts). */
  'upload-write': { batchId: string };
}

export type JobKind = keyof JobPayloads;

/** The payload of a job whose work needs no arguments (a sweep, a poll). */
export type NoPayload = Record<string, never>;

/**
 * Lanes of the outbox: each kind of job runs in one lane, and each lane has slots of its own in
 * every worker, so a slow or hung job can only hold up its own lane. Access changes (a sync
 * may revoke, the expiry sweep queues revocations) never wait behind notifications or bulk
 * Microsoft 365 work, since all of an app's calls share one resource-unit budget per tenant and
 * a revocation must not queue behind anything. A sync job cannot tell in advance whether it
 * grants or revokes (it reads the latest state when it runs), so every sync is in the access lane.
 * Bulk writes (an accepted upload batch: hundreds of files) have a lane of their own, so they
 * hold up neither case provisioning nor invitations; the worker claims the access lane first.
 */
export const LANES = ['access', 'm365', 'notify', 'bulk'] as const;
export type Lane = (typeof LANES)[number];

/**
 * How a payload field is checked when a job is read back from the database. Derived from the
 * field's type, so the table below cannot drift from `JobPayloads`. Checks are shallow below
 * the first level (a grant scope is checked to be an object), except for a notify job's event.
 */
type FieldRule = 'string' | 'string|null' | 'boolean' | 'string[]' | 'object' | 'object[]' | 'event';
type RuleOf<V> = [V] extends [CaseRoomEvent]
  ? 'event'
  : [V] extends [string]
    ? 'string'
    : [V] extends [string | null]
      ? 'string|null'
      : [V] extends [boolean]
        ? 'boolean'
        : [V] extends [readonly string[]]
          ? 'string[]'
          : [V] extends [readonly unknown[]]
            ? 'object[]'
            : [V] extends [object]
              ? 'object'
              : never;
type IsOptional<T, F extends keyof T> = object extends Pick<T, F> ? true : false;
/** One rule per field of T; an optional field's rule ends in `?`. */
type FieldRules<T> = { readonly [F in keyof T]-?: IsOptional<T, F> extends true ? `${RuleOf<Exclude<T[F], undefined>>}?` : RuleOf<T[F]> };

interface JobSpec<K extends JobKind> {
  lane: Lane;
  payload: FieldRules<JobPayloads[K]>;
  /**
   * A job that may rightly run for many minutes (a large file to SharePoint through an upload
   * session): its worker renews its lease while it runs and gives it LONG_JOB_LIMIT_MS.
   */
  long?: true;
}

/** The time limit of a long job (see JobSpec.long). */
export const LONG_JOB_LIMIT_MS = 30 * 60_000;

/** Every kind's lane and payload fields. A kind missing here (without a lane) does not compile. */
const JOBS: { readonly [K in JobKind]: JobSpec<K> } = {
  // Long: sharing thousands of documents with a guest is paced by the tenant's Graph budget (P1:
  // 2,000 documents for five guests at 6,250 resource units a minute take ~90 s). Cut at the short
  // limit, the retry re-read what was done and spent the budget again, and never finished.
  'sync-guest-access': { lane: 'access', payload: { contactId: 'string' }, long: true },
  'm365-expiry': { lane: 'access', payload: {} },
  // Closing a staff-only item to guests in SharePoint is access work: it must not wait behind bulk work.
  'seal-staff-only': { lane: 'access', payload: { itemId: 'string' } },
  'provision-case': { lane: 'm365', payload: { caseId: 'string' } },
  'invite-guest': { lane: 'm365', payload: { contactId: 'string' } },
  'm365-acceptance': { lane: 'm365', payload: {} },
  'm365-drift': { lane: 'm365', payload: { firmId: 'string?' } },
  'm365-subscriptions': { lane: 'm365', payload: {} },
  'm365-delta': { lane: 'm365', payload: { driveId: 'string' } },
  'm365-import-file': { lane: 'm365', payload: { driveId: 'string', driveItemId: 'string' } },
  notify: { lane: 'notify', payload: { event: 'event' } },
  'bot-deliver': { lane: 'notify', payload: { postKey: 'string' } },
  'guest-digest': { lane: 'notify', payload: { contactId: 'string' } },
  'upload-write': { lane: 'bulk', payload: { batchId: 'string' }, long: true },
};

type EventOf<T extends CaseRoomEventType> = Omit<Extract<CaseRoomEvent, { type: T }>, 'type'>;

/** Fields of each event type a notify job may carry. */
const EVENT_FIELDS: { readonly [T in CaseRoomEventType]: FieldRules<EventOf<T>> } = {
  'items.shared': { firmId: 'string', caseId: 'string', actor: 'string', actorId: 'string?', contactIds: 'string[]', itemIds: 'string[]' },
  'items.unshared': { firmId: 'string', caseId: 'string', actor: 'string', actorId: 'string?', contactIds: 'string[]', itemIds: 'string[]' },
  'grant.added': { firmId: 'string', caseIds: 'string[]', actor: 'string', actorId: 'string?', contactId: 'string', scope: 'object', rights: 'string' },
  'grant.changed': { firmId: 'string', caseIds: 'string[]', actor: 'string', contactId: 'string', before: 'object', after: 'object', gainedItemIds: 'string[]', lostItemIds: 'string[]' },
  'grant.removed': { firmId: 'string', caseIds: 'string[]', actor: 'string', actorId: 'string?', contactId: 'string', scope: 'object' },
  'grant.expiring': { firmId: 'string', caseIds: 'string[]', contactId: 'string', grantId: 'string', expiresAt: 'string', scope: 'object?' },
  'invitation.accepted': { firmId: 'string', contactId: 'string', caseIds: 'string[]' },
  'guest.uploaded': { firmId: 'string', caseId: 'string', contactId: 'string', itemIds: 'string[]', burstKey: 'string' },
  'guest.message': { firmId: 'string', caseId: 'string', contactId: 'string', threadId: 'string', messageId: 'string' },
  'staff.replied': { firmId: 'string', caseId: 'string', threadId: 'string', messageId: 'string', contactId: 'string|null' },
  'drift.found': { firmId: 'string', caseId: 'string', added: 'object[]', removed: 'object[]' },
  'items.changed': { firmId: 'string', caseId: 'string', actor: 'string', source: 'string', changes: 'object[]' },
  'case.closed': { firmId: 'string', caseId: 'string', actor: 'string', actorId: 'string?', closureId: 'string' },
  'case.reopened': { firmId: 'string', caseId: 'string', actor: 'string', actorId: 'string?', closureId: 'string' },
};

export const JOB_KINDS = Object.keys(JOBS) as JobKind[];

/** Every kind's lane (derived from the one table above). */
export const JOB_LANES = Object.fromEntries(JOB_KINDS.map((kind) => [kind, JOBS[kind].lane])) as { readonly [K in JobKind]: Lane };

export function isLongJob(kind: string): boolean {
  return isJobKind(kind) && JOBS[kind].long === true;
}

export function isJobKind(kind: string): kind is JobKind {
  return Object.prototype.hasOwnProperty.call(JOBS, kind);
}

/**
 * A job read back from the database whose payload is not what its kind needs (written by an
 * older version, or by hand). Retrying cannot help: the worker fails the job for good with this
 * message, which names the field.
 */
export class JobPayloadError extends Error {
  constructor(
    readonly kind: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${kind} job payload: ${field} ${problem}`);
    this.name = 'JobPayloadError';
  }
}

/** The payload of a `kind` job as read from the database, checked field by field; throws JobPayloadError. Fields it does not know are left in place. */
export function parseJobPayload<K extends JobKind>(kind: K, raw: unknown): JobPayloads[K] {
  checkFields(kind, 'payload', raw, JOBS[kind].payload);
  return raw as JobPayloads[K];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkFields(kind: string, path: string, value: unknown, rules: Readonly<Record<string, string>>): void {
  if (!isRecord(value)) throw new JobPayloadError(kind, path, 'is not an object');
  for (const [field, rule] of Object.entries(rules)) {
    const at = `${path}.${field}`;
    const optional = rule.endsWith('?');
    const fieldValue = value[field];
    if (fieldValue === undefined) {
      if (optional) continue;
      throw new JobPayloadError(kind, at, 'is missing');
    }
    checkField(kind, at, fieldValue, (optional ? rule.slice(0, -1) : rule) as FieldRule);
  }
}

function checkField(kind: string, at: string, value: unknown, rule: FieldRule): void {
  const fits: Record<Exclude<FieldRule, 'event'>, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    'string|null': (v) => v === null || typeof v === 'string',
    boolean: (v) => typeof v === 'boolean',
    'string[]': (v) => Array.isArray(v) && v.every((e) => typeof e === 'string'),
    object: isRecord,
    'object[]': (v) => Array.isArray(v) && v.every(isRecord),
  };
  if (rule !== 'event') {
    if (!fits[rule](value)) throw new JobPayloadError(kind, at, `is not ${rule}`);
    return;
  }
  const type = isRecord(value) ? value.type : undefined;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(EVENT_FIELDS, type)) throw new JobPayloadError(kind, `${at}.type`, `is not an event type (${String(type)})`);
  checkFields(kind, at, value, EVENT_FIELDS[type as CaseRoomEventType]);
}
