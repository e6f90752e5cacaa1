import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { GraphCall } from '../../src/m365/graph';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, GrantRecord, ItemRecord } from '../../src/store/records';
import { useFirmOnSimulator } from './firm-world';
import { permissionsFor, upload } from './harness';

/**
 * CaseRoom under SharePoint's real inheritance rule (learn.microsoft.com/graph/api/driveitem-invite):
 * the first direct share of a file copies the case folder's permissions onto it and stops
 * inheritance. Case-scope guests must keep reading such files, lose them with their grant, and
 * CaseRoom, not SharePoint, enforces expiry. Reads are made with the guest's own Graph token.
 */
describe('sharing under SharePoint inheritance', () => {
  const w = useFirmOnSimulator();
  let c: CaseRecord;
  const doc: Record<'early' | 'late' | 'mine' | 'plain', ItemRecord> = {} as never;
  let ada: ContactRecord;
  let bea: ContactRecord;
  let cy: ContactRecord;
  let adaCaseGrant: GrantRecord;

  const guest = async (name: string): Promise<ContactRecord> => {
    const { sharing } = w.app.app.services;
    const email = `${name.toLowerCase()}@guests.example`;
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: c.clientId });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
    await sharing.link(w.f.actor, c.id, contact.id);
    return (await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord;
  };
  const caseGrant = (contact: ContactRecord, expiresAt: string | null) =>
    w.app.app.services.sharing.grant(w.f.actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt, reason: null });
  const share = (contact: ContactRecord, item: ItemRecord) => w.app.app.services.sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds: [item.id], expiresAt: null, reason: null });

  /** What the guest's own Graph token gets for the file's content (200, or 404 when SharePoint hides it). */
  async function readAs(contact: ContactRecord, item: ItemRecord): Promise<number> {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: contact.guestUserId as string });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${c.driveId}/items/${item.driveItemId}/content`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  }
  /** Drains the outbox until `done` holds or the deadline passes; returns whether it held. */
  async function pollUntil(done: () => Promise<boolean>, deadline: number): Promise<boolean> {
    for (;;) {
      await w.app.drain();
      if (await done()) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Inheritance client' });
    const created = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'INH-1', title: 'Inheritance', assignedStaffId: null, budgetCents: null });
    await w.app.drain();
    c = (await new Repo(w.app.db).case(w.f.firm.id, created.id)) as CaseRecord;
    const files = (['early', 'late', 'mine', 'plain'] as const).map((name) => ({ name: 'file', filename: `${name}.pdf`, content: Buffer.from(`%PDF ${name}`) }));
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, files);
    expect(up.status).toBe(201);
    await w.app.settle();
    for (const f of up.body.files as Array<{ id: string; title?: string; name?: string }>) {
      const item = (await new Repo(w.app.db).item(w.f.firm.id, f.id)) as ItemRecord;
      doc[item.title.replace(/\.pdf$/, '') as keyof typeof doc] = item;
    }
    [ada, bea, cy] = [await guest('Ada'), await guest('Bea'), await guest('Cy')];
    // 'early' stops inheriting before Ada's case grant, 'late' after it (SharePoint copies hers).
    await share(bea, doc.early);
    await w.app.drain();
    adaCaseGrant = await caseGrant(ada, null);
    await w.app.drain();
    await share(cy, doc.late);
    await share(ada, doc.mine);
    await w.app.drain();
  });

  it('a case-scope guest keeps reading individually shared files after drift repair, with her own token and in the portal', async () => {
    for (const item of Object.values(doc)) expect(await readAs(ada, item)).toBe(200);
    const events = await w.app.m365.reconciler.checkDrift(w.f.firm.id);
    await w.app.drain();
    expect(events.flatMap((e) => e.added).filter((a) => a.who === ada.email)).toEqual([]);
    // The copied permission on 'late' is hers to keep while the case grant lasts.
    expect((await permissionsFor(w.sim, c.driveId as string, doc.late.driveItemId as string, ada.guestUserId as string)).map((p) => p.roles)).toEqual([['read']]);
    for (const item of Object.values(doc)) expect(await readAs(ada, item)).toBe(200);
    const portalToken = await w.sim.userToken(ada.guestUserId as string);
    const download = await fetch(`${w.app.url}/api/portal/cases/${c.id}/documents/${doc.late.id}/content`, { headers: { authorization: `Bearer ${portalToken}` } });
    await download.arrayBuffer();
    expect(download.status).toBe(200);
  });

  it("after a case grant is revoked, no file of the case is readable with the guest's token within 5 s, individually shared ones included", async () => {
    await w.app.app.services.sharing.revokeGrant(w.f.actor, adaCaseGrant.id, 'engagement ended');
    const others = [doc.early, doc.late, doc.plain];
    const gone = await pollUntil(async () => (await Promise.all(others.map((item) => readAs(ada, item)))).every((status) => status === 404), Date.now() + 5000);
    expect(gone).toBe(true);
    // Her own item share is a grant of its own: it stays until it is withdrawn too.
    expect(await readAs(ada, doc.mine)).toBe(200);
    await w.app.app.services.sharing.unshareItems(w.f.actor, { contactIds: [ada.id], itemIds: [doc.mine.id], reason: null });
    expect(await pollUntil(async () => (await readAs(ada, doc.mine)) === 404, Date.now() + 5000)).toBe(true);
    // And the other guests keep what is theirs.
    expect(await readAs(bea, doc.early)).toBe(200);
    expect(await readAs(cy, doc.late)).toBe(200);
  });

  describe("expiry is CaseRoom's (SharePoint ignores expirationDateTime on direct permissions)", () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    /** Every Graph request CaseRoom sends, the ones inside $batch included. */
    function recordGraphCalls(): Array<{ method: string; url: string; body?: unknown }> {
      const calls: Array<{ method: string; url: string; body?: unknown }> = [];
      const graph = w.app.m365.graph;
      const original = graph.raw.bind(graph);
      jest.spyOn(graph, 'raw').mockImplementation((call: GraphCall) => {
        if (call.path === '/$batch') calls.push(...((call.body as { requests: Array<{ method: string; url: string; body?: unknown }> }).requests ?? []));
        else calls.push({ method: call.method, url: call.path, body: call.body });
        return original(call);
      });
      return calls;
    }

    it('sends no expirationDateTime, and changing an expiry sends no DELETE and no invite', async () => {
      const calls = recordGraphCalls();
      const grant = await caseGrant(bea, new Date(Date.now() + 3_600_000).toISOString());
      await w.app.drain();
      const invites = calls.filter((call) => call.url.endsWith('/invite'));
      expect(invites.length).toBeGreaterThan(0);
      expect(invites.every((call) => !JSON.stringify(call.body).includes('expirationDateTime'))).toBe(true);
      const before = await permissionsFor(w.sim, c.driveId as string, c.folderItemId as string, bea.guestUserId as string);
      expect(before).toHaveLength(1);

      calls.length = 0;
      await w.app.app.services.sharing.extendGrant(w.f.actor, grant.id, new Date(Date.now() + 7_200_000).toISOString(), 'longer');
      await w.app.drain();
      await w.app.app.services.sharing.extendGrant(w.f.actor, grant.id, null, 'open-ended');
      await w.app.drain();
      expect(calls.filter((call) => call.method === 'DELETE' || call.url.endsWith('/invite') || call.method === 'PATCH')).toEqual([]);
      expect(await permissionsFor(w.sim, c.driveId as string, c.folderItemId as string, bea.guestUserId as string)).toEqual(before);
    });

    it("removes a grant's permission at its expiry instant, within 5 s, without waiting for the periodic sweep", async () => {
      const expiresAt = Date.now() + 2000;
      await caseGrant(cy, new Date(expiresAt).toISOString());
      await w.app.drain();
      expect(await readAs(cy, doc.plain)).toBe(200);
      // The harness runs no periodic sweep: only the timer set for the expiry can queue the sync.
      const removed = await pollUntil(async () => Date.now() >= expiresAt && (await readAs(cy, doc.plain)) === 404, expiresAt + 5000);
      expect(removed).toBe(true);
      expect(await readAs(cy, doc.late)).toBe(200); // her item share is untouched
    });
  });
});
