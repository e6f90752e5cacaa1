import { randomUUID } from 'node:crypto';
import { type RunningApp, startCaseRoom } from '../../src/app';
import { queueExpiringGrantNotices } from '../../bot/expiring-grants';
import { botPart } from '../../src/parts/bot';
import { Repo } from '../../src/store/repo';
import type { GrantRecord } from '../../src/store/records';
import type { Thread } from '../../src/m365-simulator/connector/state';
import { harnessFetch } from '../support/http';
import { useFirmOnSimulator } from '../integration/firm-world';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import { applyDefaultSender, GUEST_DIGEST_JOB, requestGuestDigest } from '../../src/services/guest-digest';
import { permissionsFor } from '../integration/harness';
import { checkCards } from './card-validator';
import { CASE_CHANNEL, cardOf, cardText, clickAction, type Harness, OTHER_CHANNEL, startHarness } from './harness';

/**
 * Expiry reminders (issue 16, G1): cards at the firm's thresholds before a grant expires (default
 * 7 and 1 days), each once per grant and expiry date, a first scan when an instance starts, and
 * Extend and Revoke on the card through Action.Execute.
 */

const DAY = 24 * 3600 * 1000;
let h: Harness;

/** A guest linked to both cases with a case grant on `caseId` ending at `expiresAt`. */
async function guestWithGrant(name: string, expiresAt: Date, caseId = h.caseRecord.id): Promise<GrantRecord> {
  const { contact } = await h.guest(name, { linkTo: [h.caseRecord, h.otherCase] });
  const grant = await h.app.services.sharing.grant(h.actor, { contactId: contact.id, scope: { kind: 'case', caseId, view: ['documents', 'events'], threadIds: [] }, rights: 'read', expiresAt: expiresAt.toISOString(), reason: null });
  await h.settle();
  return grant;
}

/** The reminder threads in a channel that name this guest, oldest first. */
async function remindersFor(guestName: string, channelId = CASE_CHANNEL): Promise<Thread[]> {
  return (await h.threads(channelId)).filter((t) => {
    const text = cardText(cardOf(t.activities[0]));
    return text.includes(`${guestName}'s access to`) && /expires/.test(text);
  });
}

const scanAt = async (at: Date) => {
  const queued = await queueExpiringGrantNotices(h.db, { now: () => at });
  await h.settle();
  return queued;
};

describe('in the case channel (bot harness)', () => {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    if (h) {
      // Every reminder and receipt card the bot sent here, through the official renderer.
      expect(h.cards.length).toBeGreaterThan(5);
      expect(checkCards(h.cards).flatMap((r) => [...r.parseErrors, ...r.validationErrors])).toEqual([]);
    }
    await h?.close();
  });

  describe('reminders before access expires', () => {
    it('an instance that starts posts a reminder for a grant expiring tomorrow, soon after start and without holding up /healthz', async () => {
      const grant = await guestWithGrant('Tomas Berg', new Date(Date.now() + 20 * 3600 * 1000));
      expect(await remindersFor('Tomas Berg')).toHaveLength(0);

      // A second instance on the same store starts (a restart, or scaling out): its first scan is its own.
      let second: RunningApp | null = null;
      try {
        second = await startCaseRoom({
          config: h.config,
          db: h.db,
          verify: h.identity.verify,
          parts: [botPart({ feed: { notifyGuest: async () => undefined }, expiryFirstScanMs: 200, expiryScanMs: 3_600_000 })],
          startWorker: false,
        });
        expect((await harnessFetch(`${second.url}/healthz`)).status).toBe(200);
        const until = Date.now() + 60_000;
        let posted: Thread[] = [];
        while (posted.length === 0 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 250));
          await h.settle();
          posted = await remindersFor('Tomas Berg');
        }
        expect(posted).toHaveLength(1);
        const text = cardText(cardOf(posted[0].activities[0]));
        // Inside the one-day window already: the one-day reminder only, not a seven-day one as well.
        expect(text).toContain('Access ends within a day');
        expect(text).toMatch(/Tomas Berg's access to the case's documents and events expires \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\} \(within a day\)\./);
        expect(cardText(cardOf(posted[0].activities[0]))).not.toContain('in 7 days');
        const keys = await h.db.query<{ notification_key: string }>('SELECT notification_key FROM bot_delivered WHERE notification_key LIKE $1', [`expiring:${grant.id}:%`]);
        expect(keys.map((k) => k.notification_key)).toEqual([`expiring:${grant.id}:${new Date(grant.expiresAt!).toISOString()}:1d`]);
      } finally {
        await second?.close();
      }
      // Every later scan, by either instance, finds it done.
      expect(await h.bot.scanExpiringGrants()).toBe(0);
      await h.settle();
      expect(await remindersFor('Tomas Berg')).toHaveLength(1);
    });

    it('the 7-day and the 1-day reminders are each posted once across repeated scans; extending the grant re-arms them', async () => {
      const now = Date.now();
      const expiresAt = new Date(now + 10 * DAY);
      const grant = await guestWithGrant('Ines Ruiz', expiresAt, h.otherCase.id);
      const count = async () => (await remindersFor('Ines Ruiz', OTHER_CHANNEL)).length;

      expect(await scanAt(new Date(now))).toBe(0);
      expect(await count()).toBe(0);
      // Six days before expiry: the 7-day reminder, once.
      for (const at of [expiresAt.getTime() - 6 * DAY, expiresAt.getTime() - 5 * DAY, expiresAt.getTime() - 2 * DAY]) await scanAt(new Date(at));
      expect(await count()).toBe(1);
      // The card counts the days from when it is drawn (here: now, ten days ahead of the expiry).
      expect(cardText(cardOf((await remindersFor('Ines Ruiz', OTHER_CHANNEL))[0].activities[0]))).toMatch(/Access ends in (9|10) days/);
      // Twenty hours before: the 1-day reminder, once.
      expect(await scanAt(new Date(expiresAt.getTime() - 20 * 3600 * 1000))).toBe(1);
      expect(await scanAt(new Date(expiresAt.getTime() - 10 * 3600 * 1000))).toBe(0);
      expect(await count()).toBe(2);
      // Expired: nothing more.
      expect(await scanAt(new Date(expiresAt.getTime() + 3600 * 1000))).toBe(0);

      // Extended by 30 days: the new expiry date gets its own reminders.
      const extendedTo = new Date(expiresAt.getTime() + 30 * DAY);
      await h.app.services.sharing.extendGrant(h.actor, grant.id, extendedTo.toISOString(), 'still instructed');
      await h.settle();
      expect(await scanAt(new Date(extendedTo.getTime() - 3 * DAY))).toBe(1);
      expect(await scanAt(new Date(extendedTo.getTime() - 3 * DAY))).toBe(0);
      expect(await count()).toBe(3);
    });

    it("follows the firm's thresholds, set through the policy API with validation", async () => {
      const staffToken = await h.staffToken();
      const { token: guestToken } = await h.guest('Nadia Guest');
      expect((await h.api('GET', '/api/firm/policy', staffToken)).body).toEqual({ disabledSections: [], expiryReminderDays: [7, 1] });
      for (const bad of [[0], [91], [7, 7], [1.5], [1, 2, 3, 4, 5, 6], 'weekly']) expect((await h.api('PUT', '/api/firm/policy', staffToken, { expiryReminderDays: bad })).body).toMatchObject({ error: { code: 'validation_failed' } });
      expect((await h.api('PUT', '/api/firm/policy', guestToken, { expiryReminderDays: [30] })).status).toBe(403);

      const set = await h.api('PUT', '/api/firm/policy', staffToken, { expiryReminderDays: [3, 14], reason: 'two weeks for court deadlines' });
      expect(set.status).toBe(200);
      // Sorted largest first; the sections, not sent, stay as they were.
      expect(set.body).toEqual({ disabledSections: [], expiryReminderDays: [14, 3] });
      const audit = await new Repo(h.db).auditEntries(h.caseRecord.firmId, { target: `firm:${h.caseRecord.firmId}` });
      expect(audit.at(-1)).toMatchObject({ action: 'firm.policy', reason: 'two weeks for court deadlines', data: { from: { expiryReminderDays: [7, 1] }, to: { expiryReminderDays: [14, 3] } } });

      try {
        const expiresAt = new Date(Date.now() + 60 * DAY);
        await guestWithGrant('Lena Park', expiresAt);
        const count = async () => (await remindersFor('Lena Park')).length;
        await scanAt(new Date(expiresAt.getTime() - 20 * DAY));
        expect(await count()).toBe(0);
        await scanAt(new Date(expiresAt.getTime() - 10 * DAY));
        expect(await count()).toBe(1);
        // No 1-day threshold any more: inside a day, the 3-day reminder already given covers it.
        await scanAt(new Date(expiresAt.getTime() - 2 * DAY));
        await scanAt(new Date(expiresAt.getTime() - 12 * 3600 * 1000));
        expect(await count()).toBe(2);
      } finally {
        expect((await h.api('PUT', '/api/firm/policy', staffToken, { expiryReminderDays: [7, 1] })).status).toBe(200);
      }
    });
  });

  describe('Extend and Revoke on the reminder', () => {
    async function reminderCard(name: string) {
      const expiresAt = new Date(Date.now() + 5 * DAY);
      const grant = await guestWithGrant(name, expiresAt);
      expect(await h.bot.scanExpiringGrants()).toBeGreaterThanOrEqual(1);
      await h.settle();
      const [thread] = await remindersFor(name);
      const root = thread.activities[0];
      const actions = cardOf(root)!.actions as Array<{ type: string; title: string; verb?: string; data?: Record<string, unknown> }>;
      return { grant, thread, root, actions };
    }
    const syncJobsFor = async (contactId: string) => (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE kind = 'sync-guest-access' AND payload->>'contactId' = $1", [contactId]))[0].n;

    it('Extend changes the expiry through the sharing service, is audited, and replaces the card with a receipt', async () => {
      const { grant, thread, root, actions } = await reminderCard('Oskar Lind');
      expect(actions.map((a) => a.title)).toEqual(['Extend 30 days', 'Extend 90 days', 'Revoke now', 'Open in CaseRoom']);
      const syncsBefore = await syncJobsFor(grant.contactId);
      const extend = actions.find((a) => a.title === 'Extend 90 days')!;
      const clicked = await clickAction(h, thread.conversationId, root.id, { verb: extend.verb!, data: extend.data });
      expect(clicked.status).toBe(200);
      expect(clicked.response.type).toBe('application/vnd.microsoft.card.adaptive');
      const receipt = cardText(clicked.response.value);
      expect(receipt).toContain('Access extended');
      expect(receipt).toMatch(/Oskar Lind's access to the case's documents and events now ends \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\}/);
      expect(receipt).toContain('Extended by Priya Raman until');

      const after = (await new Repo(h.db).grant(h.caseRecord.firmId, grant.id))!;
      expect(Date.parse(after.expiresAt!)).toBe(Date.parse(grant.expiresAt!) + 90 * DAY);
      const audit = await new Repo(h.db).auditEntries(h.caseRecord.firmId, { target: `contact:${grant.contactId}` });
      expect(audit.at(-1)).toMatchObject({ action: 'grant.extended', actor: `staff:${h.staff.userId}`, reason: 'extended from the Teams card' });
      // SharePoint follows through the outbox, like any change of the grant.
      expect(await syncJobsFor(grant.contactId)).toBeGreaterThan(syncsBefore);
      await h.settle();
      const shown = (await h.threads()).find((t) => t.rootId === root.id)!.activities[0];
      expect(cardText(cardOf(shown))).toContain('Extended by Priya Raman');
      expect((cardOf(shown)!.actions as Array<{ verb?: string }>).some((a) => a.verb)).toBe(false);

      // The same button again (a second device still showing the old card): stale, nothing changes.
      const stale = await clickAction(h, thread.conversationId, root.id, { verb: extend.verb!, data: extend.data });
      expect(String(stale.response.value)).toMatch(/This card is out of date: that access now ends \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Nothing was changed\./);
      expect((await new Repo(h.db).grant(h.caseRecord.firmId, grant.id))!.expiresAt).toBe(after.expiresAt);
    });

    it('Revoke removes the grant through the sharing service, audited, with a receipt', async () => {
      const { grant, thread, root, actions } = await reminderCard('Vera Holm');
      const revoke = actions.find((a) => a.verb === 'grant.revoke')!;
      const clicked = await clickAction(h, thread.conversationId, root.id, { verb: revoke.verb!, data: revoke.data });
      expect(clicked.response.type).toBe('application/vnd.microsoft.card.adaptive');
      const receipt = cardText(clicked.response.value);
      expect(receipt).toContain('Access revoked');
      expect(receipt).toContain("Vera Holm no longer has access to the case's documents and events.");
      expect(receipt).toContain('Revoked by Priya Raman.');
      expect(await new Repo(h.db).grant(h.caseRecord.firmId, grant.id)).toBeNull();
      const audit = await new Repo(h.db).auditEntries(h.caseRecord.firmId, { target: `contact:${grant.contactId}` });
      expect(audit.at(-1)).toMatchObject({ action: 'grant.removed', actor: `staff:${h.staff.userId}`, reason: 'revoked from the Teams card' });
      await h.settle();
      const again = await clickAction(h, thread.conversationId, root.id, { verb: revoke.verb!, data: revoke.data });
      expect(String(again.response.value)).toMatch(/out of date: that access no longer exists/);
    });

    it('refuses someone who is not staff of the firm, and a forged button, with a clear answer and no change', async () => {
      const { grant, thread, root, actions } = await reminderCard('Kai Moreno');
      const revoke = actions.find((a) => a.verb === 'grant.revoke')!;
      const outsider = await clickAction(h, thread.conversationId, root.id, { verb: revoke.verb!, data: revoke.data }, randomUUID());
      expect(outsider.response.type).toBe('application/vnd.microsoft.activity.message');
      expect(String(outsider.response.value)).toMatch(/Only staff/);
      // A guest of the firm clicking (their Entra id is known to CaseRoom, but as a guest).
      const guestUserId = (await new Repo(h.db).contact(h.caseRecord.firmId, grant.contactId))!.guestUserId!;
      expect(String((await clickAction(h, thread.conversationId, root.id, { verb: revoke.verb!, data: revoke.data }, guestUserId)).response.value)).toMatch(/Only staff/);
      // Forged data: a grant id that is not this firm's, a malformed extension, an expiry the card never showed.
      expect(String((await clickAction(h, thread.conversationId, root.id, { verb: 'grant.revoke', data: { grantId: randomUUID(), expected: grant.expiresAt } })).response.value)).toMatch(/out of date/);
      expect(String((await clickAction(h, thread.conversationId, root.id, { verb: 'grant.extend', data: { grantId: grant.id, days: 100000, expected: grant.expiresAt } })).response.value)).toMatch(/not valid for "grant.extend"/);
      expect(String((await clickAction(h, thread.conversationId, root.id, { verb: 'grant.extend', data: { grantId: grant.id, days: 30, expected: '2099-01-01T00:00:00.000Z' } })).response.value)).toMatch(/out of date/);
      expect((await new Repo(h.db).grant(h.caseRecord.firmId, grant.id))!.expiresAt).toBe(grant.expiresAt);
    });
  });
});

describe('through SharePoint (the app with its Microsoft 365 part, on the simulator)', () => {
  const w = useFirmOnSimulator();

  /** A staff member's click in Teams, as the simulated Teams client sends it: an adaptiveCard/action invoke in a case channel thread. */
  async function clickInChannel(channelId: string, action: { verb: string; data: unknown }) {
    const admin = `${w.sim.sim.httpUrl}/botconnector/_admin`;
    const post = async (path: string, body: unknown) => (await harnessFetch(`${admin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const from = { aadObjectId: w.f.staff.userId, name: w.f.staff.name };
    const thread = (await post(`/channels/${encodeURIComponent(channelId)}/messages`, { from, text: 'Reminder here', mentionBot: false })) as { conversationId: string; activityId: string };
    return (await post('/invoke', { conversationId: thread.conversationId, activityId: thread.activityId, from, action })) as { status: number; response: { type: string; value: unknown } };
  }

  it("Extend keeps the guest's SharePoint permission and Revoke removes it, each from an Action.Execute click; the guest's digest says once that access ends soon", async () => {
    const { sharing } = w.app.app.services;
    const repo = new Repo(w.app.db);
    const client = await sharing.createClient(w.f.actor, { name: 'Ada Client' });
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'EXP-1', title: 'Ada v. Expiry', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    const contact = await sharing.createContact(w.f.actor, { email: 'ada@mail.example', name: 'Ada Client', kind: 'client', phone: null, clientId: client.id });
    await sharing.link(w.f.actor, c.id, contact.id);
    await sharing.setPortalAccess(w.f.actor, contact.id, true, null);
    await w.app.drain();
    const guestId = (await repo.contact(w.f.firm.id, contact.id))!.guestUserId!;
    // The firm's sending mailbox, as the guest-digest suite sets it up: the guest hears by e-mail too.
    await w.sim.sim.admin.setMailboxScope(SIMULATOR_TENANT_ID, SIMULATOR_CLIENT_ID, [w.f.staff.email]);
    expect(await applyDefaultSender(w.app.db, w.f.staff.email)).toBe(1);
    await w.sim.sim.admin.acceptInvitation(guestId);
    await w.app.m365.provisioning.pollAcceptances();
    await w.app.drain();
    const grant = await sharing.grant(w.f.actor, {
      contactId: contact.id,
      scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] },
      rights: 'read',
      expiresAt: new Date(Date.now() + 20 * 3600 * 1000).toISOString(),
      reason: null,
    });
    await w.app.settle();
    const provisioned = (await repo.case(w.f.firm.id, c.id))!;
    const folderPermissions = () => permissionsFor(w.sim, provisioned.driveId!, provisioned.folderItemId!, guestId);
    expect(await folderPermissions()).toHaveLength(1);

    // The reminder is due (the one-day one) and goes out as a notice for the case channel.
    expect(await queueExpiringGrantNotices(w.app.db, { now: () => new Date() })).toBe(1);
    await w.app.drain();
    expect(w.app.notifications).toContainEqual(expect.objectContaining({ type: 'grant.expiring', grantId: grant.id, caseIds: [c.id] }));
    // The guest's digest says so, once: a later digest does not repeat it.
    const endingMails = async () => {
      await w.app.db.query(`UPDATE outbox SET run_after = now() WHERE kind = $1 AND status = 'pending'`, [GUEST_DIGEST_JOB]);
      await w.app.drain();
      return (await w.sim.sim.admin.mail('ada@mail.example')).value.filter((m) => m.content.includes('Your access to this case ends'));
    };
    const [mail, ...more] = await endingMails();
    expect(more).toHaveLength(0);
    expect(mail.content).toMatch(/Your access to this case ends \d{1,2} \w+ \d{4} at \d\d:\d\d UTC \(within a day\)\. Ask Hartley &amp; Moss if you still need it\./);
    await requestGuestDigest(w.app.db, w.f.firm.id, contact.id);
    expect(await endingMails()).toHaveLength(1);

    const extended = await clickInChannel(provisioned.channelId!, { verb: 'grant.extend', data: { grantId: grant.id, days: 30, expected: grant.expiresAt } });
    expect(extended.status).toBe(200);
    expect(JSON.stringify(extended.response.value)).toMatch(/extended/i);
    const after = (await repo.grant(w.f.firm.id, grant.id))!;
    expect(Date.parse(after.expiresAt!)).toBe(Date.parse(grant.expiresAt!) + 30 * DAY);
    await w.app.settle();
    expect(await folderPermissions()).toHaveLength(1);

    const revoked = await clickInChannel(provisioned.channelId!, { verb: 'grant.revoke', data: { grantId: grant.id, expected: after.expiresAt } });
    expect(revoked.status).toBe(200);
    expect(await repo.grant(w.f.firm.id, grant.id)).toBeNull();
    await w.app.settle();
    expect(await folderPermissions()).toHaveLength(0);
  });
});
