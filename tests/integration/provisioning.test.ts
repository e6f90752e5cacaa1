import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import { type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, startSim } from './harness';

/**
 * Cases opened together are provisioned by parallel outbox jobs: they must share one cases team
 * (each job creating its own was a real bug, seen on the first `npm start`).
 */
describe('case provisioning', () => {
  let sim: SimHandle;
  let app: AppHandle;
  let f: FirmFixture;

  beforeAll(async () => {
    sim = await startSim();
    app = await startApp(sim);
    f = await seedFirm(sim, app.db);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('gives cases opened at the same time one cases team, a channel each', async () => {
    const { sharing } = app.app.services;
    const client = await sharing.createClient(f.actor, { name: 'Northwind Traders' });
    const cases = [];
    for (let i = 1; i <= 6; i++) cases.push(await sharing.createCase(f.actor, { clientId: client.id, number: `COM-${i}`, title: `Matter ${i}`, assignedStaffId: null, budgetCents: null }));
    await app.settle(30_000);
    const provisioned = await Promise.all(cases.map((c) => new Repo(app.db).case(f.firm.id, c.id)));
    expect(provisioned.map((c) => c?.provisioning)).toEqual(cases.map(() => 'ready'));
    expect(new Set(provisioned.map((c) => c?.teamId)).size).toBe(1);
    expect(new Set(provisioned.map((c) => c?.channelId)).size).toBe(6);
    const teams = Object.values((await sim.sim.admin.state()).teams ?? {});
    expect(teams).toHaveLength(1);
  });
});
