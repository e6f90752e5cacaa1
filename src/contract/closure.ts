import { z } from 'zod';
import type { CloseCaseGuestAccess, ContactKind } from './enums';
import { reason } from './fields';
import type { Case } from './cases';
import type { PreviewSide } from './sharing';

// ---- requests ----

/** POST /cases/{id}/close and its preview: what closing does to guests is the firm's setting (FirmSettings.closeCaseGuestAccess). */
export const closeCaseBody = z.strictObject({ reason }).optional().default({ reason: null });
/** POST /cases/{id}/reopen and its preview. */
export const reopenCaseBody = closeCaseBody;

// ---- answers ----

/** One guest's change when a case closes (what she loses) or reopens (what comes back). */
export interface ClosureGuestChange {
  contactId: string;
  name: string;
  email: string;
  kind: ContactKind;
  /** The grants of hers that reached the case when it closed. */
  grantIds: string[];
  /** What she saw of the case, named for people: sections, items, and upload. */
  access: PreviewSide;
}

/** POST /cases/{id}/close/preview: exactly what closing would take, computed by the code that closes. */
export interface CaseClosePreview {
  caseId: string;
  caseNumber: string;
  mode: CloseCaseGuestAccess;
  /** With 'read-only-until': guests keep reading (no uploads, no messages) until then; null: withdrawn at once. */
  guestReadUntil: string | null;
  guests: ClosureGuestChange[];
}

/** POST /cases/{id}/reopen/preview: exactly what reopening gives back (what closing withdrew, less what expired or was revoked since). */
export interface CaseReopenPreview {
  caseId: string;
  caseNumber: string;
  closedAt: string;
  guests: ClosureGuestChange[];
}

/** POST /cases/{id}/close. */
export interface CaseClosedAnswer {
  case: Case;
  applied: CaseClosePreview;
}
/** POST /cases/{id}/reopen. */
export interface CaseReopenedAnswer {
  case: Case;
  applied: CaseReopenPreview;
}
