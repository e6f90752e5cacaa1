/**
 * Ethical walls in a real browser: a partner restricts a case to named staff through the case
 * header's dialog (axe on the dialog), the case then carries a visible "Restricted" badge, and a
 * staff member outside the wall finds it neither in the case list nor at its address.
 */
import { apiGet, axeSerious, caseIdsByNumber, type Harness, screenshot, startHarness } from './harness';

jest.setTimeout(240_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

test('staff restrict a case to named staff in the dialog; the badge shows and others no longer find it', async () => {
  const { page: alex, context: alexContext } = await h.signIn('Alex Hartley', '/tab/firm/clients');
  const cases = await caseIdsByNumber(alex);
  const lease = cases['COM-2026-007'];
  expect(lease).toBeDefined();

  await alex.goto(`${h.url}/tab/case?caseId=${lease}`);
  await alex.getByRole('heading', { name: /Northwind warehouse lease review/ }).waitFor();
  expect(await alex.getByTestId('restricted-badge').count()).toBe(0);
  await alex.getByTestId('restrict-button').click();
  const dialog = alex.getByRole('dialog', { name: /Restrict COM-2026-007 to named staff/ });
  await dialog.getByTestId('wall-staff').waitFor();
  // Alex stays inside (his own tick cannot be taken off); he adds Priya.
  const me = dialog.getByRole('checkbox', { name: /Alex Hartley.*you stay inside/ });
  expect(await me.isChecked()).toBe(true);
  expect(await me.isDisabled()).toBe(true);
  await dialog.getByRole('checkbox', { name: /Priya Raman/ }).check();
  expect(await dialog.getByRole('checkbox', { name: /Sam Lee/ }).isChecked()).toBe(false);
  await dialog.getByRole('textbox', { name: /Reason/ }).fill('Sam acted for the landlord');
  await alex.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  expect(await axeSerious(alex)).toEqual([]);
  await screenshot(alex, 'walls-dialog');

  await dialog.getByTestId('wall-save').click();
  await alex.getByTestId('restricted-badge').waitFor();
  expect(await alex.getByTestId('restricted-badge').innerText()).toMatch(/Restricted/);
  expect(await alex.getByTestId('restrict-button').innerText()).toMatch(/Change restriction/);
  const wall = await apiGet<{ restricted: boolean; staffIds: string[] }>(alex, `/cases/${lease}/wall`);
  expect(wall.restricted).toBe(true);
  expect(wall.staffIds).toHaveLength(2);
  // The page is measured once the dialog has gone (it hides the page from assistive technology while open).
  await dialog.waitFor({ state: 'detached' });
  expect(await axeSerious(alex)).toEqual([]);
  await screenshot(alex, 'walls-badge');

  // The clients page marks it too.
  await alex.goto(`${h.url}/tab/firm/clients`);
  await alex.getByTestId('case-restricted-badge').first().waitFor();

  // Sam Lee, outside the wall: not in his case list, and its address opens nothing.
  const { page: sam, context: samContext } = await h.signIn('Sam Lee', '/tab/firm/clients');
  await sam.getByText('Northwind v. Contoso (supply contract)').first().waitFor();
  expect(await sam.getByText('Northwind warehouse lease review').count()).toBe(0);
  expect(Object.keys(await caseIdsByNumber(sam))).not.toContain('COM-2026-007');
  await sam.goto(`${h.url}/tab/case?caseId=${lease}`);
  await sam.getByText(/This case does not exist in CaseRoom/).waitFor();
  expect(await sam.getByText('Northwind warehouse lease review').count()).toBe(0);

  await samContext.close();
  await alexContext.close();
});
