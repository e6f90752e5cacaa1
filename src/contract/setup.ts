import { z } from 'zod';
import type { Section } from './enums';
import { safeName, sections, text } from './fields';

/**
 * First-run set-up (GET/PUT /api/setup and its look-ups) and the roles it gives. Set-up is open
 * to a tenant admin (an Entra admin role, or a UPN in SETUP_ADMIN_UPNS) and, once done, to the
 * admins it named; everyone else gets 403 `setup_admin_only`.
 */

export const STAFF_ROLES = ['admin', 'staff'] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];

/** An Entra object id (user, group, team): a GUID. */
const directoryId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'must be a directory object id' });
const emailAddress = z.string().trim().toLowerCase().email({ message: 'must be an e-mail address' }).max(320);
export const MAX_GUEST_DEFAULT_EXPIRY_DAYS = 3650;

// ---- requests ----

/** PUT /setup: completes set-up, or saves it again when an admin reopens it. */
export const setupBody = z.strictObject({
  firmName: safeName(200),
  /** Teams CaseRoom is installed in that hold case channels (at least one). */
  teamIds: z.array(directoryId).min(1, { message: 'choose at least one team' }).max(50),
  staffGroupId: directoryId,
  /** The admins, by sign-in name (UPN); the person saving is always kept as one. */
  adminUpns: z.array(emailAddress).max(20),
  guestDefaults: z.strictObject({
    /** Portal sections a new case-wide grant shows (null: every section). */
    sections: sections.nullable(),
    /** Days a new grant lasts (null: until withdrawn). */
    expiryDays: z.number().int({ message: 'must be a whole number of days' }).min(1).max(MAX_GUEST_DEFAULT_EXPIRY_DAYS).nullable(),
  }),
  /** The mailbox guests' e-mail goes out from (null: the MAIL_SENDER setting). */
  senderMailbox: emailAddress.nullable(),
});
export type SetupBody = z.infer<typeof setupBody>;

/** GET /setup/groups?search=: security groups whose name starts with the text. */
export const groupSearchQuery = z.strictObject({ search: text(120) });
/** POST /setup/mailbox-check: is this a mailbox of the tenant? */
export const mailboxCheckBody = z.strictObject({ address: emailAddress });

// ---- answers ----

export interface SetupPerson {
  userId: string;
  name: string;
  upn: string;
}
export interface SetupTeam {
  teamId: string;
  displayName: string;
  /** Already holds this firm's case channels. */
  chosen: boolean;
}
export interface SetupGroup {
  id: string;
  displayName: string;
  description: string | null;
}

/** GET /setup: the current set-up (empty before the first) and what set-up can choose from. */
export interface SetupStatus {
  state: 'not-set-up' | 'set-up';
  /** Why this caller may run set-up. */
  authority: 'entra-admin-role' | 'setup-admin-upn' | 'caseroom-admin';
  firmName: string;
  staffGroup: SetupGroup | null;
  admins: SetupPerson[];
  guestDefaults: { sections: Section[] | null; expiryDays: number | null };
  senderMailbox: string | null;
  /** Teams CaseRoom is installed in (chosen or not). Empty: install CaseRoom in a team first. */
  teams: SetupTeam[];
  completedAt: string | null;
}

export interface MailboxCheck {
  address: string;
  displayName: string;
}

/** The error codes of set-up and roles, each a 403 with a message a person can act on. */
export const ACCESS_ERROR_CODES = ['not_set_up', 'not_staff', 'admin_only', 'setup_admin_only'] as const;
export type AccessErrorCode = (typeof ACCESS_ERROR_CODES)[number];
