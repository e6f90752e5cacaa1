/**
 * Issue 14 in a real browser: everything a paralegal does to a case's items from the staff tab,
 * without the API. Each document, folder, note, event and invoice has a "More actions for <name>"
 * menu: open (the bytes SharePoint holds, in the preview), download (the exact bytes), rename
 * (SharePoint renames it; a name already in the folder is refused and nothing changes), move,
 * delete (the dialog names who loses it, and the guest does), share per person, and the Teams
 * link (clipboard, or a field to copy by hand when the clipboard is refused). A folder's "All
 * files" box selects its documents; the bulk share shows a count, progress, and a result that
 * stays on the page. axe finds nothing serious or critical on any menu or dialog; screenshots at
 * 1280 and 375 px.
 */
import { promises as fs } from 'node:fs';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { demoPlaceholderFor } from '../../src/demo/placeholder-files';
import { api, apiGet, caseIdsByNumber, dismissDialogs, type Harness, screenshot, axeSerious, startHarness, waitForApiToken } from './harness';

jest.setTimeout(420_000);

const CASE = { number: 'PI-2026-014', title: 'Smith v. Metro Transit' };
let h: Harness;
let staffContext: BrowserContext;
let staff: Page;
let john: Page;
let knee: string;

interface SimDriveItem {
  id: string;
  name: string;
  parentId: string | null;
  deletedDateTime: string | null;
  kind: string;
}
/** The simulator's SharePoint as it stands: live drive items by name (its admin state, not CaseRoom's store). */
async function sharePointNames(): Promise<Map<string, SimDriveItem>> {
  const res = await fetch(`${h.sim.httpUrl}/_admin/state`);
  const state = (await res.json()) as { items: Record<string, SimDriveItem> };
  return new Map(
    Object.values(state.items)
      .filter((i) => !i.deletedDateTime)
      .map((i) => [i.name, i]),
  );
}

const itemsOfCase = async () => (await apiGet<{ items: Array<{ id: string; title: string; kind: string; parentId: string | null }> }>(staff, `/cases/${knee}/items`)).items;
const idOf = async (title: string) => (await itemsOfCase()).find((i) => i.title === title)?.id as string;
const johnsDocuments = async () => ((await apiGet<{ documents?: Array<{ title: string }> }>(john, `/portal/cases/${knee}`)).documents ?? []).map((d) => d.title);
const row = (title: string) => staff.locator(`[data-testid=doc-node][data-title="${title}"]`);

/** axe on the page as it is now, then screenshots at 1280 and 375 px (axe again at 375), back to 1280. */
async function measure(name: string): Promise<void> {
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, `items-${name}-1280`);
  await staff.setViewportSize({ width: 375, height: 812 });
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, `items-${name}-375`);
  await staff.setViewportSize({ width: 1280, height: 900 });
}

async function openMenu(title: string): Promise<void> {
  await staff.getByRole('button', { name: `More actions for ${title}`, exact: true }).click();
  await staff.getByRole('menu').waitFor();
}

async function choose(title: string, action: string): Promise<void> {
  await openMenu(title);
  await staff.getByRole('menuitem', { name: action, exact: true }).click();
}

async function openDocuments(): Promise<void> {
  await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
  await staff.getByRole('heading', { name: CASE.title }).waitFor();
  await row('Police report.pdf').waitFor();
}

/** The demo documents reach SharePoint through provisioning: wait until the tab can read this one. */
async function waitForContent(itemId: string): Promise<void> {
  const token = await waitForApiToken(staff);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = await staff.evaluate(async ({ path, token }) => (await fetch(path, { headers: { Authorization: `Bearer ${token}` } })).status, { path: `/api/cases/${knee}/documents/${itemId}/content`, token });
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the document ${itemId} never reached SharePoint (last answer ${status})`);
    await staff.waitForTimeout(500);
  }
}

/** Polls until `check` holds for what `read` answers (generous limit: the guest's access follows through the outbox). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (check(value)) return;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff, context: staffContext } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  knee = (await caseIdsByNumber(staff))[CASE.number];
  ({ page: john } = await h.signIn('John Smith', '/tab/portal'));
  await waitForContent(await idOf('Police report.pdf'));
  await waitForContent(await idOf('Knee MRI report.pdf'));
  await openDocuments();
});

afterEach(() => dismissDialogs(staff));

afterAll(async () => {
  await h?.close();
});

test('documents show when they were modified and their size; the menu opens with every action', async () => {
  const meta = await row('Police report.pdf').getByTestId('doc-meta').innerText();
  expect(meta).toMatch(/^Modified .+ · \d+(\.\d)? (B|KB|MB)$/);
  await openMenu('Police report.pdf');
  const names = await staff.getByRole('menuitem').allInnerTexts();
  expect(names).toEqual(['Open / preview', 'Download', 'Rename…', 'Move…', 'Share or unshare…', 'Copy Teams link', 'Delete…']);
  await measure('menu');
  await staff.keyboard.press('Escape');
  // On a phone every row's menu button is on screen (the row wraps rather than pushing it off the side).
  await staff.setViewportSize({ width: 375, height: 812 });
  for (const button of await staff.getByRole('button', { name: /^More actions for / }).all()) {
    const box = await button.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
  }
  await staff.setViewportSize({ width: 1280, height: 900 });
});

test('open previews the bytes SharePoint holds, and download saves exactly those bytes', async () => {
  const expected = demoPlaceholderFor({ title: 'Police report.pdf' }, CASE).content;
  const policeId = await idOf('Police report.pdf');
  // The tab reads the bytes through the staff download path (SharePoint, with Alex's own token) and shows them in the preview frame.
  let received: Buffer = Buffer.alloc(0);
  await staff.route(`**/api/cases/${knee}/documents/${policeId}/content`, async (route: Route) => {
    const response = await route.fetch();
    received = await response.body();
    await route.fulfill({ response, body: received });
  });
  await choose('Police report.pdf', 'Open / preview');
  const frame = staff.getByTitle('Preview of Police report.pdf');
  await frame.waitFor();
  expect(((await frame.getAttribute('src')) ?? '').startsWith('blob:')).toBe(true);
  expect(received.toString('latin1')).toBe(expected.toString('latin1'));
  await staff.unroute(`**/api/cases/${knee}/documents/${policeId}/content`);
  await measure('preview');
  await staff.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  const [download] = await Promise.all([staff.waitForEvent('download'), choose('Police report.pdf', 'Download')]);
  expect(download.suggestedFilename()).toBe('Police report.pdf');
  expect((await fs.readFile(await download.path())).toString('latin1')).toBe(expected.toString('latin1'));
});

test('rename shows in the tab and in SharePoint; a name already in the folder is refused and nothing changes', async () => {
  await choose('Orthopaedic consult.pdf', 'Rename…');
  const dialog = staff.getByRole('dialog');
  await dialog.getByTestId('rename-input').fill('Ortho consult 2026.pdf');
  await measure('rename');
  await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await row('Ortho consult 2026.pdf').waitFor();
  await staff.getByText('“Orthopaedic consult.pdf” is now “Ortho consult 2026.pdf”.').waitFor();
  const names = await sharePointNames();
  expect(names.has('Ortho consult 2026.pdf')).toBe(true);
  expect(names.has('Orthopaedic consult.pdf')).toBe(false);

  // The MRI report sits in the same folder: SharePoint refuses the duplicate (409), the dialog says so and stays.
  await choose('Knee MRI report.pdf', 'Rename…');
  await dialog.getByTestId('rename-input').fill('Ortho consult 2026.pdf');
  await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
  await dialog.getByRole('alert').filter({ hasText: 'already exists in that folder in SharePoint' }).waitFor();
  await measure('rename-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await row('Knee MRI report.pdf').count()).toBe(1);
  expect((await sharePointNames()).has('Knee MRI report.pdf')).toBe(true);
});

test('move puts a document into another folder of the case, in the tab and in SharePoint', async () => {
  await choose('Police report.pdf', 'Move…');
  const dialog = staff.getByRole('dialog');
  await dialog.getByTestId('move-to').click();
  await staff.getByRole('option', { name: 'Medical records' }).click();
  await measure('move');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await row('Medical records').locator('[data-testid=doc-node][data-title="Police report.pdf"]').waitFor();
  const names = await sharePointNames();
  expect(names.get('Medical records')?.kind).toBe('folder');
  expect(names.get('Police report.pdf')?.parentId).toBe(names.get('Medical records')?.id);
});

test('share and unshare one document per person from its menu; the guest gains and loses it', async () => {
  expect(await johnsDocuments()).not.toContain('Police report.pdf');
  await choose('Police report.pdf', 'Share or unshare…');
  const dialog = staff.getByRole('dialog');
  const tick = dialog.getByRole('group', { name: 'Share Police report.pdf with' }).getByRole('checkbox', { name: 'John Smith' });
  await tick.check();
  await dialog.getByRole('checkbox', { name: 'John Smith', checked: true }).waitFor();
  await measure('share');
  await eventually(johnsDocuments, (d) => d.includes('Police report.pdf'), 'John sees the police report');
  await tick.uncheck();
  await dialog.getByRole('checkbox', { name: 'John Smith', checked: false }).waitFor();
  await eventually(johnsDocuments, (d) => !d.includes('Police report.pdf'), 'John no longer sees the police report');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
});

test('copy Teams link writes the item link to the clipboard, or shows it to copy by hand when refused', async () => {
  const itemId = await idOf('Knee MRI report.pdf');
  const expected = `${h.url}/tab/case?caseId=${knee}&itemId=${itemId}`;
  await staffContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
  await choose('Knee MRI report.pdf', 'Copy Teams link');
  await staff.getByText('Teams link copied to the clipboard.').waitFor();
  expect(await staff.evaluate(() => navigator.clipboard.readText())).toBe(expected);

  // A browser that refuses the clipboard: the link is shown in a read-only field.
  await staff.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  });
  await choose('Knee MRI report.pdf', 'Copy Teams link');
  const field = staff.getByRole('dialog').getByTestId('link-by-hand');
  await field.waitFor();
  expect(await field.inputValue()).toBe(expected);
  expect(await field.getAttribute('readonly')).not.toBeNull();
  await measure('link-by-hand');
  await staff.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
});

test('select all in a folder, then bulk share: a count, progress while it runs, a result that stays (refusals with their reason)', async () => {
  // The consult is made staff-only first: the bulk share must list it as refused, with why.
  await api(staff, 'PATCH', `/items/${await idOf('Ortho consult 2026.pdf')}`, { staffOnly: true });
  await openDocuments();
  const all = staff.getByRole('checkbox', { name: 'Select all in Medical records' });
  await all.check();
  const inFolder = ['Knee MRI report.pdf', 'Ortho consult 2026.pdf', 'Police report.pdf'];
  await staff.getByTestId('doc-actions').filter({ hasText: '(3 selected)' }).waitFor();
  // Unticking one makes the folder's box mixed; ticking it again selects all three.
  await row('Police report.pdf').getByRole('checkbox').first().uncheck();
  expect(await all.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);
  await all.click();
  await staff.getByTestId('doc-actions').filter({ hasText: '(3 selected)' }).waitFor();

  await staff.getByTestId('doc-actions').click();
  await staff.getByRole('menuitem', { name: 'Share…' }).click();
  const dialog = staff.getByRole('dialog');
  expect(await dialog.getByTestId('bulk-summary').getByText('3 documents', { exact: true }).count()).toBe(1);
  expect(await dialog.getByTestId('bulk-names').count()).toBe(0);
  await dialog.getByRole('button', { name: 'Show the names' }).click();
  expect((await dialog.getByTestId('bulk-names').getByRole('listitem').allInnerTexts()).sort()).toEqual(inFolder);
  await dialog.getByRole('checkbox', { name: 'John Smith' }).check();
  await measure('bulk-share');

  // The share request is held until the progress has been seen, so a fast machine cannot skip it.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await staff.route('**/api/shares', async (route: Route) => {
    await held;
    await route.continue();
  });
  await dialog.getByTestId('pick-contacts-go').click();
  await dialog.getByTestId('bulk-progress').filter({ hasText: '0 of 2 done' }).waitFor();
  expect(await dialog.getByRole('progressbar').count()).toBe(1);
  await measure('bulk-progress');
  release();
  await dialog.waitFor({ state: 'detached' });
  await staff.unroute('**/api/shares');

  const result = staff.getByTestId('bulk-result');
  await result.waitFor();
  const text = await result.innerText();
  expect(text).toContain('Shared 2 items with John Smith.');
  expect(text).toContain('1 item was not changed:');
  expect(text).toContain('Ortho consult 2026.pdf: staff-only: never shared with guests');
  await measure('bulk-result');
  await eventually(johnsDocuments, (d) => d.includes('Police report.pdf') && d.includes('Knee MRI report.pdf'), 'John sees both shared documents');
  expect(await johnsDocuments()).not.toContain('Ortho consult 2026.pdf');
});

test('delete names who loses access, and the guest loses it', async () => {
  expect(await johnsDocuments()).toContain('Knee MRI report.pdf');
  await choose('Knee MRI report.pdf', 'Delete…');
  const dialog = staff.getByRole('dialog');
  // John holds it by an item share; Dr. Maya Chen through her case access.
  expect(await dialog.getByTestId('delete-who').innerText()).toBe('Dr. Maya Chen, John Smith will lose access: their shares of it end.');
  await measure('delete');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await staff.getByText('Deleted “Knee MRI report.pdf”.').waitFor();
  expect(await row('Knee MRI report.pdf').count()).toBe(0);
  await eventually(johnsDocuments, (d) => !d.includes('Knee MRI report.pdf'), 'John no longer sees the deleted report');
  expect((await sharePointNames()).has('Knee MRI report.pdf')).toBe(false);
});

test('a note is deleted from its menu after a confirmation', async () => {
  const NOTE = 'Internal: settlement range';
  await staff.getByRole('tab', { name: 'Notes' }).click();
  await staff.locator(`[data-testid=note-card][data-title="${NOTE}"]`).waitFor();
  await openMenu(NOTE);
  expect(await staff.getByRole('menuitem').allInnerTexts()).toEqual(['Edit…', 'Share or unshare…', 'Copy Teams link', 'Delete…']);
  await measure('note-menu');
  await staff.getByRole('menuitem', { name: 'Delete…' }).click();
  const dialog = staff.getByRole('dialog');
  // Nobody sees this internal note (Dr. Maya Chen's case access shows documents and events only).
  expect(await dialog.getByTestId('delete-who').innerText()).toBe('No guest has it shared with them.');
  await measure('note-delete');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await staff.getByText(`Deleted “${NOTE}”.`).waitFor();
  expect(await staff.locator(`[data-testid=note-card][data-title="${NOTE}"]`).count()).toBe(0);
  expect((await itemsOfCase()).some((i) => i.title === NOTE)).toBe(false);
});
