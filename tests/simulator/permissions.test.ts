/** Sharing and SharePoint's permission rules as a delegated guest, a staff member and the app see them. */
import { startFixture, type Fixture } from './helpers';

let f: Fixture;
let drive: string;
let caseFolder: { id: string };
let sharedDoc: { id: string };
let privateDoc: { id: string };
let otherCase: { id: string };
beforeAll(async () => {
  f = await startFixture();
  drive = f.rootDriveId;
  sharedDoc = (await f.graph<{ id: string; parentReference: { id: string } }>('PUT', `/drives/${drive}/root:/Cases/Case A/Evidence/photo.txt:/content`, { body: 'shared' })).json;
  privateDoc = (await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Cases/Case A/internal-notes.txt:/content`, { body: 'staff only' })).json;
  caseFolder = (await f.graph<{ id: string }>('GET', `/drives/${drive}/root:/Cases/Case A:`)).json;
  otherCase = (await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Cases/Case B/b.txt:/content`, { body: 'b' })).json;
});
afterAll(() => f.close());

type Permission = { id: string; roles: string[]; grantedToV2?: { user?: { id: string } }; inheritedFrom?: unknown; invitation?: { email: string; signInRequired: boolean } };

const invite = (itemId: string, recipients: unknown[], roles = ['read'], token?: string) =>
  f.graph<{ value: Permission[] }>('POST', `/drives/${drive}/items/${itemId}/invite`, { token, body: { recipients, roles, requireSignIn: true, sendInvitation: false } });

describe('driveItem: invite (learn.microsoft.com/graph/api/driveitem-invite)', () => {
  test('app-only cannot invite new guests: an unknown external email is refused', async () => {
    const response = await invite(sharedDoc.id, [{ email: 'stranger@nowhere.example' }]);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'invalidRequest' } });
    const state = await f.sim.admin.state();
    expect(Object.values(state.users).some((user) => user.mail === 'stranger@nowhere.example')).toBe(false);
  });

  test('app-only can invite an existing guest; the response is {value:[permission]} with grantedToV2 and invitation', async () => {
    const response = await invite(caseFolder.id, [{ email: f.acceptedGuest.mail }], ['read']);
    expect(response.status).toBe(200);
    expect(response.json.value).toHaveLength(1);
    expect(response.json.value[0]).toMatchObject({ roles: ['read'], grantedToV2: { user: { id: f.acceptedGuest.id } }, invitation: { email: f.acceptedGuest.mail, signInRequired: true } });
  });

  test('recipients by objectId work, roles other than read/write are refused, and sending twice keeps one permission (write wins)', async () => {
    expect((await invite(otherCase.id, [{ objectId: f.pendingGuest.id }], ['owner'])).status).toBe(400);
    const first = await invite(otherCase.id, [{ objectId: f.pendingGuest.id }], ['read']);
    const second = await invite(otherCase.id, [{ objectId: f.pendingGuest.id }], ['write']);
    expect(second.json.value[0].id).toBe(first.json.value[0].id);
    expect(second.json.value[0].roles).toEqual(['write']);
  });

  test('a staff member (delegated) sharing with a new address creates the guest, pending acceptance', async () => {
    const staffToken = await f.tokenFor(f.staff.id);
    const response = await invite(otherCase.id, [{ email: 'newcomer@partner.example' }], ['read'], staffToken);
    expect(response.status).toBe(200);
    const users = await f.graph<{ value: Array<{ userType: string; externalUserState: string }> }>('GET', `/users?$filter=mail eq 'newcomer@partner.example'&$select=userType,externalUserState`);
    expect(users.json.value[0]).toMatchObject({ userType: 'Guest', externalUserState: 'PendingAcceptance' });
  });

  test('a guest cannot share (403 accessDenied)', async () => {
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const response = await invite(sharedDoc.id, [{ email: f.staff.mail }], ['read'], guestToken);
    expect(response.status).toBe(403);
  });

  test('sendInvitation: true records the sharing e-mail SharePoint would send', async () => {
    await f.graph('POST', `/drives/${drive}/items/${otherCase.id}/invite`, { body: { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true, sendInvitation: true, message: 'Here is your file' } });
    const emails = await f.sim.admin.sharingEmails();
    expect(emails.value.some((email) => email.to === f.acceptedGuest.mail && email.message === 'Here is your file')).toBe(true);
  });
});

describe('permissions: inheritance (learn.microsoft.com/graph/api/driveitem-list-permissions, permission-delete)', () => {
  test('a folder permission appears on items below, unmarked (SharePoint libraries return no inheritedFrom, learn.microsoft.com/graph/api/resources/permission), and cannot be deleted or changed there', async () => {
    const list = await f.graph<{ value: Permission[] }>('GET', `/drives/${drive}/items/${sharedDoc.id}/permissions`);
    const inherited = list.json.value.find((permission) => permission.grantedToV2?.user?.id === f.acceptedGuest.id);
    expect(inherited).toBeDefined();
    expect(list.json.value.every((permission) => !('inheritedFrom' in permission))).toBe(true);
    const deletion = await f.graph('DELETE', `/drives/${drive}/items/${sharedDoc.id}/permissions/${inherited!.id}`);
    expect(deletion.status).toBe(403);
    const patch = await f.graph('PATCH', `/drives/${drive}/items/${sharedDoc.id}/permissions/${inherited!.id}`, { body: { roles: ['write'] } });
    expect(patch.status).toBe(403);
  });

  test('the site groups (Owners/Members/Visitors) are inherited from the library root by every item', async () => {
    const list = await f.graph<{ value: Array<Permission & { grantedToV2?: { siteGroup?: { displayName: string } } }> }>('GET', `/drives/${drive}/items/${privateDoc.id}/permissions`);
    const groups = list.json.value.filter((permission) => permission.grantedToV2?.siteGroup);
    expect(groups.map((group) => group.roles[0]).sort()).toEqual(['owner', 'read', 'write']);
    // Nothing says they are inherited (learn.microsoft.com/graph/api/resources/permission): the same groups with the same roles as the root's, that is all.
    const root = await f.graph<{ value: Array<Permission & { grantedToV2?: { siteGroup?: { displayName: string } } }> }>('GET', `/drives/${drive}/root/permissions`);
    const named = (list: Array<{ roles: string[]; grantedToV2?: { siteGroup?: { displayName: string } } }>) =>
      list
        .filter((p) => p.grantedToV2?.siteGroup)
        .map((p) => `${p.grantedToV2?.siteGroup?.displayName}:${p.roles.join(',')}`)
        .sort();
    expect(named(groups)).toEqual(named(root.json.value));
    expect(groups.every((group) => !('inheritedFrom' in group))).toBe(true);
  });

  test('PATCH changes roles only on the item that holds the permission (learn.microsoft.com/graph/api/permission-update); DELETE removes it (204)', async () => {
    const granted = await invite(privateDoc.id, [{ email: f.pendingGuest.mail }], ['read']);
    const id = granted.json.value[0].id;
    const patched = await f.graph<Permission>('PATCH', `/drives/${drive}/items/${privateDoc.id}/permissions/${id}`, { body: { roles: ['write'] } });
    expect(patched.json.roles).toEqual(['write']);
    expect((await f.graph('DELETE', `/drives/${drive}/items/${privateDoc.id}/permissions/${id}`)).status).toBe(204);
    expect((await f.graph('GET', `/drives/${drive}/items/${privateDoc.id}/permissions/${id}`)).status).toBe(404);
  });

  test('a permission added by hand (SharePoint admin) shows up in the list like any other', async () => {
    const added = await f.sim.admin.addPermissionByHand(drive, otherCase.id, { userId: f.acceptedGuest.id, roles: ['read'] });
    const list = await f.graph<{ value: Permission[] }>('GET', `/drives/${drive}/items/${otherCase.id}/permissions`);
    expect(list.json.value.map((permission) => permission.id)).toContain(added.id);
  });
});

describe('what a delegated caller sees (SharePoint security trimming)', () => {
  test('a guest reads items shared with them or with an ancestor folder, and nothing else (404 itemNotFound)', async () => {
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    expect((await f.graph('GET', `/drives/${drive}/items/${sharedDoc.id}`, { token: guestToken })).status).toBe(200);
    const download = await f.graph('GET', `/drives/${drive}/items/${sharedDoc.id}/content`, { token: guestToken });
    expect(download.text).toBe('shared');
    expect((await f.graph('GET', `/drives/${drive}/items/${privateDoc.id}`, { token: guestToken })).status).toBe(200); // inside the shared case folder
    const pending = await f.tokenFor(f.pendingGuest.id);
    const hidden = await f.graph('GET', `/drives/${drive}/items/${caseFolder.id}/children`, { token: pending });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toMatchObject({ error: { code: 'itemNotFound' } });
  });

  test('children of the drive root, for a guest, list only what leads to something shared', async () => {
    const pending = await f.tokenFor(f.pendingGuest.id);
    const root = await f.graph<{ value: Array<{ name: string }> }>('GET', `/drives/${drive}/root/children`, { token: pending });
    expect(root.json.value.map((item) => item.name)).toEqual(['Cases']);
    const cases = await f.graph<{ value: Array<{ name: string }> }>('GET', `/drives/${drive}/root:/Cases:/children`, { token: pending });
    expect(cases.json.value.map((item) => item.name)).toEqual(['Case B']);
    // Traversing a folder is not reading it: the folder's own content stays hidden.
    expect((await f.graph('GET', `/drives/${drive}/root:/Cases/Case A/internal-notes.txt:/content`, { token: pending })).status).toBe(404);
  });

  test('a guest with read cannot upload (403), with write can', async () => {
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const denied = await f.graph('PUT', `/drives/${drive}/items/${caseFolder.id}:/upload.txt:/content`, { token: guestToken, body: 'x' });
    expect(denied.status).toBe(403);
    await invite(caseFolder.id, [{ email: f.acceptedGuest.mail }], ['write']);
    const allowed = await f.graph<{ createdBy: { user: { id: string } } }>('PUT', `/drives/${drive}/items/${caseFolder.id}:/upload.txt:/content`, { token: guestToken, body: 'x' });
    expect(allowed.status).toBe(201);
    expect(allowed.json.createdBy.user.id).toBe(f.acceptedGuest.id);
  });

  test('staff members see everything; a guest lists only her own permissions (learn.microsoft.com/graph/api/driveitem-list-permissions: non-owner callers) and cannot list the directory', async () => {
    const staffToken = await f.tokenFor(f.staff.id);
    expect((await f.graph('GET', `/drives/${drive}/items/${otherCase.id}`, { token: staffToken })).status).toBe(200);
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const own = await f.graph<{ value: Array<Permission & { shareId?: string }> }>('GET', `/drives/${drive}/items/${sharedDoc.id}/permissions`, { token: guestToken });
    expect(own.status).toBe(200);
    expect(own.json.value.length).toBeGreaterThan(0);
    expect(own.json.value.every((permission) => permission.grantedToV2?.user?.id === f.acceptedGuest.id && permission.shareId === undefined)).toBe(true);
    const directory = await f.graph('GET', '/users', { token: guestToken });
    expect(directory.status).toBe(403);
    expect(directory.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
  });

  test("revoking the folder permission removes the guest's access to everything below it", async () => {
    const list = await f.graph<{ value: Permission[] }>('GET', `/drives/${drive}/items/${caseFolder.id}/permissions`);
    for (const permission of list.json.value.filter((entry) => entry.grantedToV2?.user?.id === f.acceptedGuest.id)) {
      expect((await f.graph('DELETE', `/drives/${drive}/items/${caseFolder.id}/permissions/${permission.id}`)).status).toBe(204);
    }
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    expect((await f.graph('GET', `/drives/${drive}/items/${sharedDoc.id}`, { token: guestToken })).status).toBe(404);
  });
});
