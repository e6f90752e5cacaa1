import { afterAll, beforeAll } from '@jest/globals';
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
