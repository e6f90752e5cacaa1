import type { Logger } from 'pino';
import { asRetryable, GraphRequestError } from '../../m365/errors';
import { inviteBody, type ItemRef, itemUrl, readPermissions } from '../../m365/permissions';
import { M365Repo } from '../../store/m365';
import { requestGuestSync } from '../job-requests';
import { Repo } from '../../store/repo';
import { type ReconcilerDeps, recordedKnowledge } from './deps';
import { permissionUrl, sealDeletions, sealTargets } from './plan';

/** Staff-only and privileged items sealed against guests in SharePoint (the same seal: no scope may reach either). */
export class StaffOnlySeal {
  constructor(private readonly d: ReconcilerDeps) {}

  private log(): Logger {
    return this.d.logger;
  }

  /**
   * Seals a staff-only document or folder in SharePoint: it gets unique permissions (inheritance
   * broken by a direct share to a member of the firm's staff, which copies the case folder's
   * permissions, the site groups included), then every permission of anyone who is not staff is
   * deleted, there and on every item below it that holds unique permissions of its own. From then
   * on no permission on the case folder reaches it, so a guest given case or client scope later
   * gets nothing here either (desiredDrivePermissions never lists staff-only items).
   *
   * Why not move staff-only items out of the case folder: staff would lose them from the case
   * channel's Files tab and their place in its folders, and every move is a window in which the
   * item is in neither place. Why not `retainInheritedPermissions: false`: the site groups would
   * not be copied, and the firm's own staff would lose the item.
   */
  async sealStaffOnly(firmId: string, itemId: string): Promise<{ sealed: number; removed: number }> {
    try {
      return await this.sealStaffOnlyOnce(firmId, itemId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async sealStaffOnlyOnce(firmId: string, itemId: string): Promise<{ sealed: number; removed: number }> {
    const repo = new Repo(this.d.db);
    const m365 = new M365Repo(this.d.db);
    const item = await repo.item(firmId, itemId);
    if (!(item?.staffOnly || item?.privileged) || !item.driveItemId) return { sealed: 0, removed: 0 };
    const c = await repo.case(firmId, item.caseId);
    if (!c?.driveId) return { sealed: 0, removed: 0 };
    const staff = await repo.listStaff(firmId);
    const staffUserIds = new Set(staff.map((s) => s.userId.toLowerCase()));
    const uniqueItems = await m365.uniqueItemsOfCases([c.id]);
    const target: ItemRef = { driveId: c.driveId, itemId: item.driveItemId };
    if (!uniqueItems.some((u) => u.id === item.id)) {
      const keeper = staff.find((s) => s.id === c.assignedStaffId) ?? staff[0];
      if (!keeper) throw new Error(`firm ${firmId} has no staff member to keep a staff-only item with`);
      await m365.markUnique([{ firmId, caseId: c.id, driveId: c.driveId, driveItemId: item.driveItemId }]);
      await this.d.graph.call({ method: 'POST', path: `${itemUrl(target)}/invite`, body: inviteBody([keeper.userId], 'read') });
    }
    // The item and the unique items beneath it: each holds permissions of its own to clean.
    const targets = sealTargets({ ...item, driveItemId: item.driveItemId }, c.driveId, await repo.itemsOfCase(c.id), uniqueItems);
    const actual = await readPermissions(this.d.graph, targets, recordedKnowledge(this.d.db));
    const deletions = sealDeletions(targets, actual, staffUserIds);
    for (const { target: t, permissionId } of deletions) {
      await this.d.graph.call({ method: 'DELETE', path: permissionUrl(t, permissionId), idempotent: true }).catch((err: unknown) => {
        if (!(err instanceof GraphRequestError && err.isNotFound)) throw err;
      });
    }
    const removed = deletions.length;
    // Guests' records of those items go: nothing of theirs is there any more.
    await m365.deleteAppliedOnItems(targets.map((t) => t.itemId));
    // A privileged item stays open to the guests staff confirmed it for: their syncs give back what the seal took.
    if (item.privileged && !item.staffOnly) for (const contactId of await m365.grantedContactsOfCase(c.id)) await requestGuestSync(this.d.db, firmId, contactId);
    this.log().info({ itemId, sealed: targets.length, removed }, 'staff-only item sealed in SharePoint');
    return { sealed: targets.length, removed };
  }
}
