import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { SIMULATOR_TENANT_ID } from '../../src/config';
import type { GraphGateway } from '../../src/m365/graph';
import { DriftDetector } from '../../src/services/reconcile/drift';
import { systemClock } from '../../src/services/context';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord } from '../../src/store/records';
import { permissionsFor } from './harness';
import { useFirmOnSimulator } from './firm-world';

/** What people do in SharePoint behind CaseRoom's back: permissions by hand (drift) and files uploaded there. */
describe('drift and upload detection', () => {
  const w = useFirmOnSimulator();

  async function guest(name: string, email: string, accepted = true): Promise<ContactRecord & { userId: string }> {
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const { sharing } = w.app.app.services;
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId: null });
    await w.app.db.query(`UPDATE contacts SET portal_access = true WHERE id = $1`, [contact.id]);
    if (!accepted) return { ...contact, userId: user.id };
    return { ...(await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id)), userId: user.id };
  }

  async function newCase(number: string): Promise<CaseRecord> {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: `Client ${number}` });
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number, title: 'Matter', assignedStaffId: null, budgetCents: null });
    await w.app.drain();
    return (await new Repo(w.app.db).case(w.f.firm.id, c.id)) as CaseRecord;
  }

  it('imports existing folder permissions, reports and repairs hand-made changes, and detects uploads made in SharePoint', async () => {
    const { sharing } = w.app.app.services;
    const c1 = await newCase('LIT-1');
    const doc = (await w.sim.sim.admin.addFileByHand(c1.driveId as string, c1.folderItemId as string, { name: 'Pleading.pdf', text: 'pleading' })) as { id: string };
    await new Repo(w.app.db).insertItem({ firmId: w.f.firm.id, caseId: c1.id, kind: 'document', title: 'Pleading.pdf', driveItemId: doc.id, createdBy: 'test' });
    const ada = await guest('Ada Client', 'ada@client.example');
    await sharing.link(w.f.actor, c1.id, ada.id);
    await sharing.grant(w.f.actor, { contactId: ada.id, scope: { kind: 'case', caseId: c1.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
    await w.app.drain();
    // An upload grant gives read only in SharePoint: CaseRoom writes her uploads itself.
    expect((await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, ada.userId))[0]?.roles).toEqual(['read']);

    // CaseRoom arrives on a tenant where Bea already holds a permission on a case folder.
    const c2 = await newCase('LIT-2');
    const bea = await guest('Bea Counsel', 'bea@counsel.example');
    await w.sim.sim.admin.addPermissionByHand(c2.driveId as string, c2.folderItemId as string, { userId: bea.userId, roles: ['read'] });
    expect(await w.app.m365.reconciler.checkDrift(w.f.firm.id)).toEqual([]);
    const imported = (await new Repo(w.app.db).grantsOfContact(bea.id)).find((g) => g.scope.kind === 'case' && g.scope.caseId === c2.id);
    expect(imported).toMatchObject({ rights: 'read', createdBy: 'system:import' });
    expect(await new Repo(w.app.db).isLinked(c2.id, bea.id)).toBe(true);
    expect((await new Repo(w.app.db).auditEntries(w.f.firm.id)).some((e) => e.action === 'grant.imported')).toBe(true);
    await w.app.drain();
    expect(await permissionsFor(w.sim, c2.driveId as string, c2.folderItemId as string, bea.userId)).toHaveLength(1);

    // Bea also reads the pleading (so CaseRoom tracks that item). By hand: Ada gets a direct permission on it, loses hers on the folder, and a stranger is added.
    await sharing.link(w.f.actor, c1.id, bea.id);
    await sharing.shareItems(w.f.actor, { contactIds: [bea.id], itemIds: [(await new Repo(w.app.db).itemByDriveItem(w.f.firm.id, doc.id))?.id as string], expiresAt: null, reason: null });
    await w.app.drain();
    const stranger = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Eve Outsider', mail: 'eve@outside.example', userType: 'Guest', externalUserState: 'Accepted' });
    await w.sim.sim.admin.addPermissionByHand(c1.driveId as string, doc.id, { userId: ada.userId, roles: ['read'] });
    await w.sim.sim.admin.addPermissionByHand(c1.driveId as string, c1.folderItemId as string, { userId: stranger.id, roles: ['write'] });
    const folderPerm = (await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, ada.userId))[0];
    await w.sim.sim.admin.removePermissionByHand(c1.driveId as string, c1.folderItemId as string, folderPerm.id);

    const events = await w.app.m365.reconciler.checkDrift(w.f.firm.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'drift.found', caseId: c1.id, removed: [{ driveItemId: c1.folderItemId, contactId: ada.id }] });
    // Ada's hand-made read on the pleading matches what she should hold there (read, copied from the
    // folder when it was shared with Bea): a second read is not drift. Eve's write is.
    expect(events[0].added.map((a) => a.who).sort()).toEqual(['eve@outside.example']);
    await w.app.drain();
    expect(w.app.notifications.some((n) => n.type === 'drift.found' && n.caseId === c1.id)).toBe(true);
    // Repaired by policy: hand-made permissions removed, Ada's folder permission back. Sharing the
    // pleading with Bea gave it unique permissions (Ada's folder permission copied onto it), so
    // Ada's case grant holds its own permission there: only the hand-made one goes.
    expect((await permissionsFor(w.sim, c1.driveId as string, doc.id, ada.userId)).map((p) => p.roles)).toEqual([['read']]);
    expect(await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, stranger.id)).toHaveLength(0);
    expect((await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, ada.userId))[0]?.roles).toEqual(['read']);
    expect(await w.app.m365.reconciler.checkDrift(w.f.firm.id)).toEqual([]);

    // A guest holding write (given before CaseRoom stopped giving it, or by hand) is drift: reported, and set back to read.
    const adaFolder = (await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, ada.userId))[0];
    expect((await w.sim.graph('PATCH', `/drives/${c1.driveId}/items/${c1.folderItemId}/permissions/${adaFolder.id}`, { roles: ['write'] })).status).toBe(200);
    const legacy = await w.app.m365.reconciler.checkDrift(w.f.firm.id);
    expect(legacy.flatMap((e) => e.added)).toEqual([{ driveItemId: c1.folderItemId, who: 'ada@client.example', roles: ['write'] }]);
    await w.app.drain();
    expect((await permissionsFor(w.sim, c1.driveId as string, c1.folderItemId as string, ada.userId)).map((p) => p.roles)).toEqual([['read']]);
    expect(await w.app.m365.reconciler.checkDrift(w.f.firm.id)).toEqual([]);

    // Upload detection: the subscription was created at provisioning; Ada uploads straight into SharePoint.
    expect((await w.sim.sim.admin.webhookDeliveries()).value.length).toBeGreaterThanOrEqual(0);
    const subs = await w.app.db.query<{ subscription_id: string }>('SELECT subscription_id FROM m365_subscriptions');
    expect(subs.length).toBeGreaterThan(0);
    await w.app.drain(); // initial delta: sets the baseline
    const before = w.app.notifications.length;
    const file = (await w.sim.sim.admin.addFileByHand(c1.driveId as string, c1.folderItemId as string, { name: 'Signed statement.pdf', text: 'signed', userId: ada.userId })) as { id: string };
    // The simulator POSTs the notification to /api/graph/notifications; the w.app queues a delta job.
    for (let i = 0; i < 100; i++) {
      const queued = await w.app.db.query(`SELECT 1 FROM outbox WHERE kind = 'm365-delta' AND status = 'pending'`);
      if (queued.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await w.app.drain();
    const item = await new Repo(w.app.db).itemByDriveItem(w.f.firm.id, file.id);
    expect(item).toMatchObject({ kind: 'document', title: 'Signed statement.pdf', caseId: c1.id, createdBy: `guest:${ada.id}` });
    expect(w.app.notifications.slice(before).some((n) => n.type === 'guest.uploaded' && n.contactId === ada.id && n.itemIds.includes(item?.id as string))).toBe(true);
    // Running delta again imports nothing twice.
    expect(await w.app.m365.detection.syncDrive(c1.driveId as string)).toBe(0);
  });

  /** The app's Graph gateway, running `meanwhile` once just before the first `$batch` goes out. */
  function beforeFirstBatch(graph: GraphGateway, meanwhile: () => Promise<unknown>): GraphGateway {
    let fired = false;
    return new Proxy(graph, {
      get(target, key) {
        if (key === 'call')
          return async (call: Parameters<GraphGateway['call']>[0]) => {
            if (!fired && call.path === '/$batch') {
              fired = true;
              await meanwhile();
            }
            return target.call(call);
          };
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  // The demo's first start did this: the periodic check ran while the guests' first syncs did.
  it('a check racing a share that gives an item its own permissions leaves the other guests their copies of the folder permission', async () => {
    const { sharing } = w.app.app.services;
    const c = await newCase('LIT-4');
    const file = (await w.sim.sim.admin.addFileByHand(c.driveId as string, c.folderItemId as string, { name: 'MRI report.pdf', text: 'mri' })) as { id: string };
    const mri = await new Repo(w.app.db).insertItem({ firmId: w.f.firm.id, caseId: c.id, kind: 'document', title: 'MRI report.pdf', driveItemId: file.id, createdBy: 'test' });
    const expert = await guest('Maya Expert', 'maya@expert.example');
    await sharing.link(w.f.actor, c.id, expert.id);
    await sharing.grant(w.f.actor, { contactId: expert.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await w.app.drain();
    const client = await guest('Jon Client', 'jon@client.example');
    await sharing.link(w.f.actor, c.id, client.id);
    await sharing.shareItems(w.f.actor, { contactIds: [client.id], itemIds: [mri.id], expiresAt: null, reason: null });

    // The check has read the store; before it reads SharePoint, the client's share runs: it breaks
    // the report's inheritance (the expert's folder permission copied onto it) and re-syncs the expert.
    const detector = new DriftDetector({ db: w.app.db, graph: beforeFirstBatch(w.app.m365.graph, () => w.app.drain()), logger: pino({ level: 'silent' }), clock: systemClock, driftPolicy: 'repair' });
    const events = await detector.checkDrift(w.f.firm.id);
    expect(events.filter((e) => e.caseId === c.id)).toEqual([]);
    await w.app.drain();
    expect((await permissionsFor(w.sim, c.driveId as string, file.id, expert.userId)).map((p) => p.roles)).toEqual([['read']]);
    expect((await permissionsFor(w.sim, c.driveId as string, file.id, client.userId)).map((p) => p.roles)).toEqual([['read']]);
    expect(await w.app.m365.reconciler.checkDrift(w.f.firm.id)).toEqual([]);
  });

  // SharePoint lists an inherited permission like the item's own (no inheritedFrom,
  // learn.microsoft.com/graph/api/resources/permission): one the library root gives reaches an
  // unshared case folder, where it can be neither repaired nor deleted.
  it('a guest given the whole library by hand is not drift on a case folder that only inherits it, and telling so costs one read of the root', async () => {
    const c3 = await newCase('LIT-3');
    const root = await w.sim.graph<{ id: string }>('GET', `/drives/${c3.driveId}/root`);
    const outsider = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: 'Ivo Outsider', mail: 'ivo@outside.example', userType: 'Guest', externalUserState: 'Accepted' });
    const byHand = await w.sim.sim.admin.addPermissionByHand(c3.driveId as string, root.body.id, { userId: outsider.id, roles: ['read'] });
    const onFolder = await w.sim.graph<{ value: Array<{ grantedToV2?: { user?: { id?: string } } }> }>('GET', `/drives/${c3.driveId}/items/${c3.folderItemId}/permissions`);
    expect(onFolder.body.value.some((p) => p.grantedToV2?.user?.id === outsider.id)).toBe(true);

    await w.sim.sim.admin.resetStats();
    const events = await w.app.m365.reconciler.checkDrift(w.f.firm.id);
    expect(events.filter((e) => e.caseId === c3.id)).toEqual([]);
    expect(events.flatMap((e) => e.added).map((a) => a.who)).not.toContain('ivo@outside.example');
    await w.app.drain();
    const rootReads = (await w.sim.sim.admin.graphCalls()).filter((call) => call.method === 'GET' && /\/root\/permissions$/.test(call.path));
    expect(rootReads).toHaveLength(1);
    const onRoot = await w.sim.graph<{ value: Array<{ id: string }> }>('GET', `/drives/${c3.driveId}/root/permissions`);
    expect(onRoot.body.value.map((p) => p.id)).toContain(byHand.id);
  });
});
