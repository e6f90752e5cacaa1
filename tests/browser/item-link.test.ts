/**
 * A card's "Open file" link names one item of the case (Teams hands the tab `item:{id}`, the web
 * fallback `&itemId=`). In a real browser the case tab opens the panel that lists that item, brings
 * it into view and marks it; a link to an item that is gone says so instead of opening blind.
 */
import type { Page } from 'playwright-core';
import { apiGet, caseIdsByNumber, type Harness, startHarness } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
let knee: string;
let items: Array<{ id: string; kind: string; title: string; parentId: string | null }>;

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  knee = (await caseIdsByNumber(staff))['PI-2026-014'];
  ({ items } = await apiGet<{ items: typeof items }>(staff, `/cases/${knee}/items`));
});

afterAll(async () => {
  await h?.close();
});

/** Opens the case tab at the item and waits for the mark; answers whether the item is on screen. */
async function openAt(itemId: string): Promise<{ panel: string; inView: boolean }> {
  await staff.setViewportSize({ width: 1280, height: 600 });
  await staff.goto(`${h.url}/tab/case?caseId=${knee}&itemId=${itemId}`);
  const marked = staff.locator(`[data-item-id="${itemId}"][data-focused=true]`);
  await marked.waitFor({ timeout: 60_000 });
  const panel = await staff.getByRole('tab', { selected: true }).innerText();
  const inView = await marked.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });
  return { panel, inView };
}

test('a link to a note opens the Notes panel with that note in view and marked', async () => {
  const notes = items.filter((i) => i.kind === 'note');
  expect(notes.length).toBeGreaterThan(0);
  const last = notes[notes.length - 1];
  expect(await openAt(last.id)).toEqual({ panel: 'Notes', inView: true });
  // Only that one is marked.
  expect(await staff.locator('[data-focused=true]').count()).toBe(1);
});

test('a link to a document inside a folder opens the Documents panel on it', async () => {
  const nested = items.find((i) => i.kind === 'document' && i.parentId !== null);
  expect(nested).toBeDefined();
  expect(await openAt(nested!.id)).toEqual({ panel: 'Documents', inView: true });
});

test('a link to an item that is no longer in the case says so', async () => {
  await staff.goto(`${h.url}/tab/case?caseId=${knee}&itemId=00000000-0000-4000-8000-000000000000`);
  await staff.getByText('The item this link opens is no longer in this case').waitFor();
  expect(await staff.getByRole('tab', { selected: true }).innerText()).toBe('Documents');
});
