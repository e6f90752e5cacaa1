/**
 * Issue 12 (G4) in a real browser: staff close a case from its header through a dialog that first
 * shows who loses what, and the guest's portal stops showing that case (her other case stays).
 * axe on the dialog; screenshots of the dialog and of the portal after.
 */
import { apiGet, axeSerious, type Harness, screenshot, startHarness, caseIdsByNumber } from './harness';

jest.setTimeout(240_000);

let h: Harness;
const cases: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

test('staff close a case through the previewing dialog, and the guest portal no longer shows it', async () => {
  const { page: staff, context: staffContext } = await h.signIn('Alex Hartley', '/tab/firm/clients');
  Object.assign(cases, await caseIdsByNumber(staff));
  const lease = cases['COM-2026-007'];

  // Olivia Park holds a client grant over both Northwind cases: she sees both before the close.
  const { page: olivia, context: oliviaContext } = await h.signIn('Olivia Park', '/tab/portal');
  await olivia.getByText('Northwind v. Contoso (supply contract)').waitFor();
  await olivia.getByText('Northwind warehouse lease review').waitFor();

  await staff.goto(`${h.url}/tab/case?caseId=${lease}`);
  await staff.getByRole('heading', { name: /Northwind warehouse lease review/ }).waitFor();
  await staff.getByTestId('close-case-button').click();
  const dialog = staff.getByRole('dialog', { name: /Close case COM-2026-007/ });
  await dialog.getByTestId('close-case-preview').waitFor();
  const summary = await dialog.getByTestId('close-case-preview').innerText();
  expect(summary).toMatch(/lose access at once|loses access at once/);
  const guests = await dialog.getByTestId('close-case-guest').allInnerTexts();
  const oliviaRow = guests.find((g) => g.startsWith('Olivia Park'));
  expect(oliviaRow).toMatch(/Documents/);
  expect(oliviaRow).toMatch(/uploading/);
  await staff.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'case-close-dialog');

  // Nothing is applied until staff confirm.
  expect((await apiGet<{ closedAt: string | null }>(staff, `/cases/${lease}`)).closedAt).toBeNull();
  await dialog.getByRole('textbox', { name: /Reason/ }).fill('Lease review delivered');
  await dialog.getByTestId('close-case-confirm').click();
  await staff.getByTestId('case-closed-note').waitFor();
  expect(await staff.getByTestId('close-case-button').innerText()).toMatch(/Reopen case/);
  expect(await staff.getByTestId('share-button').isDisabled()).toBe(true);

  await olivia.reload();
  await olivia.getByText('Northwind v. Contoso (supply contract)').waitFor();
  expect(await olivia.getByText('Northwind warehouse lease review').count()).toBe(0);
  await screenshot(olivia, 'case-close-portal-after');
  // The closed case's own page is not found for her, as any case she cannot see.
  await olivia.goto(`${h.url}/tab/portal/cases/${lease}`);
  await olivia.getByTestId('not-found').waitFor();

  await oliviaContext.close();
  await staffContext.close();
});
