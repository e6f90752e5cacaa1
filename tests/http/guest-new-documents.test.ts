import { randomUUID } from 'node:crypto';
import type { GuestItem } from '../../src/contract';
import type { GuestActor } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/**
 * The portal marks a document "New" for a guest until they open it, and again once it changes
 * after their latest open. Each guest's marks are their own; another guest's opens change nothing.
 */
describe('new documents in the portal', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('is new until the guest opens it, new again when it changes, and per guest', async () => {
    t = await startTestApp();
    const firm = await createFirm(t.db, HOME_TENANT);
    const staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
    const client = (await t.call('POST', '/api/clients', staffToken, { name: 'Jane Doe' })).body;
    const kase = (await t.call('POST', '/api/cases', staffToken, { clientId: client.id, number: 'PI-8', title: 'Doe v. Roe' })).body;
    const repo = new Repo(t.db);
    const document = await repo.insertItem({
      firmId: firm.firm.id,
      caseId: kase.id,
      kind: 'document',
      title: 'MRI.pdf',
      parentId: null,
      sizeBytes: 2048,
      mimeType: 'application/pdf',
      driveItemId: 'drive-item-1',
      createdBy: `staff:${firm.staff.userId}`,
    });

    async function guest(name: string): Promise<{ actor: GuestActor; token: string }> {
      const contact = (await t.call('POST', '/api/contacts', staffToken, { email: `${randomUUID().slice(0, 8)}@doe.example`, name, kind: 'client', clientId: client.id })).body;
      await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, staffToken, { enabled: true });
      await t.call('POST', `/api/cases/${kase.id}/links`, staffToken, { contactId: contact.id });
      const userId = randomUUID();
      await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, userId);
      expect((await t.call('POST', '/api/grants', staffToken, { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: ['documents'] } })).status).toBe(201);
      return { actor: { kind: 'guest', firmId: firm.firm.id, contactId: contact.id, userId, name }, token: await t.identity.token({ tid: HOME_TENANT, oid: userId, guest: true, name }) };
    }
    const jane = await guest('Jane Doe');
    const ian = await guest('Ian Roe');
    const isNew = async (token: string): Promise<boolean | undefined> => {
      const view = await t.call('GET', `/api/portal/cases/${kase.id}`, token);
      expect(view.status).toBe(200);
      return (view.body.documents as GuestItem[]).find((d) => d.id === document.id)?.isNew;
    };

    expect(await isNew(jane.token)).toBe(true);
    // Reading the case page is not opening the document: it stays new.
    expect(await isNew(jane.token)).toBe(true);
    await t.app.services.portal.documentOpened(jane.actor, document);
    expect(await isNew(jane.token)).toBe(false);
    expect(await isNew(ian.token)).toBe(true);

    // Staff change it (a new version, a rename): new again for Jane, until she opens it again.
    await repo.updateItem(firm.firm.id, document.id, { title: 'MRI (final).pdf' });
    expect(await isNew(jane.token)).toBe(true);
    await t.app.services.portal.documentOpened(jane.actor, document);
    expect(await isNew(jane.token)).toBe(false);
    // Still one row per guest and document: the first open, the proof of delivery, is kept.
    expect(await t.db.query('SELECT 1 FROM guest_seen WHERE item_id = $1 AND contact_id = $2', [document.id, jane.actor.contactId])).toHaveLength(1);
  });
});
