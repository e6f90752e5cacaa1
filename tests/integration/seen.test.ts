import { beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import type { GrantScope } from '../../src/domain/model';
import type { GuestActor } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ItemRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { upload } from './harness';

type SharedWithRow = { contactId: string; name: string; seenAt: string | null };
type AccessRow = { contact: { id: string }; grant: { scope: GrantScope }; seen: { items: number; messages: number; firstAt: string | null } };

/**
 * Seen (proof of delivery) against the strict simulator: a guest's download or preview goes
 * through the portal with the guest's own SharePoint token; the first one is stored and audited
 * once, whatever repeats or races; staff's own reads never count; a refused read records nothing.
 */
describe('what guests have opened', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  let report: ItemRecord;
  let memo: ItemRecord;
  const guests: Record<'ana' | 'ben', { contactId: string; token: string; actor: GuestActor }> = {} as never;

  const seenRows = async (itemId: string) => w.app.db.query<{ contact_id: string; seen_at: string }>('SELECT contact_id, seen_at FROM guest_seen WHERE item_id = $1', [itemId]);
  const seenAudits = async () =>
    (await new Repo(w.app.db).auditEntries(w.f.firm.id)).filter((e) => e.action === 'item.seen' || e.action === 'message.seen').map((e) => ({ actor: e.actor, action: e.action, data: e.data as Record<string, unknown> }));
  const download = async (token: string, itemId: string, as: 'portal' | 'staff' = 'portal') => {
    const res = await fetch(`${w.app.url}/api/${as === 'portal' ? 'portal/' : ''}cases/${c.id}/documents/${itemId}/content`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  const sharedWith = async (itemId: string): Promise<SharedWithRow[]> => (await w.app.call('GET', `/api/cases/${c.id}/items`, w.f.staffToken)).body.sharedWith[itemId] ?? [];

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Ana García' });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'SEEN-1', title: 'García v. Metro', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.settle();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [
      { name: 'file', filename: 'report.pdf', content: Buffer.from('%PDF the report') },
      { name: 'file', filename: 'memo.pdf', content: Buffer.from('%PDF internal memo') },
    ]);
    expect(up.status).toBe(201);
    const items = await new Repo(w.app.db).itemsOfCase(c.id);
    report = items.find((i) => i.title === 'report.pdf') as ItemRecord;
    memo = items.find((i) => i.title === 'memo.pdf') as ItemRecord;
    for (const [key, name] of [
      ['ana', 'Ana García'],
      ['ben', 'Ben Okafor'],
    ] as const) {
      const email = `${key}@client.example`;
      const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
      const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: client.id });
      await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
      await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
      await sharing.link(w.f.actor, c.id, contact.id);
      await sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'item', caseId: c.id, itemId: report.id }, rights: 'read', expiresAt: null, reason: null });
      guests[key] = { contactId: contact.id, token: await w.sim.userToken(user.id), actor: { kind: 'guest', firmId: w.f.firm.id, contactId: contact.id, userId: user.id, name } };
    }
    await w.app.settle();
  });

  it("stores a guest's first download once, audits it once, and shows it to staff on the item and in who has access", async () => {
    const { ana, ben } = guests;
    expect(await sharedWith(report.id)).toEqual(expect.arrayContaining([expect.objectContaining({ contactId: ana.contactId, seenAt: null })]));

    expect(await download(ana.token, report.id)).toBe(200);
    const first = await seenRows(report.id);
    expect(first).toHaveLength(1);
    expect(first[0].contact_id).toBe(ana.contactId);
    // A second open (the Download button after Preview) is the same endpoint: nothing more is stored or audited.
    expect(await download(ana.token, report.id)).toBe(200);
    expect(await seenRows(report.id)).toEqual(first);
    expect(await seenAudits()).toEqual([{ actor: `guest:${ana.contactId}`, action: 'item.seen', data: { itemId: report.id, kind: 'document', title: 'report.pdf' } }]);

    const rows = await sharedWith(report.id);
    expect(rows.find((r) => r.contactId === ana.contactId)?.seenAt).toBe(new Date(first[0].seen_at).toISOString());
    expect(rows.find((r) => r.contactId === ben.contactId)?.seenAt).toBeNull();

    const access: AccessRow[] = (await w.app.call('GET', `/api/cases/${c.id}/access`, w.f.staffToken)).body;
    const anaEntry = access.find((e) => e.contact.id === ana.contactId);
    expect(anaEntry?.seen).toMatchObject({ items: 1, messages: 0, firstAt: new Date(first[0].seen_at).toISOString() });
    expect(access.find((e) => e.contact.id === ben.contactId)?.seen).toMatchObject({ items: 0, firstAt: null });
  });

  it('keeps one first open when the same guest opens a document several times at once', async () => {
    const statuses = await Promise.all([1, 2, 3, 4].map(() => download(guests.ben.token, report.id)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect((await seenRows(report.id)).filter((r) => r.contact_id === guests.ben.contactId)).toHaveLength(1);
    expect((await seenAudits()).filter((e) => e.actor === `guest:${guests.ben.contactId}`)).toHaveLength(1);
  });

  it("records nothing for staff's reads, CaseRoom's own reads, or a guest's refused read", async () => {
    const before = await w.app.db.query('SELECT * FROM guest_seen ORDER BY seen_at');
    const auditsBefore = await seenAudits();
    expect(await download(w.f.staffToken, memo.id, 'staff')).toBe(200);
    expect(await download(w.f.staffToken, report.id, 'staff')).toBe(200);
    // The e-mail digest reads the guest's case view without the guest: not an open.
    await w.app.app.services.portal.caseView(guests.ana.actor, c.id);
    // Not shared with Ana: refused as before, and nothing is recorded.
    expect(await download(guests.ana.token, memo.id)).toBe(404);
    expect(await w.app.db.query('SELECT * FROM guest_seen ORDER BY seen_at')).toEqual(before);
    expect(await seenAudits()).toEqual(auditsBefore);
    expect((await sharedWith(memo.id)).length).toBe(0);
  });
});
