import type { TabSettings } from '../../src/contract';

let cached: Promise<TabSettings> | null = null;

export function loadSettings(): Promise<TabSettings> {
  cached ??= fetch('/tab/settings.json').then(async (res) => {
    if (!res.ok) throw new Error(`CaseRoom could not load its settings (${res.status}).`);
    return (await res.json()) as TabSettings;
  });
  return cached;
}
