/**
 * Live pages in a real browser: an open guest portal and an open staff case tab show what
 * changed for their viewer within 10 s, without a reload (the change stream tells the page, the
 * page refetches through the API).
 */
import type { Page } from 'playwright-core';
import { api, type Harness, screenshot, startHarness, caseIdsByNumber } from './harness';

jest.setTimeout(180_000);

/** The product's promise: a change shows on an open page within this long. */
const LIVE_WITHIN_MS = 10_000;

let h: Harness;
let staff: Page;
const cases: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  Object.assign(cases, await caseIdsByNumber(staff));
});

afterAll(async () => {
  await h?.close();
});

/** Marks the page; a reload (or navigation) would lose the mark. */
const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { liveTestMark: true }));
const stillSamePage = (page: Page) => page.evaluate(() => (window as unknown as { liveTestMark?: boolean }).liveTestMark === true);

/** Resolves once `locator` is visible, failing after LIVE_WITHIN_MS counted from `since`. */
async function shownWithin(page: Page, selector: string, since: number, what: string): Promise<number> {
  await page
    .locator(selector)
    .first()
    .waitFor({ timeout: Math.max(1, since + LIVE_WITHIN_MS - Date.now()) })
    .catch(async () => {
      throw new Error(`${what} was not shown within ${LIVE_WITHIN_MS} ms without a reload; the page shows: ${(await page.locator('body').innerText()).slice(0, 800)}`);
    });
  return Date.now() - since;
}

test("a guest's open portal shows an item shared with her while she looks, without a reload", async () => {
  const knee = cases['PI-2026-014'];
  const { page: john, context } = await h.signIn('John Smith', `/tab/portal/cases/${knee}`);
  await john.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
  await john.getByRole('tab', { name: 'Documents' }).click();
  await john.getByTestId('guest-document').first().waitFor();
  expect(await john.locator('[data-testid=guest-document]').filter({ hasText: 'Police report.pdf' }).count()).toBe(0);
  await markPage(john);

  const items = await api<{ items: Array<{ id: string; title: string }> }>(staff, 'GET', `/cases/${knee}/items`);
  const report = items.items.find((i) => i.title === 'Police report.pdf');
  expect(report).toBeDefined();
  const johnId = (await api<Array<{ id: string; name: string }>>(staff, 'GET', '/contacts')).find((c) => c.name === 'John Smith')?.id;
  await api(staff, 'POST', '/shares', { contactIds: [johnId], itemIds: [report?.id] });
  const sharedAt = Date.now();

  await shownWithin(john, '[data-testid=guest-document]:has-text("Police report.pdf")', sharedAt, 'the newly shared document');
  expect(await stillSamePage(john)).toBe(true);
  await screenshot(john, 'live-portal-new-share');
  await context.close();
});

test("the staff case tab shows a guest's upload while it is open, without a reload", async () => {
  const contract = cases['COM-2026-003'];
  await staff.goto(`${h.url}/tab/case?caseId=${contract}`);
  await staff.getByRole('heading', { name: /Northwind v\. Contoso/ }).waitFor();
  await staff.locator('[data-testid=doc-node]').first().waitFor();
  await markPage(staff);

  const { page: olivia, context } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract}`);
  await olivia.getByRole('heading', { name: /Northwind v\. Contoso/ }).waitFor();
  await olivia.getByRole('tab', { name: 'Documents' }).click();
  await olivia.getByTestId('drop-zone').waitFor();
  await olivia.getByTestId('file-input').setInputFiles({ name: 'site-inspection-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Water damage in room B, photographed.') });
  const row = olivia.getByTestId('upload-row').filter({ hasText: 'site-inspection-notes.txt' });
  await row.and(olivia.locator('[data-status=done], [data-status=failed]')).waitFor({ timeout: 60_000 });
  expect(await row.getAttribute('data-status')).toBe('done');
  const uploadedAt = Date.now();

  await shownWithin(staff, '[data-testid=doc-node][data-title="site-inspection-notes.txt"]', uploadedAt, "the guest's upload");
  expect(await stillSamePage(staff)).toBe(true);
  await screenshot(staff, 'live-staff-guest-upload');
  await context.close();
});
