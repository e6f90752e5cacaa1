import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_TEAMS_APP_ID } from '../../src/config';
import { Repo } from '../../src/store/repo';
import { adminInstallsCaseRoom } from '../../scripts/local-tenant';
import { useFirmOnSimulator } from './firm-world';
import { installCaseRoom } from './harness';

/**
 * Case set-up in the team(s) the firm's admin installed CaseRoom in: CaseRoom never creates a
 * team (no Team.Create); it adopts a team when Teams tells its bot it was installed there, and
 * creates case channels there with RSC. Cases opened together are provisioned by parallel jobs
 * and must land in the same team.
 */
describe('case provisioning in the adopted cases team', () => {
  const w = useFirmOnSimulator();

  it("gives cases opened at the same time the admin's Cases team, a channel each with the case tab pinned, and creates no team", async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Northwind Traders' });
    const cases = [];
    for (let i = 1; i <= 6; i++) cases.push(await sharing.createCase(w.f.actor, { clientId: client.id, number: `COM-${i}`, title: `Matter ${i}`, assignedStaffId: null, budgetCents: null }));
    await w.app.settle(30_000);
    const provisioned = await Promise.all(cases.map((c) => new Repo(w.app.db).case(w.f.firm.id, c.id)));
    expect(provisioned.map((c) => c?.provisioning)).toEqual(cases.map(() => 'ready'));
    const state = await w.sim.sim.admin.state();
    const teams = Object.values(state.teams);
    expect(teams.map((t) => t.displayName)).toEqual(['Hartley & Moss Cases']);
    expect(new Set(provisioned.map((c) => c?.teamId))).toEqual(new Set([teams[0].id]));
    expect(new Set(provisioned.map((c) => c?.channelId)).size).toBe(6);
    for (const c of provisioned) {
      const tabs = await w.sim.graph<{ value: Array<{ displayName: string; configuration: { contentUrl: string; entityId: string } }> }>('GET', `/teams/${c?.teamId}/channels/${encodeURIComponent(c?.channelId ?? '')}/tabs`);
      expect(tabs.status).toBe(200);
      expect(tabs.body.value).toHaveLength(1);
      expect(tabs.body.value[0].configuration.contentUrl).toBe(`${w.app.url}/tab/case?caseId=${c?.id}`);
    }
    expect(Object.values(state.channelTabs).every((tab) => tab.teamsAppId === SIMULATOR_TEAMS_APP_ID)).toBe(true);
  });

  it('after CaseRoom is removed from a team, new cases go to another team it was added to, never the one it left', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Fabrikam' });
    const first = (await w.sim.sim.admin.state()).appInstallations;
    const original = Object.values(first).find((i) => i.scope.kind === 'team');
    if (original?.scope.kind !== 'team') throw new Error('no team installation');
    const second = await adminInstallsCaseRoom(w.sim.sim, { teamName: 'Hartley & Moss Cases 2', ownerUserIds: [w.f.staff.userId] });
    await w.sim.sim.admin.uninstallAppFromTeam(original.scope.teamId, original.id);
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'FAB-1', title: 'After the move', assignedStaffId: null, budgetCents: null });
    await w.app.settle(30_000);
    const done = await new Repo(w.app.db).case(w.f.firm.id, c.id);
    expect(done?.provisioning).toBe('ready');
    expect(done?.teamId).toBe(second.teamId);
  });
});

describe('a case opened before CaseRoom is in any team', () => {
  const w = useFirmOnSimulator({ installCaseRoom: false });

  it('is accepted and says it waits for a cases team, its job ends instead of retrying, and it is set up once the admin adds CaseRoom to a team', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Contoso' });
    const created = await w.app.call('POST', '/api/cases', w.f.staffToken, { clientId: client.id, number: 'CON-1', title: 'Early matter', assignedStaffId: null, budgetCents: null });
    expect(created.status).toBe(201);
    expect(created.body.setup).toEqual({ state: 'waiting-for-cases-team', message: 'Waiting for a cases team: ask your Teams admin to add CaseRoom to a team.' });
    await w.app.settle(10_000);
    const jobs = await w.app.db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM outbox WHERE kind = 'provision-case'`);
    // One run, finished: nothing left to retry while no team exists.
    expect(jobs).toEqual([{ status: 'done', attempts: 1 }]);
    const waiting = await w.app.call('GET', `/api/cases/${created.body.id}`, w.f.staffToken);
    expect(waiting.body.provisioning).toBe('pending');
    expect(waiting.body.setup.state).toBe('waiting-for-cases-team');
    expect(Object.values((await w.sim.sim.admin.state()).teams)).toHaveLength(0);

    const team = await installCaseRoom(w.sim, w.f.staff.userId);
    await w.app.settle(30_000);
    const ready = await w.app.call('GET', `/api/cases/${created.body.id}`, w.f.staffToken);
    expect(ready.body.provisioning).toBe('ready');
    expect(ready.body.teamId).toBe(team.teamId);
    expect(ready.body.setup).toEqual({ state: 'ready', message: null });
  });
});
