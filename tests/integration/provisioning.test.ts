import { describe, expect, it } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import { useFirmOnSimulator } from './firm-world';

/**
 * Cases opened together are provisioned by parallel outbox jobs: they must share one cases team
 * (each job creating its own was a real bug, seen on the first `npm start`).
 */
describe('case provisioning', () => {
  const w = useFirmOnSimulator();

  it('gives cases opened at the same time one cases team, a channel each', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Northwind Traders' });
    const cases = [];
    for (let i = 1; i <= 6; i++) cases.push(await sharing.createCase(w.f.actor, { clientId: client.id, number: `COM-${i}`, title: `Matter ${i}`, assignedStaffId: null, budgetCents: null }));
    await w.app.settle(30_000);
    const provisioned = await Promise.all(cases.map((c) => new Repo(w.app.db).case(w.f.firm.id, c.id)));
    expect(provisioned.map((c) => c?.provisioning)).toEqual(cases.map(() => 'ready'));
    expect(new Set(provisioned.map((c) => c?.teamId)).size).toBe(1);
    expect(new Set(provisioned.map((c) => c?.channelId)).size).toBe(6);
    const teams = Object.values((await w.sim.sim.admin.state()).teams ?? {});
    expect(teams).toHaveLength(1);
  });
});
