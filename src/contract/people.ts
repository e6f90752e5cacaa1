import { z } from 'zod';
import { CONTACT_KINDS, INVITATION_STATES } from './enums';
import { confirmField } from './guardrails';
import { id, nullableText, optionalId, optionalText, reason, safeName } from './fields';

// ---- requests ----

/** A BCP 47 language tag as people write them: "es", "fr-CA", "zh-Hant-TW". */
export const languageTag = z
  .string()
  .trim()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, { message: 'must be a language tag such as "es" or "fr-CA"' });

export const createClientBody = z.strictObject({ name: safeName(200) });

export const createContactBody = z.strictObject({
  email: z.email({ message: 'must be an email address' }).max(254),
  name: safeName(200),
  kind: z.enum(CONTACT_KINDS),
  phone: optionalText(40),
  clientId: optionalId,
});
export const updateContactBody = z.strictObject({
  name: safeName(200).optional(),
  kind: z.enum(CONTACT_KINDS).optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  clientId: id.nullable().optional(),
  /** The language the contact's e-mail is written in (a BCP 47 tag such as "es" or "fr-CA"); null: from their portal, else English. */
  language: languageTag.nullable().optional(),
});
export const portalAccessBody = z.strictObject({ enabled: z.boolean(), reason, confirm: confirmField });
/** A guest's e-mail digest opt-out (PUT /contacts/{id}/digest). */
export const digestOptOutBody = z.strictObject({ optOut: z.boolean(), reason });

// ---- answers ----
// Staff answers may carry server fields the tab does not read (firmId, drive ids…): z.object
// ignores them when parsing, and its type has no index signature, so a misspelt field fails to compile.

/** A member of the firm (GET /staff, a case's assigned staff). */
export const staffAnswer = z.object({ id: z.string(), name: z.string(), email: z.string(), phone: nullableText, title: nullableText });
export type Staff = z.infer<typeof staffAnswer>;

/** GET /clients, POST /clients. */
export const clientAnswer = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type Client = z.infer<typeof clientAnswer>;

/** A person outside the firm who may become a guest (GET /contacts and the contact routes). */
export const contactAnswer = z.object({
  id: z.string(),
  clientId: nullableText,
  email: z.string(),
  name: z.string(),
  kind: z.enum(CONTACT_KINDS),
  phone: nullableText,
  portalAccess: z.boolean(),
  invitation: z.enum(INVITATION_STATES),
  invitedAt: nullableText,
  acceptedAt: nullableText,
});
export type Contact = z.infer<typeof contactAnswer>;
/** GET /contacts/{id}. */
export type ContactDetail = Contact & { linkedCaseIds: string[] };

/** GET /me for staff: themselves, their role (admin pages are for `admin`), and their firm. */
export type StaffMe = Staff & { kind: 'staff'; role: 'admin' | 'staff'; firm: { id: string; name: string } | null };
