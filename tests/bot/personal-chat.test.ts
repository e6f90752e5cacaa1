import { randomUUID } from 'node:crypto';
import { SIMULATOR_TEAMS_APP_ID } from '../../src/config';
import { Repo } from '../../src/store/repo';
import type { StoredActivity } from '../../src/m365-simulator/connector/state';
import { cardOf, cardText, type Harness, startHarness } from './harness';

/**
 * CaseRoom's personal app: a 1:1 chat with the bot. Staff ask about any case by number or title;
 * a guest is sent to the portal; nobody learns about a case they are not staff for.
 */

let h: Harness;
const installed = new Set<string>();

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function installPersonalApp(userId: string): Promise<void> {
  if (installed.has(userId)) return;
  await h.sim.admin.installAppForUser(userId, SIMULATOR_TEAMS_APP_ID);
  installed.add(userId);
}

async function chat(userId: string): Promise<StoredActivity[]> {
  const res = await h.connectorAdmin('GET', `/personal/${userId}`);
  return res.status === 200 ? (res.body.activities as StoredActivity[]) : [];
}

/** Writes in the user's chat with CaseRoom; returns what the bot answered (text or card text). */
async function ask(userId: string, text: string): Promise<string[]> {
  const before = (await chat(userId)).length;
  const sent = await h.connectorAdmin('POST', `/personal/${userId}/messages`, { text });
  expect(sent.status).toBe(201);
  expect(sent.body.bot.status).toBe(200);
  const answers = (await chat(userId)).slice(before).filter((a) => a.from.role === 'bot');
  return answers.map((a) => (cardOf(a) ? cardText(cardOf(a)) : (a.text ?? '')));
}

describe('staff in the 1:1 chat', () => {
  it('welcomes a staff member who adds the personal app, listing what works in the chat', async () => {
    await installPersonalApp(h.staff.userId);
    const welcome = (await chat(h.staff.userId)).filter((a) => a.from.role === 'bot');
    expect(welcome).toHaveLength(1);
    const text = cardText(cardOf(welcome[0]));
    expect(text).toContain('Welcome to CaseRoom, Priya Raman');
    expect(text).toContain('status <case>');
    expect(text).toContain('who has access <case>');
  });

  it('answers `status <number>` with that case', async () => {
    const [answer] = await ask(h.staff.userId, 'status PI-1');
    expect(answer).toContain('Case status');
    expect(answer).toContain('Smith v. Metro Transit');
  });

  it('finds a case by words of its title for `who has access`', async () => {
    const [answer] = await ask(h.staff.userId, 'who has access smith lease');
    expect(answer).toContain('Who has access');
    expect(answer).toContain('COM-2');
    expect(answer).not.toContain('Metro Transit');
  });

  it('asks which case when the words match several, and lists them', async () => {
    const [answer] = await ask(h.staff.userId, 'status Smith');
    expect(answer).toContain('Which case?');
    expect(answer).toContain('PI-1');
    expect(answer).toContain('COM-2');
    expect(answer).not.toContain('Case status');
  });

  it('asks for the case when none is named, and says so when none matches', async () => {
    expect((await ask(h.staff.userId, 'status'))[0]).toContain('name the case after the command');
    expect((await ask(h.staff.userId, 'who has access Jones v Jones'))[0]).toContain('No case of your firm has the number or title Jones v Jones');
  });

  it('sends sharing to the case channel and anything else to the chat help', async () => {
    expect((await ask(h.staff.userId, 'share Scan.pdf with John Smith'))[0]).toContain('Share items from the case channel');
    const [unknown] = await ask(h.staff.userId, 'what is new?');
    expect(unknown).toContain("CaseRoom didn't understand that");
    expect(unknown).toContain('who has access <case>');
  });
});

describe('anyone else in the 1:1 chat', () => {
  it('points a guest of the firm to the portal and tells nothing about cases', async () => {
    const guestUser = await h.sim.admin.createUser(h.tenantId, { displayName: 'John Smith', mail: `john-${randomUUID().slice(0, 6)}@guest.example`, userType: 'Guest', externalUserState: 'Accepted' });
    const { contact } = await h.guest('John Smith');
    await new Repo(h.db).setInvitation(contact.id, 'accepted', guestUser.id);
    await installPersonalApp(guestUser.id);
    const [welcome] = (await chat(guestUser.id)).filter((a) => a.from.role === 'bot');
    expect(welcome.text).toContain(`${h.config.publicBaseUrl.replace(/\/$/, '')}/tab/portal`);
    const [answer] = await ask(guestUser.id, 'status PI-1');
    expect(answer).toContain('Hello John Smith');
    expect(answer).toContain('/tab/portal');
    expect(answer).not.toContain('Metro Transit');
    expect(answer).not.toContain('Case status');
  });

  it('tells a member of the tenant who is not staff why not, without case details', async () => {
    const member = await h.sim.admin.createUser(h.tenantId, { displayName: 'Sam Reception', mail: `sam-${randomUUID().slice(0, 6)}@hartleymoss.onmicrosoft.com` });
    await installPersonalApp(member.id);
    const [answer] = await ask(member.id, 'who has access PI-1');
    expect(answer).toContain('Only staff of the firm can use CaseRoom');
    expect(answer).not.toContain('Metro Transit');
  });

  it('refuses a staff member taken out of the staff group, though their staff record remains', async () => {
    const user = await h.sim.admin.createUser(h.tenantId, { displayName: 'Lee Left', mail: `lee-${randomUUID().slice(0, 6)}@hartleymoss.onmicrosoft.com` });
    await new Repo(h.db).insertStaff({ firmId: h.caseRecord.firmId, userId: user.id, name: 'Lee Left', email: 'lee@firm.example', phone: null, title: null });
    await installPersonalApp(user.id);
    const [answer] = await ask(user.id, 'status PI-1');
    expect(answer).toContain("Only members of the firm's CaseRoom staff group");
    expect(answer).not.toContain('Metro Transit');
  });

  it('offers no chat to someone without the app: the message never reaches the bot', async () => {
    const stranger = await h.sim.admin.createUser(h.tenantId, { displayName: 'No App', mail: `noapp-${randomUUID().slice(0, 6)}@hartleymoss.onmicrosoft.com` });
    const before = (await h.connectorAdmin('GET', '/stats')).body.activitiesToBot as number;
    const sent = await h.connectorAdmin('POST', `/personal/${stranger.id}/messages`, { text: 'status PI-1' });
    expect(sent.status).toBe(409);
    expect(sent.body.error.code).toBe('AppNotInstalled');
    expect((await h.connectorAdmin('GET', '/stats')).body.activitiesToBot).toBe(before);
  });
});
