/**
 * A link inside an open dialog that moves to another page of the tab: the dialog goes with the old
 * page, and the new page must be readable by a screen reader (Fluent's modal marks the rest of the
 * document aria-hidden while a dialog is open; nothing may be left hidden once it is gone).
 */
import type { Page } from 'playwright-core';
import { dismissDialogs, type Harness, axeSerious, startHarness } from './harness';

jest.setTimeout(300_000);

let h: Harness;
let staff: Page;

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
});

afterEach(async () => {
  await dismissDialogs(staff);
});

afterAll(async () => {
  await h?.close();
});

test("the contact page reached by the new-contact dialog's link is not hidden from screen readers", async () => {
  await staff.getByRole('button', { name: 'Add contact for John Smith' }).click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /Full name/ }).fill('Ines Moreau');
  await dialog.getByRole('textbox', { name: /Email address/ }).fill('ines.moreau@moreau-conseil.example');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await dialog.getByText(/Ines Moreau was added/).waitFor();
  // While the dialog is open the page behind it is hidden: that is the modal doing its job.
  expect(await staff.locator('#root').getAttribute('aria-hidden')).toBe('true');

  await dialog.getByRole('link', { name: 'Open Ines Moreau' }).click();
  await staff.waitForURL((u) => /\/tab\/firm\/guests\/[^/]+$/.test(u.pathname), { timeout: 30_000 });
  // Found by its id, not its role: a page hidden from screen readers has no headings to find.
  await staff.locator('#guest-title', { hasText: 'Ines Moreau' }).waitFor({ timeout: 30_000 });
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });

  expect(await staff.locator('#root').getAttribute('aria-hidden')).toBeNull();
  // What a screen reader would find: the page's heading is in the accessibility tree.
  expect(await staff.getByRole('heading', { name: 'Ines Moreau', level: 1 }).count()).toBe(1);
  expect(await axeSerious(staff)).toEqual([]);
  // Still so once everything has settled: nothing hides the page again later.
  expect(await staff.locator('#root').getAttribute('aria-hidden')).toBeNull();
});
