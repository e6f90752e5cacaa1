/**
 * Graph authorises every call from its token: application `roles`, delegated `scp`, and
 * resource-specific consent only where the app is installed. Each test names the page it follows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { declaredAppRegistration, declaredGraphPermissions, declaredTeamsApp } from '../../scripts/declared-app';
import { DEFAULT_REFERENCE_PATH, type PermissionReferenceFile, trimPermissionReference, VENDORED_PATH } from '../../scripts/vendor-graph-permissions';
import { equivalentForms, PermissionIndex, loadVendoredReference } from '../../src/m365-simulator/graph/authorization';
import { startFixture, waitFor, type Fixture } from './helpers';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

type GraphErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };

/** A second app registration in the fixture's tenant, holding exactly the roles given. */
async function appWith(input: { graphAppRoles?: string[]; graphDelegatedScopes?: string[] }): Promise<{ clientId: string; token: () => Promise<string> }> {
  const app = await f.sim.admin.createApp(f.tenantId, input);
  return { clientId: app.clientId, token: () => f.sim.admin.token({ tenantId: f.tenantId, clientId: app.clientId }) };
}

async function createTeam(displayName: string): Promise<string> {
  const created = await f.graph('POST', '/teams', {
    body: {
      'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName,
      members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${f.staff.id}')` }],
    },
  });
  const teamId = /teams\('([^']+)'\)/.exec(created.headers.get('content-location') ?? '')?.[1] as string;
  await waitFor(async () => (await f.graph('GET', `/teams/${teamId}`)).status === 200, 10_000);
  return teamId;
}

describe('application permissions (roles)', () => {
  test('an app holding only what CaseRoom declares cannot create a team: 403 Forbidden naming Team.Create (learn.microsoft.com/graph/api/team-post#permissions)', async () => {
    const caseRoom = await appWith(declaredAppRegistration());
    const response = await f.graph<GraphErrorBody>('POST', '/teams', { token: await caseRoom.token(), body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: 'Nope', members: [] } });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('Forbidden');
    expect(response.json.error.message).toContain('Team.Create');
    expect(response.json.error.innerError).toEqual(expect.objectContaining({ 'request-id': expect.any(String), 'client-request-id': expect.any(String), date: expect.any(String) }));
  });

  test('files permissions do not open sites: GET /sites/root needs Sites.Read.All, 403 accessDenied (learn.microsoft.com/graph/api/site-get#permissions)', async () => {
    const filesOnly = await appWith({ graphAppRoles: ['Files.ReadWrite.All'] });
    const response = await f.graph<GraphErrorBody>('GET', '/sites/root', { token: await filesOnly.token() });
    expect([response.status, response.json.error.code, response.json.error.message]).toEqual([403, 'accessDenied', 'Access denied']);
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/root:/missing.txt`, { token: await filesOnly.token() })).status).toBe(404);
  });

  test('an app with no roles is refused every directory read with Authorization_RequestDenied (learn.microsoft.com/graph/api/user-list#permissions)', async () => {
    const bare = await appWith({});
    const response = await f.graph<GraphErrorBody>('GET', '/users?$top=1', { token: await bare.token() });
    expect([response.status, response.json.error.code, response.json.error.message]).toEqual([403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.']);
  });

  test('path-based addressing is authorised as the item it names (learn.microsoft.com/graph/onedrive-addressing-driveitems)', async () => {
    const filesOnly = await appWith({ graphAppRoles: ['Files.ReadWrite.All'] });
    const put = await f.graph('PUT', `/drives/${f.rootDriveId}/root:/Addressed/a.txt:/content`, { token: await filesOnly.token(), body: 'hello' });
    expect(put.status).toBe(201);
    const session = await f.graph('POST', `/drives/${f.rootDriveId}/root:/Addressed/big.bin:/createUploadSession`, { token: await filesOnly.token(), body: {} });
    expect(session.status).toBe(200);
    const readOnlySites = await appWith({ graphAppRoles: ['Sites.Read.All'] });
    expect((await f.graph('PUT', `/drives/${f.rootDriveId}/root:/Addressed/b.txt:/content`, { token: await readOnlySites.token(), body: 'x' })).status).toBe(403);
  });

  test('each $batch request is authorised on its own (learn.microsoft.com/graph/json-batching)', async () => {
    const filesOnly = await appWith({ graphAppRoles: ['Files.ReadWrite.All'] });
    const batch = await f.graph<{ responses: Array<{ id: string; status: number; body: GraphErrorBody }> }>('POST', '/$batch', {
      token: await filesOnly.token(),
      body: {
        requests: [
          { id: '1', method: 'GET', url: `/drives/${f.rootDriveId}/root` },
          { id: '2', method: 'GET', url: '/users' },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const byId = Object.fromEntries(batch.json.responses.map((r) => [r.id, r]));
    expect(byId['1'].status).toBe(200);
    expect([byId['2'].status, byId['2'].body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
  });
});

describe('delegated permissions (scp)', () => {
  test('a delegated token is authorised by its scopes, never by the app roles (learn.microsoft.com/graph/permissions-overview)', async () => {
    const token = await f.sim.admin.token({ tenantId: f.tenantId, clientId: f.clientId, userId: f.staff.id, scopes: ['Files.ReadWrite.All'] });
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/root`, { token })).status).toBe(200);
    const users = await f.graph<GraphErrorBody>('GET', '/users', { token });
    expect([users.status, users.json.error.code]).toEqual([403, 'Authorization_RequestDenied']);
  });
});

describe('resource-specific consent (learn.microsoft.com/microsoftteams/platform/graph-api/rsc/resource-specific-consent)', () => {
  test('Channel.Create.Group counts only in a team where the app is installed', async () => {
    const rscApp = await appWith({});
    await f.sim.admin.publishTeamsApp(f.tenantId, { id: 'a1b2c3d4-0000-4000-8000-00000000a001', clientId: rscApp.clientId, resourceSpecificPermissions: ['Channel.Create.Group', 'ChannelSettings.Read.Group'] });
    const installedTeam = await createTeam('With the app');
    const otherTeam = await createTeam('Without the app');
    const token = await rscApp.token();
    const create = (teamId: string, name: string) => f.graph<GraphErrorBody>('POST', `/teams/${teamId}/channels`, { token, body: { displayName: name, membershipType: 'standard' } });

    const before = await create(installedTeam, 'Before install');
    expect([before.status, before.json.error.code]).toEqual([403, 'Forbidden']);
    expect(before.json.error.message).toContain('Channel.Create.Group');
    await f.sim.admin.installAppInTeam(installedTeam, 'a1b2c3d4-0000-4000-8000-00000000a001', f.staff.id);
    expect((await create(installedTeam, 'After install')).status).toBe(201);
    expect((await f.graph('GET', `/teams/${installedTeam}/channels`, { token })).status).toBe(200);
    expect((await create(otherTeam, 'Elsewhere')).status).toBe(403);
  });

  test('RSC names in an app token grant nothing: RSC is not a tenant-wide role', async () => {
    const claimsRsc = await appWith({ graphAppRoles: ['Channel.Create.Group'] });
    const teamId = await createTeam('Roles are not RSC');
    const response = await f.graph('POST', `/teams/${teamId}/channels`, { token: await claimsRsc.token(), body: { displayName: 'x', membershipType: 'standard' } });
    expect(response.status).toBe(403);
  });

  test('TeamsActivity.Send.User counts only for a user who installed the app', async () => {
    const notifier = await appWith({});
    await f.sim.admin.publishTeamsApp(f.tenantId, { id: 'a1b2c3d4-0000-4000-8000-00000000a002', clientId: notifier.clientId, resourceSpecificPermissions: ['TeamsActivity.Send.User'], activityTypes: ['itemsShared'] });
    const body = { topic: { source: 'text', value: 'A document', webUrl: 'https://teams.microsoft.com/l/entity/a1b2c3d4-0000-4000-8000-00000000a002/portal' }, activityType: 'itemsShared', previewText: { content: 'Shared' } };
    const send = async () => f.graph<GraphErrorBody>('POST', `/users/${f.acceptedGuest.id}/teamwork/sendActivityNotification`, { token: await notifier.token(), body });
    expect((await send()).status).toBe(403);
    await f.sim.admin.installAppForUser(f.acceptedGuest.id, 'a1b2c3d4-0000-4000-8000-00000000a002');
    expect((await send()).status).toBe(204);
  });
});

describe("CaseRoom's declarations rule its registration", () => {
  test('removing a declared permission changes what the simulator allows', async () => {
    const declared = declaredGraphPermissions();
    expect(declared.applicationRoles).toContain('User.Invite.All');
    const full = await appWith(declaredAppRegistration(declared));
    const withoutInvite = await appWith(declaredAppRegistration({ ...declared, applicationRoles: declared.applicationRoles.filter((name) => name !== 'User.Invite.All') }));
    const invite = async (token: string, email: string) => (await f.graph('POST', '/invitations', { token, body: { invitedUserEmailAddress: email, inviteRedirectUrl: 'http://localhost:3000/' } })).status;
    expect(await invite(await full.token(), 'declared@client.example')).toBe(201);
    expect(await invite(await withoutInvite.token(), 'undeclared@client.example')).toBe(403);
  });

  test('the Teams manifest declares what the published app holds as RSC', () => {
    expect(declaredTeamsApp().resourceSpecificPermissions.every((name) => /\.(Group|User)$/.test(name))).toBe(true);
  });

  test('the simulator records which permission authorised each call (/_admin/graph-calls)', async () => {
    await f.sim.admin.resetStats();
    await f.graph('GET', `/drives/${f.rootDriveId}/root/children`);
    const calls = await f.sim.admin.graphCalls();
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', template: '/drives/{id}/items/{id}/children', tokenKind: 'app', denied: false, grantedBy: expect.arrayContaining(['Files.ReadWrite.All', 'Sites.ReadWrite.All']) })]);
  });
});

describe('the vendored permission reference', () => {
  test('equals the implemented part of ../shared/graph/permissions.json whenever that file exists', () => {
    const vendored = JSON.parse(readFileSync(VENDORED_PATH, 'utf8'));
    expect(vendored).toEqual(loadVendoredReference());
    if (!existsSync(DEFAULT_REFERENCE_PATH)) return;
    const reference = JSON.parse(readFileSync(DEFAULT_REFERENCE_PATH, 'utf8')) as PermissionReferenceFile;
    expect(vendored).toEqual(trimPermissionReference(reference));
  });

  test('templates match ids, OData keys, path addressing and case as Graph resolves them', () => {
    const index = new PermissionIndex(loadVendoredReference());
    expect(index.lookup('GET', '/teams/abc/channels/19:x@thread.tacv2/filesFolder')?.template).toBe('/teams/{id}/channels/{id}/filesfolder');
    expect(index.lookup('PUT', '/drives/b!x/items/01A:/Notes.docx:/content')?.template).toBe('/drives/{id}/items/{id}:/{id}:/content');
    expect(index.lookup('GET', '/drives/b!x/items/01A:/a/b:')?.template).toBe('/drives/{id}/items/{id}');
    expect(index.lookup('POST', '/users/u1/teamwork/SENDACTIVITYNOTIFICATION')?.accepted('Application')).toEqual(['TeamsActivity.Send', 'TeamsActivity.Send.User']);
    expect(equivalentForms('/sites/s1/drive/root:/a.txt:/content')).toEqual(['/sites/s1/drive/root:/{id}:/content', '/sites/s1/drive/items/{id}/content', '/drives/{id}/root:/{id}:/content', '/drives/{id}/items/{id}/content']);
    expect(index.lookup('GET', '/me')?.accepted('Application')).toEqual([]);
  });
});
