import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { MailMessageRecord } from '../../src/m365-simulator/state/model';
import { applyDefaultSender, GUEST_DIGEST_JOB } from '../../src/services/guest-digest';
import { Repo } from '../../src/store/repo';
import { pendingUndeliveredNotices } from '../../src/store/undelivered';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { upload } from './harness';
import { useFirmOnSimulator } from './firm-world';

/**
 * Guests hear by e-mail what is new for them (issue 16): one digest per guest per window, sent
 * with Graph sendMail from the firm's mailbox, listing only what the portal shows them, against
 * the strict simulator (Mail.Send as declared, the Exchange admin's mailbox restriction).
 */
describe('guest e-mail digests', () => {
  const w = useFirmOnSimulator();
  const SENDER = 'alex@hartleymoss.onmicrosoft.com';
  let c: CaseRecord;
  let other: CaseRecord;
  const docs: Record<string, string> = {};

  const services = () => w.app.app.services;
  const mailTo = async (address: string): Promise<MailMessageRecord[]> => (await w.sim.sim.admin.mail(address)).value;
  const pendingDigests = (contactId: string) => w.app.db.query<{ run_after: string }>(`SELECT run_after::text FROM outbox WHERE kind = $1 AND status = 'pending' AND payload->>'contactId' = $2`, [GUEST_DIGEST_JOB, contactId]);
  /** The firm's window is long here; instead of sleeping through it, its end is brought forward. */
  const windowPasses = async () => {
    await w.app.db.query(`UPDATE outbox SET run_after = now() WHERE kind = $1 AND status = 'pending'`, [GUEST_DIGEST_JOB]);
    await w.app.drain();
  };
  const uploadDoc = async (caseId: string, name: string) => {
    const up = await upload(w.app, `/api/cases/${caseId}/files`, w.f.staffToken, [{ name: 'file', filename: name, content: Buffer.from(`%PDF-1.4 ${name}`) }]);
    expect(up.status).toBe(201);
    return up.body.files[0].id as string;
  };
  const newCase = async (number: string, title: string) => {
    const client = await services().sharing.createClient(w.f.actor, { name: `${title} client` });
    const created = await services().sharing.createCase(w.f.actor, { clientId: client.id, number, title, assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    return (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
  };
  /** A contact linked to the main case, invited, and (unless `accept: false`) accepted. */
  const guest = async (name: string, email: string, o: { accept?: boolean } = {}): Promise<ContactRecord> => {
    const contact = await services().sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: null });
    await services().sharing.link(w.f.actor, c.id, contact.id);
    await services().sharing.setPortalAccess(w.f.actor, contact.id, true, null);
    await w.app.drain();
    const invited = (await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord;
    if (o.accept !== false) await accept(invited);
    return invited;
  };
  const accept = async (contact: ContactRecord) => {
    await w.sim.sim.admin.acceptInvitation(contact.guestUserId as string);
    await w.app.m365.provisioning.pollAcceptances();
    await w.app.drain();
  };
  const share = async (contact: ContactRecord, ...itemIds: string[]) => {
    await services().sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds, expiresAt: null, reason: null });
    await w.app.drain();
  };

  beforeAll(async () => {
    // The Exchange admin limits CaseRoom's Mail.Send to the firm's sending mailbox (docs/deploy.md).
    await w.sim.sim.admin.setMailboxScope(SIMULATOR_TENANT_ID, SIMULATOR_CLIENT_ID, [SENDER]);
    // MAIL_SENDER fills in the sending mailbox of a firm that has none (what the m365 part does at start-up).
    expect((await w.app.call('GET', '/api/firm/mail', w.f.staffToken)).body).toMatchObject({ senderMailbox: null, digestWindowSeconds: 900 });
    expect(await applyDefaultSender(w.app.db, SENDER)).toBe(1);
    const set = await w.app.call('PUT', '/api/firm/mail', w.f.staffToken, { digestWindowSeconds: 600 });
    expect(set).toMatchObject({ status: 200, body: { senderMailbox: SENDER, digestWindowSeconds: 600 } });
    c = await newCase('PI-7', 'Smith v. Metro');
    other = await newCase('PI-8', 'Unrelated matter');
    for (const name of ['MRI report.pdf', 'Witness list.pdf', 'Invoice draft.pdf']) docs[name] = await uploadDoc(c.id, name);
    docs['Other case.pdf'] = await uploadDoc(other.id, 'Other case.pdf');
  });

  it('a staff share produces one digest after the window, and a second share inside the window joins it', async () => {
    const ada = await guest('Ada Client', 'ada@client.example');
    await windowPasses();
    expect(await mailTo('ada@client.example')).toHaveLength(0); // linked and accepted, nothing shared yet: no news

    await share(ada, docs['MRI report.pdf']);
    const [waiting] = await pendingDigests(ada.id);
    expect(Date.parse(waiting.run_after) - Date.now()).toBeGreaterThan(500_000); // due one window (600 s) after the share
    await share(ada, docs['Witness list.pdf']);
    expect(await pendingDigests(ada.id)).toHaveLength(1);
    expect(await mailTo('ada@client.example')).toHaveLength(0);

    await windowPasses();
    const mail = await mailTo('ada@client.example');
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ from: { address: SENDER }, contentType: 'html', subject: 'Hartley & Moss: new in PI-7 Smith v. Metro' });
    expect(mail[0].content).toContain('MRI report.pdf');
    expect(mail[0].content).toContain('Witness list.pdf');
    expect(mail[0].content).toContain(`${w.app.url}/tab/portal/cases/${c.id}?view=documents&amp;item=${docs['MRI report.pdf']}`);
    expect(mail[0].content).not.toContain('Invoice draft.pdf');

    const page = await (await fetch(`${w.sim.sim.httpUrl}/mail/ada%40client.example`)).text();
    expect(page).toContain('Witness list.pdf');
    const seen = await w.app.call('GET', `/api/contacts/${ada.id}`, w.f.staffToken);
    expect(seen.body).toMatchObject({ lastDigestError: null, digestOptOut: false, lastDigestAt: expect.any(String) });

    // Nothing new since: the next window sends nothing.
    await services().sharing.shareItems(w.f.actor, { contactIds: [ada.id], itemIds: [docs['MRI report.pdf']], expiresAt: null, reason: null });
    await w.app.drain();
    await windowPasses();
    expect(await mailTo('ada@client.example')).toHaveLength(1);
  });

  it("a staff reply in the guest's thread is news; the guest's own message is not", async () => {
    const gus = await guest('Gus Client', 'gus@client.example');
    await share(gus, docs['MRI report.pdf']);
    await windowPasses();
    expect(await mailTo('gus@client.example')).toHaveLength(1);
    const actor = { kind: 'guest' as const, firmId: w.f.firm.id, contactId: gus.id, userId: gus.guestUserId as string, name: gus.name };
    const { threadId } = await services().portal.sendMessage(actor, c.id, { body: 'When is the hearing?', screen: null, threadId: null, subject: 'Hearing date' });
    await w.app.drain();
    await windowPasses();
    expect(await mailTo('gus@client.example')).toHaveLength(1);

    await services().casework.reply(w.f.actor, threadId, 'On 12 May.');
    await w.app.drain();
    await windowPasses();
    const mail = await mailTo('gus@client.example');
    expect(mail).toHaveLength(2);
    expect(mail[1].content).toContain('Alex Hartley replied in “Hearing date”');
    expect(mail[1].content).toContain(`/tab/portal/cases/${c.id}?view=messages`);
  });

  it('a Teams notice the guest could not receive (no app) is carried by the digest and marked sent', async () => {
    const hal = await guest('Hal Client', 'hal@client.example');
    await services().sharing.shareItems(w.f.actor, { contactIds: [hal.id], itemIds: [docs['Witness list.pdf']], expiresAt: null, reason: null });
    // The share's sync is not run yet: only the notice asks for the digest.
    const outcome = await w.app.m365.activityFeed.notifyGuest({
      userId: hal.guestUserId as string,
      activityType: 'itemsShared',
      previewText: 'Alex shared Witness list.pdf',
      topicText: 'PI-7 Smith v. Metro',
      webUrl: `${w.app.url}/tab/portal?caseId=${c.id}`,
      actor: 'Alex',
    });
    expect(outcome).toBe('not-installed');
    expect(await pendingDigests(hal.id)).toHaveLength(1);
    await w.app.drain();
    await windowPasses();
    expect((await mailTo('hal@client.example'))[0].content).toContain('Witness list.pdf');
    expect(await pendingUndeliveredNotices(w.app.db, hal.guestUserId as string)).toHaveLength(0);
  });

  it('never mentions a staff-only item, a section outside the guest view, or another case', async () => {
    const ben = await guest('Ben Counsel', 'ben@counsel.example');
    await services().sharing.grant(w.f.actor, { contactId: ben.id, scope: { kind: 'case', caseId: c.id, view: ['documents', 'notes'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await new Repo(w.app.db).insertItem({ firmId: w.f.firm.id, caseId: c.id, kind: 'note', title: 'Privileged strategy memo', body: 'settle below 40k', staffOnly: true, createdBy: 'staff' });
    await services().casework.createItem(w.f.actor, c.id, { kind: 'note', title: 'Hearing moved to May', body: 'see you there' });
    await services().casework.createItem(w.f.actor, c.id, { kind: 'event', title: 'Deposition of Dr Wu', startsAt: new Date(Date.now() + 86_400_000).toISOString(), endsAt: null, location: null });
    await services().casework.createItem(w.f.actor, other.id, { kind: 'note', title: 'Other client secret', body: 'x' });
    await w.app.drain();
    await windowPasses();

    const mail = await mailTo('ben@counsel.example');
    expect(mail).toHaveLength(1);
    for (const visible of ['PI-7 Smith v. Metro', 'Hearing moved to May', 'MRI report.pdf', 'Invoice draft.pdf']) expect(mail[0].content).toContain(visible);
    for (const hidden of ['Privileged strategy memo', 'Deposition of Dr Wu', 'Other client secret', 'Other case.pdf', 'Unrelated matter']) expect(mail[0].content).not.toContain(hidden);
  });

  it('an opted-out guest gets none, and the opt-out is audited', async () => {
    const dee = await guest('Dee Expert', 'dee@expert.example');
    const opted = await w.app.call('PUT', `/api/contacts/${dee.id}/digest`, w.f.staffToken, { optOut: true, reason: 'asked by phone' });
    expect(opted).toMatchObject({ status: 200, body: { digestOptOut: true } });
    await share(dee, docs['MRI report.pdf']);
    await windowPasses();
    expect(await mailTo('dee@expert.example')).toHaveLength(0);
    const audit = await w.app.db.query<{ action: string; reason: string }>(`SELECT action, reason FROM audit_log WHERE target = $1 AND action LIKE 'contact.digest%'`, [`contact:${dee.id}`]);
    expect(audit).toEqual([{ action: 'contact.digest.opt-out', reason: 'asked by phone' }]);
  });

  it('a pending guest gets nothing until acceptance, then one digest (within a short real window) with what waited', async () => {
    const eve = await guest('Eve Pending', 'eve@pending.example', { accept: false });
    await share(eve, docs['Witness list.pdf']);
    await windowPasses();
    expect(await mailTo('eve@pending.example')).toHaveLength(0);

    await w.app.call('PUT', '/api/firm/mail', w.f.staffToken, { digestWindowSeconds: 2 });
    try {
      await accept(eve);
      await w.app.settle(60_000);
      const mail = await mailTo('eve@pending.example');
      expect(mail).toHaveLength(1);
      expect(mail[0].content).toContain('Witness list.pdf');
      expect(mail[0].content).not.toContain('MRI report.pdf');
    } finally {
      await w.app.call('PUT', '/api/firm/mail', w.f.staffToken, { digestWindowSeconds: 600 });
    }
  });

  it("a sending mailbox outside the Exchange admin's restriction is refused (403), and staff see why", async () => {
    const priya = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Priya Raman', mail: 'priya@hartleymoss.onmicrosoft.com' });
    await w.app.call('PUT', '/api/firm/mail', w.f.staffToken, { senderMailbox: priya.mail });
    try {
      const fay = await guest('Fay Client', 'fay@client.example');
      await share(fay, docs['MRI report.pdf']);
      await windowPasses();
      expect(await mailTo('fay@client.example')).toHaveLength(0);
      const contact = await w.app.call('GET', `/api/contacts/${fay.id}`, w.f.staffToken);
      expect(contact.body.lastDigestError).toMatch(/403 ErrorAccessDenied/);
      expect(contact.body.lastDigestAt).toBeNull();
    } finally {
      await w.app.call('PUT', '/api/firm/mail', w.f.staffToken, { senderMailbox: SENDER });
    }
  });
});
