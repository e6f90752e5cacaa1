import { SIMULATOR_TEAMS_APP_ID } from '../../src/config';
import { WallService } from '../../src/services/walls';
import { systemClock } from '../../src/services/context';
import type { StoredActivity } from '../../src/m365-simulator/connector/state';
import { Repo } from '../../src/store/repo';
import type { Staff } from '../../src/store/records';
import { feedRecipients } from '../../bot/store';
import { CASE_CHANNEL, cardOf, cardText, type Harness, postAsStaff, startHarness } from './harness';
import { TEST_STAFF_GROUP } from '../support/tokens';

/**
 * The bot and ethical walls: a staff member walled off PI-1 finds it through no command (1:1
 * chat or channel), and no card about it is posted in its standard channel (which the whole cases
 * team reads) nor sent to him; Priya, inside the wall, asks as before.
 */

let h: Harness;
let olaf: Staff;

beforeAll(async () => {
  h = await startHarness();
  const user = await h.sim.admin.createUser(h.tenantId, { displayName: 'Olaf Outside', mail: 'olaf@hartleymoss.onmicrosoft.com' });
  await h.sim.admin.addGroupMember(TEST_STAFF_GROUP, user.id);
  olaf = await new Repo(h.db).insertStaff({ firmId: h.caseRecord.firmId, userId: user.id, name: 'Olaf Outside', email: 'olaf@firm.example', phone: null, title: null });
  await h.sim.admin.installAppForUser(user.id, SIMULATOR_TEAMS_APP_ID);
  await h.sim.admin.installAppForUser(h.staff.userId, SIMULATOR_TEAMS_APP_ID);
  // Olaf asked for every upload of PI-1 in his feed before the wall went up.
  await h.app.services.casework.setNotificationPreference({ kind: 'staff', firmId: olaf.firmId, staffId: olaf.id, userId: olaf.userId, name: olaf.name, role: 'staff' }, { caseId: h.caseRecord.id, event: 'guest.uploaded', feed: true });
  await new WallService({ db: h.db, clock: systemClock }).setWall(h.actor, h.caseRecord.id, { staffIds: [h.staff.id], reason: null });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

async function chat(userId: string): Promise<StoredActivity[]> {
  const res = await h.connectorAdmin('GET', `/personal/${userId}`);
  return res.status === 200 ? (res.body.activities as StoredActivity[]) : [];
}

async function ask(userId: string, text: string): Promise<string> {
  const before = (await chat(userId)).length;
  const sent = await h.connectorAdmin('POST', `/personal/${userId}/messages`, { text });
  expect(sent.status).toBe(201);
  const answers = (await chat(userId)).slice(before).filter((a) => a.from.role === 'bot');
  return answers.map((a) => (cardOf(a) ? cardText(cardOf(a)) : (a.text ?? ''))).join('\n');
}

async function answerInChannel(aadObjectId: string, text: string): Promise<string> {
  const posted = await postAsStaff(h, text, { aadObjectId });
  const thread = (await h.threads()).find((t) => t.conversationId === posted.conversationId);
  return cardText(cardOf(thread?.activities.at(-1)));
}

describe('a staff member outside the wall, asking the bot', () => {
  it.each([
    ['status PI-1', 'No case of your firm has the number or title PI-1'],
    ['who has access PI-1', 'No case of your firm has the number or title PI-1'],
    ['status metro transit', 'No case of your firm has the number or title metro transit'],
  ])('in the 1:1 chat, "%s" finds nothing', async (question, expected) => {
    const answer = await ask(olaf.userId, question);
    expect(answer).toContain(expected);
    expect(answer).not.toContain('Smith v. Metro Transit');
  });

  it('finds only the cases he may see by title words', async () => {
    // "Smith" matches both cases for Priya; for Olaf only COM-2, so he gets its status at once.
    const answer = await ask(olaf.userId, 'status smith');
    expect(answer).toContain('COM-2');
    expect(answer).not.toContain('PI-1');
    expect(await ask(h.staff.userId, 'status smith')).toContain('PI-1');
  });

  it.each(['status', 'who has access', 'share page-1.tif with anyone'])('in the case channel, "%s" is answered as in any other channel', async (command) => {
    const answer = await answerInChannel(olaf.userId, command);
    expect(answer).toContain('Not a case channel');
    expect(answer).not.toContain('Metro Transit');
  });
});

describe('inside the wall', () => {
  it('Priya asks about PI-1 as before, in the chat and in the channel', async () => {
    expect(await ask(h.staff.userId, 'status PI-1')).toContain('Case status');
    expect(await answerInChannel(h.staff.userId, 'status')).toContain('Assigned: Priya Raman');
  });
});

describe('what the bot sends about a walled case', () => {
  it('posts nothing in its standard channel, and sends no feed notice to staff outside the wall', async () => {
    const guest = await h.guest('Gwen Guest');
    await h.app.services.sharing.grant(h.actor, { contactId: guest.contact.id, scope: { kind: 'case', caseId: h.caseRecord.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
    await h.settle();
    const before = (await h.threads(CASE_CHANNEL)).length;
    await h.app.services.portal.recordUploads({ kind: 'guest', firmId: h.caseRecord.firmId, contactId: guest.contact.id, userId: guest.contact.guestUserId!, name: guest.contact.name }, h.caseRecord.id, [
      { name: 'walled.pdf', sizeBytes: 10, mimeType: 'application/pdf', driveItemId: null, parentId: null },
    ]);
    await h.settle();
    expect((await h.threads(CASE_CHANNEL)).length).toBe(before);
    const recipients = await feedRecipients(h.db, h.caseRecord, 'guest.uploaded');
    expect(recipients.has(olaf.id)).toBe(false);
    expect(recipients.has(h.staff.id)).toBe(true);
  });
});
