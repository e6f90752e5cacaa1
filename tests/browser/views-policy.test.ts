/**
 * Saved views and the firm's guest policy, in a real browser: an admin saves a view, a plain staff
 * member gives a guest case access with it, the access chip names the case and the view in words,
 * and the guest sees exactly those sections. Then the admin switches documents off for every
 * guest: the policy page says who loses what first, and the staff tab stops offering documents in
 * its share choices with a note saying why. Each new page and dialog passes axe at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { apiGet, caseIdsByNumber, type Harness, screenshot, axeSerious, startHarness } from './harness';

jest.setTimeout(300_000);

let h: Harness;
let admin: Page;
let staff: Page;
let custody = '';

const VIEW = 'Forensic accountant';
const OFF_NOTE = "Documents are switched off for guests by the firm's policy";

/** axe finds nothing serious or critical at 1280 px and at 375 px; a screenshot of each. */
async function check(page: Page, name: string): Promise<void> {
  expect(await axeSerious(page)).toEqual([]);
  await screenshot(page, name);
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await axeSerious(page)).toEqual([]);
  await screenshot(page, `${name}-375`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: admin } = await h.signIn('Alex Hartley', '/tab/firm/views'));
  ({ page: staff } = await h.signIn('Priya Raman', '/tab/firm/clients'));
  custody = (await caseIdsByNumber(staff))['FAM-2026-011'];
  expect(custody).toBeDefined();
});

afterAll(async () => {
  await h?.close();
});

test('an admin saves a view; the page says a grant keeps the sections it was given', async () => {
  await admin.getByRole('navigation', { name: 'Firm pages' }).getByRole('link', { name: 'Views' }).waitFor();
  const saved = admin.getByTestId('saved-view');
  await saved.first().waitFor();
  // The demo firm's two views, each described in words.
  expect(await saved.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['Client standard', 'Expert: documents only']);
  await admin.locator('[data-testid=saved-view][data-name="Client standard"]').getByText('documents, notes and events').waitFor();
  await admin
    .getByTestId('views-keep-note')
    .getByText(/does not change access already given/)
    .waitFor();

  const form = admin.getByTestId('new-view');
  await form.getByRole('textbox', { name: /Name/ }).fill(VIEW);
  await form.getByRole('checkbox', { name: 'Documents' }).check();
  await form.getByRole('checkbox', { name: 'Events' }).check();
  await check(admin, 'views-page');
  await form.getByRole('button', { name: 'Save view' }).click();
  await admin.getByText(`Saved the view “${VIEW}”.`).waitFor();
  await admin.locator(`[data-testid=saved-view][data-name="${VIEW}"]`).getByText('documents and events').waitFor();

  // The change dialog repeats that access already given stays as it is.
  await admin.getByRole('button', { name: `Change ${VIEW}` }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByText('Guests already given this view keep the sections they were given.').waitFor();
  await check(admin, 'views-change-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Plain staff are not offered the page.
  expect(await staff.getByRole('navigation', { name: 'Firm pages' }).getByRole('link', { name: 'Views' }).count()).toBe(0);
});

test('staff give a guest case access with the saved view; the chip names the case and the view; the guest sees exactly those sections', async () => {
  await staff.goto(`${h.url}/tab/case?caseId=${custody}`);
  await staff.getByTestId('share-button').click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Add a guest…' }).click();
  await dialog.getByRole('combobox', { name: /^Guest/ }).click();
  await staff.getByRole('option', { name: /Tom Reed/ }).click();
  await dialog.getByRole('combobox', { name: 'View (what they see)' }).click();
  const options = await staff.getByRole('option').allInnerTexts();
  expect(options).toEqual(['Client standard (documents, notes and events)', 'Expert: documents only (documents)', `${VIEW} (documents and events)`, 'Custom…']);
  await staff.getByRole('option', { name: `${VIEW} (documents and events)` }).click();
  // A saved view needs no ticks; the dialog says in words what they will see, naming the case.
  expect(await dialog.getByTestId('section-ticks').count()).toBe(0);
  await dialog.getByTestId('scope-in-words').getByText(`They will see: FAM-2026-011: ${VIEW} (documents and events)`).waitFor();
  await check(staff, 'share-dialog-view-picker');
  await dialog.getByRole('button', { name: 'Give access' }).click();
  await dialog.getByText('Tom Reed was given access.').waitFor();
  const label = `FAM-2026-011: ${VIEW} (documents and events)`;
  await dialog.locator('[data-testid=access-row][data-name="Tom Reed"]').getByText(label).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();

  await staff.goto(`${h.url}/tab/firm/guests`);
  await staff.getByTestId('guest-row').first().waitFor();
  expect(await staff.getByTestId('access-chip').allInnerTexts()).toContain(`Reed, Tom · ${label}`);
  expect(await staff.getByTestId('access-chip').allInnerTexts()).not.toContain(expect.stringContaining('Full case'));

  const { page: tom, context } = await h.signIn('Tom Reed', `/tab/portal/cases/${custody}`);
  try {
    const tabs = tom.getByRole('tablist', { name: 'Case sections' }).getByRole('tab');
    await tabs.first().waitFor();
    // Documents and events, and messages (every guest may write to the firm); no overview, notes or invoices.
    expect(await tabs.allInnerTexts()).toEqual(['Documents', 'Events', 'Messages']);
    const view = await apiGet<{ documents: unknown[] | null; events: unknown[] | null; notes: unknown[] | null; invoices: unknown[] | null; budget: unknown; status: unknown; team: unknown }>(tom, `/portal/cases/${custody}`);
    expect(view.documents).not.toBeNull();
    expect(view.events).not.toBeNull();
    expect([view.notes, view.invoices, view.budget, view.status, view.team]).toEqual([null, null, null, null, null]);
  } finally {
    await context.close();
  }
});

test('the policy page says who would lose documents; switched off, the staff tab stops offering documents, with a note', async () => {
  await admin.goto(`${h.url}/tab/firm/policy`);
  const policy = admin.getByTestId('guest-policy');
  await policy.getByRole('checkbox', { name: 'Documents: shown to guests' }).uncheck();
  const loses = admin.locator('[data-testid=policy-loses][data-section=documents]');
  await loses.getByText(/would lose documents: .*Tom Reed/).waitFor();
  await admin.getByText('Staff are no longer offered these sections when they share, and a note in the case tab says why.').waitFor();
  await check(admin, 'policy-page');
  await admin.getByRole('textbox', { name: /Reason/ }).fill('documents go through the data room this quarter');
  await admin.getByRole('button', { name: 'Apply the policy' }).click();
  await admin.getByText('The policy was applied.').waitFor();
  expect((await apiGet<{ disabledSections: string[] }>(admin, '/firm/policy')).disabledSections).toEqual(['documents']);

  await staff.goto(`${h.url}/tab/case?caseId=${custody}`);
  // The upload's share ticks give way to the note.
  await staff.getByTestId('section-off-note').getByText(OFF_NOTE).first().waitFor();
  await staff.getByTestId('share-button').click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Add a guest…' }).click();
  await dialog.getByRole('combobox', { name: 'View (what they see)' }).click();
  // Views lose documents; a view of documents only is not offered at all.
  expect(await staff.getByRole('option').allInnerTexts()).toEqual(['Client standard (notes and events)', `${VIEW} (events)`, 'Custom…']);
  await staff.getByRole('option', { name: 'Custom…' }).click();
  const ticks = dialog.getByTestId('section-ticks');
  await ticks.waitFor();
  expect(await ticks.getByRole('checkbox', { name: 'Documents' }).count()).toBe(0);
  await ticks.getByRole('checkbox', { name: 'Notes' }).waitFor();
  await dialog.getByTestId('policy-sections-note').getByText("Not offered here, because the firm's policy switched them off for every guest: documents.").waitFor();
  await check(staff, 'share-dialog-policy-off');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});
