import { z } from 'zod';
import { CLOSE_CASE_GUEST_ACCESS, type CloseCaseGuestAccess, MAX_CLOSE_CASE_READ_ONLY_DAYS, NOTIFICATION_EVENTS, type Section } from './enums';
import { id, reason, sections } from './fields';

// ---- requests ----

/** The firm's guest policy (PUT /firm/policy): sections switched off for every guest. */
export const policyBody = z.strictObject({ disabledSections: sections, reason });
/** The firm's digest mail settings (PUT /firm/mail): the sending mailbox and the window between two digests. */
export const firmMailBody = z.strictObject({
  senderMailbox: z.email({ message: 'must be an email address' }).max(254).nullable().optional(),
  digestWindowSeconds: z.number().int({ message: 'must be whole seconds' }).min(1).max(86400).optional(),
  reason,
});
/** PUT /firm/settings: any of the settings (at least one); what is left out stays as it is. */
export const firmSettingsBody = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' })
      .refine((c) => Intl.supportedValuesOf('currency').includes(c), { message: 'is not a currency' })
      .optional(),
    /** What closing a case does to its guests: withdraw at once, or read-only for closeCaseReadOnlyDays, then withdraw. */
    closeCaseGuestAccess: z.enum(CLOSE_CASE_GUEST_ACCESS).optional(),
    closeCaseReadOnlyDays: z
      .number()
      .int({ message: 'must be a whole number of days' })
      .min(1, { message: 'must be at least 1 day' })
      .max(MAX_CLOSE_CASE_READ_ONLY_DAYS, { message: `must be at most ${MAX_CLOSE_CASE_READ_ONLY_DAYS} days` })
      .optional(),
    reason,
  })
  .refine((b) => b.currency !== undefined || b.closeCaseGuestAccess !== undefined || b.closeCaseReadOnlyDays !== undefined, { message: 'name at least one setting to change', path: ['body'] });
export type FirmSettingsChange = z.input<typeof firmSettingsBody>;
/** A staff member's Teams notification switch for one event, firm-wide or for one case. */
export const notificationPrefBody = z.strictObject({ caseId: id.nullable().default(null), event: z.enum(NOTIFICATION_EVENTS), enabled: z.boolean(), mention: z.boolean().default(false) });

// ---- answers ----

/** GET and PUT /firm/settings. */
export interface FirmSettings {
  currency: string;
  closeCaseGuestAccess: CloseCaseGuestAccess;
  /** With 'read-only-until': how many days after closing guests may still read the case. */
  closeCaseReadOnlyDays: number;
}
/** GET and PUT /firm/policy. */
export interface FirmPolicy {
  disabledSections: Section[];
}
