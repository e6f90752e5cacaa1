import { describe, expect, it } from '@jest/globals';
import { adminsAfterSetup, ASK_YOUR_ADMINISTRATOR, memberStanding, setupAccess, setupStateOf, tenantSetupAuthority, whomToAsk } from './setup';

const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const TEAMS_ADMIN = '69091246-20e8-4a56-aa4d-066075b2a7a8';
const HELPDESK_ADMIN = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const pat = { userId: 'u-pat', upn: 'pat@firm.example', wids: [] as string[] };
const admins = [{ userId: 'u-ada', name: 'Ada Admin', upn: 'ada@firm.example' }];
const setUp = setupStateOf({ id: 'f1', setupCompletedAt: '2026-11-30T00:00:00Z', staffGroupId: 'g-staff', admins });
const notSetUp = setupStateOf({ id: 'f1', setupCompletedAt: null, staffGroupId: null, admins: [] });

describe('who may set CaseRoom up', () => {
  it('an Entra Global or Teams Administrator in the token, or a UPN in SETUP_ADMIN_UPNS (any case)', () => {
    expect(tenantSetupAuthority({ ...pat, wids: [GLOBAL_ADMIN] }, [])).toBe('entra-admin-role');
    expect(tenantSetupAuthority({ ...pat, wids: [TEAMS_ADMIN.toUpperCase()] }, [])).toBe('entra-admin-role');
    expect(tenantSetupAuthority({ ...pat, upn: 'Pat@Firm.Example' }, ['pat@firm.example'])).toBe('setup-admin-upn');
  });
  it('not a plain member, nor a holder of an unrelated admin role (Helpdesk Administrator)', () => {
    expect(tenantSetupAuthority(pat, [])).toBeNull();
    expect(tenantSetupAuthority({ ...pat, wids: [HELPDESK_ADMIN] }, ['someone@firm.example'])).toBeNull();
  });
  it("before set-up only tenant authority counts; afterwards the firm's named admins may reopen it", () => {
    const ada = { userId: 'u-ada', upn: 'ada@firm.example', wids: [] };
    expect(setupAccess({ kind: 'not-set-up', firmId: 'f1', admins }, ada, [])).toBeNull();
    expect(setupAccess(setUp, ada, [])).toBe('caseroom-admin');
    expect(setupAccess(setUp, pat, [])).toBeNull();
    expect(setupAccess(setUp, { ...pat, wids: [GLOBAL_ADMIN] }, [])).toBe('entra-admin-role');
  });
});

describe('set-up state', () => {
  it('no firm, a firm without a completed set-up or staff group, a set-up firm', () => {
    expect(setupStateOf(null)).toEqual({ kind: 'no-firm' });
    expect(setupStateOf({ id: 'f1', setupCompletedAt: '2026-11-30T00:00:00Z', staffGroupId: null, admins: [] }).kind).toBe('not-set-up');
    expect(notSetUp.kind).toBe('not-set-up');
    expect(setUp).toEqual({ kind: 'set-up', firmId: 'f1', staffGroupId: 'g-staff', admins });
  });
});

describe("a tenant member's standing", () => {
  it('before set-up nobody is staff, even an admin, and they are told whom to ask', () => {
    expect(memberStanding(notSetUp, { ...pat, wids: [GLOBAL_ADMIN] }, () => true, [])).toEqual({ kind: 'not-set-up', askWhom: ASK_YOUR_ADMINISTRATOR });
    expect(memberStanding({ kind: 'no-firm' }, pat, () => true, ['it@firm.example'])).toEqual({ kind: 'not-set-up', askWhom: 'it@firm.example' });
    expect(whomToAsk({ kind: 'not-set-up', firmId: 'f1', admins }, [])).toBe('Ada Admin');
  });
  it('after set-up: outside the group is not staff, whatever their roles', () => {
    expect(memberStanding(setUp, { ...pat, wids: [GLOBAL_ADMIN] }, () => false, [])).toEqual({ kind: 'not-staff' });
  });
  it('in the group: admin when named at set-up or holding tenant authority, else plain staff', () => {
    expect(memberStanding(setUp, pat, () => true, [])).toEqual({ kind: 'staff', firmId: 'f1', role: 'staff' });
    expect(memberStanding(setUp, { userId: 'U-ADA', upn: 'ada@firm.example', wids: [] }, () => true, [])).toEqual({ kind: 'staff', firmId: 'f1', role: 'admin' });
    expect(memberStanding(setUp, pat, () => true, ['pat@firm.example'])).toEqual({ kind: 'staff', firmId: 'f1', role: 'admin' });
  });
});

describe('admins a set-up keeps', () => {
  it('always the person saving, once, first', () => {
    const me = { userId: 'u-me', name: 'Me', upn: 'me@firm.example' };
    expect(adminsAfterSetup([...admins, { ...me, userId: 'U-ME' }], me)).toEqual([me, ...admins]);
    expect(adminsAfterSetup([], me)).toEqual([me]);
  });
});
