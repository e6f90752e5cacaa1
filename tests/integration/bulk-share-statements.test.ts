import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { freshPglite } from '../support/db';
import { type CountingDb, countingDb } from '../support/query-count';
import { provisionedCases, type FirmWorld } from './firm-world';
import { seedFirm, startApp, startSim } from './harness';

/**
 * A paralegal's bulk share (bench P1: 2,000 documents) reaches SharePoint only after the store
 * work its sync does first. That work must not take a statement per document: it did, and P1's
 * first Graph call waited 16–26 s behind it (bench/PROFILE.md, round 5).
 */
describe('the sync after a bulk share', () => {
  const w = {} as FirmWorld;
  let db: CountingDb;
  let c: CaseRecord;
  let ada: ContactRecord;
  let bea: ContactRecord;
  const documents: string[] = [];
  const driveItemIds: string[] = [];

  const guest = async (name: string): Promise<ContactRecord> => {
    const { sharing } = w.app.app.services;
    const email = `${name.toLowerCase()}@guests.example`;
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'co-counsel', phone: null, clientId: null });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
    await sharing.link(w.f.actor, c.id, contact.id);
    return (await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord;
  };

  /**
   * Statements sent while Ada is given these documents and her sync job's work puts them in
   * SharePoint (called as the job calls it: the outbox's own polling and the change
   * notifications the shares set off vary with the machine's speed, and are not counted).
   */
  const statementsToShare = async (itemIds: string[]) => {
    const n = await db.countDuring(async () => {
      await w.app.app.services.sharing.shareItems(w.f.actor, { contactIds: [ada.id], itemIds, expiresAt: null, reason: null });
      await w.app.m365.reconciler.syncGuest(w.f.firm.id, ada.id);
    });
    await w.app.settle(60_000);
    return n;
  };

  beforeAll(async () => {
    w.sim = await startSim();
    db = countingDb(await freshPglite());
    w.app = await startApp(w.sim, { db });
    w.f = await seedFirm(w.sim, w.app.db);
    [c] = (await provisionedCases(w, 'Meridian Logistics', [{ number: 'BULK-1', title: 'Meridian v. Harbor' }])).cases;
    const repo = new Repo(w.app.db);
    // Put in SharePoint by hand and recorded directly, as bench P1 does: the upload path is not what is counted.
    for (let i = 0; i < 44; i++) {
      const name = `Exhibit ${i + 1}.pdf`;
      const file = (await w.sim.sim.admin.addFileByHand(c.driveId as string, c.folderItemId as string, { name, text: `%PDF ${i}` })) as { id: string };
      driveItemIds.push(file.id);
      documents.push((await repo.insertItem({ firmId: w.f.firm.id, caseId: c.id, kind: 'document', title: name, driveItemId: file.id, sizeBytes: 6, mimeType: 'application/pdf', createdBy: w.f.staff.id })).id);
    }
    ada = await guest('Ada');
    // Bea reads the whole case: every document Ada's share makes unique must be re-synced for her too.
    bea = await guest('Bea');
    await w.app.app.services.sharing.grant(w.f.actor, { contactId: bea.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await w.app.settle(60_000);
  });

  afterAll(async () => {
    await w.app?.close();
    // Handed in, so the app's close leaves it open: an open PGlite keeps the Jest worker alive.
    await db?.close();
    await w.sim?.close();
  });

  it('takes about as many statements for 40 documents as for 4, and leaves both guests holding them in SharePoint', async () => {
    const forFour = await statementsToShare(documents.slice(0, 4));
    const forForty = await statementsToShare(documents.slice(4));
    expect(forForty).toBeLessThan(forFour + 20);
    // Ada by her own invites; Bea by the case folder's permission copied onto each file, kept for her.
    const held = Object.values((await w.sim.sim.admin.state()).permissions);
    for (const guest of [ada, bea]) {
      const files = new Set(held.filter((p) => p.grantee.kind === 'user' && p.grantee.userId === guest.guestUserId).map((p) => p.itemId));
      expect({ guest: guest.name, missing: driveItemIds.filter((id) => !files.has(id)) }).toEqual({ guest: guest.name, missing: [] });
    }
  });
});
