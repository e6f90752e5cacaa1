/**
 * Moved: CaseRoomEvent to src/domain/events.ts (a notify job's payload, src/domain/jobs.ts), and
 * syncKey with every other job's dedupe key to src/services/job-requests.ts. These re-exports
 * only keep branches written before the move compiling: delete this file once they are merged.
 */
export type { CaseRoomEvent } from '../domain/events';
export { syncKey } from './job-requests';
