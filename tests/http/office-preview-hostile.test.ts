import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentPreviewLink, UploadAnswer } from '../../src/contract';
import { uploadAnswer } from '../integration/harness';
import { docxBytes } from '../support/office-files';
import { callApi } from '../support/http';
import { otherTenantDocument, startUploadWorld, type UploadWorld } from '../stress/support/m365-world';

/**
 * POST /api/cases/{caseId}/documents/{itemId}/preview (SharePoint's preview of an Office document)
 * against callers and ids that should get nothing: a guest, no token, another tenant's ids, an item
 * of another case, a folder, ids that are not ids. Only staff, for a document of that case, get a URL.
 */
let w: UploadWorld;
let documentId: string;
let otherCaseDocumentId: string;
const preview = (caseId: string, itemId: string, token: string | null) => callApi(w.app.url, 'POST', `/api/cases/${caseId}/documents/${itemId}/preview`, token, {});

async function uploadDocx(caseId: string, name: string, text: string): Promise<string> {
  const res = await uploadAnswer(w.app, `/api/cases/${caseId}/files`, w.firm.staffToken, [{ name: 'file', filename: name, content: await docxBytes([text]) }]);
  expect(res.status).toBe(201);
  return (res.body as UploadAnswer).files[0].id;
}

beforeAll(async () => {
  w = await startUploadWorld();
  documentId = await uploadDocx(w.case.id, 'Settlement draft.docx', 'Confidential settlement terms');
  const { sharing } = w.app.app.services;
  const otherCase = await sharing.createCase(w.firm.actor, { clientId: w.case.clientId, number: 'UP-2', title: 'Another matter', assignedStaffId: null, budgetCents: null });
  await w.app.settle();
  otherCaseDocumentId = await uploadDocx(otherCase.id, 'Other matter.docx', 'Other matter text');
}, 180_000);
afterAll(async () => {
  await w?.close();
});

describe('office preview: hostile callers', () => {
  it("gives staff SharePoint's short-lived page of the document, which shows its name and text", async () => {
    const res = await preview(w.case.id, documentId, w.firm.staffToken);
    expect(res.status).toBe(200);
    const { url } = res.body as DocumentPreviewLink;
    expect(url.startsWith(`${w.sim.sim.httpUrl}/`)).toBe(true);
    const page = await (await fetch(url)).text();
    expect(page).toContain('Settlement draft.docx');
    expect(page).toContain('Confidential settlement terms');
  });

  it('is for staff only: a guest of the case gets 403, no token 401', async () => {
    expect((await preview(w.case.id, documentId, w.guest.token)).status).toBe(403);
    expect((await preview(w.case.id, documentId, null)).status).toBe(401);
  });

  it('is a 404 for an item of another case, asked under this case', async () => {
    const res = await preview(w.case.id, otherCaseDocumentId, w.firm.staffToken);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('http');
  });

  it("is a 404 for another tenant's case and document, even with their real ids", async () => {
    const other = await otherTenantDocument(w);
    expect((await preview(other.caseId, other.itemId, w.firm.staffToken)).status).toBe(404);
    // Their document under our case id, and our document under their case id.
    expect((await preview(w.case.id, other.itemId, w.firm.staffToken)).status).toBe(404);
    expect((await preview(other.caseId, documentId, w.firm.staffToken)).status).toBe(404);
  });

  it('refuses a folder with 400 (a folder has no preview), and SharePoint is not asked', async () => {
    const folder = await callApi(w.app.url, 'POST', `/api/cases/${w.case.id}/items`, w.firm.staffToken, { kind: 'folder', title: 'Pleadings', parentId: null });
    expect(folder.status).toBe(201);
    await w.sim.sim.admin.resetStats();
    const res = await preview(w.case.id, folder.body.id as string, w.firm.staffToken);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((await w.sim.sim.admin.graphCalls()).filter((call) => call.path.endsWith('/preview'))).toEqual([]);
  });

  it.each(['not-an-id', '..%2F..%2Fetc%2Fpasswd', `${randomUUID()}x`, randomUUID(), "1' OR '1'='1"])('is a 404 for a bad or unknown item id (%#)', async (bad) => {
    const res = await preview(w.case.id, bad, w.firm.staffToken);
    expect(res.status).toBe(404);
  });
});
