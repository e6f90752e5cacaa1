import type { CaseAccess } from './access';
import type { Section } from './model';

/**
 * The exact difference between two states of one guest's access: which cases, sections and
 * items appear or disappear, and where uploading starts or stops. A scope change is shown as
 * this before it is applied, and the applied change is audited with the same lists.
 */
export interface AccessSide {
  caseIds: string[];
  sections: Array<{ caseId: string; section: Section }>;
  itemIds: string[];
  uploadCaseIds: string[];
}

export interface AccessDiff {
  gained: AccessSide;
  lost: AccessSide;
}

const emptySide = (): AccessSide => ({ caseIds: [], sections: [], itemIds: [], uploadCaseIds: [] });

function collect(from: ReadonlyMap<string, CaseAccess>, to: ReadonlyMap<string, CaseAccess>): AccessSide {
  const side = emptySide();
  for (const [caseId, now] of to) {
    const before = from.get(caseId);
    if (!before) side.caseIds.push(caseId);
    for (const section of now.sections) if (!before?.sections.includes(section)) side.sections.push({ caseId, section });
    for (const itemId of now.itemIds) if (!before?.itemIds.has(itemId)) side.itemIds.push(itemId);
    if (now.canUpload && !before?.canUpload) side.uploadCaseIds.push(caseId);
  }
  side.caseIds.sort();
  side.itemIds.sort();
  side.uploadCaseIds.sort();
  side.sections.sort((a, b) => (a.caseId + a.section).localeCompare(b.caseId + b.section));
  return side;
}

export function diffAccess(before: ReadonlyMap<string, CaseAccess>, after: ReadonlyMap<string, CaseAccess>): AccessDiff {
  return { gained: collect(before, after), lost: collect(after, before) };
}

export const isEmptyDiff = (d: AccessDiff): boolean => [d.gained, d.lost].every((s) => s.caseIds.length + s.sections.length + s.itemIds.length + s.uploadCaseIds.length === 0);
