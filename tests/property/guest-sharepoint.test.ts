import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { CaseRecord } from '../../src/store/records';
import { Repo } from '../../src/store/repo';
import { type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, startSim } from '../integration/harness';
import { apply, check, type Op, opArb, type PropertyDriver, type PropertyUniverse } from './operations';
import { type Kind, type ModelItem, ReferenceModel } from './reference-model';

/**
 * The guest-visibility property against the Microsoft 365 simulator: the same random staff
 * operations, through the HTTP API, with CaseRoom's real Microsoft 365 part and reconciler.
 * After every step (outbox drained), each accepted guest's portal must equal the model, and so
 * must what the guest's own Graph token can download from SharePoint, which the simulator
 * enforces with SharePoint's inheritance rule (the first direct share of a file copies its
 * folder's permissions onto it; learn.microsoft.com/graph/api/driveitem-invite).
 * Slower than the API-only run, so fewer sequences: PROPERTY_SIM_RUNS (default 10).
 */
const RUNS = Number(process.env.PROPERTY_SIM_RUNS ?? 10);
/** No clock jumps (the reconciler reads the real clock here) and no new cases (each costs a channel). */
const simOpArb = opArb.filter((op) => op.op !== 'clock' && op.op !== 'openCase');

type SimUniverse = PropertyUniverse & { driveItemOf: Map<string, { driveId: string; driveItemId: string }> };

describe('what each guest reads in SharePoint with her own token equals the reference model', () => {
  let sim: SimHandle;
  let app: AppHandle;
  let f: FirmFixture;
  /** contact id → the guest's user id in the simulated tenant, once accepted. */
  const guestUsers = new Map<string, string>();
  const graphTokens = new Map<string, string>();

  beforeAll(async () => {
    // The checks read every file as every guest after every step: far beyond a tenant's resource
    // units, which are not what this property is about.
    sim = await startSim({ resourceUnitsPerMinute: 1_000_000 });
    app = await startApp(sim);
    f = await seedFirm(sim, app.db);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const driver: PropertyDriver = {
    call: (method, path, token, body) => app.call(method, path, token, body),
    async accept(u, contactId) {
      const contact = await new Repo(app.db).contact(u.firmId, contactId);
      if (!contact) throw new Error(`no contact ${contactId}`);
      let userId = contact.guestUserId;
      if (userId) await sim.sim.admin.acceptInvitation(userId);
      else userId = (await sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: contact.name, mail: contact.email, userType: 'Guest', externalUserState: 'Accepted' })).id;
      await app.app.services.sharing.markInvitationAccepted(u.firmId, contactId, userId);
      guestUsers.set(contactId, userId);
      return sim.userToken(userId);
    },
    now: () => Date.now(),
    advanceClock: () => {
      throw new Error('no clock jumps against the simulator');
    },
  };

  /** Two clients, three provisioned cases, each with a folder, a file in it, a file at its root and store-only items. */
  async function universe(): Promise<SimUniverse> {
    const { sharing } = app.app.services;
    const repo = new Repo(app.db);
    const run = randomUUID().slice(0, 8);
    expect((await app.call('PUT', '/api/firm/policy', f.staffToken, { disabledSections: [] })).status).toBe(200);
    const clients = [await sharing.createClient(f.actor, { name: `Client A ${run}` }), await sharing.createClient(f.actor, { name: `Client B ${run}` })];
    const created = [];
    for (const [i, clientIndex] of [0, 0, 1].entries()) created.push(await sharing.createCase(f.actor, { clientId: clients[clientIndex].id, number: `P-${run}-${i}`, title: `Case ${i}`, assignedStaffId: null, budgetCents: null }));
    await app.settle(60_000); // provisioning waits for the cases team, with retries scheduled ahead
    const items: ModelItem[] = [];
    const driveItemOf = new Map<string, { driveId: string; driveItemId: string }>();
    const cases: CaseRecord[] = [];
    for (const { id } of created) {
      const c = await repo.case(f.firm.id, id);
      if (!c?.driveId || !c.folderItemId) throw new Error(`case ${id} was not provisioned`);
      cases.push(c);
      const driveId = c.driveId;
      const add = async (kind: Kind, title: string, parentId: string | null, driveItemId: string | null, staffOnly = false) => {
        const item = await repo.insertItem({ firmId: f.firm.id, caseId: c.id, kind, title, parentId, staffOnly, driveItemId, createdBy: 'setup' });
        items.push({ id: item.id, caseId: c.id, kind, parentId, staffOnly });
        if (driveItemId) driveItemOf.set(item.id, { driveId, driveItemId });
        return item;
      };
      const folder = await sim.graph<{ id: string }>('POST', `/drives/${driveId}/items/${c.folderItemId}/children`, { name: 'Folder', folder: {} });
      const folderItem = await add('folder', 'Folder', null, folder.body.id);
      const inFolder = (await sim.sim.admin.addFileByHand(driveId, folder.body.id, { name: 'In folder.pdf', text: 'in folder' })) as { id: string };
      await add('document', 'In folder.pdf', folderItem.id, inFolder.id);
      const atRoot = (await sim.sim.admin.addFileByHand(driveId, c.folderItemId, { name: 'Root.pdf', text: 'root' })) as { id: string };
      await add('document', 'Root.pdf', null, atRoot.id);
      await add('note', 'Note', null, null);
      await add('note', 'Memo', null, null, true);
      // Staff-only documents, marked through the API (which seals them in SharePoint): one at the
      // root, and a staff-only folder with a document inside; guests get their grants later.
      const privileged = (await sim.sim.admin.addFileByHand(driveId, c.folderItemId, { name: 'Privileged.pdf', text: 'privileged' })) as { id: string };
      const privilegedItem = await add('document', 'Privileged.pdf', null, privileged.id);
      const internal = await sim.graph<{ id: string }>('POST', `/drives/${driveId}/items/${c.folderItemId}/children`, { name: 'Internal', folder: {} });
      const internalItem = await add('folder', 'Internal', null, internal.body.id);
      const strategy = (await sim.sim.admin.addFileByHand(driveId, internal.body.id, { name: 'Strategy.pdf', text: 'strategy' })) as { id: string };
      await add('document', 'Strategy.pdf', internalItem.id, strategy.id);
      for (const item of [privilegedItem, internalItem]) {
        expect((await app.call('PATCH', `/api/items/${item.id}`, f.staffToken, { staffOnly: true, reason: 'privileged' })).status).toBe(200);
        (items.find((i) => i.id === item.id) as ModelItem).staffOnly = true;
      }
      // A privileged folder with a document inside, marked through the API (sealed like staff-only).
      const counsel = await sim.graph<{ id: string }>('POST', `/drives/${driveId}/items/${c.folderItemId}/children`, { name: 'Counsel', folder: {} });
      const counselItem = await add('folder', 'Counsel', null, counsel.body.id);
      const advice = (await sim.sim.admin.addFileByHand(driveId, counsel.body.id, { name: 'Advice.pdf', text: 'advice' })) as { id: string };
      await add('document', 'Advice.pdf', counselItem.id, advice.id);
      expect((await app.call('PATCH', `/api/items/${counselItem.id}`, f.staffToken, { privileged: true, reason: 'counsel' })).status).toBe(200);
      (items.find((i) => i.id === counselItem.id) as ModelItem).privileged = true;
      await add('invoice', 'Invoice', null, null);
    }
    const contacts = [
      await sharing.createContact(f.actor, { email: `a-${run}@guest.example`, name: 'Guest A', kind: 'client', phone: null, clientId: clients[0].id }),
      await sharing.createContact(f.actor, { email: `b-${run}@guest.example`, name: 'Guest B', kind: 'expert', phone: null, clientId: null }),
    ];
    await app.drain();
    const model = new ReferenceModel(
      cases.map((c) => ({ id: c.id, clientId: c.clientId })),
      items,
      contacts.map((c) => c.id),
    );
    model.now = Date.now();
    const u: SimUniverse = { firmId: f.firm.id, staffToken: f.staffToken, clients, contacts, model, guestTokens: new Map(), driveItemOf };
    // Both guests start with portal access, accepted and linked to every case, so that the random
    // steps spend themselves on grants, shares and withdrawals (what SharePoint enforces).
    const setup: Op[] = [0, 1].flatMap((contact) => [{ op: 'portal' as const, contact, on: true }, { op: 'accept' as const, contact }, ...cases.map((_c, kase) => ({ op: 'link' as const, contact, kase }))]);
    for (const op of setup) {
      const { expected, status } = await apply(driver, u, op);
      expect({ op, expected, accepted: status >= 200 && status < 300 }).toEqual({ op, expected: true, accepted: true });
      await app.drain(); // the B2B invitation is sent before it can be accepted
    }
    return u;
  }

  /** Every accepted guest, every file: downloadable with her own Graph token exactly when the model shows it. */
  async function checkSharePoint(u: SimUniverse, trail: string[]): Promise<void> {
    for (const contact of u.contacts) {
      const userId = guestUsers.get(contact.id);
      if (!userId) continue;
      let token = graphTokens.get(userId);
      if (!token) {
        token = await sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId });
        graphTokens.set(userId, token);
      }
      for (const item of u.model.items) {
        const place = u.driveItemOf.get(item.id);
        if (!place || item.kind !== 'document') continue;
        const res = await fetch(`${sim.sim.httpUrl}/v1.0/drives/${place.driveId}/items/${place.driveItemId}/content`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        const where = `after ${trail.join(' → ')} for ${contact.name}`;
        expect({ where, item: item.id, status: res.status }).toEqual({ where, item: item.id, status: u.model.canSeeItem(contact.id, item) ? 200 : 404 });
      }
    }
  }

  it(`holds for ${RUNS} random sequences of operations`, async () => {
    let sequences = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(simOpArb, { minLength: 1, maxLength: 8 }), async (ops) => {
        const u = await universe();
        const trail: string[] = [];
        for (const op of ops) {
          trail.push(JSON.stringify(op));
          const { expected, status } = await apply(driver, u, op);
          const accepted = status >= 200 && status < 300;
          expect({ trail, status, accepted }).toEqual({ trail, status, accepted: expected });
          await app.drain();
          await check(driver, u, trail);
          await checkSharePoint(u, trail);
        }
        sequences++;
      }),
      { numRuns: RUNS, endOnFailure: true, seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined },
    );
    expect(sequences).toBeGreaterThanOrEqual(RUNS);
  }, 1_800_000);
});
