/** Resource-unit throttling, fault injection, $batch and persistence across restarts. */
import http from 'node:http';
import { startSimulator } from '../../src/m365-simulator';
import { FIXTURE_APP_ROLES, useFixture } from './helpers';

const f = useFixture();
afterEach(async () => {
  await f.sim.admin.setKnobs({ resourceUnitsPerMinute: 1250, faultRate: 0, faultKinds: ['429', '503', 'reset'] });
  await f.sim.admin.resetStats();
});

describe('SharePoint resource units (learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online)', () => {
  test('permission operations cost 5 units, other calls 1–2; over budget → 429 activityLimitReached with Retry-After; stats count it all', async () => {
    const file = await f.graph<{ id: string }>('PUT', `/drives/${f.rootDriveId}/root:/Throttle/t.txt:/content`, { body: 't' });
    await f.sim.admin.resetStats();
    await f.sim.admin.setKnobs({ resourceUnitsPerMinute: 12 });
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.json.id}`)).status).toBe(200); // 1
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.json.id}/permissions`)).status).toBe(200); // 5 → 6
    const nearLimit = await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.json.id}/permissions`); // 5 → 11
    expect(nearLimit.status).toBe(200);
    expect(nearLimit.headers.get('ratelimit-remaining')).toBe('1');
    const throttled = await f.graph('POST', `/drives/${f.rootDriveId}/items/${file.json.id}/invite`, { body: { recipients: [{ email: f.acceptedGuest.mail }], roles: ['read'], requireSignIn: true } });
    expect(throttled.status).toBe(429);
    expect(throttled.json).toMatchObject({ error: { code: 'activityLimitReached' } });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const stats = await f.sim.admin.stats();
    expect(stats.apps[f.clientId]).toMatchObject({ calls: 4, resourceUnits: 16, permissionOperations: 3, throttled429: 1 });
    // Non-SharePoint calls (directory) are not charged to the SharePoint budget.
    expect((await f.graph('GET', `/users/${f.staff.id}`)).status).toBe(200);
  });
});

describe('fault injection', () => {
  test('faultRate 1 with 503 only: every call fails with 503 and Retry-After, nothing is done', async () => {
    await f.sim.admin.setKnobs({ faultRate: 1, faultKinds: ['503'] });
    const response = await f.graph('PUT', `/drives/${f.rootDriveId}/root:/Faults/never.txt:/content`, { body: 'x' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    await f.sim.admin.setKnobs({ faultRate: 0 });
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/root:/Faults/never.txt:`)).status).toBe(404);
  });

  test('connection resets drop the socket (before or after the work is done)', async () => {
    await f.sim.admin.setKnobs({ faultRate: 1, faultKinds: ['reset'] });
    const url = new URL(`${f.sim.httpUrl}/v1.0/drives/${f.rootDriveId}/root`);
    const outcome = await new Promise<string>((resolve) => {
      http.get({ host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: `Bearer ${f.appToken}` } }, () => resolve('answered')).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNRESET');
    expect((await f.sim.admin.stats()).apps[f.clientId].injectedResets).toBe(1);
  });
});

describe('$batch (learn.microsoft.com/graph/json-batching)', () => {
  test('more than 20 requests → 400', async () => {
    const requests = Array.from({ length: 21 }, (_unused, index) => ({ id: String(index), method: 'GET', url: '/sites/root' }));
    expect((await f.graph('POST', '/$batch', { body: { requests } })).status).toBe(400);
  });

  test('dependsOn orders requests; a failed dependency gives 424 to its dependants', async () => {
    const response = await f.graph<{ responses: Array<{ id: string; status: number; body?: { id?: string } }> }>('POST', '/$batch', {
      body: {
        requests: [
          { id: '1', method: 'POST', url: `/drives/${f.rootDriveId}/root/children`, headers: { 'content-type': 'application/json' }, body: { name: 'BatchFolder', folder: {} } },
          { id: '2', method: 'GET', url: `/drives/${f.rootDriveId}/root:/BatchFolder:`, dependsOn: ['1'] },
          { id: '3', method: 'GET', url: `/drives/${f.rootDriveId}/items/does-not-exist` },
          { id: '4', method: 'GET', url: '/sites/root', dependsOn: ['3'] },
        ],
      },
    });
    const byId = new Map(response.json.responses.map((entry) => [entry.id, entry]));
    expect(byId.get('1')?.status).toBe(201);
    expect(byId.get('2')?.status).toBe(200);
    expect(byId.get('2')?.body?.id).toBe(byId.get('1')?.body?.id);
    expect(byId.get('3')?.status).toBe(404);
    expect(byId.get('4')?.status).toBe(424);
  });

  test('inner requests are throttled one by one: some come back 429 with Retry-After while others succeed', async () => {
    const file = await f.graph<{ id: string }>('PUT', `/drives/${f.rootDriveId}/root:/Batch/b.txt:/content`, { body: 'b' });
    await f.sim.admin.setKnobs({ resourceUnitsPerMinute: 12 });
    const requests = Array.from({ length: 4 }, (_unused, index) => ({ id: String(index), method: 'GET', url: `/drives/${f.rootDriveId}/items/${file.json.id}/permissions` }));
    const response = await f.graph<{ responses: Array<{ status: number; headers: Record<string, string> }> }>('POST', '/$batch', { body: { requests } });
    expect(response.status).toBe(200);
    const statuses = response.json.responses.map((entry) => entry.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    const throttled = response.json.responses.filter((entry) => entry.status === 429);
    expect(throttled).toHaveLength(2);
    expect(Number(throttled[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('persistence', () => {
  test('state and file contents survive a restart with the same data directory; the CA stays the same', async () => {
    const dataDir = f.sim.dataDir;
    const other = await startSimulator({ dataDir: `${dataDir}-restart` });
    const created = await other.admin.createTenant({ domain: 'persist.onmicrosoft.com', app: { graphAppRoles: FIXTURE_APP_ROLES } });
    const token = await other.admin.token({ tenantId: created.tenant.id, clientId: created.app.clientId });
    const upload = await fetch(`${other.httpUrl}/v1.0/drives/${created.rootDriveId}/root:/kept.txt:/content`, { method: 'PUT', body: 'still here', headers: { authorization: `Bearer ${token}` } });
    expect(upload.status).toBe(201);
    const ca = other.caCertPem;
    await other.close();
    const again = await startSimulator({ dataDir: `${dataDir}-restart` });
    try {
      expect(again.caCertPem).toBe(ca);
      // Tokens carry the HTTPS base as issuer, which changes with the port: get a new one.
      const fresh = await again.admin.token({ tenantId: created.tenant.id, clientId: created.app.clientId });
      const content = await fetch(`${again.httpUrl}/v1.0/drives/${created.rootDriveId}/root:/kept.txt:/content`, { headers: { authorization: `Bearer ${fresh}` } });
      expect(await content.text()).toBe('still here');
    } finally {
      await again.close();
    }
  });
});
