/**
 * Guests read Office documents in the portal through SharePoint's preview
 * (learn.microsoft.com/graph/api/driveitem-preview), asked with their own token: a guest on a
 * phone (375 px) opens a .docx shared with them (Dr. Maya Chen's case grant on the case) and sees
 * its name and text in a frame titled after it, without downloading it. axe finds nothing serious
 * or critical; screenshots at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { docxBytes } from '../support/office-files';
import { apiGet, caseIdsByNumber, type Harness, screenshot, axeSerious, startHarness, waitForApiToken } from './harness';

jest.setTimeout(420_000);

const CASE = { number: 'PI-2026-014', title: 'Smith v. Metro Transit' };
const DOCX = 'Expert instructions.docx';
const DOCX_TEXT = 'Please examine the left knee and report by Friday.';
let h: Harness;
let staff: Page;
let caseId: string;

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  caseId = (await caseIdsByNumber(staff))[CASE.number];
  // The case folder is set up in SharePoint by the outbox: wait until an upload there is taken.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const detail = await apiGet<{ setup?: { state: string } }>(staff, `/cases/${caseId}`);
    if (!detail.setup || detail.setup.state === 'ready') break;
    if (Date.now() > deadline) throw new Error(`the case was never set up in SharePoint: ${JSON.stringify(detail.setup)}`);
    await staff.waitForTimeout(500);
  }
  const token = await waitForApiToken(staff);
  const bytes = await docxBytes([DOCX_TEXT]);
  const status = await staff.evaluate(
    async ({ path, token, name, bytes }) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }), name);
      return (await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form })).status;
    },
    { path: `/api/cases/${caseId}/files`, token, name: DOCX, bytes: [...bytes] },
  );
  expect(status).toBe(201);
});

afterAll(async () => {
  await h?.close();
});

test("a guest on a phone opens a shared .docx and reads it in SharePoint's preview, framed in the portal", async () => {
  const { page: guest, context } = await h.signIn('Dr. Maya Chen', `/tab/portal/cases/${caseId}`, { width: 375, height: 812 });
  await guest.getByRole('heading', { name: CASE.title }).waitFor({ timeout: 60_000 });
  await guest.getByRole('tab', { name: 'Documents' }).click();
  const frameTitle = `Preview of ${DOCX}`;
  // Files reach SharePoint (and the guest's inherited permission there) in the background: until
  // then the preview says so, and the guest tries again, as a person would, up to a generous limit.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const asked = guest.waitForResponse((res) => res.url().endsWith('/preview') && res.request().method() === 'POST', { timeout: 60_000 });
    await guest.getByRole('button', { name: `Preview ${DOCX}` }).click();
    const answer = await asked;
    // The portal's own route, asked with the guest's token (never the staff route).
    expect(answer.url()).toContain(`/api/portal/cases/${caseId}/documents/`);
    if (answer.status() === 200) break;
    if (Date.now() > deadline) throw new Error(`the guest could not open the shared document in time (last answer ${answer.status()})`);
    await guest.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await guest.getByRole('dialog').waitFor({ state: 'hidden' });
    await guest.waitForTimeout(1000);
  }
  const frame = guest.getByTitle(frameTitle);
  await frame.waitFor({ timeout: 60_000 });
  expect(await frame.evaluate((element) => element.tagName)).toBe('IFRAME');
  expect(new URL((await frame.getAttribute('src')) ?? '').origin).toBe(new URL(h.sim.httpUrl).origin);
  const inside = guest.frameLocator(`iframe[title="${frameTitle}"]`);
  await inside.getByRole('heading', { name: DOCX }).waitFor({ timeout: 60_000 });
  await inside.getByText(DOCX_TEXT).waitFor();

  expect(await axeSerious(guest)).toEqual([]);
  await screenshot(guest, 'portal-office-preview-375');
  await guest.setViewportSize({ width: 1280, height: 900 });
  expect(await axeSerious(guest)).toEqual([]);
  await screenshot(guest, 'portal-office-preview-1280');
  await guest.getByRole('button', { name: 'Close', exact: true }).click();
  await guest.getByRole('dialog').waitFor({ state: 'detached' });
  await context.close();
});
