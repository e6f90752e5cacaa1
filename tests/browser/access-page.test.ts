/**
 * The case Access page in a real browser: the Access tab lists each guest and SharePoint target
 * with CaseRoom's intent beside what SharePoint holds, in words; a permission removed in
 * SharePoint by hand shows as a labelled drift row, and Repair brings the case back in sync.
 * axe finds nothing serious or critical, at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import type { SharePointAccessOfCase } from '../../src/contract';
import { apiGet, axeSerious, type Harness, screenshot, startHarness } from './harness';

jest.setTimeout(300_000);

let h: Harness;
let staff: Page;
let knee: string;

const rows = (page: Page) => page.locator('[data-testid=sharepoint-access-row]');
const summary = (page: Page) => page.getByTestId('sharepoint-access-summary');

/** Presses "Check again" until the summary says `text`, as a person waiting for SharePoint would. */
async function checkUntil(page: Page, text: RegExp, limitMs = 150_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    await summary(page).filter({ hasText: /\S/ }).waitFor({ timeout: 60_000 });
    if (text.test((await summary(page).textContent()) ?? '')) return;
    if (Date.now() > deadline) {
      const drift = (await apiGet<SharePointAccessOfCase>(page, `/cases/${knee}/access/sharepoint`)).rows.filter((r) => r.status !== 'in-sync');
      throw new Error(`the Access page never said ${text}; it says: ${await summary(page).textContent()}; the rows out of sync: ${JSON.stringify(drift)}`);
    }
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Check again' }).click();
  }
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  const cases = await apiGet<Array<{ id: string; number: string }>>(staff, '/cases');
  knee = cases.find((c) => c.number === 'PI-2026-014')?.id as string;
});

afterAll(async () => {
  await h?.close();
});

test('the Access tab shows intent beside SharePoint, labels drift made by hand, and Repair brings it back in sync', async () => {
  await staff.setViewportSize({ width: 1280, height: 900 });
  await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
  await staff.getByRole('heading', { name: /Smith v. Metro Transit/ }).waitFor();
  await staff.getByRole('tab', { name: 'Access' }).click();
  await rows(staff).first().waitFor({ timeout: 60_000 });
  // The demo's shares reach SharePoint in the background: wait until they all have.
  await checkUntil(staff, /SharePoint matches CaseRoom/);
  // A guest's permission the demo gave, preferably on the case folder: CaseRoom intends it and SharePoint holds it.
  const access = await apiGet<SharePointAccessOfCase>(staff, `/cases/${knee}/access/sharepoint`);
  const held = access.rows.filter((r) => r.intended === 'read' && r.held === 'read');
  const victim = held.find((r) => r.target === 'case') ?? held[0];
  expect(victim).toBeDefined();
  const shown = rows(staff).filter({ hasText: victim.guestName }).filter({ hasText: victim.title }).first();
  expect(await shown.getAttribute('data-status')).toBe('in-sync');
  expect(await shown.getByRole('cell', { name: 'Can view' }).count()).toBe(2);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'access-page-1280');

  // Behind CaseRoom's back: that permission is removed in SharePoint.
  const contact = await apiGet<{ guestUserId: string }>(staff, `/contacts/${victim.contactId}`);
  const state = await h.sim.admin.state();
  const permission = Object.values(state.permissions).find((p) => p.itemId === victim.driveItemId && JSON.stringify(p.grantee).includes(contact.guestUserId));
  expect(permission).toBeDefined();
  await h.sim.admin.removePermissionByHand(permission?.driveId as string, permission?.itemId as string, permission?.id as string);

  await staff.getByRole('button', { name: 'Check again' }).click();
  const missing = rows(staff).filter({ hasText: 'Drift: missing in SharePoint' });
  await missing.first().waitFor({ timeout: 60_000 });
  expect(await missing.first().textContent()).toContain(victim.guestName);
  expect(await missing.first().getAttribute('data-status')).toBe('missing');
  expect(await axeSerious(staff)).toEqual([]);
  await staff.setViewportSize({ width: 375, height: 800 });
  await screenshot(staff, 'access-page-drift-375');
  await staff.setViewportSize({ width: 1280, height: 900 });

  await staff.getByRole('button', { name: 'Repair' }).click();
  await staff.getByText(/Repair queued for \d+ guests?/).waitFor({ timeout: 60_000 });
  await checkUntil(staff, /SharePoint matches CaseRoom/);
  expect(await rows(staff).filter({ hasText: 'Drift:' }).count()).toBe(0);
  expect(await axeSerious(staff)).toEqual([]);
});
