import type { GuestNoticeLike, NoticeOutcome, StaffNoticeLike } from '../src/m365/activity';

/**
 * The activity-feed types CaseRoom sends, with the template each must have in the Teams
 * manifest (`activities.activityTypes`); tests/packaging checks the manifest declares exactly these.
 */
export const GUEST_ACTIVITY_TYPES = {
  itemsShared: { description: 'Something new was shared with you in CaseRoom.', templateText: '{actor} shared something with you' },
  staffReplied: { description: 'Your legal team replied to your message.', templateText: '{actor} replied to your message' },
} as const;

/**
 * How guests hear that something is new: a Teams activity-feed notification
 * (`sendActivityNotification`) for the CaseRoom personal app. The bot needs only this narrow
 * interface; the Graph gateway (the `m365` part's `activityFeed`) provides it, so every notice
 * goes through the one Graph pipeline (tokens, resource-unit budget, retry, logging).
 */
export type GuestNotice = GuestNoticeLike & { activityType: keyof typeof GUEST_ACTIVITY_TYPES };

/** The activity-feed types CaseRoom sends to staff (declared in the manifest like the guests' ones). */
export const STAFF_ACTIVITY_TYPES = {
  accessReviewOverdue: { description: 'An access review of a case you are responsible for is overdue.', templateText: 'The access review of {case} is overdue' },
  guestUploaded: { description: 'A guest uploaded documents to a case you follow.', templateText: '{actor} uploaded to {case}' },
  guestMessaged: { description: 'A guest wrote a message in a case you follow.', templateText: '{actor} wrote in {case}' },
} as const;

/** A notice to a staff member: it opens the case's tab in its channel. */
export type StaffNotice = StaffNoticeLike & { activityType: keyof typeof STAFF_ACTIVITY_TYPES };

export interface ActivityFeed {
  /** 'not-installed' (or nothing, from stand-ins): the notice was kept for the e-mail path, not lost. */
  notifyGuest(notice: GuestNotice): Promise<NoticeOutcome | void>;
  /** Optional so stand-ins that only record guest notices still fit; without it staff notices wait (they are not marked sent). */
  notifyStaff?(notice: StaffNotice): Promise<NoticeOutcome | void>;
}
