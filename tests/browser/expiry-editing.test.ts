/**
 * Expiry in a real browser: staff share a document with an expiry picked in the share dialog,
 * then change and remove it from the guest's access chip; the API holds exactly what was
 * picked (the end of the chosen day in the browser's time zone), a day that has passed is
 * refused with a message, and the dialogs pass axe-core.
 */
import type { Page } from 'playwright-core';
import { api, type Harness, screenshot, startHarness, axeSerious } from './harness';

jest.setTimeout(240_000);

const REPORT = 'Police report.pdf';
let h: Harness;
let staff: Page;
let knee: string;
let johnId: string;
let reportId: string;

interface AccessEntry {
  grant: { id: string; scope: { kind: string; itemId?: string }; expiresAt: string | null };
}

/** John's grant on the police report, as the API has it now. */
async function reportGrant(): Promise<AccessEntry['grant'] | undefined> {
  const access = await api<AccessEntry[]>(staff, 'GET', `/contacts/${johnId}/access`);
  return access.find((e) => e.grant.scope.kind === 'item' && e.grant.scope.itemId === reportId)?.grant;
}

/** The end of the local day `days` from today, in the browser's own time zone (what the tab sends). */
function endOfDayIn(days: number): Promise<number> {
  return staff.evaluate((d) => {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() + d, 23, 59, 59, 999).getTime();
  }, days);
}

/** The browser's local calendar day `days` from today, as a date input takes it. */
function localDay(days: number): Promise<string> {
  return staff.evaluate((d) => {
    const now = new Date();
    const t = new Date(now.getFullYear(), now.getMonth(), now.getDate() + d);
    return `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`;
  }, days);
}

/** Polls the API (the share and the change are quick, but the machine may be busy) until the grant's expiry is `expected`. */
async function expiryBecomes(expected: number | null): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const grant = await reportGrant();
    const at = grant?.expiresAt ? Date.parse(grant.expiresAt) : null;
    if (grant && at === expected) return;
    if (Date.now() > deadline) throw new Error(`expiresAt is ${grant?.expiresAt ?? 'no grant'}, expected ${expected === null ? 'null' : new Date(expected).toISOString()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const reportChip = () => staff.getByTestId('access-chip-with-expiry').filter({ hasText: REPORT });

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  knee = (await api<Array<{ id: string; number: string }>>(staff, 'GET', '/cases')).find((c) => c.number === 'PI-2026-014')?.id as string;
  johnId = (await api<Array<{ id: string; name: string }>>(staff, 'GET', '/contacts')).find((c) => c.name === 'John Smith')?.id as string;
  const sharing = await api<{ items: Array<{ id: string; title: string }> }>(staff, 'GET', `/cases/${knee}/items`);
  reportId = sharing.items.find((i) => i.title === REPORT)?.id as string;
  expect([knee, johnId, reportId].every(Boolean)).toBe(true);
});

afterAll(async () => {
  await h?.close();
});

test('staff share a document for 7 days; a day that has passed is refused with a message', async () => {
  expect(await reportGrant()).toBeUndefined();
  await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
  await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
  await staff.locator(`[data-testid=doc-node][data-title="${REPORT}"]`).getByRole('checkbox').first().check();
  await staff.getByTestId('doc-actions').click();
  await staff.getByRole('menuitem', { name: 'Share…' }).click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('checkbox', { name: 'John Smith' }).check();
  const share = dialog.getByRole('button', { name: 'Share', exact: true });

  // "No expiry" is the default; a day that has passed says why and cannot be sent.
  expect(await dialog.getByTestId('expiry-date').inputValue()).toBe('');
  await dialog.getByTestId('expiry-date').fill(await localDay(-1));
  await dialog.getByText(/That day has passed/).waitFor();
  expect(await share.isDisabled()).toBe(true);

  await dialog.getByRole('button', { name: '7 days' }).click();
  expect(await dialog.getByTestId('expiry-date').inputValue()).toBe(await localDay(7));
  expect(await dialog.getByText(/That day has passed/).count()).toBe(0);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'expiry-share-dialog');
  await share.click();
  await dialog.waitFor({ state: 'detached' });
  await expiryBecomes(await endOfDayIn(7));
});

test('the access chip shows the expiry in words; staff change it to 30 days, then remove it', async () => {
  await staff.goto(`${h.url}/tab/firm/guests/${johnId}`);
  await staff.getByRole('heading', { name: 'John Smith' }).waitFor();
  await reportChip()
    .getByTestId('access-chip-expiry')
    .filter({ hasText: /^until / })
    .waitFor();
  // The other chips of John's have no expiry, and say so.
  expect(await staff.getByTestId('access-chip-expiry').filter({ hasText: 'no expiry' }).count()).toBeGreaterThan(0);

  await reportChip()
    .getByRole('button', { name: /^Change expiry/ })
    .click();
  let dialog = staff.getByRole('dialog');
  await dialog.getByRole('heading', { name: 'Expiry for John Smith' }).waitFor();
  expect(await dialog.getByTestId('expiry-date').inputValue()).toBe(await localDay(7));
  // A day that has passed is refused here too.
  await dialog.getByTestId('expiry-date').fill(await localDay(-3));
  await dialog.getByText(/That day has passed/).waitFor();
  expect(await dialog.getByTestId('save-expiry').isDisabled()).toBe(true);
  await dialog.getByRole('button', { name: '30 days' }).click();
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'expiry-chip-dialog');
  await dialog.getByTestId('save-expiry').click();
  await dialog.waitFor({ state: 'detached' });
  await expiryBecomes(await endOfDayIn(30));
  await staff.getByText(/John Smith: .*until /).waitFor();

  await reportChip()
    .getByRole('button', { name: /^Change expiry/ })
    .click();
  dialog = staff.getByRole('dialog');
  expect(await dialog.getByTestId('expiry-date').inputValue()).toBe(await localDay(30));
  await dialog.getByTestId('remove-expiry').click();
  await dialog.waitFor({ state: 'detached' });
  await expiryBecomes(null);
  await reportChip().getByTestId('access-chip-expiry').filter({ hasText: 'no expiry' }).waitFor();
});
