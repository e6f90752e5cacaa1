import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import { AccessReviewService } from '../../src/services/access-reviews';
import { systemClock } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { permissionsFor, upload } from './harness';

/**
 * "Remove" in an access review goes through the sharing service like any unsharing: the
 * reconciler takes the guest's read permissions off the case's documents in SharePoint.
 */
describe('access review decisions in SharePoint', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let itemIds: string[];

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Review client' });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'REV-1', title: 'Reviewed matter', budgetCents: null });
    await w.app.drain();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const files = ['Knee MRI.pdf', 'Police report.pdf'].map((filename) => ({ name: 'file', filename, content: Buffer.from(`%PDF ${filename}`) }));
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, files);
    expect(up.status).toBe(201);
    itemIds = (up.body.files as Array<{ id: string }>).map((x) => x.id);
    await w.app.settle();
  });

  it('Remove takes the guest’s permissions off the shared documents; Keep leaves another guest’s in place', async () => {
    const { sharing } = w.app.app.services;
    const repo = new Repo(w.app.db);
    const guest = async (name: string): Promise<ContactRecord> => {
      const email = `${name.toLowerCase()}@guest.example`;
      const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
      const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: c.clientId });
      await sharing.setPortalAccess(w.f.actor, contact.id, true, null);
      await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
      await sharing.link(w.f.actor, c.id, contact.id);
      return (await repo.contact(w.f.firm.id, contact.id)) as ContactRecord;
    };
    const ann = await guest('Ann');
    const bob = await guest('Bob');
    await sharing.shareItems(w.f.actor, { contactIds: [ann.id, bob.id], itemIds, expiresAt: null, reason: null });
    await w.app.settle();
    const driveItems = await Promise.all(itemIds.map(async (id) => (await repo.item(w.f.firm.id, id))?.driveItemId as string));
    const held = async (g: ContactRecord) => Promise.all(driveItems.map(async (d) => (await permissionsFor(w.sim, c.driveId as string, d, g.guestUserId as string)).map((p) => p.roles)));
    expect(await held(ann)).toEqual([[['read']], [['read']]]);

    const reviews = new AccessReviewService({ db: w.app.db, clock: systemClock, sharing });
    const guests = await reviews.guestsOfCase(c);
    expect(guests.map((g) => [g.name, g.sees])).toEqual([
      ['Ann', '2 items: Knee MRI.pdf and Police report.pdf'],
      ['Bob', '2 items: Knee MRI.pdf and Police report.pdf'],
    ]);
    const begun = (await w.app.db.transaction((tx) => reviews.startReview(tx, c, guests, (id) => `review:${id}`)))!;
    const fingerprint = (name: string) => guests.find((g) => g.name === name)!.fingerprint;
    expect(await reviews.decide(w.f.actor, { reviewId: begun.reviewId, contactId: ann.id, decision: 'remove', expected: fingerprint('Ann') })).toMatchObject({ outcome: 'decided', completed: false });
    expect(await reviews.decide(w.f.actor, { reviewId: begun.reviewId, contactId: bob.id, decision: 'keep', expected: fingerprint('Bob') })).toMatchObject({ outcome: 'decided', completed: true });
    await w.app.settle();
    expect(await held(ann)).toEqual([[], []]);
    expect(await held(bob)).toEqual([[['read']], [['read']]]);
  });

  it('the overdue notice reaches the responsible staff member only with the app installed, as a deep link to the case tab in its channel', async () => {
    const notice = {
      userId: w.f.staff.userId,
      activityType: 'accessReviewOverdue',
      previewText: 'The access review of REV-1 is overdue',
      topicText: 'REV-1 Reviewed matter',
      webUrl: `${w.app.url}/tab/case?caseId=${c.id}`,
      caseId: c.id,
      channelId: c.channelId,
      templateParameters: { case: 'REV-1' },
    };
    expect(await w.app.m365.activityFeed.notifyStaff(notice)).toBe('not-installed');
    await w.sim.sim.admin.installAppForUser(w.f.staff.userId, SIMULATOR_TEAMS_APP_ID);
    expect(await w.app.m365.activityFeed.notifyStaff(notice)).toBe('delivered');
    const sent = (await w.sim.sim.admin.activityNotifications()).value.at(-1)!;
    const link = new URL((sent.body.topic as { webUrl: string }).webUrl);
    expect(link.href).toMatch(new RegExp(`^https://teams\\.microsoft\\.com/l/entity/${SIMULATOR_TEAMS_APP_ID}/case%3A${c.id}\\?`));
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ channelId: c.channelId });
  });
});
