/**
 * Issue 14 in a real browser: the case ledger (staff billing panel, guest overview and
 * invoices) and the audit page (names, filters, newest first, export), with axe on each page
 * and screenshots at 1280 and 375 px.
 */
import { promises as fs } from 'node:fs';
import type { Page } from 'playwright-core';
import { axeSerious, type AxeViolation, type Harness, screenshot, startHarness, caseIdsByNumber } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
const cases: Record<string, string> = {};
const axeFindings: Array<{ page: string; violations: AxeViolation[] }> = [];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** axe and a screenshot at 1280 px, then the same at 375 px (the page must not scroll sideways there). */
async function checkBothWidths(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
    axeFindings.push({ page: `${name}-${width}`, violations: await axeSerious(page) });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const rowOf = (page: Page, number: string) => page.locator(`[data-testid=staff-invoice][data-number="${number}"]`);

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  Object.assign(cases, await caseIdsByNumber(staff));
});

afterAll(async () => {
  await h?.close();
});

describe('the case ledger', () => {
  const contract = () => cases['COM-2026-003'];

  test('staff see the balance, invoices in every state, and record a payment that settles one', async () => {
    await staff.goto(`${h.url}/tab/case?caseId=${contract()}`);
    await staff.getByRole('heading', { name: /Northwind v. Contoso/ }).waitFor();
    await staff.getByRole('tab', { name: 'Invoices and ledger' }).click();
    await rowOf(staff, 'INV-1042').waitFor();

    const figure = (label: string) => staff.locator(`[data-testid=ledger-figure][data-label="${label}"]`);
    expect(await figure('Retainer balance').innerText()).toMatch(/49,565\.00/);
    expect(await figure('Outstanding').innerText()).toMatch(/18,500\.00/);
    const states = async () => Object.fromEntries(await Promise.all(['INV-1039', 'INV-1042', 'INV-1043', 'INV-1045', 'INV-1048'].map(async (n) => [n, await rowOf(staff, n).getByTestId('invoice-state').innerText()])));
    expect(await states()).toEqual({ 'INV-1039': 'Paid', 'INV-1042': 'Partly paid', 'INV-1043': 'Void', 'INV-1045': 'Awaiting payment', 'INV-1048': 'Draft' });
    await checkBothWidths(staff, 'ledger-staff-billing');

    await staff.getByRole('combobox', { name: 'Kind' }).click();
    await staff.getByRole('option', { name: 'Payment' }).click();
    await staff.getByRole('combobox', { name: 'Against' }).click();
    await staff.getByRole('option', { name: /INV-1045/ }).click();
    await staff.getByRole('textbox', { name: /Amount/ }).fill('9500');
    await staff.getByRole('textbox', { name: 'Description' }).fill('Cheque for INV-1045');
    await staff.getByRole('button', { name: 'Add entry' }).click();
    await staff.getByText(/Payment of .*9,500\.00 recorded/).waitFor();
    await staff.waitForFunction(() => document.querySelector('[data-testid=staff-invoice][data-number="INV-1045"] [data-testid=invoice-state]')?.textContent === 'Paid', undefined, { timeout: 30_000 });
    expect(await figure('Outstanding').innerText()).toMatch(/9,000\.00/);
    expect(await figure('Retainer balance').innerText()).toMatch(/49,565\.00/);
  });

  test('the guest sees the same figures, itemised lines and statuses in words, never a draft', async () => {
    const { page: olivia, context } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract()}`);
    await olivia.getByTestId('overview-budget').waitFor();
    expect(await olivia.getByTestId('guest-retainer').innerText()).toMatch(/49,565\.00/);
    expect(await olivia.getByTestId('guest-outstanding').innerText()).toMatch(/Awaiting payment .*9,000\.00/);
    const lines = await olivia.getByTestId('guest-ledger-line').allInnerTexts();
    expect(lines.join('\n')).toMatch(/Expense\s+Court filing fee/);
    expect(lines.join('\n')).toMatch(/Payment\s+Cheque for INV-1045/);
    expect(lines.join('\n')).toMatch(/Retainer deposit/);
    await checkBothWidths(olivia, 'ledger-guest-overview');

    await olivia.getByRole('tab', { name: 'Invoices' }).click();
    await olivia.getByTestId('guest-invoice').first().waitFor();
    const rows = await olivia.getByTestId('guest-invoice').allInnerTexts();
    const statusOf = (n: string) => rows.find((r) => r.includes(n));
    expect(statusOf('INV-1048')).toBeUndefined();
    expect(statusOf('INV-1039')).toMatch(/Paid$/);
    expect(statusOf('INV-1042')).toMatch(/Partly paid$/);
    expect(statusOf('INV-1043')).toMatch(/Void$/);
    expect(statusOf('INV-1045')).toMatch(/Paid$/);
    expect(rows.join('\n')).not.toMatch(/\bsent\b|\bdraft\b/);
    await checkBothWidths(olivia, 'ledger-guest-invoices');
    await context.close();
  });
});

describe('the audit page', () => {
  test('names instead of ids, newest first, filters, and an export with the chain proof', async () => {
    await staff.goto(`${h.url}/tab/firm/audit`);
    await staff.getByTestId('audit-row').first().waitFor();
    const seqs = (await staff.locator('[data-testid=audit-row] td:first-child').allInnerTexts()).map(Number);
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    for (const who of await staff.getByTestId('audit-who').allInnerTexts()) expect(who).not.toMatch(UUID);
    for (const target of await staff.getByTestId('audit-target').allInnerTexts()) expect(target).not.toMatch(UUID);
    expect(await staff.getByTestId('audit-who').allInnerTexts()).toContain('Alex Hartley');
    await checkBothWidths(staff, 'audit-page');

    // Filter to one case and the ledger: the payment recorded above is there, nothing else.
    await staff.getByRole('combobox', { name: 'Case' }).click();
    await staff.getByRole('option', { name: /COM-2026-003/ }).click();
    await staff.getByRole('combobox', { name: 'Action' }).click();
    await staff.getByRole('option', { name: 'Ledger' }).click();
    await staff.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit-row]')].every((r) => r.getAttribute('data-action') === 'ledger.added'), undefined, { timeout: 30_000 });
    const targets = await staff.getByTestId('audit-target').allInnerTexts();
    expect(targets.length).toBeGreaterThanOrEqual(4);
    expect(new Set(targets)).toEqual(new Set(['COM-2026-003 Northwind v. Contoso (supply contract)']));
    await checkBothWidths(staff, 'audit-page-filtered');

    const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await fs.readFile(await download.path(), 'utf8');
    const [comment, header, ...rows] = csv.trim().split('\r\n');
    expect(comment).toMatch(/chain intact/);
    expect(header).toBe('"seq","at","actor","actor_name","action","target","target_name","reason","data","prev_hash","hash","firm_id"');
    expect(rows).toHaveLength(targets.length);
    expect(rows.every((r) => r.includes('"ledger.added"') && r.includes('"COM-2026-003 Northwind v. Contoso (supply contract)"'))).toBe(true);

    const [jsonDownload] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(await fs.readFile(await jsonDownload.path(), 'utf8')) as { proof: { verify: { ok: boolean } }; entries: Array<{ hash: string; prevHash: string }> };
    expect(json.proof.verify.ok).toBe(true);
    expect(json.entries).toHaveLength(targets.length);
    expect(json.entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && /^[0-9a-f]{64}$/.test(e.prevHash))).toBe(true);
  });

  test('every page checked has no serious or critical axe findings', () => {
    expect(axeFindings.filter((f) => f.violations.length > 0)).toEqual([]);
  });
});
