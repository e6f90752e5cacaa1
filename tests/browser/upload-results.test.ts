/**
 * What a guest sees after uploading, in a real browser: a zip with operating-system clutter and
 * a refused entry shows each refused file with its reason and one line for the clutter left out,
 * and a file with an accented name arrives with that name (Chromium sends it as UTF-8).
 */
import type { Page } from 'playwright-core';
import { textZip } from '../stress/support/hostile-zip';
import { axeSerious, caseIdsByNumber, type Harness, screenshot, startHarness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let olivia: Page;

/** Uploads one file from the portal's Documents panel and waits for its row to finish. */
async function uploadFromPortal(file: { name: string; mimeType: string; buffer: Buffer }) {
  await olivia.getByTestId('file-input').setInputFiles(file);
  const row = olivia.getByTestId('upload-row').filter({ hasText: file.name });
  await row.and(olivia.locator('[data-status=done], [data-status=failed]')).waitFor({ timeout: 60_000 });
  return row;
}

beforeAll(async () => {
  h = await startHarness();
  const { page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients');
  const contract = (await caseIdsByNumber(staff))['COM-2026-003'];
  ({ page: olivia } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract}`));
  await olivia.getByRole('heading', { name: /Northwind v\. Contoso/ }).waitFor();
  await olivia.getByRole('tab', { name: 'Documents' }).click();
  await olivia.getByTestId('drop-zone').waitFor();
});

afterAll(async () => {
  await h?.close();
});

test('a zip with clutter and a refused entry: stored files counted, the refused one listed with its reason, the clutter summed up', async () => {
  const zip = await textZip({
    'inspection/report.txt': 'Inspection on 3 April.',
    '__MACOSX/inspection/._report.txt': 'resource fork',
    'inspection/.DS_Store': 'folder settings',
    'inspection/tool.exe': 'MZ',
  });
  const row = await uploadFromPortal({ name: 'inspection.zip', mimeType: 'application/zip', buffer: zip });
  expect(await row.getAttribute('data-status')).toBe('done');
  const notes = row.getByTestId('upload-archive-notes');
  await expect(notes.innerText()).resolves.toMatch(/1 file stored; 1 not accepted/);
  expect(await row.getByTestId('upload-refused').allInnerTexts()).toEqual(['inspection/tool.exe: .exe files are not accepted']);
  await expect(row.getByTestId('upload-skipped').innerText()).resolves.toMatch(/Left out 2 system files .*__MACOSX.*\.DS_Store/);
  expect(await axeSerious(olivia)).toEqual([]);
  await screenshot(olivia, 'portal-upload-refused-entries');
});

test('a file with an accented name keeps it', async () => {
  const row = await uploadFromPortal({ name: 'García – informe.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 informe') });
  expect({ status: await row.getAttribute('data-status'), text: await row.innerText() }).toMatchObject({ status: 'done' });
  // Reloaded from the server: the document list shows the name exactly as the browser sent it.
  await olivia.reload();
  await olivia.getByRole('tab', { name: 'Documents' }).click();
  await olivia.getByText('García – informe.pdf').first().waitFor({ timeout: 30_000 });
  expect(await olivia.getByText(/GarcÃ/).count()).toBe(0);
});
