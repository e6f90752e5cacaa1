/**
 * Seen in a real browser: a guest opens a shared document in the portal (Preview), and the
 * staff tab then shows it as seen by that guest, while the other guest it is shared with is
 * still "not opened yet".
 */
import type { Page } from 'playwright-core';
import { type Harness, screenshot, startHarness, waitForApiToken } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
let knee: string;
const MRI = 'Knee MRI report.pdf';

let staffToken: string;

/** The staff API with the signed-in staff member's token (as the tab holds it). */
async function staffApi<T>(path: string): Promise<T> {
  const res = await fetch(`${h.url}/api${path}`, { headers: { authorization: `Bearer ${staffToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** The seen lines under the document in the staff tab's case folder. */
const seenLines = (page: Page) => page.locator(`[data-testid=doc-node][data-title="${MRI}"] [data-testid=seen-line]`);

async function openStaffDocuments(page: Page): Promise<void> {
  await page.goto(`${h.url}/tab/case?caseId=${knee}`);
  await page.getByRole('heading', { name: /Smith v. Metro Transit/ }).waitFor();
  await page.locator(`[data-testid=doc-node][data-title="${MRI}"]`).waitFor();
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  // MSAL keeps the token the tab signed in with in its sessionStorage cache.
  staffToken = await waitForApiToken(staff);
  const cases = await staffApi<Array<{ id: string; number: string }>>('/cases');
  knee = cases.find((c) => c.number === 'PI-2026-014')?.id as string;
});

afterAll(async () => {
  await h?.close();
});

test('a guest previews a shared document in the portal; the staff tab then shows it as seen by them', async () => {
  await openStaffDocuments(staff);
  await seenLines(staff).filter({ hasText: 'John Smith: not opened yet' }).waitFor();

  const { page: john, context } = await h.signIn('John Smith', `/tab/portal/cases/${knee}`);
  await john.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
  await john.getByRole('tab', { name: 'Documents' }).click();
  // The demo's files reach SharePoint in the background: until the guest's permission is there the
  // preview says so, and the guest tries again (as a person would), up to a generous limit.
  const deadline = Date.now() + 120_000;
  for (;;) {
    await john.getByRole('button', { name: `Preview ${MRI}` }).click();
    const dialog = john.getByRole('dialog');
    const opened = dialog.getByRole('button', { name: 'Download' });
    await opened.or(dialog.getByRole('alert')).first().waitFor({ timeout: 30_000 });
    const outcome = (await opened.isVisible()) ? 'opened' : 'refused';
    if (outcome === 'opened') break;
    if (Date.now() > deadline) throw new Error('the guest could not open the shared document in time');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await john.waitForTimeout(1000);
  }
  await screenshot(john, 'seen-portal-preview');
  await context.close();

  await openStaffDocuments(staff);
  const johnLine = seenLines(staff).filter({ hasText: /^Seen by John Smith, / });
  await johnLine.waitFor();
  expect(await johnLine.getAttribute('data-seen')).toBe('yes');
  // Dr. Maya Chen reaches the same document through her case access and has not opened it.
  await seenLines(staff).filter({ hasText: 'Dr. Maya Chen: not opened yet' }).waitFor();
  await screenshot(staff, 'seen-staff-documents');

  const access = await staffApi<Array<{ contact: { name: string }; label: string; seen: { items: number; firstAt: string | null } }>>(`/cases/${knee}/access`);
  expect(access.find((e) => e.contact.name === 'John Smith' && e.label === MRI)?.seen).toMatchObject({ items: 1, firstAt: expect.any(String) });
});
