/**
 * CSDL conformance: every entity the simulator returns in these scenarios, and every action body
 * the tests send, uses only what the Graph v1.0 schema (../shared/graph/v1.0-metadata.xml) defines.
 */
import { checkActionBody, checkEntity, loadCsdl, type CsdlModel } from './csdl';
import { startFixture, waitFor, type Fixture } from './helpers';

let f: Fixture;
let model: CsdlModel;
beforeAll(async () => {
  model = loadCsdl();
  f = await startFixture();
});
afterAll(() => f.close());

const expectConformant = (type: string, value: unknown) => expect(checkEntity(model, type, value)).toEqual([]);

describe('CSDL reader', () => {
  test('reads entity types with inheritance and bound action parameters', () => {
    const driveItem = model.types.get('microsoft.graph.driveItem');
    expect(driveItem?.baseType).toBe('microsoft.graph.baseItem');
    const invite = model.actions.find((action) => action.name === 'invite' && action.bindingType === 'microsoft.graph.driveItem');
    expect([...(invite?.parameters.keys() ?? [])]).toEqual(expect.arrayContaining(['recipients', 'roles', 'requireSignIn', 'sendInvitation', 'message', 'expirationDateTime']));
  });

  test('the checker fails on a misspelt property name and on a wrong primitive type', () => {
    expect(checkEntity(model, 'driveItem', { id: '1', nmae: 'x.pdf' })).toEqual([expect.stringContaining("'nmae' is not a property of microsoft.graph.driveItem")]);
    expect(checkEntity(model, 'driveItem', { id: '1', size: '12' })).toEqual([expect.stringContaining('expected Edm.Int64')]);
    expect(checkEntity(model, 'permission', { id: 'p', grantedToV2: { user: { id: 'u', dispalyName: 'x' } } })).toHaveLength(1);
    expect(checkActionBody(model, 'invite', 'driveItem', { recipients: [{ email: 'a@b.c' }], roles: ['read'], requireSignin: true })).toEqual([expect.stringContaining("'requireSignin' is not a parameter")]);
  });
});

describe('simulator responses conform to the Graph v1.0 CSDL', () => {
  test('site, drive, driveItem (file, folder, root, delta, deleted), permission, uploadSession', async () => {
    const drive = f.rootDriveId;
    expectConformant('site', (await f.graph('GET', '/sites/root')).json);
    expectConformant('drive', (await f.graph('GET', `/drives/${drive}`)).json);
    expectConformant('driveItem', (await f.graph('GET', `/drives/${drive}/root`)).json);
    const file = await f.graph<{ id: string; parentReference: { id: string } }>('PUT', `/drives/${drive}/root:/Conformance/a.pdf:/content`, { body: 'pdf' });
    expectConformant('driveItem', file.json);
    expectConformant('driveItem', (await f.graph('GET', `/drives/${drive}/items/${file.json.parentReference.id}?$expand=children,permissions`)).json);
    const inviteBody = { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true, sendInvitation: true, message: 'Shared with you' };
    expect(checkActionBody(model, 'invite', 'driveItem', inviteBody)).toEqual([]);
    const invite = await f.graph<{ value: unknown[] }>('POST', `/drives/${drive}/items/${file.json.parentReference.id}/invite`, { body: inviteBody });
    invite.json.value.forEach((permission) => expectConformant('permission', permission));
    const permissions = await f.graph<{ value: unknown[] }>('GET', `/drives/${drive}/items/${file.json.id}/permissions`);
    expect(permissions.json.value.length).toBeGreaterThan(1);
    permissions.json.value.forEach((permission) => expectConformant('permission', permission));
    const sessionBody = { item: { '@microsoft.graph.conflictBehavior': 'rename', name: 'b.bin' } };
    expect(checkActionBody(model, 'createUploadSession', 'driveItem', sessionBody)).toEqual([]);
    const session = await f.graph<{ uploadUrl: string }>('POST', `/drives/${drive}/root:/Conformance/b.bin:/createUploadSession`, { body: sessionBody });
    expectConformant('uploadSession', session.json);
    const partial = await fetch(session.json.uploadUrl, { method: 'PUT', body: new Uint8Array(320 * 1024), headers: { 'content-range': `bytes 0-${320 * 1024 - 1}/${320 * 1024 + 5}` } });
    expectConformant('uploadSession', await partial.json());
    const finished = await fetch(session.json.uploadUrl, { method: 'PUT', body: new Uint8Array(5), headers: { 'content-range': `bytes ${320 * 1024}-${320 * 1024 + 4}/${320 * 1024 + 5}` } });
    expectConformant('driveItem', await finished.json());
    await f.graph('DELETE', `/drives/${drive}/items/${file.json.id}`);
    const delta = await f.graph<{ value: unknown[] }>('GET', `/drives/${drive}/root/delta`);
    delta.json.value.forEach((item) => expectConformant('driveItem', item));
  });

  test('user (all selectable properties), invitation, subscription', async () => {
    const invitation = await f.graph<{ invitedUser: { id: string } }>('POST', '/invitations', { body: { invitedUserEmailAddress: 'erin@client.example', inviteRedirectUrl: 'http://localhost:3000' } });
    expect(invitation.status).toBe(201);
    expectConformant('invitation', invitation.json);
    const select =
      'id,displayName,givenName,surname,mail,userPrincipalName,userType,externalUserState,externalUserStateChangeDateTime,creationType,accountEnabled,createdDateTime,otherMails,businessPhones,jobTitle,mobilePhone,officeLocation,preferredLanguage';
    expectConformant('user', (await f.graph('GET', `/users/${invitation.json.invitedUser.id}?$select=${select}`)).json);
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      res.writeHead(token ? 200 : 202, { 'content-type': 'text/plain' }).end(token ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const subscription = await f.graph('POST', '/subscriptions', {
        body: { changeType: 'updated', notificationUrl: `http://127.0.0.1:${address.port}/hook`, resource: `/drives/${f.rootDriveId}/root`, expirationDateTime: new Date(Date.now() + 3600_000).toISOString(), clientState: 'x' },
      });
      expect(subscription.status).toBe(201);
      expectConformant('subscription', subscription.json);
    } finally {
      server.close();
    }
  });

  test('team, teamsAsyncOperation, channel, aadUserConversationMember; sendActivityNotification body', async () => {
    const created = await f.graph('POST', '/teams', {
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        displayName: 'Conformance',
        members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${f.staff.id}')` }],
      },
    });
    const location = created.headers.get('location')!;
    const operation = await waitFor(async () => {
      const response = await f.graph<{ status: string }>('GET', location);
      return response.json.status === 'succeeded' ? response.json : undefined;
    });
    expectConformant('teamsAsyncOperation', operation);
    const teamId = /teams\('([^']+)'\)/.exec(location)![1];
    expectConformant('team', (await f.graph('GET', `/teams/${teamId}`)).json);
    const channel = await f.graph<{ id: string }>('POST', `/teams/${teamId}/channels`, { body: { displayName: 'Case 7', membershipType: 'standard' } });
    expectConformant('channel', channel.json);
    expectConformant('driveItem', (await f.graph('GET', `/teams/${teamId}/channels/${encodeURIComponent(channel.json.id)}/filesFolder`)).json);
    const members = await f.graph<{ value: unknown[] }>('GET', `/teams/${teamId}/members`);
    members.json.value.forEach((member) => expectConformant('conversationMember', member));
    const activity = {
      topic: { source: 'entityUrl', value: `https://graph.microsoft.com/v1.0/teams/${teamId}` },
      activityType: 'documentShared',
      previewText: { content: 'x' },
      recipient: { '@odata.type': 'microsoft.graph.aadUserNotificationRecipient', userId: f.staff.id },
    };
    expect(checkActionBody(model, 'sendActivityNotification', 'team', activity)).toEqual([]);
    // Teams delivers only where the sender's app is installed, with its declared activity types.
    await f.sim.admin.publishTeamsApp(f.tenantId, { id: 'c0ffee00-0000-4000-8000-0000000000c2', clientId: f.clientId, activityTypes: ['documentShared'] });
    await f.sim.admin.installAppInTeam(teamId, 'c0ffee00-0000-4000-8000-0000000000c2', f.staff.id);
    expect((await f.graph('POST', `/teams/${teamId}/sendActivityNotification`, { body: activity })).status).toBe(204);
  });
});

describe('@odata.context (OData v4 minimal metadata, as in the response examples of each Learn page)', () => {
  test('collections name their entity set or navigation path, entities add /$entity, actions their return type (learn.microsoft.com/graph/api/user-get, user-list, channel-list, driveitem-list-children, driveitem-invite)', async () => {
    const metadata = `${f.sim.httpUrl}/v1.0/$metadata#`;
    expect((await f.graph('GET', '/users')).json['@odata.context']).toBe(`${metadata}users`);
    expect((await f.graph('GET', `/users/${f.staff.id}`)).json['@odata.context']).toBe(`${metadata}users/$entity`);
    const root = await f.graph<{ id: string }>('GET', `/drives/${f.rootDriveId}/root`);
    expect(root.json['@odata.context' as 'id']).toBe(`${metadata}drives('${f.rootDriveId}')/root/$entity`);
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/items/${root.json.id}/children`)).json['@odata.context']).toBe(`${metadata}drives('${f.rootDriveId}')/items('${root.json.id}')/children`);
    const put = await f.graph('PUT', `/drives/${f.rootDriveId}/root:/Context/a.txt:/content`, { body: 'x' });
    expect(put.json['@odata.context']).toBe(`${metadata}drives('${f.rootDriveId}')/items/$entity`);
    const error = await f.graph('GET', `/drives/${f.rootDriveId}/items/nope`);
    expect(error.json).not.toHaveProperty('@odata.context');
  });
});

describe('permission lists carry no inheritedFrom: "OneDrive for Business and SharePoint document libraries don\'t return the inheritedFrom property" (learn.microsoft.com/graph/api/resources/permission)', () => {
  type Listed = { id: string; roles: string[]; grantedToV2?: { user?: { id: string } } };
  const list = async (path: string, token?: string) => {
    const res = await f.graph<{ value: Listed[] }>('GET', `/drives/${f.rootDriveId}${path}`, { token });
    expect(res.status).toBe(200);
    return res.json.value;
  };

  test("an item that inherits lists its folder's permission unmarked, by GET …/permissions, GET …/permissions/{id} and $expand=permissions, to the app, staff and the guest it names", async () => {
    const doc = (await f.graph<{ id: string; parentReference: { id: string } }>('PUT', `/drives/${f.rootDriveId}/root:/Inherit/Case/letter.txt:/content`, { body: 'x' })).json;
    const folderId = doc.parentReference.id;
    expect((await f.graph('POST', `/drives/${f.rootDriveId}/items/${folderId}/invite`, { body: { recipients: [{ objectId: f.acceptedGuest.id }], roles: ['read'], requireSignIn: true, sendInvitation: false } })).status).toBe(200);
    const asApp = await list(`/items/${doc.id}/permissions`);
    const guestOnDoc = asApp.find((p) => p.grantedToV2?.user?.id === f.acceptedGuest.id);
    expect(guestOnDoc).toBeDefined();
    const single = await f.graph<Record<string, unknown>>('GET', `/drives/${f.rootDriveId}/items/${doc.id}/permissions/${guestOnDoc!.id}`);
    const expanded = await f.graph<{ permissions: Array<Record<string, unknown>> }>('GET', `/drives/${f.rootDriveId}/items/${doc.id}?$expand=permissions`);
    const asStaff = await list(`/items/${doc.id}/permissions`, await f.tokenFor(f.staff.id));
    const asGuest = await list(`/items/${doc.id}/permissions`, await f.tokenFor(f.acceptedGuest.id));
    // The guest sees only her own permission (learn.microsoft.com/graph/api/driveitem-list-permissions).
    expect(asGuest.map((p) => p.grantedToV2?.user?.id)).toEqual([f.acceptedGuest.id]);
    for (const permission of [...asApp, single.json, ...expanded.json.permissions, ...asStaff, ...asGuest]) {
      expect(permission).not.toHaveProperty('inheritedFrom');
      expectConformant('permission', permission);
    }
  });

  test('unmarked, an inherited permission still cannot be deleted where it is only inherited (403 accessDenied), and the item holding it deletes it (204)', async () => {
    const doc = (await f.graph<{ id: string; parentReference: { id: string } }>('PUT', `/drives/${f.rootDriveId}/root:/Inherit/Other/memo.txt:/content`, { body: 'x' })).json;
    const folderId = doc.parentReference.id;
    expect((await f.graph('POST', `/drives/${f.rootDriveId}/items/${folderId}/invite`, { body: { recipients: [{ objectId: f.acceptedGuest.id }], roles: ['read'], requireSignIn: true, sendInvitation: false } })).status).toBe(200);
    const onDoc = (await list(`/items/${doc.id}/permissions`)).find((p) => p.grantedToV2?.user?.id === f.acceptedGuest.id)!;
    const refused = await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${doc.id}/permissions/${onDoc.id}`);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'accessDenied' } });
    expect(JSON.stringify(refused.json)).not.toContain('inheritedFrom');
    const onFolder = (await list(`/items/${folderId}/permissions`)).find((p) => p.grantedToV2?.user?.id === f.acceptedGuest.id)!;
    expect((await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${folderId}/permissions/${onFolder.id}`)).status).toBe(204);
    expect((await list(`/items/${doc.id}/permissions`)).some((p) => p.grantedToV2?.user?.id === f.acceptedGuest.id)).toBe(false);
  });
});
