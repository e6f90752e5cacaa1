import { type CaseAccess, caseAccess, guestAccess } from '../domain/access';
import type { Contact, FirmPolicy, Grant, ItemRef } from '../domain/model';
import type { Repo } from '../store/repo';
import type { CaseRecord, ContactRecord, Firm, GrantRecord, ItemRecord, Staff } from '../store/records';

/** Loads exactly what the domain rules need to decide one guest's access, and asks them. */

export const asDomainContact = (c: ContactRecord): Contact => ({ id: c.id, firmId: c.firmId, portalAccess: c.portalAccess, invitation: c.invitation });
export const asPolicy = (firm: Firm): FirmPolicy => ({ disabledSections: firm.disabledSections });
export const asItemRef = (i: ItemRecord): ItemRef => ({ id: i.id, caseId: i.caseId, kind: i.kind, parentId: i.parentId, staffOnly: i.staffOnly, privileged: i.privileged });
export const asGrant = (g: GrantRecord): Grant => ({ id: g.id, contactId: g.contactId, scope: g.scope, rights: g.rights, expiresAt: g.expiresAt, privilegeConfirmed: g.privilegeConfirmed });

export interface GuestCaseList {
  cases: Array<{ record: CaseRecord; access: CaseAccess }>;
}

/** "My cases": linked cases a live grant reaches. Only items named by item grants are loaded. */
export async function listGuestCases(repo: Repo, firm: Firm, contact: ContactRecord, now: Date): Promise<GuestCaseList> {
  const [grants, cases] = await Promise.all([repo.grantsOfContact(contact.id), repo.linkedCases(firm.id, contact.id)]);
  const linkedIds = cases.map((c) => c.id);
  const explicitItemIds = grants.flatMap((g) => (g.scope.kind === 'item' ? [g.scope.itemId] : []));
  const items = await repo.itemRefsWithFolderChains(firm.id, explicitItemIds);
  const access = guestAccess(asDomainContact(contact), grants.map(asGrant), new Set(linkedIds), cases, items, asPolicy(firm), now);
  return { cases: cases.filter((c) => access.has(c.id)).map((record) => ({ record, access: access.get(record.id) as CaseAccess })) };
}

export interface GuestCaseDetail {
  record: CaseRecord;
  access: CaseAccess;
  items: ItemRecord[];
  /**
   * Every invoice of the case, shared with the guest or not: the budget figures (caseMoney) count
   * them all. Read with the items, so the case page does not read the items twice; never shown as items.
   */
  invoicesOfCase: ItemRecord[];
  /** The case's assigned staff member (the page's team card, when the guest may see it). */
  assignedStaff: Staff | null;
}

/** One case as the guest may see it, or null (the API answers 404, exactly as for an unknown id). `asIfOpen`: decided as if the case had not closed. */
export async function loadGuestCase(repo: Repo, firm: Firm, contact: ContactRecord, caseId: string, now: Date, asIfOpen = false): Promise<GuestCaseDetail | null> {
  const found = await repo.caseForGuest(firm.id, caseId, contact.id);
  if (!found) return null;
  const record = asIfOpen ? { ...found.record, closedAt: null, guestReadUntil: null } : found.record;
  // Only the grants that can reach this case: a guest's other cases (a bulk share can leave
  // thousands of item grants) play no part in the decision.
  const [grants, items] = await Promise.all([repo.grantsOfContactOnCase(contact.id, record), repo.itemsOfCase(caseId)]);
  const access = caseAccess(asDomainContact(contact), grants.map(asGrant), found.linked, record, items.map(asItemRef), asPolicy(firm), now);
  if (!access) return null;
  return { record, access, items: items.filter((i) => access.itemIds.has(i.id)), invoicesOfCase: items.filter((i) => i.kind === 'invoice'), assignedStaff: found.assignedStaff };
}

/** Whether the guest would see the case were it open: she had it before it closed (a 409 tells her it closed, not a 404). */
export async function wouldSeeIfOpen(repo: Repo, firm: Firm, contact: ContactRecord, caseId: string, now: Date): Promise<boolean> {
  const record = await repo.case(firm.id, caseId);
  if (!record?.closedAt) return false;
  return (await loadGuestCase(repo, firm, contact, caseId, now, true)) !== null;
}
