import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { createLinks } from '../../bot/links';
import { createNotifyHandler } from '../../bot/notify';
import { SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { CaseRoomEvent } from '../../src/domain/events';
import { systemClock } from '../../src/services/context';
import type { OutboxJob } from '../../src/store/outbox';
import { Repo } from '../../src/store/repo';
import { startUploadWorld, type UploadWorld } from '../stress/support/m365-world';
import { upload } from './harness';

/**
 * Staff hear of a guest's upload or message in their Teams activity feed when their `feed`
 * preference says so (by default: the case's assigned staff member), once per job, as a deep
 * link into the case's channel tab; through the production gateway to the simulator's Graph.
 */
describe('staff activity-feed notices of guest uploads and messages', () => {
  let world: UploadWorld;
  let beth: { staffId: string; userId: string; token: string };
  const seenEvents = new Set<CaseRoomEvent>();
  let nextJobId = 1_000_000;
  let alexInstallationId: string;

  beforeAll(async () => {
    world = await startUploadWorld();
    const { sim, app, firm } = world;
    const user = await sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Beth Moss', mail: 'beth@hartleymoss.onmicrosoft.com' });
    // Beth is staff: in the firm's staff group (CaseRoom asks the simulator's directory) and on record.
    await sim.sim.admin.addGroupMember(firm.firm.staffGroupId as string, user.id);
    const staff = await new Repo(app.db).insertStaff({ firmId: firm.firm.id, userId: user.id, name: 'Beth Moss', email: user.mail, phone: null, title: 'Associate' });
    beth = { staffId: staff.id, userId: user.id, token: await sim.userToken(user.id) };
    // Both have CaseRoom in Teams: only the preference decides who hears.
    alexInstallationId = (await sim.sim.admin.installAppForUser(firm.staff.userId, SIMULATOR_TEAMS_APP_ID)).id;
    await sim.sim.admin.installAppForUser(user.id, SIMULATOR_TEAMS_APP_ID);
    // Beth is responsible for the case (default on) but turns the feed off; Alex is not (default off) and turns it on.
    expect((await app.call('PATCH', `/api/cases/${world.case.id}`, firm.staffToken, { assignedStaffId: staff.id })).status).toBe(200);
    for (const event of ['guest.uploaded', 'guest.message']) {
      expect((await app.call('PUT', '/api/me/notification-preferences', firm.staffToken, { event, feed: true })).status).toBe(200);
      expect((await app.call('PUT', '/api/me/notification-preferences', beth.token, { event, feed: false })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Runs the bot's notify handler, with the production activity feed, on the events the app recorded since the last call; `twice` replays each job. */
  const runNotify = async (o: { twice?: boolean } = {}) => {
    await world.app.settle();
    const handler = createNotifyHandler({
      db: world.app.db,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      feed: world.app.m365.activityFeed,
      links: createLinks({ publicBaseUrl: world.app.url, teamsAppId: SIMULATOR_TEAMS_APP_ID }),
      burstIdleMs: 60_000,
      coalesceMs: 0,
    });
    for (const event of world.app.notifications.filter((e) => !seenEvents.has(e))) {
      seenEvents.add(event);
      // Only the id and payload matter to the handler; the claim bookkeeping is the worker's.
      const job = { id: nextJobId++, kind: 'notify', payload: { event } } as unknown as OutboxJob<'notify'>;
      await handler(job);
      if (o.twice) await handler(job);
    }
  };
  const noticesTo = async (userId: string, activityType: string) => (await world.sim.sim.admin.activityNotifications()).value.filter((n) => n.recipientUserId === userId && n.body.activityType === activityType);

  it('a guest upload reaches the staff member who turned the feed on, once, as a deep link to the item in the case tab; not the one who turned it off', async () => {
    const up = await upload(world.app, `/api/portal/cases/${world.case.id}/files`, world.guest.token, [{ name: 'file', filename: 'Receipt.pdf', content: Buffer.from('%PDF receipt') }]);
    expect(up.status).toBe(201);
    const itemId = (up.body.files as Array<{ id: string }>)[0].id;
    await runNotify({ twice: true });

    const toAlex = await noticesTo(world.firm.staff.userId, 'guestUploaded');
    expect(toAlex).toHaveLength(1);
    expect(toAlex[0].body.previewText).toEqual({ content: 'Uma Uploader uploaded a document to UP-1 Uploads' });
    expect(toAlex[0].body.templateParameters).toEqual([
      { name: 'actor', value: 'Uma Uploader' },
      { name: 'case', value: 'UP-1' },
    ]);
    const link = new URL((toAlex[0].body.topic as { webUrl: string }).webUrl);
    expect(link.href).toMatch(new RegExp(`^https://teams\\.microsoft\\.com/l/entity/${SIMULATOR_TEAMS_APP_ID}/case%3A${world.case.id}\\?`));
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ subEntityId: `item:${itemId}`, channelId: world.case.channelId });
    expect(await noticesTo(beth.userId, 'guestUploaded')).toHaveLength(0);
  });

  it('a guest message reaches the same staff member with its text, opening the case tab', async () => {
    const sent = await world.app.call('POST', `/api/portal/cases/${world.case.id}/messages`, world.guest.token, { body: 'Here is the receipt you asked for.', subject: 'Receipt' });
    expect(sent.status).toBe(201);
    await runNotify();
    const toAlex = await noticesTo(world.firm.staff.userId, 'guestMessaged');
    expect(toAlex).toHaveLength(1);
    expect(toAlex[0].body.previewText).toEqual({ content: 'Uma Uploader: Here is the receipt you asked for.' });
    expect(JSON.parse(new URL((toAlex[0].body.topic as { webUrl: string }).webUrl).searchParams.get('context') as string)).toEqual({ channelId: world.case.channelId });
    expect(await noticesTo(beth.userId, 'guestMessaged')).toHaveLength(0);
  });

  it('back on the default, the assigned staff member hears; a staff member who removed the app gets nothing', async () => {
    expect((await world.app.call('PUT', '/api/me/notification-preferences', beth.token, { event: 'guest.uploaded', feed: null })).status).toBe(200);
    await world.sim.sim.admin.uninstallAppForUser(world.firm.staff.userId, alexInstallationId);
    const before = (await world.sim.sim.admin.activityNotifications()).value.length;
    const up = await upload(world.app, `/api/portal/cases/${world.case.id}/files`, world.guest.token, [{ name: 'file', filename: 'Invoice.pdf', content: Buffer.from('%PDF invoice') }]);
    expect(up.status).toBe(201);
    await runNotify();
    const after = (await world.sim.sim.admin.activityNotifications()).value.slice(before);
    expect(after.filter((n) => n.recipientUserId === beth.userId && n.body.activityType === 'guestUploaded')).toHaveLength(1);
    expect(after.filter((n) => n.recipientUserId === world.firm.staff.userId)).toHaveLength(0);
  });
});
