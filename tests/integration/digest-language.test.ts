import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import { applyDefaultSender } from '../../src/services/guest-digest';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { callApi } from '../support/http';
import { upload } from './harness';
import { useFirmOnSimulator } from './firm-world';

/**
 * A guest's e-mail digest is written in the guest's language where CaseRoom knows it (issue 16):
 * the language staff set on the contact, else the locale the guest's own portal reported, else
 * English; on the strict simulator, read back from the recipient's mailbox.
 */
describe('guest digests in the guest language', () => {
  const w = useFirmOnSimulator();
  const SENDER = 'alex@hartleymoss.onmicrosoft.com';
  let c: CaseRecord;
  let documentId: string;

  const services = () => w.app.app.services;
  const inbox = async (address: string) => (await w.sim.sim.admin.mail(address)).value;
  /** The contact, linked to the case, invited and accepted; the document is shared with them and the digest window has passed. */
  const guestWithNews = async (name: string, email: string, beforeShare: (contact: ContactRecord) => Promise<void>) => {
    const contact = await services().sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: null });
    await services().sharing.link(w.f.actor, c.id, contact.id);
    await services().sharing.setPortalAccess(w.f.actor, contact.id, true, null);
    await w.app.drain();
    const invited = (await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord;
    await w.sim.sim.admin.acceptInvitation(invited.guestUserId as string);
    await w.app.m365.provisioning.pollAcceptances();
    await w.app.drain();
    await beforeShare(invited);
    await services().sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds: [documentId], expiresAt: null, reason: null });
    await w.app.drain();
    await w.app.db.query(`UPDATE outbox SET run_after = now() WHERE kind = 'guest-digest' AND status = 'pending'`);
    await w.app.drain();
    return inbox(email);
  };

  beforeAll(async () => {
    await w.sim.sim.admin.setMailboxScope(SIMULATOR_TENANT_ID, SIMULATOR_CLIENT_ID, [SENDER]);
    await applyDefaultSender(w.app.db, SENDER);
    const client = await services().sharing.createClient(w.f.actor, { name: 'García family' });
    const created = await services().sharing.createCase(w.f.actor, { clientId: client.id, number: 'PI-9', title: 'García v. Metro', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [{ name: 'file', filename: 'Informe médico.pdf', content: Buffer.from('%PDF-1.4 informe') }]);
    expect(up.status).toBe(201);
    documentId = up.body.files[0].id;
  });

  it('staff set Spanish on the contact: the digest is in Spanish, names and links unchanged', async () => {
    const mail = await guestWithNews('Lucía García', 'lucia@cliente.example', async (contact) => {
      const set = await w.app.call('PATCH', `/api/contacts/${contact.id}`, w.f.staffToken, { language: 'es' });
      expect(set).toMatchObject({ status: 200, body: { language: 'es' } });
    });
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toBe('Hartley & Moss: novedades en PI-9 García v. Metro');
    expect(mail[0].content).toContain('Estimado/a Lucía García:');
    expect(mail[0].content).toContain('Documento: Informe médico.pdf');
    expect(mail[0].content).toContain('Abrir su portal');
    expect(mail[0].content).toContain(`/tab/portal/cases/${c.id}?view=documents&amp;item=${documentId}`);
    expect(mail[0].content).not.toMatch(/Dear |Open your portal/);
  });

  it("with no language set, the locale the guest's portal reported decides (fr-CA → French)", async () => {
    const mail = await guestWithNews('Chloé Tremblay', 'chloe@client.example', async (contact) => {
      const token = await w.sim.userToken(contact.guestUserId as string);
      const me = await callApi(w.app.url, 'GET', '/api/portal/me', token, undefined, { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' });
      expect(me.status).toBe(200);
    });
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toBe('Hartley & Moss : du nouveau dans PI-9 García v. Metro');
    expect(mail[0].content).toContain('Bonjour Chloé Tremblay,');
    expect(mail[0].content).toContain('Document: Informe médico.pdf');
  });

  it('a language CaseRoom has no words for falls back to English; a bad tag is refused', async () => {
    const mail = await guestWithNews('Kenji Sato', 'kenji@client.example', async (contact) => {
      expect((await w.app.call('PATCH', `/api/contacts/${contact.id}`, w.f.staffToken, { language: 'ja-JP' })).status).toBe(200);
      expect(await w.app.call('PATCH', `/api/contacts/${contact.id}`, w.f.staffToken, { language: "es'; DROP TABLE contacts;--" })).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    });
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toBe('Hartley & Moss: new in PI-9 García v. Metro');
    expect(mail[0].content).toContain('Dear Kenji Sato,');
  });
});
