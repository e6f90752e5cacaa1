/** delta and change notifications for a drive. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFixture, waitFor, type Fixture } from './helpers';

let f: Fixture;
let drive: string;
beforeAll(async () => {
  f = await startFixture({ knobs: { subscriptionValidationTimeoutMs: 800 } });
  drive = f.rootDriveId;
});
afterAll(() => f.close());

type DeltaPage = { value: Array<{ id: string; name: string; deleted?: { state: string }; parentReference?: { path?: string } }>; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

/** Every page of one delta round, as the app (or as the holder of `token`). */
async function drain(url: string, token?: string): Promise<{ items: DeltaPage['value']; deltaLink: string; pages: number }> {
  const items: DeltaPage['value'] = [];
  let next: string = url;
  let pages = 0;
  for (;;) {
    const page: { status: number; json: DeltaPage } = await f.graph<DeltaPage>('GET', next, { token });
    expect(page.status).toBe(200);
    pages++;
    items.push(...page.json.value);
    if (page.json['@odata.deltaLink']) return { items, deltaLink: page.json['@odata.deltaLink'], pages };
    const nextLink = page.json['@odata.nextLink'];
    if (!nextLink) throw new Error('delta page without nextLink or deltaLink');
    next = nextLink;
  }
}

describe('driveItem: delta (learn.microsoft.com/graph/api/driveitem-delta)', () => {
  test('the first round enumerates everything in pages and ends with a deltaLink; parentReference.path is not returned', async () => {
    for (let index = 0; index < 4; index++) await f.graph('PUT', `/drives/${drive}/root:/Delta/file-${index}.txt:/content`, { body: String(index) });
    const round = await drain(`/drives/${drive}/root/delta?$top=2`);
    expect(round.pages).toBeGreaterThan(2);
    expect(round.items.map((item) => item.name)).toEqual(expect.arrayContaining(['Delta', 'file-0.txt', 'file-3.txt']));
    expect(round.items.every((item) => item.parentReference?.path === undefined)).toBe(true);
  });

  test('a deltaLink returns only what changed since, with deleted items carrying the deleted facet', async () => {
    const start = await drain(`/drives/${drive}/root/delta`);
    const added = await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Delta/new.txt:/content`, { body: 'new' });
    const doomed = await f.graph<{ id: string }>('GET', `/drives/${drive}/root:/Delta/file-0.txt:`);
    await f.graph('DELETE', `/drives/${drive}/items/${doomed.json.id}`);
    const changes = await drain(start.deltaLink);
    const byId = new Map(changes.items.map((item) => [item.id, item]));
    expect(byId.get(added.json.id)?.name).toBe('new.txt');
    expect(byId.get(doomed.json.id)?.deleted).toEqual({ state: 'deleted' });
    expect(changes.items.some((item) => item.name === 'file-1.txt')).toBe(false);
    const nothing = await drain(changes.deltaLink);
    expect(nothing.items).toEqual([]);
  });

  test('token=latest returns no items and a deltaLink that starts from now', async () => {
    const latest = await f.graph<DeltaPage>('GET', `/drives/${drive}/root/delta?token=latest`);
    expect(latest.json.value).toEqual([]);
    await f.graph('PUT', `/drives/${drive}/root:/Delta/after-latest.txt:/content`, { body: 'x' });
    const changes = await drain(latest.json['@odata.deltaLink']!);
    expect(changes.items.map((item) => item.name)).toContain('after-latest.txt');
    expect(changes.items.map((item) => item.name)).not.toContain('file-2.txt');
  });

  test('an unknown or stale token gets 410 Gone resyncRequired with a Location to start over', async () => {
    const response = await f.graph('GET', `/drives/${drive}/root/delta?token=bm9wZQ`);
    expect(response.status).toBe(410);
    expect(response.json).toMatchObject({ error: { code: 'resyncRequired' } });
    expect(response.headers.get('location')).toContain(`/drives/${drive}/root/delta`);
    // A token from before what the drive remembers (older than its change log) is stale too.
    const latest = await f.graph<DeltaPage>('GET', `/drives/${drive}/root/delta?token=latest`);
    const token = new URL(latest.json['@odata.deltaLink']!).searchParams.get('token')!;
    const stale = { ...JSON.parse(Buffer.from(token, 'base64url').toString()), s: -1, u: -1 };
    const staleResponse = await f.graph('GET', `/drives/${drive}/root/delta?token=${Buffer.from(JSON.stringify(stale)).toString('base64url')}`);
    expect(staleResponse.status).toBe(410);
  });

  test("a guest's delta lists only what the guest can reach", async () => {
    const shared = await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Shared/a.txt:/content`, { body: 'a' });
    await f.graph('PUT', `/drives/${drive}/root:/Private/b.txt:/content`, { body: 'b' });
    await f.graph('POST', `/drives/${drive}/items/${shared.json.id}/invite`, { body: { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true } });
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const page = await f.graph<DeltaPage>('GET', `/drives/${drive}/root/delta`, { token: guestToken });
    expect(page.json.value.map((item) => item.name).sort()).toEqual(['Shared', 'a.txt', 'root'].sort());
  });

  test("a change of sharing only is in the delta of the users whose access it changed, not in the app's", async () => {
    const file = await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Sharing/brief.txt:/content`, { body: 'brief' });
    // The guest already holds another file there, so may call delta on the root (Limited Access).
    const cover = await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Sharing/cover.txt:/content`, { body: 'cover' });
    await f.graph('POST', `/drives/${drive}/items/${cover.json.id}/invite`, { body: { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true } });
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const app = await drain(`/drives/${drive}/root/delta?token=latest`);
    const guest = await drain(`/drives/${drive}/root/delta?token=latest`, guestToken);
    const invited = await f.graph<{ value: Array<{ id: string }> }>('POST', `/drives/${drive}/items/${file.json.id}/invite`, { body: { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true } });
    expect(invited.status).toBe(200);
    const appAfterInvite = await drain(app.deltaLink);
    const guestAfterInvite = await drain(guest.deltaLink, guestToken);
    expect(appAfterInvite.items).toEqual([]);
    expect(guestAfterInvite.items.map((item) => item.id)).toContain(file.json.id);
    // Taking the permission away again is no change for the app either.
    expect((await f.graph('DELETE', `/drives/${drive}/items/${file.json.id}/permissions/${invited.json.value[0].id}`)).status).toBe(204);
    const appAfterRemoval = await drain(appAfterInvite.deltaLink);
    expect(appAfterRemoval.items).toEqual([]);
    // A change to the file itself is everyone's.
    await f.graph('PUT', `/drives/${drive}/items/${file.json.id}/content`, { body: 'brief, second draft' });
    expect((await drain(appAfterRemoval.deltaLink)).items.map((item) => item.id)).toContain(file.json.id);
  });
});

describe('subscriptions (learn.microsoft.com/graph/api/subscription-post-subscriptions)', () => {
  let server: http.Server;
  let base: string;
  let mode: 'echo' | 'wrong' | 'slow' | 'error' = 'echo';
  const received: Array<{ value: Array<Record<string, unknown>> }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const token = url.searchParams.get('validationToken');
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (token !== null) {
          if (mode === 'slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(token), 1500);
          if (mode === 'error') return void res.writeHead(500).end();
          return void res.writeHead(200, { 'content-type': 'text/plain' }).end(mode === 'wrong' ? 'nope' : token);
        }
        received.push(JSON.parse(body));
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const expiry = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const subscribe = (overrides: Record<string, unknown> = {}) =>
    f.graph<Record<string, unknown>>('POST', '/subscriptions', { body: { changeType: 'updated', notificationUrl: base, resource: `/drives/${drive}/root`, expirationDateTime: expiry(60), clientState: 'secret-state', ...overrides } });

  test('the validation handshake echoes validationToken as text/plain; notifications then arrive when the drive changes', async () => {
    mode = 'echo';
    const created = await subscribe();
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ changeType: 'updated', clientState: 'secret-state', resource: `/drives/${drive}/root` });
    await f.graph('PUT', `/drives/${drive}/root:/Notify/n.txt:/content`, { body: 'n' });
    const notification = await waitFor(() => received.flatMap((batch) => batch.value).find((entry) => entry.subscriptionId === created.json.id));
    expect(notification).toMatchObject({ clientState: 'secret-state', changeType: 'updated', resource: `/drives/${drive}/root`, tenantId: f.tenantId });
    expect(notification.subscriptionExpirationDateTime).toBe(created.json.expirationDateTime);
  });

  test('a wrong echo, an error status or no answer within the timeout (Graph: 10 s) fails creation with 400', async () => {
    mode = 'wrong';
    const wrong = await subscribe();
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.json)).toContain('Response must exactly match validationToken');
    mode = 'error';
    expect((await subscribe()).status).toBe(400);
    mode = 'slow';
    const slow = await subscribe();
    expect(slow.status).toBe(400);
    expect(JSON.stringify(slow.json)).toContain('timed out');
    mode = 'echo';
  });

  test('driveItem subscriptions: only "updated", only the root, at most 42,300 minutes; PATCH renews; DELETE removes', async () => {
    mode = 'echo';
    expect((await subscribe({ changeType: 'created' })).status).toBe(400);
    expect((await subscribe({ expirationDateTime: expiry(42300 + 10) })).status).toBe(400);
    const folder = await f.graph<{ id: string }>('PUT', `/drives/${drive}/root:/Sub/x.txt:/content`, { body: 'x' });
    expect((await subscribe({ resource: `/drives/${drive}/items/${folder.json.id}` })).status).toBe(400);
    const created = await subscribe();
    const renewed = await f.graph<{ expirationDateTime: string }>('PATCH', `/subscriptions/${created.json.id}`, { body: { expirationDateTime: expiry(42000) } });
    expect(renewed.status).toBe(200);
    expect(new Date(renewed.json.expirationDateTime).getTime()).toBeGreaterThan(Date.now() + 41000 * 60_000);
    expect((await f.graph('DELETE', `/subscriptions/${created.json.id}`)).status).toBe(204);
    expect((await f.graph('GET', `/subscriptions/${created.json.id}`)).status).toBe(404);
  });

  test('notification URLs must be HTTPS (plain HTTP is allowed on loopback only)', async () => {
    expect((await subscribe({ notificationUrl: 'http://example.com/hook' })).status).toBe(400);
  });
});
