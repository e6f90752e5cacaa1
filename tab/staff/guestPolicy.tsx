import type { FirmPolicy, FirmView, ItemKind, Section, StaffApi } from '../api';
import { Notice } from '../components/Feedback';
import { useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

/**
 * The firm's guest policy and saved views as the staff tab's share choices need them: read once
 * per page (many ticks on one page share the answer) and read again after the policy page saves.
 */
const policies = new WeakMap<StaffApi, Promise<FirmPolicy>>();
const views = new WeakMap<StaffApi, Promise<FirmView[]>>();

function once<T>(cache: WeakMap<StaffApi, Promise<T>>, api: StaffApi, load: () => Promise<T>): Promise<T> {
  const cached = cache.get(api);
  if (cached) return cached;
  // A failed read is not kept: the next page that asks tries again.
  const fresh = load().catch((err: unknown) => {
    cache.delete(api);
    throw err;
  });
  cache.set(api, fresh);
  return fresh;
}

/** Forget what was read, after the policy or a saved view changed on this page. */
export function forgetGuestPolicy(api: StaffApi): void {
  policies.delete(api);
  views.delete(api);
}

/** The sections switched off for every guest (empty until known: the server enforces the policy either way). */
export function useGuestPolicy(): { disabled: readonly Section[]; loaded: boolean; error: unknown; reload: () => Promise<void> } {
  const api = useStaffApi();
  const policy = useLoad(() => once(policies, api, () => api.firmPolicy()), [api]);
  return { disabled: policy.data?.disabledSections ?? [], loaded: policy.data !== undefined, error: policy.error, reload: policy.reload };
}

/** The firm's saved views, by name. */
export function useFirmViews(): { views: FirmView[]; loaded: boolean; error: unknown } {
  const api = useStaffApi();
  const loaded = useLoad(() => once(views, api, () => api.firmViews()), [api]);
  return { views: loaded.data ?? [], loaded: loaded.data !== undefined, error: loaded.error };
}

/** The portal section an item of this kind is shown in. */
export const SECTION_OF_KIND: Record<ItemKind, Section> = { document: 'documents', folder: 'documents', note: 'notes', event: 'events', invoice: 'invoices' };

/** Whether the firm switched `section` off for guests (false while unknown or when no section is named). */
export function useSectionOff(section: Section | undefined): boolean {
  const { disabled } = useGuestPolicy();
  return section !== undefined && disabled.includes(section);
}

/** Says why share choices for `section` are missing: "Documents are switched off for guests by the firm's policy." */
export function SectionOffNote({ section }: { section: Section }) {
  const t = useStrings().views;
  return (
    <div data-testid="section-off-note">
      <Notice intent="info">{t.sectionOffNote(section)}</Notice>
    </div>
  );
}
