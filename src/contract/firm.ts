import { z } from 'zod';
import {
  ACCESS_REVIEW_SCHEDULES,
  type AccessReviewSchedule,
  CLOSE_CASE_GUEST_ACCESS,
  type CloseCaseGuestAccess,
  FEED_EVENTS,
  type FeedEvent,
  MAX_CLOSE_CASE_READ_ONLY_DAYS,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  type Section,
} from './enums';
import { id, reason, sections } from './fields';

// ---- requests ----

/** Days before expiry a reminder is due when the firm has chosen nothing else (the store's column default says the same). */
export const DEFAULT_EXPIRY_REMINDER_DAYS: readonly number[] = [7, 1];
/** Bounds of the firm's reminder setting (the store's check says the same). */
export const MAX_EXPIRY_REMINDERS = 5;
export const MAX_EXPIRY_REMINDER_DAYS = 90;
/**
 * Days before a grant expires that staff get a reminder card (and the guest a line in their
 * digest): distinct whole days, at most MAX_EXPIRY_REMINDERS of them; empty turns reminders off.
 */
export const expiryReminderDays = z
  .array(
    z
      .number()
      .int({ message: 'must be whole days' })
      .min(1, { message: 'must be at least 1 day' })
      .max(MAX_EXPIRY_REMINDER_DAYS, { message: `must be at most ${MAX_EXPIRY_REMINDER_DAYS} days` }),
  )
  .max(MAX_EXPIRY_REMINDERS, { message: `must list at most ${MAX_EXPIRY_REMINDERS} reminders` })
  .refine((days) => new Set(days).size === days.length, { message: 'must not repeat a day' })
  .transform((days) => [...days].sort((a, b) => b - a));
/**
 * The firm's guest policy (PUT /firm/policy): sections switched off for every guest, and when
 * staff are reminded before access expires. A field left out stays as it is.
 */
export const policyBody = z.strictObject({ disabledSections: sections.optional(), expiryReminderDays: expiryReminderDays.optional(), reason });
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
    accessReviewSchedule: z.enum(ACCESS_REVIEW_SCHEDULES).optional(),
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
  .refine((b) => b.currency !== undefined || b.accessReviewSchedule !== undefined || b.closeCaseGuestAccess !== undefined || b.closeCaseReadOnlyDays !== undefined, {
    message: 'give at least one setting (currency, accessReviewSchedule, closeCaseGuestAccess, closeCaseReadOnlyDays)',
    path: ['body'],
  });
/** What the tab sends to PUT /firm/settings. */
export type FirmSettingsChange = z.input<typeof firmSettingsBody>;
const isFeedEvent = (event: string): event is FeedEvent => (FEED_EVENTS as readonly string[]).includes(event);

/**
 * A staff member's Teams notification switches for one event, firm-wide or for one case:
 * `enabled`/`mention` for the channel card, `feed` for an activity-feed notice (guest uploads and
 * messages only; null returns to the default: on for the case's assigned staff member). Either
 * part may be sent alone; what is not sent is kept.
 */
export const notificationPrefBody = z
  .strictObject({ caseId: id.nullable().default(null), event: z.enum(NOTIFICATION_EVENTS), enabled: z.boolean().optional(), mention: z.boolean().optional(), feed: z.boolean().nullable().optional() })
  .refine((b) => b.enabled !== undefined || b.feed !== undefined, { message: 'give enabled (the channel card) or feed (the activity feed)', path: ['enabled'] })
  .refine((b) => b.mention === undefined || b.enabled !== undefined, { message: 'mention goes with enabled', path: ['mention'] })
  .refine((b) => b.feed === undefined || isFeedEvent(b.event), { message: `feed is only for ${FEED_EVENTS.join(' and ')}`, path: ['feed'] });
export type NotificationPrefChange = z.input<typeof notificationPrefBody>;

/** GET and PUT /me/notification-preferences: one row per event and scope; null is "not set, the default applies". */
export interface NotificationPreference {
  caseId: string | null;
  event: NotificationEvent;
  enabled: boolean | null;
  mention: boolean | null;
  feed: boolean | null;
}

// ---- answers ----

/** GET and PUT /firm/settings. */
export interface FirmSettings {
  currency: string;
  /** How often each case's guests are reviewed; 'off' starts no reviews. */
  accessReviewSchedule: AccessReviewSchedule;
  closeCaseGuestAccess: CloseCaseGuestAccess;
  /** With 'read-only-until': how many days after closing guests may still read the case. */
  closeCaseReadOnlyDays: number;
  /** What "Add a guest" starts with, chosen at set-up (null sections: the usual client view; null days: no expiry). */
  guestDefaults: { sections: Section[] | null; expiryDays: number | null };
}
/** GET and PUT /firm/policy. */
export interface FirmPolicy {
  disabledSections: Section[];
  /** Largest first; default 7 and 1. */
  expiryReminderDays: number[];
}
