/**
 * Issue 12's guardrail confirmation in a real browser: staff link opposing counsel in the
 * parties panel, invite them (a confirmation with a reason), then share a document with them:
 * the share dialog shows why it needs a confirmation, asks for the reason, and shares once it
 * is given; the reason is in the audit log. axe finds nothing serious on the dialog.
 */
import type { Page } from 'playwright-core';
import { axeSerious, type Harness, screenshot, startHarness, caseIdsByNumber, waitForApiToken } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
const cases: Record<string, string> = {};

/** The tab's own API calls, with the signed-in staff member's token. */
async function api<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const token = await waitForApiToken(page);
  return page.evaluate(
    async ({ m, p, b, token }) => {
      const res = await fetch(`/api${p}`, { method: m, headers: { Authorization: `Bearer ${token}`, ...(b === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: b === undefined ? undefined : JSON.stringify(b) });
      if (!res.ok) throw new Error(`${m} ${p} → ${res.status}`);
      return res.json();
    },
    { m: method, p: path, b: body, token },
  ) as Promise<T>;
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  Object.assign(cases, await caseIdsByNumber(staff));
});

afterAll(async () => {
  await h?.close();
});

test('staff share a document with opposing counsel only after seeing the warning and giving a reason', async () => {
  const caseId = cases['PI-2026-014'];
  await api(staff, 'POST', '/contacts', { email: 'olga@opposing-firm.example', name: 'Olga Opposing', kind: 'other' });
  await staff.goto(`${h.url}/tab/case?caseId=${caseId}`);
  await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();

  // Parties: link her as opposing counsel.
  await staff.getByRole('tab', { name: 'Parties' }).click();
  await staff.getByRole('combobox', { name: 'Link a contact' }).click();
  await staff.getByRole('combobox', { name: 'Link a contact' }).pressSequentially('Olga');
  await staff.getByRole('option', { name: /Olga Opposing/ }).click();
  await staff.getByRole('combobox', { name: 'Role in this case' }).click();
  await staff.getByRole('option', { name: 'Opposing counsel' }).click();
  await staff.getByRole('button', { name: 'Link', exact: true }).click();
  const row = staff.locator('[data-testid=party-row][data-name="Olga Opposing"]');
  await row.waitFor();
  expect(await row.getByRole('combobox', { name: 'Role of Olga Opposing in this case' }).innerText()).toContain('Opposing counsel');

  // Inviting her asks first.
  await row.getByRole('switch', { name: 'Portal access for Olga Opposing' }).click();
  await row.getByTestId('guardrail-warning').filter({ hasText: 'Olga Opposing is opposing counsel in PI-2026-014' }).waitFor();
  await row.getByTestId('confirm-reason').fill('Protocol exchange agreed with the client');
  await row.getByRole('button', { name: 'Confirm and invite' }).click();
  await row.getByRole('switch', { name: 'Portal access for Olga Opposing', checked: true }).waitFor();

  // Documents: select one and share it with her.
  await staff.getByRole('tab', { name: 'Documents' }).click();
  await staff.locator('[data-testid=doc-node][data-title="Police report.pdf"]').getByRole('checkbox').first().check();
  await staff.getByTestId('doc-actions').click();
  await staff.getByRole('menuitem', { name: 'Share…' }).click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('checkbox', { name: 'Olga Opposing' }).check();
  await dialog.getByRole('button', { name: 'Share', exact: true }).click();

  const warning = dialog.getByTestId('guardrail-warning');
  await warning.waitFor();
  expect(await warning.innerText()).toContain('Olga Opposing is opposing counsel in PI-2026-014');
  // Nothing is shared yet, and the action waits for a reason.
  const go = dialog.getByTestId('pick-contacts-go');
  expect(await go.innerText()).toBe('Confirm and share');
  expect(await go.isDisabled()).toBe(true);
  expect(await staff.locator('[data-testid=doc-node][data-title="Police report.pdf"] [data-testid=shared-label]').filter({ hasText: 'Olga Opposing' }).count()).toBe(0);
  await staff.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'staff-share-guardrail-warning');

  await dialog.getByTestId('confirm-reason').fill('Disclosure under the agreed protocol');
  expect(await go.isDisabled()).toBe(false);
  await go.click();
  await dialog.waitFor({ state: 'detached' });
  await staff.locator('[data-testid=doc-node][data-title="Police report.pdf"] [data-testid=shared-label]').filter({ hasText: 'Olga Opposing' }).waitFor();

  const audit = await api<Array<{ action: string; reason: string | null; data: { confirmedAction?: string } }>>(staff, 'GET', '/audit?action=sharing.confirmed');
  expect(audit.map((e) => [e.data.confirmedAction, e.reason])).toEqual([
    ['items.shared', 'Disclosure under the agreed protocol'],
    ['portal.enabled', 'Protocol exchange agreed with the client'],
  ]);
});
