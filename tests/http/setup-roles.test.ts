import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DirectoryPort } from '../../src/m365/directory';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';
import { TEST_STAFF_GROUP } from '../support/tokens';

/**
 * First-run set-up, the staff group and roles, through HTTP: who may set up, what staff get before
 * it, non-members, forged group claims, another tenant's ids, and admin-only routes for plain staff.
 */
const GLOBAL_ADMIN_ROLE = '62e90394-69f5-4237-9190-012177145e10';
const TEAM_ID = '7c1d2e3f-4a5b-4c6d-8e7f-901234567890';
const OTHER_TENANT = '22222222-2222-4222-8222-222222222222';
const OTHER_TEAM_ID = '8d2e3f4a-5b6c-4d7e-8f90-123456789012';
const ADMIN = { oid: randomUUID(), upn: 'ada@firm.example', name: 'Ada Admin' };
const PLAIN = { oid: randomUUID(), upn: 'sam@firm.example', name: 'Sam Staff' };
const MEMBER_BY_GRAPH = randomUUID();

/** A tenant directory as Graph would answer it for HOME_TENANT. */
const directory: DirectoryPort = {
  async memberGroups(userId, groupIds) {
    return userId === MEMBER_BY_GRAPH ? groupIds.filter((g) => g === TEST_STAFF_GROUP) : [];
  },
  async searchSecurityGroups(startsWith) {
    return 'firm staff'.startsWith(startsWith.toLowerCase()) ? [{ id: TEST_STAFF_GROUP, displayName: 'Firm staff', description: null }] : [];
  },
  async group(id) {
    return id === TEST_STAFF_GROUP ? { id, displayName: 'Firm staff', description: null } : null;
  },
  async user(idOrUpn) {
    const people = [ADMIN, PLAIN];
    const person = people.find((p) => p.upn === idOrUpn.toLowerCase() || p.oid === idOrUpn);
    if (person) return { id: person.oid, displayName: person.name, userPrincipalName: person.upn, mail: person.upn, userType: 'Member' };
    if (idOrUpn === 'mail@firm.example') return { id: randomUUID(), displayName: 'Firm mail', userPrincipalName: 'mail@firm.example', mail: 'mail@firm.example', userType: 'Member' };
    return null;
  },
};

const setupBody = (overrides: Record<string, unknown> = {}) => ({
  firmName: 'Hartley & Moss',
  teamIds: [TEAM_ID],
  staffGroupId: TEST_STAFF_GROUP,
  adminUpns: [],
  guestDefaults: { sections: ['documents', 'status'], expiryDays: 90 },
  senderMailbox: 'mail@firm.example',
  ...overrides,
});

describe('first-run set-up and roles', () => {
  let t: TestApp;
  const token = (who: { oid: string; upn: string; name: string }, extra: { wids?: string[]; groups?: string[] | null; tid?: string } = {}) =>
    t.identity.token({ tid: extra.tid ?? HOME_TENANT, oid: who.oid, email: who.upn, name: who.name, ...extra });
  const adminToken = () => token(ADMIN, { wids: [GLOBAL_ADMIN_ROLE] });

  beforeAll(async () => {
    t = await startTestApp({ directory });
    // CaseRoom was installed in a team of each tenant before anyone set it up.
    await new Repo(t.db).addPendingTeamInstallation(HOME_TENANT, TEAM_ID, 'Cases');
    await new Repo(t.db).addPendingTeamInstallation(OTHER_TENANT, OTHER_TEAM_ID, 'Other cases');
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('before set-up a staff call is 403 not_set_up, saying whom to ask (never "sign-in expired")', async () => {
    const res = await t.call('GET', '/api/cases', await token(PLAIN));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'not_set_up', message: 'CaseRoom is not set up for this organisation yet; ask your Microsoft 365 administrator', canSetUp: false });
    const admin = await t.call('GET', '/api/me', await adminToken());
    expect(admin.body.error).toMatchObject({ code: 'not_set_up', canSetUp: true });
  });

  it('set-up by a tenant member without an admin role is 403 setup_admin_only and changes nothing', async () => {
    const before = await storeFingerprint(t.db);
    for (const [method, path, body] of [
      ['GET', '/api/setup', undefined],
      ['PUT', '/api/setup', setupBody()],
      ['GET', '/api/setup/groups?search=firm', undefined],
    ] as const) {
      const res = await t.call(method, path, await token(PLAIN), body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('setup_admin_only');
    }
    const guest = await t.call('PUT', '/api/setup', await t.identity.token({ tid: HOME_TENANT, oid: randomUUID(), guest: true, wids: [GLOBAL_ADMIN_ROLE] }), setupBody());
    expect(guest.status).toBe(403);
    expect(await storeFingerprint(t.db)).toBe(before);
  });

  it("refuses another tenant's team and a group or mailbox that is not the tenant's", async () => {
    const otherTeam = await t.call('PUT', '/api/setup', await adminToken(), setupBody({ teamIds: [OTHER_TEAM_ID] }));
    expect(otherTeam.status).toBe(400);
    expect(otherTeam.body.error.field).toBe('teamIds');
    const otherGroup = await t.call('PUT', '/api/setup', await adminToken(), setupBody({ staffGroupId: randomUUID() }));
    expect(otherGroup.body.error).toMatchObject({ code: 'validation_failed', field: 'staffGroupId' });
    const mailbox = await t.call('POST', '/api/setup/mailbox-check', await adminToken(), { address: 'nobody@elsewhere.example' });
    expect(mailbox.body.error).toMatchObject({ code: 'validation_failed', field: 'address' });
    const junk = await t.call('PUT', '/api/setup', await adminToken(), { ...setupBody(), staffGroupId: "x' or 1 eq 1" });
    expect(junk.status).toBe(400);
  });

  it('a Global Administrator completes set-up; the offered team is adopted and they are its admin', async () => {
    const status = await t.call('GET', '/api/setup', await adminToken());
    expect(status.body).toMatchObject({ state: 'not-set-up', authority: 'entra-admin-role', teams: [{ teamId: TEAM_ID, displayName: 'Cases', chosen: false }] });
    expect(status.body.teams).toHaveLength(1);
    const groups = await t.call('GET', '/api/setup/groups?search=Firm', await adminToken());
    expect(groups.body).toEqual([{ id: TEST_STAFF_GROUP, displayName: 'Firm staff', description: null }]);
    const saved = await t.call('PUT', '/api/setup', await adminToken(), setupBody());
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      state: 'set-up',
      firmName: 'Hartley & Moss',
      staffGroup: { id: TEST_STAFF_GROUP, displayName: 'Firm staff' },
      admins: [{ userId: ADMIN.oid, name: ADMIN.name }],
      senderMailbox: 'mail@firm.example',
      teams: [{ teamId: TEAM_ID, chosen: true }],
    });
    const me = await t.call('GET', '/api/me', await adminToken());
    expect(me.body).toMatchObject({ kind: 'staff', role: 'admin', firm: { name: 'Hartley & Moss' } });
    // Staff read the guest defaults set-up chose (the tab's "Add a guest" starts from them).
    expect((await t.call('GET', '/api/firm/settings', await adminToken())).body.guestDefaults).toEqual({ sections: ['documents', 'status'], expiryDays: 90 });
  });

  it('a plain member of the staff group is staff, and gets 403 admin_only on admin routes', async () => {
    const plain = await token(PLAIN);
    expect((await t.call('GET', '/api/cases', plain)).status).toBe(200);
    expect((await t.call('GET', '/api/me', plain)).body).toMatchObject({ role: 'staff' });
    for (const [method, path, body] of [
      ['PUT', '/api/firm/settings', { currency: 'EUR' }],
      ['PUT', '/api/firm/policy', { disabledSections: [] }],
      ['PUT', '/api/firm/domain-policy', { blocked: [], warned: [] }],
      ['GET', '/api/audit', undefined],
      ['GET', '/api/audit/export?format=csv', undefined],
      ['GET', '/api/access-reviews/report', undefined],
      ['PUT', '/api/setup', setupBody()],
    ] as const) {
      const res = await t.call(method, path, plain, body);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body.error.code).toBe(path === '/api/setup' ? 'setup_admin_only' : 'admin_only');
    }
    // The admin may.
    expect((await t.call('GET', '/api/audit', await adminToken())).status).toBe(200);
  });

  it('a tenant member outside the staff group gets 403 not_staff; membership comes from Graph when the token has no groups claim', async () => {
    const outsider = await token({ oid: randomUUID(), upn: 'olly@firm.example', name: 'Olly' }, { groups: [] });
    const res = await t.call('GET', '/api/cases', outsider);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('not_staff');
    expect(res.body.error.message).toContain('Firm staff');
    const viaGraph = await t.call('GET', '/api/cases', await token({ oid: MEMBER_BY_GRAPH, upn: 'gina@firm.example', name: 'Gina' }, { groups: null }));
    expect(viaGraph.status).toBe(200);
    const notViaGraph = await t.call('GET', '/api/cases', await token({ oid: randomUUID(), upn: 'nell@firm.example', name: 'Nell' }, { groups: null }));
    expect(notViaGraph.body.error.code).toBe('not_staff');
  });

  it('a forged token claiming the staff group and an admin role is refused by its signature', async () => {
    const forged = await t.identity.forged({ tid: HOME_TENANT, oid: randomUUID(), groups: [TEST_STAFF_GROUP], wids: [GLOBAL_ADMIN_ROLE] });
    for (const path of ['/api/cases', '/api/setup', '/api/audit']) {
      const res = await t.call('GET', path, forged);
      expect(res.status).toBe(401);
    }
  });

  it("another tenant's admin sets up their own firm only, never this one", async () => {
    const other = await t.call('GET', '/api/setup', await token(ADMIN, { tid: OTHER_TENANT, wids: [GLOBAL_ADMIN_ROLE] }));
    expect(other.body).toMatchObject({ state: 'not-set-up', firmName: '', teams: [{ teamId: OTHER_TEAM_ID }] });
    const firm = await createFirm(t.db, randomUUID(), 'Elsewhere LLP');
    const stranger = await t.call('GET', '/api/setup', await token({ oid: firm.staff.userId, upn: 'pat@firm.example', name: 'Pat' }));
    expect(stranger.body.error.code).toBe('setup_admin_only');
  });
});
