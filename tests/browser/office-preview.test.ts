/**
 * Issue 14, Office documents: staff open a .docx from the item menu and see SharePoint's preview
 * (learn.microsoft.com/graph/api/driveitem-preview) in a frame of the tab, titled with the
 * document's name, under the tab's CSP (frame-src admits the simulator's preview origin, as it
 * admits *.sharepoint.com with a tenant). A PDF still streams through the tab. axe finds nothing
 * serious or critical; screenshots at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { docxBytes } from '../support/office-files';
import { apiGet, caseIdsByNumber, dismissDialogs, type Harness, screenshot, axeSerious, startHarness, waitForApiToken } from './harness';

jest.setTimeout(420_000);

const CASE = { number: 'PI-2026-014', title: 'Smith v. Metro Transit' };
const DOCX = 'Engagement letter.docx';
const DOCX_TEXT = 'We are pleased to act for you in Smith v. Metro Transit.';
let h: Harness;
let staff: Page;
let caseId: string;
/** Every frame refusal Chromium reported (a CSP that does not admit the preview's origin shows up here). */
const refusals: string[] = [];

const row = (title: string) => staff.locator(`[data-testid=doc-node][data-title="${title}"]`);

async function openPreview(title: string): Promise<void> {
  await staff.getByRole('button', { name: `More actions for ${title}`, exact: true }).click();
  await staff.getByRole('menu').waitFor();
  await staff.getByRole('menuitem', { name: 'Open / preview', exact: true }).click();
}

/** Uploads through the staff API from inside the page, as the tab's upload does. */
async function uploadFromPage(name: string, bytes: Buffer): Promise<void> {
  const token = await waitForApiToken(staff);
  const status = await staff.evaluate(
    async ({ path, token, name, bytes }) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }), name);
      return (await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form })).status;
    },
    { path: `/api/cases/${caseId}/files`, token, name, bytes: [...bytes] },
  );
  expect(status).toBe(201);
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  staff.on('console', (message) => {
    if (/Refused to frame|frame-src/i.test(message.text())) refusals.push(message.text());
  });
  caseId = (await caseIdsByNumber(staff))[CASE.number];
  // The case folder is set up in SharePoint by the outbox: wait until an upload there is taken.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const detail = await apiGet<{ setup?: { state: string } }>(staff, `/cases/${caseId}`);
    if (!detail.setup || detail.setup.state === 'ready') break;
    if (Date.now() > deadline) throw new Error(`the case was never set up in SharePoint: ${JSON.stringify(detail.setup)}`);
    await staff.waitForTimeout(500);
  }
  await uploadFromPage(DOCX, await docxBytes([DOCX_TEXT]));
  await staff.goto(`${h.url}/tab/case?caseId=${caseId}`);
  await staff.getByRole('heading', { name: CASE.title }).waitFor();
  await row(DOCX).waitFor();
});

afterEach(() => dismissDialogs(staff));

afterAll(async () => {
  await h?.close();
});

test("staff open a .docx from the item menu and see SharePoint's preview in a frame named after it", async () => {
  const asked = staff.waitForResponse((res) => res.url().endsWith(`/preview`) && res.request().method() === 'POST', { timeout: 60_000 });
  await openPreview(DOCX);
  expect((await asked).status()).toBe(200);
  const frame = staff.getByTitle(`Preview of ${DOCX}`);
  await frame.waitFor({ timeout: 60_000 });
  expect(await frame.evaluate((element) => element.tagName)).toBe('IFRAME');
  // The page inside the frame is SharePoint's (the simulator's HTTP origin), showing the document.
  const inside = staff.frameLocator(`iframe[title="Preview of ${DOCX}"]`);
  await inside.getByRole('heading', { name: DOCX }).waitFor({ timeout: 60_000 });
  await inside.getByText(DOCX_TEXT).waitFor();
  expect(new URL((await frame.getAttribute('src')) ?? '').origin).toBe(new URL(h.sim.httpUrl).origin);
  expect(refusals).toEqual([]);

  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'office-preview-1280');
  await staff.setViewportSize({ width: 375, height: 812 });
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'office-preview-375');
  await staff.setViewportSize({ width: 1280, height: 900 });
  await staff.getByRole('button', { name: 'Close', exact: true }).click();
  await staff.getByRole('dialog').waitFor({ state: 'detached' });
});

test('a PDF still streams through the tab, with no call to SharePoint preview', async () => {
  const previews: string[] = [];
  const onRequest = (request: { url: () => string }) => void (request.url().endsWith('/preview') && previews.push(request.url()));
  staff.on('request', onRequest);
  const streamed = staff.waitForResponse((res) => /\/documents\/[^/]+\/content$/.test(res.url()), { timeout: 60_000 });
  await openPreview('Police report.pdf');
  expect((await streamed).status()).toBe(200);
  await staff.getByTitle('Preview of Police report.pdf').waitFor({ timeout: 60_000 });
  staff.off('request', onRequest);
  expect(previews).toEqual([]);
  await staff.getByRole('button', { name: 'Close', exact: true }).click();
});
