import type { AccessEntry, CaseDetail, CaseSharing, Contact, Item, StaffThread, UploadAnswer } from '../api';
import { useLoad, useStaffApi, type Loaded } from '../shell/hooks';

/** Everything the staff case tab shows, loaded together and reloaded after each change. */
export interface CaseData {
  detail: CaseDetail;
  sharing: CaseSharing;
  access: AccessEntry[];
  threads: StaffThread[];
}

export function useCaseData(caseId: string): Loaded<CaseData> {
  const api = useStaffApi();
  return useLoad(async () => {
    const [detail, sharing, access, threads] = await Promise.all([api.caseDetail(caseId), api.caseItems(caseId), api.caseAccess(caseId), api.threads(caseId)]);
    return { detail, sharing, access, threads };
  }, [caseId]);
}

/** Linked contacts that can be given something: portal access on. */
export const shareable = (contacts: readonly Contact[]): Contact[] => contacts.filter((c) => c.portalAccess);

/** Distinct guests with live or pending access to the case (the Share button's badge). */
export const guestsWithAccess = (access: readonly AccessEntry[]): number => new Set(access.filter((a) => a.state === 'active' || a.state === 'pending').map((a) => a.contact.id)).size;

/** The ids of the document items an upload created. */
export const createdItemIds = (answer: UploadAnswer | undefined): string[] => (answer?.files ?? []).map((f) => f.id);

/** "Medical records/2026" for a folder item, from its chain of parents. */
export function folderPath(items: readonly Item[], folderId: string): string {
  const byId = new Map(items.map((i) => [i.id, i]));
  const names: string[] = [];
  for (let at = byId.get(folderId); at; at = at.parentId ? byId.get(at.parentId) : undefined) names.unshift(at.title);
  return names.join('/');
}
