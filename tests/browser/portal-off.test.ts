/**
 * Switching a guest's portal access off, in a real browser: the switch first says what will be
 * withdrawn (each access in words), "Keep access" changes nothing, and only the confirmation
 * switches it off and withdraws every grant. The dialog passes axe at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { apiGet, type Harness, screenshot, startHarness, axeSerious } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
let john: { id: string; name: string };

interface Contact {
  id: string;
  name: string;
  portalAccess: boolean;
}

const grantsOfJohn = () => apiGet<Array<{ grant: { id: string } }>>(staff, `/contacts/${john.id}/access`);

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  john = (await apiGet<Contact[]>(staff, '/contacts')).find((c) => c.name === 'John Smith') as Contact;
  expect(john).toBeDefined();
});

afterAll(async () => {
  await h?.close();
});

test('the portal switch names what will be withdrawn; keeping access changes nothing', async () => {
  const before = await grantsOfJohn();
  expect(before.length).toBeGreaterThan(0);
  await staff.goto(`${h.url}/tab/firm/guests/${john.id}`);
  await staff.getByRole('heading', { name: 'John Smith' }).waitFor();
  await staff.getByRole('switch', { name: 'Portal access on' }).click();

  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('heading', { name: 'Switch off portal access for John Smith?' }).waitFor();
  const what = dialog.getByTestId('portal-off-what');
  await what.waitFor();
  // Each access is listed in words, up to eight, and the button counts them all.
  await what
    .getByText(/^John Smith \(.+\) sees /)
    .first()
    .waitFor();
  expect(await what.locator('li').count()).toBe(before.length > 8 ? 9 : before.length);
  await dialog.getByRole('button', { name: `Switch off and withdraw ${before.length}` }).waitFor();
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'portal-off-dialog');
  await staff.setViewportSize({ width: 375, height: 800 });
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'portal-off-dialog-375');
  await staff.setViewportSize({ width: 1280, height: 900 });

  await dialog.getByRole('button', { name: 'Keep access' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await staff.getByRole('switch', { name: 'Portal access on' }).isChecked()).toBe(true);
  expect((await grantsOfJohn()).map((e) => e.grant.id).sort()).toEqual(before.map((e) => e.grant.id).sort());
  expect((await apiGet<Contact>(staff, `/contacts/${john.id}`)).portalAccess).toBe(true);
});

test('confirming switches portal access off and withdraws every grant', async () => {
  const before = await grantsOfJohn();
  await staff.getByRole('switch', { name: 'Portal access on' }).click();
  const dialog = staff.getByRole('dialog');
  await dialog.getByRole('button', { name: `Switch off and withdraw ${before.length}` }).click();
  await dialog.waitFor({ state: 'detached' });
  await staff.getByText('Portal access switched off for John Smith.').waitFor();
  await staff.getByRole('switch', { name: 'Portal access off' }).waitFor();
  expect((await apiGet<Contact>(staff, `/contacts/${john.id}`)).portalAccess).toBe(false);
  expect(await grantsOfJohn()).toEqual([]);

  // Switching back on asks nothing (it invites again) and brings no access back.
  await staff.getByRole('switch', { name: 'Portal access off' }).click();
  await staff.getByRole('switch', { name: 'Portal access on' }).waitFor();
  expect(await grantsOfJohn()).toEqual([]);
});
