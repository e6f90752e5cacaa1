/** How one guest's permission on one SharePoint target compares with CaseRoom's intent. */
export type SharePointAccessStatus = 'in-sync' | 'missing' | 'extra' | 'different';

/** A role as SharePoint names it on a person's permission ('other' covers roles CaseRoom never gives). */
export type SharePointRole = 'read' | 'write' | 'owner' | 'other';

/** One row of GET /cases/:caseId/access/sharepoint: a guest on a case folder or item. */
export interface SharePointAccessRow {
  contactId: string;
  guestName: string;
  guestEmail: string;
  /** 'case' is the case's own folder; 'item' a document or folder of the case with a permission of its own. */
  target: 'case' | 'item';
  /** CaseRoom's item id; null for the case folder. */
  itemId: string | null;
  /** The case's number and title for the folder, the item's title otherwise. */
  title: string;
  driveItemId: string;
  /** What CaseRoom's grants want the guest to hold there; null: nothing. */
  intended: SharePointRole | null;
  /** What SharePoint holds for the guest there right now (the item's own permission); null: nothing. */
  held: SharePointRole | null;
  status: SharePointAccessStatus;
}

/** The answer of GET /cases/:caseId/access/sharepoint: read live from SharePoint at `readAt`. */
export interface SharePointAccessOfCase {
  caseId: string;
  readAt: string;
  rows: SharePointAccessRow[];
  /** Rows whose status is not in-sync. */
  drift: number;
}

/** The answer of POST /cases/:caseId/access/repair (202): the guests whose sync was queued. */
export interface AccessRepairQueued {
  caseId: string;
  queued: number;
}
