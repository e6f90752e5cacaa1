import { planDigest } from './digest';
import { dueReminderDays, expiryReminderKey, timeLeftInWords } from './expiry';

const DAY = 24 * 3600 * 1000;
const expiry = new Date('2030-06-10T12:00:00Z');
const before = (ms: number) => new Date(expiry.getTime() - ms);

describe('which expiry reminder is due', () => {
  it('is the tightest window the grant is inside, and none outside every window or once expired', () => {
    expect(dueReminderDays(expiry, before(8 * DAY), [7, 1])).toBeNull();
    expect(dueReminderDays(expiry, before(7 * DAY), [7, 1])).toBe(7);
    expect(dueReminderDays(expiry, before(2 * DAY), [7, 1])).toBe(7);
    expect(dueReminderDays(expiry, before(DAY), [7, 1])).toBe(1);
    // First seen an hour before expiry (a restart, a grant made that short): the 1-day reminder only.
    expect(dueReminderDays(expiry, before(3600 * 1000), [1, 7])).toBe(1);
    expect(dueReminderDays(expiry, expiry, [7, 1])).toBeNull();
    expect(dueReminderDays(expiry, before(-DAY), [7, 1])).toBeNull();
    expect(dueReminderDays(expiry, before(3600 * 1000), [])).toBeNull();
  });

  it('keys each reminder by grant, expiry and threshold, so a new expiry re-arms them', () => {
    expect(expiryReminderKey('g1', '2030-06-10T12:00:00.000Z', 7)).toBe('expiring:g1:2030-06-10T12:00:00.000Z:7d');
    expect(expiryReminderKey('g1', '2030-06-10T12:00:00Z', 7)).toBe(expiryReminderKey('g1', '2030-06-10T12:00:00.000Z', 7));
    expect(expiryReminderKey('g1', '2030-07-10T12:00:00Z', 7)).not.toBe(expiryReminderKey('g1', '2030-06-10T12:00:00Z', 7));
  });

  it('says how far off the expiry is in words', () => {
    expect(timeLeftInWords(expiry, before(6 * DAY))).toBe('in 6 days');
    expect(timeLeftInWords(expiry, before(6 * DAY - 1000))).toBe('in 6 days');
    expect(timeLeftInWords(expiry, before(20 * 3600 * 1000))).toBe('within a day');
  });
});

describe('access ending soon in the guest digest', () => {
  const cases = [{ caseId: 'c1', number: 'PI-1', title: 'Smith', items: [], messages: [] }];
  const ending = { caseId: 'c1', key: 'expiring:g1:2030-06-10T12:00:00.000Z:1d', text: 'Your access to this case ends soon.' };

  it('is news once, listed in its case, and remembered like everything the guest sees', () => {
    const first = planDigest({ cases, endings: [ending], seen: new Set(['case:c1']), portalBaseUrl: 'https://caseroom.example' });
    expect(first.sections).toEqual([expect.objectContaining({ caseId: 'c1', newlyShared: false, lines: [{ key: ending.key, text: ending.text, url: 'https://caseroom.example/tab/portal/cases/c1' }] })]);
    expect(first.visibleKeys).toContain(ending.key);
    const again = planDigest({ cases, endings: [ending], seen: new Set(first.visibleKeys), portalBaseUrl: 'https://caseroom.example' });
    expect(again.sections).toEqual([]);
  });

  it('never names a case the portal does not show the guest', () => {
    const plan = planDigest({ cases, endings: [{ ...ending, caseId: 'c2' }], seen: new Set(['case:c1']), portalBaseUrl: 'https://caseroom.example' });
    expect(plan.sections).toEqual([]);
    expect(plan.visibleKeys).not.toContain(ending.key);
  });
});
