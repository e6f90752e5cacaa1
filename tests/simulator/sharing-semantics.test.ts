/**
 * SharePoint's sharing semantics as Microsoft documents them, each rule with the Learn page it
 * follows: inheritance broken by the first direct share, expiry ignored on direct permissions,
 * security trimming of permissions and subscriptions, and moves needing write at both ends.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFixture, type Fixture } from './helpers';

type Permission = { id: string; roles: string[]; shareId?: string; expirationDateTime?: string; inheritedFrom?: unknown; grantedToV2?: { user?: { id: string }; siteGroup?: { displayName: string } } };
type Item = { id: string; parentReference?: { id: string } };

let f: Fixture;
let drive: string;
let matter: Item;
let otherMatter: Item;
const docs: Record<string, Item> = {};
let cleo: { id: string; mail: string };
let dan: { id: string; mail: string };
let eve: { id: string; mail: string };

beforeAll(async () => {
  f = await startFixture();
  drive = f.rootDriveId;
  for (const name of ['d1', 'd2', 'd3', 'd4', 'd5', 'd6']) {
    docs[name] = (await f.graph<Item>('PUT', `/drives/${drive}/root:/Matters/M1/${name}.txt:/content`, { body: `content of ${name}` })).json;
  }
  await f.graph('PUT', `/drives/${drive}/root:/Matters/M2/other-client.txt:/content`, { body: 'other client' });
  matter = (await f.graph<Item>('GET', `/drives/${drive}/root:/Matters/M1:`)).json;
  otherMatter = (await f.graph<Item>('GET', `/drives/${drive}/root:/Matters/M2:`)).json;
  const guest = (name: string) => f.sim.admin.createUser(f.tenantId, { displayName: name, mail: `${name.toLowerCase()}@guests.example`, userType: 'Guest', externalUserState: 'Accepted' });
  cleo = await guest('Cleo');
  dan = await guest('Dan');
  eve = await guest('Eve');
  expect((await invite(matter.id, f.acceptedGuest.id)).status).toBe(200);
});
afterAll(() => f.close());

function invite(itemId: string, userId: string, extra: Record<string, unknown> = {}) {
  return f.graph<{ value: Permission[] }>('POST', `/drives/${drive}/items/${itemId}/invite`, { body: { recipients: [{ objectId: userId }], roles: ['read'], requireSignIn: true, sendInvitation: false, ...extra } });
}
async function permissions(itemId: string, token?: string): Promise<Permission[]> {
  const res = await f.graph<{ value: Permission[] }>('GET', `/drives/${drive}/items/${itemId}/permissions`, { token });
  expect(res.status).toBe(200);
  return res.json.value;
}
const of = (list: Permission[], userId: string) => list.filter((p) => p.grantedToV2?.user?.id === userId);
/** Who holds what, sorted: all a caller can compare between an item and its folder. */
const grants = (list: Permission[]) => list.map((p) => `${p.grantedToV2?.user?.id ?? p.grantedToV2?.siteGroup?.displayName}:${p.roles.join(',')}`).sort();
async function readsAs(userId: string, itemId: string): Promise<number> {
  return (await f.graph('GET', `/drives/${drive}/items/${itemId}/content`, { token: await f.tokenFor(userId) })).status;
}

describe('inheritance (learn.microsoft.com/graph/api/driveitem-invite, retainInheritedPermissions)', () => {
  test('the first invite copies the inherited permissions onto the item and stops inheritance: later changes on the folder no longer reach it', async () => {
    expect((await invite(docs.d1.id, cleo.id)).status).toBe(200);
    const onItem = await permissions(docs.d1.id);
    // Ada's folder permission and the site groups were copied: they are the item's own now.
    expect(of(onItem, f.acceptedGuest.id)).toHaveLength(1);
    expect(onItem.filter((p) => p.grantedToV2?.siteGroup)).toHaveLength(3);
    // A sibling still inherits: it lists the folder's grants, unmarked, as SharePoint libraries
    // return no inheritedFrom (learn.microsoft.com/graph/api/resources/permission).
    const sibling = await permissions(docs.d2.id);
    const folder = await permissions(matter.id);
    expect(grants(sibling)).toEqual(grants(folder));
    expect(grants(onItem)).toEqual([...grants(folder), `${cleo.id}:read`].sort());
    expect([...onItem, ...sibling].every((p) => !('inheritedFrom' in p))).toBe(true);
    expect(of(sibling, cleo.id)).toHaveLength(0);

    // Dan is given the folder afterwards: he reads what inherits, not the item that stopped inheriting.
    expect((await invite(matter.id, dan.id)).status).toBe(200);
    expect(await readsAs(dan.id, docs.d2.id)).toBe(200);
    expect(await readsAs(dan.id, docs.d1.id)).toBe(404);
    // Ada loses the folder: her copied permission on the item is still hers.
    const adaOnFolder = of(await permissions(matter.id), f.acceptedGuest.id)[0];
    expect((await f.graph('DELETE', `/drives/${drive}/items/${matter.id}/permissions/${adaOnFolder.id}`)).status).toBe(204);
    expect(await readsAs(f.acceptedGuest.id, docs.d2.id)).toBe(404);
    expect(await readsAs(f.acceptedGuest.id, docs.d1.id)).toBe(200);
    expect((await invite(matter.id, f.acceptedGuest.id)).status).toBe(200);
  });

  test('retainInheritedPermissions: false copies nothing: folder guests and the site groups (staff) lose the item, the app keeps it', async () => {
    expect((await invite(docs.d3.id, cleo.id, { retainInheritedPermissions: false })).status).toBe(200);
    const onItem = await permissions(docs.d3.id);
    expect(onItem.map((p) => p.grantedToV2?.user?.id)).toEqual([cleo.id]);
    expect(await readsAs(cleo.id, docs.d3.id)).toBe(200);
    expect(await readsAs(dan.id, docs.d3.id)).toBe(404);
    expect(await readsAs(f.staff.id, docs.d3.id)).toBe(404);
    expect(await readsAs(f.staff.id, docs.d2.id)).toBe(200);
    expect((await f.graph('GET', `/drives/${drive}/items/${docs.d3.id}/content`)).status).toBe(200);
  });
});

describe('deleting (learn.microsoft.com/graph/api/permission-delete: only permissions that are not inherited)', () => {
  test('an inherited permission cannot be deleted on the item (403 accessDenied, the stricter reading) and stays', async () => {
    const inherited = of(await permissions(docs.d4.id), dan.id)[0];
    expect(inherited).toBeDefined();
    expect('inheritedFrom' in inherited).toBe(false);
    const refused = await f.graph('DELETE', `/drives/${drive}/items/${docs.d4.id}/permissions/${inherited.id}`);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'accessDenied' } });
    expect(of(await permissions(docs.d4.id), dan.id)).toHaveLength(1);
    expect(await readsAs(dan.id, docs.d4.id)).toBe(200);
  });
});

describe('expiry (learn.microsoft.com/graph/api/driveitem-invite: expirationDateTime applies to sharing links only in OneDrive for Business and SharePoint)', () => {
  test('on a direct permission it is not stored, not returned and not enforced', async () => {
    const soon = new Date(Date.now() + 1000).toISOString();
    const granted = await invite(docs.d4.id, eve.id, { expirationDateTime: soon });
    expect(granted.status).toBe(200);
    expect(of(granted.json.value, eve.id)[0].expirationDateTime).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await readsAs(eve.id, docs.d4.id)).toBe(200);
    expect(of(await permissions(docs.d4.id), eve.id)[0].expirationDateTime).toBeUndefined();
  });
});

describe('readers and permissions (learn.microsoft.com/graph/api/driveitem-list-permissions: a non-owner gets only the permissions that apply to them)', () => {
  test('a guest lists only her own permission, without shareId, by GET …/permissions and by $expand=permissions; on a folder she only traverses, 403', async () => {
    const token = await f.tokenFor(cleo.id);
    const own = await permissions(docs.d1.id, token);
    expect(own.map((p) => p.grantedToV2?.user?.id)).toEqual([cleo.id]);
    expect(own[0].shareId).toBeUndefined();
    const expanded = await f.graph<{ permissions: Permission[] }>('GET', `/drives/${drive}/items/${docs.d1.id}?$expand=permissions`, { token });
    expect(expanded.status).toBe(200);
    expect(expanded.json.permissions.map((p) => p.grantedToV2?.user?.id)).toEqual([cleo.id]);
    const folder = await f.graph('GET', `/drives/${drive}/items/${matter.id}/permissions`, { token });
    expect(folder.status).toBe(403);
    expect(folder.json).toMatchObject({ error: { code: 'accessDenied' } });
    // The app (an owner) still sees everyone.
    expect(of(await permissions(docs.d1.id), f.acceptedGuest.id)).toHaveLength(1);
  });
});

describe('subscriptions (learn.microsoft.com/graph/api/subscription-list: a delegated caller sees only those created by the app for the signed-in user)', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      req.resume();
      req.on('end', () => (token !== null ? res.writeHead(200, { 'content-type': 'text/plain' }).end(token) : res.writeHead(202).end()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a guest token can neither read, list, change nor delete the subscription the app created app-only', async () => {
    const created = await f.graph<{ id: string; clientState: string }>('POST', '/subscriptions', {
      body: { changeType: 'updated', notificationUrl: url, resource: `/drives/${drive}/root`, expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), clientState: 'app-secret' },
    });
    expect(created.status).toBe(201);
    const token = await f.tokenFor(f.acceptedGuest.id);
    const refused = (status: number) => expect([403, 404]).toContain(status);
    const read = await f.graph('GET', `/subscriptions/${created.json.id}`, { token });
    refused(read.status);
    expect(read.text).not.toContain('app-secret');
    const list = await f.graph<{ value?: unknown[] }>('GET', '/subscriptions', { token });
    expect(list.text).not.toContain('app-secret');
    refused((await f.graph('PATCH', `/subscriptions/${created.json.id}`, { token, body: { notificationUrl: 'https://attacker.example/hook' } })).status);
    refused((await f.graph('DELETE', `/subscriptions/${created.json.id}`, { token })).status);
    const still = await f.graph<{ clientState: string; notificationUrl: string }>('GET', `/subscriptions/${created.json.id}`);
    expect(still.status).toBe(200);
    expect(still.json).toMatchObject({ clientState: 'app-secret', notificationUrl: url });
  });
});

describe('moving (learn.microsoft.com/graph/api/driveitem-move; write needed on the item and on the destination, stricter reading)', () => {
  const parentOf = async (itemId: string) => (await f.graph<Item>('GET', `/drives/${drive}/items/${itemId}`)).json.parentReference?.id;
  const move = async (itemId: string, to: string, userId: string) => f.graph('PATCH', `/drives/${drive}/items/${itemId}`, { token: await f.tokenFor(userId), body: { parentReference: { id: to } } });

  test("a guest with write on a case folder cannot move its files into another client's folder; a reader cannot move at all; nothing changes", async () => {
    const writer = await f.sim.admin.createUser(f.tenantId, { displayName: 'Wes', mail: 'wes@guests.example', userType: 'Guest', externalUserState: 'Accepted' });
    expect((await f.graph('POST', `/drives/${drive}/items/${matter.id}/invite`, { body: { recipients: [{ objectId: writer.id }], roles: ['write'], requireSignIn: true, sendInvitation: false } })).status).toBe(200);
    expect((await move(docs.d5.id, otherMatter.id, writer.id)).status).toBe(404); // the destination is not his to see
    expect((await invite(otherMatter.id, writer.id)).status).toBe(200);
    const readOnlyDestination = await move(docs.d5.id, otherMatter.id, writer.id);
    expect(readOnlyDestination.status).toBe(403);
    expect(readOnlyDestination.json).toMatchObject({ error: { code: 'accessDenied' } });
    const reader = await move(docs.d6.id, otherMatter.id, dan.id);
    expect(reader.status).toBe(403);
    expect(await parentOf(docs.d5.id)).toBe(matter.id);
    expect(await parentOf(docs.d6.id)).toBe(matter.id);
    // Staff (write on both through the site groups) can.
    expect((await move(docs.d6.id, otherMatter.id, f.staff.id)).status).toBe(200);
    expect(await parentOf(docs.d6.id)).toBe(otherMatter.id);
  });
});

describe('copying (learn.microsoft.com/graph/api/driveitem-copy; read on the item and write on the destination, stricter reading as for a move)', () => {
  const childNames = async (folderId: string) => (await f.graph<{ value: Array<{ name: string }> }>('GET', `/drives/${drive}/items/${folderId}/children`)).json.value.map((c) => c.name).sort();
  const copy = async (itemId: string, userId: string, body: Record<string, unknown>) => f.graph('POST', `/drives/${drive}/items/${itemId}/copy`, { token: await f.tokenFor(userId), body });

  test('a reader cannot copy a file next to itself, nor into a folder she only reads; staff can; nothing else appears', async () => {
    const before = await childNames(matter.id);
    // The accepted guest reads the matter folder (invited in beforeAll).
    const sameFolder = await copy(docs.d2.id, f.acceptedGuest.id, { name: 'copy-by-guest.txt' });
    expect(sameFolder.status).toBe(403);
    expect(sameFolder.json).toMatchObject({ error: { code: 'accessDenied' } });
    expect((await copy(docs.d2.id, f.acceptedGuest.id, { parentReference: { id: otherMatter.id }, name: 'elsewhere.txt' })).status).toBe(404); // not hers to see
    expect((await copy(docs.d2.id, eve.id, { name: 'by-a-stranger.txt' })).status).toBe(404);
    expect(await childNames(matter.id)).toEqual(before);
    const byStaff = await copy(docs.d2.id, f.staff.id, { name: 'copy-by-staff.txt' });
    expect(byStaff.status).toBe(202);
    expect(await childNames(matter.id)).toEqual([...before, 'copy-by-staff.txt'].sort());
    const copied = (await f.graph('GET', `/drives/${drive}/root:/Matters/M1/copy-by-staff.txt:/content`)).text;
    expect(copied).toBe('content of d2');
    // A name already taken fails by default.
    expect((await copy(docs.d2.id, f.staff.id, { name: 'copy-by-staff.txt' })).status).toBe(409);
  });
});
