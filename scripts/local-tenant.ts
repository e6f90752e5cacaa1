/**
 * The demo firm's side of the local Microsoft 365 simulator: its tenant, CaseRoom's app
 * registration and the demo people (DEMO_DIRECTORY, the same ids the store is seeded with),
 * CaseRoom's Teams app in the tenant's catalog, and what the firm's admin does to put CaseRoom to
 * work: create a team for cases and install CaseRoom in it. Used by `npm start`, the test
 * harnesses and the benchmarks, so all of them set CaseRoom up the way a tenant does.
 */
import { SIMULATOR_BOT_ID, SIMULATOR_BOT_SECRET, SIMULATOR_BROWSER_CLIENT_ID, SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET, SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../src/config';
import { DEMO_DIRECTORY, DEMO_FIRM, DEMO_SENDER_MAILBOX, DEMO_STAFF_GROUP } from '../src/demo/demo-data';
import type { RunningSimulator } from '../src/m365-simulator';
import { declaredAppRegistration, declaredBrowserApp, declaredTeamsApp, TAB_ENDPOINT_PLACEHOLDER } from './declared-app';

/**
 * The browser's public client as aad.browser.manifest.json declares it, its `spa` redirect URIs
 * made with each address the tab is served from (e.g. http://127.0.0.1:3978).
 */
export async function registerBrowserApp(sim: RunningSimulator, tabEndpoints: string[], tenantId = SIMULATOR_TENANT_ID): Promise<void> {
  if ((await sim.admin.state()).apps[SIMULATOR_BROWSER_CLIENT_ID]) return;
  const declared = declaredBrowserApp();
  const spaRedirectUris = [...new Set(tabEndpoints.flatMap((endpoint) => declared.spaRedirectUris.map((uri) => uri.replace(TAB_ENDPOINT_PLACEHOLDER, endpoint.replace(/\/$/, '')))))];
  await sim.admin.createApp(tenantId, {
    clientId: SIMULATOR_BROWSER_CLIENT_ID,
    displayName: 'CaseRoom in the browser (local)',
    identifierUris: [],
    spaRedirectUris,
    implicitGrant: declared.implicitGrant,
    graphDelegatedScopes: declared.graphDelegatedScopes,
  });
}

/**
 * Creates the demo tenant once, with CaseRoom's registration and the browser's (its sign-in comes
 * back to the tab at `tabEndpoints`, the addresses the app is served from).
 */
export async function seedDemoTenant(sim: RunningSimulator, tabEndpoints: string[]): Promise<void> {
  await seedDemoDirectory(sim);
  await registerBrowserApp(sim, tabEndpoints);
}

async function seedDemoDirectory(sim: RunningSimulator): Promise<void> {
  if ((await sim.admin.state()).tenants[SIMULATOR_TENANT_ID]) return;
  await sim.admin.createTenant({
    tenantId: SIMULATOR_TENANT_ID,
    domain: DEMO_FIRM.domain,
    displayName: DEMO_FIRM.name,
    // Exactly what aad.manifest.json declares, as an admin consenting to it would grant.
    // No redirect URI: the app that holds the Graph permissions signs no browser in.
    app: { clientId: SIMULATOR_CLIENT_ID, clientSecret: SIMULATOR_CLIENT_SECRET, displayName: 'CaseRoom (local)', identifierUris: [`api://localhost/${SIMULATOR_CLIENT_ID}`], ...declaredAppRegistration() },
  });
  for (const person of DEMO_DIRECTORY) {
    await sim.admin.createUser(SIMULATOR_TENANT_ID, {
      id: person.userId,
      displayName: person.name,
      mail: person.email,
      jobTitle: person.title,
      userType: person.kind === 'staff' ? 'Member' : 'Guest',
      ...(person.kind === 'guest' ? { externalUserState: person.accepted ? 'Accepted' : 'PendingAcceptance' } : {}),
    });
  }
  // The firm's staff group (chosen at CaseRoom's set-up; the demo store is seeded as set up with it).
  await sim.admin.createGroup(SIMULATOR_TENANT_ID, { id: DEMO_STAFF_GROUP.id, displayName: DEMO_STAFF_GROUP.name, memberIds: DEMO_DIRECTORY.filter((p) => p.kind === 'staff').map((p) => p.userId) });
  // What docs/deploy.md asks the Exchange admin to do: CaseRoom's Mail.Send reaches the firm's sending mailbox only.
  await sim.admin.setMailboxScope(SIMULATOR_TENANT_ID, SIMULATOR_CLIENT_ID, [DEMO_SENDER_MAILBOX]);
}

export interface CaseRoomAppOptions {
  /** The tenant CaseRoom is registered in (default: the demo tenant). */
  tenantId?: string;
  /** CaseRoom's Entra app (webApplicationInfo.id), whose tokens get the RSC permissions where it is installed. */
  clientId?: string;
}

/**
 * CaseRoom's Teams app as a tenant gets it: the bot's own app registration (what Azure Bot
 * Service registers), the Teams app uploaded to the tenant's catalog with exactly what
 * appPackage/manifest.json declares, and the simulator's Bot Connector sending the bot's
 * activities to `botEndpoint`. Nothing is installed anywhere yet: that is the admin's act.
 */
export async function registerCaseRoomApp(sim: RunningSimulator, botEndpoint: string, options: CaseRoomAppOptions = {}): Promise<void> {
  const tenantId = options.tenantId ?? SIMULATOR_TENANT_ID;
  const state = await sim.admin.state();
  if (!state.apps[SIMULATOR_BOT_ID]) await sim.admin.createApp(tenantId, { clientId: SIMULATOR_BOT_ID, clientSecret: SIMULATOR_BOT_SECRET, displayName: 'CaseRoom bot' });
  await publishCaseRoomTeamsApp(sim, { ...options, botId: SIMULATOR_BOT_ID });
  const r = await fetch(`${sim.httpUrl}/botconnector/_admin/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ botEndpoint, botAppId: SIMULATOR_BOT_ID }) });
  if (!r.ok) throw new Error(`simulator connector knobs → ${r.status} ${await r.text()}`);
}

/**
 * Uploads CaseRoom's Teams app package to the tenant's catalog, as a Teams admin does: its RSC
 * permissions and activity types are read from appPackage/manifest.json. Installing it (in a
 * team, for a user) stays an explicit act.
 */
export async function publishCaseRoomTeamsApp(sim: RunningSimulator, options: CaseRoomAppOptions & { botId?: string | null } = {}): Promise<void> {
  await sim.admin.publishTeamsApp(options.tenantId ?? SIMULATOR_TENANT_ID, { id: SIMULATOR_TEAMS_APP_ID, clientId: options.clientId ?? SIMULATOR_CLIENT_ID, displayName: 'CaseRoom', botId: options.botId ?? null, ...declaredTeamsApp() });
}

export interface CasesTeamInput {
  tenantId?: string;
  teamName?: string;
  /** Who owns the team (a team needs an owner); members see its channels. */
  ownerUserIds: string[];
  memberUserIds?: string[];
  /** Channels the team already has besides General. */
  channels?: string[];
}

export interface CasesTeamSetup {
  teamId: string;
  teamName: string;
  /** Graph id of each channel made with the team (General first: its id is the team's thread id). */
  channels: Array<{ id: string; displayName: string }>;
  installationId: string;
}

/**
 * What the firm's Teams admin does, as docs/deploy.md tells them: create a team for cases and add
 * CaseRoom to it. Teams then tells the bot, and CaseRoom adopts the team. The app's bot must be
 * listening (the installation fails, as in Teams, when the bot does not answer). Run again, it
 * finds the team and the installation it made before.
 */
export async function adminInstallsCaseRoom(sim: RunningSimulator, input: CasesTeamInput): Promise<CasesTeamSetup> {
  const tenantId = input.tenantId ?? SIMULATOR_TENANT_ID;
  const teamName = input.teamName ?? `${DEMO_FIRM.name} Cases`;
  const state = await sim.admin.state();
  const existing = Object.values(state.teams).find((team) => team.tenantId === tenantId && team.displayName === teamName);
  const teamId =
    existing?.id ??
    (await sim.admin.createTeam(tenantId, { displayName: teamName, description: 'Case channels managed by CaseRoom.', ownerUserIds: input.ownerUserIds, memberUserIds: input.memberUserIds, channels: input.channels })).team.id;
  const after = existing ? state : await sim.admin.state();
  const channels = Object.values(after.channels)
    .filter((channel) => channel.teamId === teamId && !channel.deletedDateTime)
    .sort((a, b) => (a.id === after.teams[teamId].internalId ? -1 : b.id === after.teams[teamId].internalId ? 1 : a.createdDateTime.localeCompare(b.createdDateTime)))
    .map((channel) => ({ id: channel.id, displayName: channel.displayName }));
  const installed = Object.values(after.appInstallations).find((i) => i.teamsAppId === SIMULATOR_TEAMS_APP_ID && i.scope.kind === 'team' && i.scope.teamId === teamId);
  const installationId = installed?.id ?? (await sim.admin.installAppInTeam(teamId, SIMULATOR_TEAMS_APP_ID, input.ownerUserIds[0])).id;
  return { teamId, teamName, channels, installationId };
}

/** The demo firm's admin sets up its Cases team, owned and used by the demo staff. */
export async function demoCasesTeam(sim: RunningSimulator): Promise<CasesTeamSetup> {
  const staff = DEMO_DIRECTORY.filter((person) => person.kind === 'staff').map((person) => person.userId);
  return adminInstallsCaseRoom(sim, { ownerUserIds: staff.slice(0, 1), memberUserIds: staff.slice(1) });
}
