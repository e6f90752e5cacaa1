import { z } from 'zod';
import { ACCESS_REVIEW_SCHEDULES, type AccessReviewSchedule, NOTIFICATION_EVENTS, type Section } from './enums';
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
/** PUT /firm/settings: each setting is optional, at least one is given. */
export const firmSettingsBody = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' })
      .refine((c) => Intl.supportedValuesOf('currency').includes(c), { message: 'is not a currency' })
      .optional(),
    accessReviewSchedule: z.enum(ACCESS_REVIEW_SCHEDULES).optional(),
    reason,
  })
  .refine((b) => b.currency !== undefined || b.accessReviewSchedule !== undefined, { message: 'give at least one setting (currency, accessReviewSchedule)', path: ['currency'] });
/** What the tab sends to PUT /firm/settings. */
export type FirmSettingsChange = z.input<typeof firmSettingsBody>;
/** A staff member's Teams notification switch for one event, firm-wide or for one case. */
export const notificationPrefBody = z.strictObject({ caseId: id.nullable().default(null), event: z.enum(NOTIFICATION_EVENTS), enabled: z.boolean(), mention: z.boolean().default(false) });

// ---- answers ----

/** GET and PUT /firm/settings. */
export interface FirmSettings {
  currency: string;
  /** How often each case's guests are reviewed; 'off' starts no reviews. */
  accessReviewSchedule: AccessReviewSchedule;
}
/** GET and PUT /firm/policy. */
export interface FirmPolicy {
  disabledSections: Section[];
}
