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
export const INSPECTOR_APP_ROLES = [
  'Files.ReadWrite.All',
  'Sites.ReadWrite.All',
  'User.Read.All',
  'Team.Create',
  'Team.ReadBasic.All',
  'Channel.ReadBasic.All',
  'ChannelMessage.Read.All',
  'TeamMember.ReadWrite.All',
];

export interface Inspector {
  clientId: string;
  token(): Promise<string>;
}

export async function registerInspector(sim: RunningSimulator, tenantId: string): Promise<Inspector> {
  await sim.admin.createApp(tenantId, { clientId: INSPECTOR_CLIENT_ID, displayName: 'Graph Explorer (test inspector)', graphAppRoles: INSPECTOR_APP_ROLES });
  return { clientId: INSPECTOR_CLIENT_ID, token: () => sim.admin.token({ tenantId, clientId: INSPECTOR_CLIENT_ID }) };
}

/**
 * The administrator creates a team owned by `ownerUserId` (POST /teams, as in the Teams admin
 * centre) and waits until Teams finished provisioning it. Returns the team id.
 */
export async function adminCreatesTeam(sim: RunningSimulator, inspector: Inspector, ownerUserId: string, displayName: string): Promise<string> {
  const token = await inspector.token();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${sim.httpUrl}/v1.0/teams`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName,
      members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${ownerUserId}')` }],
    }),
  });
  if (created.status !== 202) throw new Error(`POST /teams as the administrator → ${created.status}: ${await created.text()}`);
  const teamId = /teams\('([^']+)'\)/.exec(created.headers.get('content-location') ?? '')?.[1];
  if (!teamId) throw new Error('POST /teams answered without the team location');
  for (let attempt = 0; attempt < 200; attempt++) {
    const ready = await fetch(`${sim.httpUrl}/v1.0/teams/${teamId}`, { headers });
    if (ready.status === 200) return teamId;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`team ${teamId} never finished provisioning`);
}
