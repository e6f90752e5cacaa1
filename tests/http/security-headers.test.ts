import { contentSecurityPolicy } from '../../src/http/security';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/** What a browser is told about every answer: who may frame it, what it may run, what it may keep. */
describe('security headers and limits', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('sends the CSP (Teams hosts as frame ancestors, no inline script) and no-store on case data', async () => {
    t = await startTestApp();
    const firm = await createFirm(t.db, HOME_TENANT);
    const token = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
    const api = await fetch(`${t.app.url}/api/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect(api.headers.get('cache-control')).toBe('no-store');
    const csp = api.headers.get('content-security-policy') ?? '';
    // Outside Teams the tab redeems its sign-in code at the identity provider: connect-src names its origin, nothing else is added.
    const signInOrigin = /connect-src 'self' https:\/\/res\.cdn\.office\.net (https?:\/\/[^\s;]+);/.exec(csp)?.[1] ?? '';
    expect(signInOrigin).not.toBe('');
    // Office previews are SharePoint's pages in a frame: here the simulator's plain-HTTP origin, the same one the browser signs in on.
    expect(csp).toBe(contentSecurityPolicy([signInOrigin], [signInOrigin]));
    expect(csp).toContain(`frame-src 'self' blob: ${signInOrigin};`);
    // With a tenant, the frames may come from its SharePoint host and nowhere else.
    expect(contentSecurityPolicy([], ['https://*.sharepoint.com'])).toContain("frame-src 'self' blob: https://*.sharepoint.com;");
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com /);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // Refusals carry case-data headers too: an error body can name a case.
    const refused = await fetch(`${t.app.url}/api/clients`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const health = await fetch(`${t.app.url}/healthz`);
    expect(health.headers.get('content-security-policy')).toBe(csp);
  });

  it('answers 429 with Retry-After once one person passes the limit, and only that person', async () => {
    t = await startTestApp({ env: { API_RATE_LIMIT_PER_MINUTE: '1', API_RATE_LIMIT_BURST: '5' } });
    const firm = await createFirm(t.db, HOME_TENANT);
    const pat = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.call('GET', '/api/clients', pat)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    // One request a minute refills: on any machine, the sixth to eighth find the bucket empty.
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const limited = await fetch(`${t.app.url}/api/clients`, { headers: { authorization: `Bearer ${pat}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited.json()).error.code).toBe('throttled');
    expect(t.logs.some((line) => line.msg === 'rate limit reached')).toBe(true);

    const sam = await new Repo(t.db).insertStaff({ firmId: firm.firm.id, userId: '22222222-2222-4222-8222-222222222222', name: 'Sam Clerk', email: 'sam@firm.example', phone: null, title: null });
    const samToken = await t.identity.token({ tid: HOME_TENANT, oid: sam.userId, name: 'Sam Clerk' });
    expect((await t.call('GET', '/api/clients', samToken)).status).toBe(200);
  });
});
