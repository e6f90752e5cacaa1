import { contactIsActiveGuest, desiredDrivePermissions, type DriveTargetCase, type DriveTargetItem } from '../../domain/access';
import type { M365Repo } from '../../store/m365';
import type { Repo } from '../../store/repo';
import type { ContactRecord, Firm } from '../../store/records';
import { asDomainContact, asGrant, asItemRef, asPolicy } from '../guest-access';
import type { DesiredPermission } from './plan';

/** Everything a guest should hold in SharePoint, computed from the store by the domain rules. */
export async function desiredForContact(repo: Repo, m365: M365Repo, firm: Firm, contact: ContactRecord, now: Date): Promise<Map<string, DesiredPermission>> {
  const result = new Map<string, DesiredPermission>();
  if (!contactIsActiveGuest(asDomainContact(contact))) return result;
  const [grantRecords, linkedIds] = await Promise.all([repo.grantsOfContact(contact.id), repo.linkedCaseIds(contact.id)]);
  if (grantRecords.length === 0 || linkedIds.length === 0) return result;
  const caseRecords = await repo.casesByIds(firm.id, linkedIds);
  const granted = await repo.itemsByIds(
    firm.id,
    grantRecords.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : [])),
  );
  // Items that stopped inheriting: a broad grant, or an item grant on a folder above them, must
  // reach each of them with a permission of its own (the folder chain tells what is above what).
  const broad = grantRecords.some((g) => g.scope.kind !== 'item');
  const folderGranted = granted.some((i) => i.kind === 'folder');
  const caseIds = caseRecords.map((c) => c.id);
  const unique = broad || folderGranted ? await m365.uniqueItemsOfCases(caseIds) : [];
  // Folders tell what is below what: for unique items under a granted folder, and for staff-only
  // folders, whose contents no grant reaches (isEffectivelyStaffOnly).
  const folders = granted.length > 0 || unique.length > 0 ? await m365.foldersOfCases(caseIds) : [];
  const uniqueIds = new Set(unique.map((i) => i.id));
  const itemRecords = [...new Map([...granted, ...unique, ...folders].map((i) => [i.id, i])).values()];
  const cases: DriveTargetCase[] = caseRecords.map((c) => ({ id: c.id, firmId: c.firmId, clientId: c.clientId, closedAt: c.closedAt, guestReadUntil: c.guestReadUntil, folderItemId: c.folderItemId }));
  const items: DriveTargetItem[] = itemRecords.map((i) => ({ ...asItemRef(i), driveItemId: i.driveItemId, uniquePermissions: uniqueIds.has(i.id) }));
  const uniqueAndFolders = items.filter((i) => i.uniquePermissions || i.kind === 'folder');
  const grants = grantRecords.map(asGrant);
  const linked = new Set(linkedIds);
  const policy = asPolicy(firm);
  const domainContact = asDomainContact(contact);
  const roles = desiredDrivePermissions(domainContact, grants, linked, cases, items, policy, now);

  // Where each drive item lives, and which case it belongs to.
  const place = new Map<string, { driveId: string; caseId: string }>();
  const caseById = new Map(caseRecords.map((c) => [c.id, c]));
  for (const c of caseRecords) if (c.folderItemId && c.driveId) place.set(c.folderItemId, { driveId: c.driveId, caseId: c.id });
  for (const i of itemRecords) {
    const c = caseById.get(i.caseId);
    if (i.driveItemId && c?.driveId) place.set(i.driveItemId, { driveId: c.driveId, caseId: c.id });
  }
  // Expiry: the same rules asked one grant at a time tell which grants reach each item. An item
  // grant can reach only its own item, so only that one is passed (a bulk share has thousands).
  const expiry = new Map<string, string | null>();
  const itemById = new Map(items.map((i) => [i.id, i]));
  for (const grant of grants) {
    const own = grant.scope.kind === 'item' ? itemById.get(grant.scope.itemId) : undefined;
    const reachable = grant.scope.kind !== 'item' || own?.kind === 'folder' ? uniqueAndFolders : own ? [own] : [];
    for (const driveItemId of desiredDrivePermissions(domainContact, [grant], linked, cases, reachable, policy, now).keys()) {
      const current = expiry.get(driveItemId);
      if (current === null) continue;
      if (grant.expiresAt === null) expiry.set(driveItemId, null);
      else if (current === undefined || Date.parse(grant.expiresAt) > Date.parse(current)) expiry.set(driveItemId, grant.expiresAt);
    }
  }
  for (const [driveItemId, role] of roles) {
    const where = place.get(driveItemId);
    if (!where) continue;
    result.set(driveItemId, { driveId: where.driveId, driveItemId, role, expiresAt: expiry.get(driveItemId) ?? null, caseId: where.caseId });
  }
  return result;
}
