import { afterAll, beforeAll } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import type { CaseRecord } from '../../src/store/records';
import { startUploadWorld, type UploadWorld } from '../stress/support/m365-world';
import { type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, type StartAppOptions, startSim } from './harness';

export interface FirmWorld {
  sim: SimHandle;
  app: AppHandle;
  f: FirmFixture;
}

/**
 * For a describe block: the simulator, the app with its production Microsoft 365 part, and the
 * firm with one staff member (and, unless `installCaseRoom: false`, its Cases team with CaseRoom
 * installed), started before its tests and closed after them. (Kept out of
 * harness.ts, which the bench imports outside Jest.)
 */
export function useFirmOnSimulator(o: { simKnobs?: Record<string, unknown>; app?: StartAppOptions; installCaseRoom?: boolean } = {}): FirmWorld {
  const world = {} as FirmWorld;
  beforeAll(async () => {
    world.sim = await startSim(o.simKnobs);
    world.app = await startApp(world.sim, o.app);
    world.f = await seedFirm(world.sim, world.app.db, { installCaseRoom: o.installCaseRoom });
  });
  afterAll(async () => {
    await world.app?.close();
    await world.sim?.close();
  });
  return world;
}

/**
 * For a describe block: startUploadWorld (one provisioned case, one accepted guest who may upload)
 * before its tests, given up to 3 minutes on a busy machine, and closed after them (the app's
 * close stops its worker, started or not).
 */
export function useUploadWorld(o: Parameters<typeof startUploadWorld>[0] = {}): UploadWorld {
  const world = {} as UploadWorld;
  beforeAll(async () => {
    Object.assign(world, await startUploadWorld(o));
  }, 180_000);
  afterAll(async () => {
    await world.close?.();
  });
  return world;
}

/** A client of the firm with cases, each provisioned in SharePoint and Teams, read back from the store. */
export async function provisionedCases(w: FirmWorld, clientName: string, cases: Array<{ number: string; title: string }>): Promise<{ clientId: string; cases: CaseRecord[] }> {
  const { sharing } = w.app.app.services;
  const client = await sharing.createClient(w.f.actor, { name: clientName });
  const made = [];
  for (const c of cases) made.push(await sharing.createCase(w.f.actor, { clientId: client.id, ...c, assignedStaffId: null, budgetCents: null }));
  await w.app.settle();
  const repo = new Repo(w.app.db);
  return { clientId: client.id, cases: await Promise.all(made.map(async (c) => (await repo.case(w.f.firm.id, c.id)) as CaseRecord)) };
}
