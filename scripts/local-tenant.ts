/**
 * The demo firm's side of the local Microsoft 365 simulator: its tenant, CaseRoom's app
 * registration and the demo people (DEMO_DIRECTORY, the same ids the store is seeded with), and
 * the Bot Connector pointed at the app's bot. Used by `npm start` and by the browser tests.
 */
import { SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET, SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../src/config';
import { DEMO_DIRECTORY, DEMO_FIRM, DEMO_SENDER_MAILBOX } from '../src/services/demo-data';
import type { RunningSimulator } from '../src/m365-simulator';
import { declaredAppRegistration, declaredTeamsApp } from './declared-app';

/** Creates the demo tenant once. With no redirect URIs the simulator accepts any loopback redirect. */
export async function seedDemoTenant(sim: RunningSimulator, redirectUris: string[]): Promise<void> {
  if ((await sim.admin.state()).tenants[SIMULATOR_TENANT_ID]) return;
  await sim.admin.createTenant({
    tenantId: SIMULATOR_TENANT_ID,
    domain: DEMO_FIRM.domain,
    displayName: DEMO_FIRM.name,
    // Exactly what aad.manifest.json declares, as an admin consenting to it would grant.
    app: { clientId: SIMULATOR_CLIENT_ID, clientSecret: SIMULATOR_CLIENT_SECRET, displayName: 'CaseRoom (local)', identifierUris: [`api://localhost/${SIMULATOR_CLIENT_ID}`], redirectUris, ...declaredAppRegistration() },
  });
  await publishCaseRoomTeamsApp(sim);
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
  // What docs/deploy.md asks the Exchange admin to do: CaseRoom's Mail.Send reaches the firm's sending mailbox only.
  await sim.admin.setMailboxScope(SIMULATOR_TENANT_ID, SIMULATOR_CLIENT_ID, [DEMO_SENDER_MAILBOX]);
}

/** Tells the simulator's Bot Connector where the bot listens, and to install it in every team. */
export async function pointConnectorAt(sim: RunningSimulator, botEndpoint: string): Promise<void> {
  const r = await fetch(`${sim.httpUrl}/botconnector/_admin/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ botEndpoint, autoInstall: true }) });
  if (!r.ok) throw new Error(`simulator connector knobs → ${r.status} ${await r.text()}`);
}

/**
 * Uploads CaseRoom's Teams app package to the tenant's catalog, as a Teams admin does: its RSC
 * permissions and activity types are read from appPackage/manifest.json. Installing it (in a
 * team, for a user) stays an explicit act.
 */
export async function publishCaseRoomTeamsApp(sim: RunningSimulator, botId: string | null = null): Promise<void> {
  const declared = declaredTeamsApp();
  await sim.admin.publishTeamsApp(SIMULATOR_TENANT_ID, { id: SIMULATOR_TEAMS_APP_ID, clientId: SIMULATOR_CLIENT_ID, displayName: 'CaseRoom (local)', botId, resourceSpecificPermissions: declared.resourceSpecificPermissions, activityTypes: declared.activityTypes });
}
