/**
 * Issue 14 in a real browser: a guest whose browser is German reads the portal of a firm that
 * bills in euros. Dates and amounts are German-formatted, amounts are in euros (never a fixed
 * dollar); each document shows when it was modified and a "New" marker (with words, not colour
 * alone) until the guest opens it. axe finds nothing serious or critical, at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { api, axeSerious, caseIdsByNumber, type Harness, screenshot, startHarness } from './harness';

jest.setTimeout(300_000);

let h: Harness;
let contract: string;
const AGREEMENT = 'Supply agreement 2024.pdf';
/** A German date as `dateStyle: 'medium'` writes it: 05.03.2026. */
const GERMAN_DATE = /\b\d\d\.\d\d\.\d{4}\b/;
/** A German euro amount: 1.234,56 € (a no-break space before the sign). */
const GERMAN_EUROS = /\d{1,3}(\.\d{3})*,\d\d\s€/;

async function checkBothWidths(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 10_000 }).catch(() => undefined);
    expect({ page: `${name}-${width}`, violations: await axeSerious(page) }).toEqual({ page: `${name}-${width}`, violations: [] });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const documentRow = (page: Page, title: string) => page.getByTestId('guest-document').filter({ hasText: title });

beforeAll(async () => {
  h = await startHarness();
  const { page: staff, context } = await h.signIn('Alex Hartley', '/tab/firm/clients');
  contract = (await caseIdsByNumber(staff))['COM-2026-003'];
  await api(staff, 'PUT', '/firm/settings', { currency: 'EUR' });
  await context.close();
});

afterAll(async () => {
  await h?.close();
});

test('a German guest of a euro firm reads German dates and euro amounts; new documents are marked until opened', async () => {
  const { page: olivia, context } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract}`, { width: 1280, height: 900 }, 'de-DE');
  expect(await olivia.evaluate(() => navigator.language)).toBe('de-DE');
  await olivia.getByTestId('overview-budget').waitFor();
  const retainer = await olivia.getByTestId('guest-retainer').innerText();
  expect(retainer).toMatch(GERMAN_EUROS);
  expect(await olivia.getByTestId('overview-budget').innerText()).not.toContain('$');
  const lines = await olivia.getByTestId('guest-ledger-line').allInnerTexts();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(new RegExp(`${GERMAN_DATE.source}[\\s\\S]*${GERMAN_EUROS.source}`));
  await checkBothWidths(olivia, 'locale-guest-overview-de');

  await olivia.getByRole('tab', { name: 'Invoices' }).click();
  await olivia.getByTestId('guest-invoice').first().waitFor();
  for (const row of await olivia.getByTestId('guest-invoice').allInnerTexts()) {
    expect(row).toMatch(GERMAN_EUROS);
    expect(row).toMatch(GERMAN_DATE);
  }

  await olivia.getByRole('tab', { name: 'Documents' }).click();
  const documents = olivia.locator('[data-testid=guest-document][data-kind=document]');
  await documents.first().waitFor();
  expect(await documents.count()).toBeGreaterThan(1);
  for (const row of await documents.all()) {
    expect(await row.getByTestId('document-modified').innerText()).toMatch(new RegExp(`^Modified ${GERMAN_DATE.source}$`));
    // The marker is words a screen reader reads, not a colour.
    await expect(row.getByTestId('new-marker').innerText()).resolves.toBe('New');
    expect(await row.getByTestId('new-marker').getAttribute('aria-label')).toMatch(/not opened since/);
  }
  await checkBothWidths(olivia, 'locale-guest-documents-de');

  // The demo's files reach SharePoint in the background: until the guest's permission is there the
  // preview says so, and the guest tries again (as a person would), up to a generous limit.
  const deadline = Date.now() + 120_000;
  for (;;) {
    await olivia.getByRole('button', { name: `Preview ${AGREEMENT}` }).click();
    const dialog = olivia.getByRole('dialog');
    const opened = dialog.getByRole('button', { name: 'Download' });
    await opened.or(dialog.getByRole('alert')).first().waitFor({ timeout: 30_000 });
    const wasOpened = await opened.isVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    if (wasOpened) break;
    if (Date.now() > deadline) throw new Error('the guest could not open the shared document in time');
    await olivia.waitForTimeout(1000);
  }
  await expect(documentRow(olivia, AGREEMENT).getByTestId('new-marker').count()).resolves.toBe(0);

  // The server remembers: on a fresh load the opened document is no longer new, the others still are.
  await olivia.reload();
  await olivia.getByRole('tab', { name: 'Documents' }).click();
  await documentRow(olivia, AGREEMENT).waitFor();
  await expect(documentRow(olivia, AGREEMENT).getByTestId('new-marker').count()).resolves.toBe(0);
  await expect(documentRow(olivia, 'Complaint.docx').getByTestId('new-marker').count()).resolves.toBe(1);
  await checkBothWidths(olivia, 'locale-guest-documents-opened-de');
  await context.close();
});

test('an en-US guest of the same firm reads US dates and still euros', async () => {
  const { page: olivia, context } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract}`, { width: 1280, height: 900 }, 'en-US');
  await olivia.getByTestId('overview-budget').waitFor();
  expect(await olivia.getByTestId('guest-retainer').innerText()).toMatch(/^€\d{1,3}(,\d{3})*\.\d\d$/);
  expect((await olivia.getByTestId('guest-ledger-line').allInnerTexts()).join('\n')).toMatch(/\b[A-Z][a-z]{2} \d{1,2}, \d{4}\b/);
  await context.close();
});
