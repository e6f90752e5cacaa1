import { randomUUID } from 'node:crypto';
import type { M365Settings } from '../../../src/m365/settings';
import { Repo } from '../../../src/store/repo';
import type { CaseRecord } from '../../../src/store/records';
import { acceptedGuest, type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, startSim } from '../../integration/harness';

/**
 * One case in SharePoint with one accepted guest who may upload to it, on the integration
 * harness (simulator + app with its production Microsoft 365 part, over loopback). Used by the
 * upload sweep and tests/integration/files.test.ts.
 */
export interface UploadWorld {
  sim: SimHandle;
  app: AppHandle;
  firm: FirmFixture;
  case: CaseRecord;
  guest: { userId: string; contactId: string; token: string };
  close(): Promise<void>;
}

export async function startUploadWorld(o: { settings?: Partial<M365Settings>; simKnobs?: Record<string, unknown> } = {}): Promise<UploadWorld> {
  const sim = await startSim(o.simKnobs);
  const app = await startApp(sim, { settings: o.settings });
  const firm = await seedFirm(sim, app.db);
  return {
    sim,
    app,
    firm,
    ...(await uploadCase(sim, app, firm)),
    async close() {
      await app.close();
      await sim.close();
    },
  };
}

/** The firm's case provisioned in SharePoint, with its accepted guest who may upload to it. */
export async function uploadCase(sim: SimHandle, app: AppHandle, firm: FirmFixture): Promise<Pick<UploadWorld, 'case' | 'guest'>> {
  const { sharing } = app.app.services;
  const client = await sharing.createClient(firm.actor, { name: 'Upload client' });
  const created = await sharing.createCase(firm.actor, { clientId: client.id, number: 'UP-1', title: 'Uploads', assignedStaffId: null, budgetCents: null });
  const guest = await acceptedGuest(sim, app, firm, { name: 'Uma Uploader', email: 'uma@guest.example', clientId: client.id, caseId: created.id });
  await sharing.grant(firm.actor, { contactId: guest.contactId, scope: { kind: 'case', caseId: created.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  await app.settle();
  const c = await new Repo(app.db).case(firm.firm.id, created.id);
  if (!c?.driveId || !c.folderItemId) throw new Error('the case folder was not provisioned');
  return { case: c, guest };
}

/** Every live item of a drive as SharePoint (the simulator) holds it: "parent/name:size", sorted. */
export async function driveSnapshot(sim: SimHandle, driveId: string): Promise<string[]> {
  const state = await sim.sim.admin.state();
  const items = Object.values(state.items).filter((i) => i.driveId === driveId && !i.deletedDateTime);
  const byId = new Map(items.map((i) => [i.id, i]));
  const pathOf = (id: string | null): string => {
    const i = id ? byId.get(id) : undefined;
    return i ? `${pathOf(i.parentId)}/${i.name}` : '';
  };
  return items.map((i) => `${pathOf(i.id)}:${i.kind === 'file' ? i.size : 'dir'}`).sort();
}

/**
 * Another tenant's firm with one case on the world's own drive and one document in it: real ids a
 * caller of this world's firm must be refused exactly as unknown ones (404).
 */
export async function otherTenantDocument(w: UploadWorld): Promise<{ firmId: string; caseId: string; itemId: string }> {
  const repo = new Repo(w.app.db);
  const firm = await repo.insertFirm({ tenantId: randomUUID(), name: 'Other tenant firm' });
  const client = await repo.insertClient(firm.id, 'B client');
  const [c] = await w.app.db.query<{ id: string }>(`INSERT INTO cases (id, firm_id, client_id, number, title, drive_id) VALUES ($1, $2, $3, 'B-1', 'B case', $4) RETURNING id`, [randomUUID(), firm.id, client.id, w.case.driveId]);
  const [item] = await w.app.db.query<{ id: string }>(`INSERT INTO items (id, firm_id, case_id, kind, title, drive_item_id, created_by) VALUES ($1, $2, $3, 'document', 'B secret.docx', 'whatever', 'test') RETURNING id`, [
    randomUUID(),
    firm.id,
    c.id,
  ]);
  return { firmId: firm.id, caseId: c.id, itemId: item.id };
}
