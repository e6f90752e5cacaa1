/**
 * What a tenant administrator does by hand around CaseRoom in a test tenant: looks behind the
 * scenes with Graph Explorer (a separate "inspector" app registration holding the roles such
 * inspection needs; CaseRoom's own registration holds only what it declares), and creates the
 * firm's cases team with CaseRoom installed in it.
 */
import type { RunningSimulator } from '../../src/m365-simulator';

/** A fixed client id so test failures name the inspector, never CaseRoom. */
export const INSPECTOR_CLIENT_ID = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';

/** What an administrator's Graph Explorer session may do in a test tenant. Never CaseRoom's. */
export const INSPECTOR_APP_ROLES = ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'User.Read.All', 'Team.Create', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'TeamsTab.Read.All', 'ChannelMessage.Read.All', 'TeamMember.ReadWrite.All'];

export interface Inspector {
  clientId: string;
  token(): Promise<string>;
}

export async function registerInspector(sim: RunningSimulator, tenantId: string): Promise<Inspector> {
  await sim.admin.createApp(tenantId, { clientId: INSPECTOR_CLIENT_ID, displayName: 'Graph Explorer (test inspector)', graphAppRoles: INSPECTOR_APP_ROLES });
  return { clientId: INSPECTOR_CLIENT_ID, token: () => sim.admin.token({ tenantId, clientId: INSPECTOR_CLIENT_ID }) };
}
