import { isJobKind, JOB_KINDS, JOB_LANES, JobPayloadError, LANES, parseJobPayload } from './jobs';
import { SAMPLE_PAYLOADS } from '../../tests/support/outbox';

/**
 * A job is read back from the database long after it was written, maybe by an older version:
 * its payload is checked against its kind there, and a payload of another shape is refused with
 * the field named, instead of reaching the handler as an undefined.
 */
describe('outbox job payloads', () => {
  it.each(JOB_KINDS)('accepts a %s payload of the right shape', (kind) => {
    expect(parseJobPayload(kind, SAMPLE_PAYLOADS[kind])).toEqual(SAMPLE_PAYLOADS[kind]);
  });

  it('gives every kind one of the lanes', () => {
    expect(new Set(Object.values(JOB_LANES))).toEqual(new Set(LANES));
    expect(JOB_KINDS.every(isJobKind)).toBe(true);
    expect(isJobKind('probe')).toBe(false);
  });

  it.each([
    ['sync-guest-access', {}, 'payload.contactId is missing'],
    ['sync-guest-access', { contactId: 42 }, 'payload.contactId is not string'],
    ['m365-import-file', { driveId: 'd' }, 'payload.driveItemId is missing'],
    ['m365-drift', { firmId: 7 }, 'payload.firmId is not string'],
    ['bot-deliver', null, 'payload is not an object'],
    ['notify', { event: { type: 'items.exploded', firmId: 'f' } }, 'payload.event.type is not an event type (items.exploded)'],
    ['notify', {}, 'payload.event is missing'],
    ['notify', { event: { type: 'guest.uploaded', firmId: 'f', caseId: 'c', contactId: 'g', itemIds: 'i-1', burstKey: 'b' } }, 'payload.event.itemIds is not string[]'],
    ['notify', { event: { type: 'staff.replied', firmId: 'f', caseId: 'c', threadId: 't', messageId: 'm' } }, 'payload.event.contactId is missing'],
  ] as const)('refuses a %s payload %j: %s', (kind, payload, problem) => {
    let thrown: unknown = null;
    try {
      parseJobPayload(kind, payload);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(JobPayloadError);
    expect((thrown as JobPayloadError).message).toBe(`${kind} job payload: ${problem}`);
  });

  it('keeps fields it does not know (a newer version may add one) and accepts null where the event allows it', () => {
    expect(parseJobPayload('invite-guest', { contactId: 'g', resend: true })).toEqual({ contactId: 'g', resend: true });
    const replied = { type: 'staff.replied', firmId: 'f', caseId: 'c', threadId: 't', messageId: 'm', contactId: null };
    expect(parseJobPayload('notify', { event: replied })).toEqual({ event: replied });
  });
});
