import type { AppPart } from '../../src/app-part';
import type { JobKind } from '../../src/domain/jobs';
import type { JobHandler } from '../../src/services/outbox-worker';

/** For tests of the core: handles every job kind by remembering it. */
export function recordingPart(): AppPart & { calls: Array<{ kind: JobKind; payload: Record<string, unknown> }> } {
  const calls: Array<{ kind: JobKind; payload: Record<string, unknown> }> = [];
  const record: JobHandler = async (job) => {
    calls.push({ kind: job.kind, payload: job.payload });
  };
  return {
    name: 'recording',
    calls,
    handlers: { 'provision-case': record, 'invite-guest': record, 'sync-guest-access': record, 'seal-staff-only': record, notify: record },
    routes: [],
    health: async () => ({ m365: 'recording' }),
  };
}
