/**
 * First-run set-up and staff roles: who may set CaseRoom up for a tenant, and what a signed-in
 * member of the tenant is let do, decided from facts the HTTP layer gathered (pure, no I/O).
 */

/**
 * Entra built-in roles whose holders may set CaseRoom up (the token's `wids` claim carries their
 * template ids). Ids from https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
 * ("Template ID" column). Kept to the roles that already govern an organisation's Teams apps and
 * role assignments: Global Administrator, Privileged Role Administrator and Teams Administrator
 * (who installs CaseRoom into teams). Application administrators manage app registrations, not
 * who at the firm is staff, so they are not here.
 */
export const SETUP_ADMIN_ROLE_TEMPLATE_IDS: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '69091246-20e8-4a56-aa4d-066075b2a7a8': 'Teams Administrator',
};

export type StaffRole = 'admin' | 'staff';

/** A firm admin named at set-up (the directory user and how people know them). */
export interface NamedAdmin {
  userId: string;
  name: string;
  upn: string;
}

/** The facts about a caller that decide their standing; `wids` and `upn` come from a verified token. */
export interface CallerFacts {
  userId: string;
  upn: string;
  wids: readonly string[];
}

/** Why a caller may run set-up, or null when they may not. */
export type SetupAuthority = 'entra-admin-role' | 'setup-admin-upn' | 'caseroom-admin' | null;

/**
 * Tenant-level set-up authority: an Entra admin role in the token or a UPN named in SETUP_ADMIN_UPNS
 * (lower-case). These hold whether or not the firm is set up, so a tenant admin can always repair
 * a set-up that locked everyone out (a wrong staff group).
 */
export function tenantSetupAuthority(caller: CallerFacts, setupAdminUpns: readonly string[]): SetupAuthority {
  if (caller.wids.some((id) => id.toLowerCase() in SETUP_ADMIN_ROLE_TEMPLATE_IDS)) return 'entra-admin-role';
  if (caller.upn && setupAdminUpns.includes(caller.upn.toLowerCase())) return 'setup-admin-upn';
  return null;
}

/** Whether the firm named this caller an admin at set-up (by directory id: a UPN can change). */
export const isNamedAdmin = (caller: Pick<CallerFacts, 'userId'>, admins: readonly NamedAdmin[]): boolean => admins.some((a) => a.userId.toLowerCase() === caller.userId.toLowerCase());

/** The firm's set-up state, as the store holds it. */
export type SetupState = { kind: 'no-firm' } | { kind: 'not-set-up'; firmId: string; admins: readonly NamedAdmin[] } | { kind: 'set-up'; firmId: string; staffGroupId: string; admins: readonly NamedAdmin[] };

export function setupStateOf(firm: { id: string; setupCompletedAt: string | null; staffGroupId: string | null; admins: readonly NamedAdmin[] } | null): SetupState {
  if (!firm) return { kind: 'no-firm' };
  if (!firm.setupCompletedAt || !firm.staffGroupId) return { kind: 'not-set-up', firmId: firm.id, admins: firm.admins };
  return { kind: 'set-up', firmId: firm.id, staffGroupId: firm.staffGroupId, admins: firm.admins };
}

/**
 * What a signed-in tenant member (not a guest) may do:
 * - `staff`: a member of the staff group, with their role;
 * - `not-set-up`: the firm is not set up and they cannot set it up (told whom to ask);
 * - `not-staff`: the firm is set up and they are outside its staff group.
 * Set-up itself is authorised separately (setupAccess), so an admin outside the group can still
 * reach the set-up page but never case data.
 */
export type MemberStanding = { kind: 'staff'; firmId: string; role: StaffRole } | { kind: 'not-set-up'; askWhom: string } | { kind: 'not-staff' };

export const ASK_YOUR_ADMINISTRATOR = 'your Microsoft 365 administrator';

/** Whom a staff member should ask to set CaseRoom up: a named admin, the first SETUP_ADMIN_UPNS entry, or the tenant's administrator. */
export function whomToAsk(state: SetupState, setupAdminUpns: readonly string[]): string {
  const named = state.kind === 'no-firm' ? [] : state.admins;
  if (named.length > 0) return named.map((a) => a.name).join(' or ');
  return setupAdminUpns[0] ?? ASK_YOUR_ADMINISTRATOR;
}

export function memberStanding(state: SetupState, caller: CallerFacts, inStaffGroup: () => boolean, setupAdminUpns: readonly string[]): MemberStanding {
  if (state.kind !== 'set-up') return { kind: 'not-set-up', askWhom: whomToAsk(state, setupAdminUpns) };
  if (!inStaffGroup()) return { kind: 'not-staff' };
  const admin = isNamedAdmin(caller, state.admins) || tenantSetupAuthority(caller, setupAdminUpns) !== null;
  return { kind: 'staff', firmId: state.firmId, role: admin ? 'admin' : 'staff' };
}

/**
 * Who may open set-up: before it is done, only tenant-level authority (an Entra admin role or
 * SETUP_ADMIN_UPNS); afterwards also the admins the firm named (reopening it).
 */
export function setupAccess(state: SetupState, caller: CallerFacts, setupAdminUpns: readonly string[]): SetupAuthority {
  const tenant = tenantSetupAuthority(caller, setupAdminUpns);
  if (tenant) return tenant;
  if (state.kind === 'set-up' && isNamedAdmin(caller, state.admins)) return 'caseroom-admin';
  return null;
}

/** The admins a completed set-up keeps: the ones chosen, and always the person completing it, so nobody saves themselves out. */
export function adminsAfterSetup(chosen: readonly NamedAdmin[], completedBy: NamedAdmin): NamedAdmin[] {
  const byId = new Map<string, NamedAdmin>();
  for (const admin of [completedBy, ...chosen]) if (!byId.has(admin.userId.toLowerCase())) byId.set(admin.userId.toLowerCase(), admin);
  return [...byId.values()];
}
