import { z } from 'zod';
import { NOTIFICATION_EVENTS, type NotificationEvent, type Section } from './enums';
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
export const firmSettingsBody = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' })
    .refine((c) => Intl.supportedValuesOf('currency').includes(c), { message: 'is not a currency' }),
  reason,
});
/** A staff member's Teams notification switch for one event, firm-wide or for one case. */
export const notificationPrefBody = z.strictObject({ caseId: id.nullable().default(null), event: z.enum(NOTIFICATION_EVENTS), enabled: z.boolean(), mention: z.boolean().default(false) });

// ---- answers ----

/** GET and PUT /me/notification-preferences: the staff member's own switches, firm-wide (caseId null) and per case. */
export interface NotificationPreference {
  caseId: string | null;
  event: NotificationEvent;
  enabled: boolean;
  mention: boolean;
}
/** PUT /me/notification-preferences. */
export type NotificationPreferenceInput = z.input<typeof notificationPrefBody>;

/** GET and PUT /firm/settings. */
export interface FirmSettings {
  currency: string;
}
/** GET and PUT /firm/policy. */
export interface FirmPolicy {
  disabledSections: Section[];
}
