import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentPreviewLink, UploadAnswer } from '../../src/contract';
import { acceptedGuest, permissionsFor, uploadAnswer } from '../integration/harness';
import { docxBytes } from '../support/office-files';
import { callApi } from '../support/http';
import { otherTenantDocument, startUploadWorld, type UploadWorld } from '../stress/support/m365-world';

/**
 * POST /api/portal/cases/{caseId}/documents/{itemId}/preview: SharePoint's preview of a shared
 * Office document for a guest, asked with the guest's own token (learn.microsoft.com/graph/api/driveitem-preview,
 * "Caution": the URL acts as whoever asked for it). CaseRoom checks first, exactly as the portal's
 * download does: whatever the download refuses with 404, the preview refuses with 404, and
 * SharePoint is not even asked. A folder the guest can see is a 400; a staff token is refused.
 *
 * SharePoint's own permission, read through the guest's token, is the second check.
 *
 * Uma has a case grant on UP-1; Gina is linked to UP-2 and has one document of it shared item by item.
 */
let w: UploadWorld;
let gina: { userId: string; contactId: string; token: string };
let upTwoId: string;
let umaDocument: string;
let ginaDocument: string;
let unsharedInUpTwo: string;
const preview = (caseId: string, itemId: string, token: string | null) => callApi(w.app.url, 'POST', `/api/portal/cases/${caseId}/documents/${itemId}/preview`, token, {});
const download = async (caseId: string, itemId: string, token: string | null) => (await callApi(w.app.url, 'GET', `/api/portal/cases/${caseId}/documents/${itemId}/content`, token)).status;
const graphPreviewCalls = async () => (await w.sim.sim.admin.graphCalls()).filter((call) => call.path.endsWith('/preview'));

async function uploadDocx(caseId: string, name: string, text: string): Promise<string> {
  const res = await uploadAnswer(w.app, `/api/cases/${caseId}/files`, w.firm.staffToken, [{ name: 'file', filename: name, content: await docxBytes([text]) }]);
  expect(res.status).toBe(201);
  return (res.body as UploadAnswer).files[0].id;
}

/** The preview refused as the download refuses it (same status), with no URL and no Graph preview asked. */
async function refusedLikeDownload(caseId: string, itemId: string, token: string, status: number): Promise<void> {
  await w.sim.sim.admin.resetStats();
  const res = await preview(caseId, itemId, token);
  expect(res.status).toBe(status);
  expect(await download(caseId, itemId, token)).toBe(status);
  expect(JSON.stringify(res.body)).not.toContain('embed.aspx');
  expect(await graphPreviewCalls()).toEqual([]);
}

beforeAll(async () => {
  w = await startUploadWorld();
  const { sharing } = w.app.app.services;
  umaDocument = await uploadDocx(w.case.id, 'Witness statement.docx', 'The witness saw the red car first');
  const upTwo = await sharing.createCase(w.firm.actor, { clientId: w.case.clientId, number: 'UP-2', title: 'Another matter', assignedStaffId: null, budgetCents: null });
  upTwoId = upTwo.id;
  await w.app.settle();
  ginaDocument = await uploadDocx(upTwoId, 'Gina letter.docx', 'Dear Gina, the hearing is on Monday');
  unsharedInUpTwo = await uploadDocx(upTwoId, 'Internal strategy.docx', 'Settle below forty');
  gina = await acceptedGuest(w.sim, w.app, w.firm, { name: 'Gina Guest', email: 'gina@guest.example', clientId: w.case.clientId, caseId: upTwoId });
  await sharing.shareItems(w.firm.actor, { contactIds: [gina.contactId], itemIds: [ginaDocument], expiresAt: null, reason: null });
  await w.app.settle();
}, 240_000);
afterAll(async () => {
  await w?.close();
});

describe('portal office preview: hostile callers', () => {
  it("gives a guest SharePoint's short-lived page of a document shared with them, asked with their own token", async () => {
    await w.sim.sim.admin.resetStats();
    const res = await preview(upTwoId, ginaDocument, gina.token);
    expect(res.status).toBe(200);
    const { url } = res.body as DocumentPreviewLink;
    expect(url.startsWith(`${w.sim.sim.httpUrl}/`)).toBe(true);
    const page = await (await fetch(url)).text();
    expect(page).toContain('Gina letter.docx');
    expect(page).toContain('Dear Gina, the hearing is on Monday');
    // Exactly one Graph preview, made with a delegated token (Gina's, on behalf of), not app-only.
    expect((await graphPreviewCalls()).map((call) => call.tokenKind)).toEqual(['delegated']);
  });

  it("is a 404, as the download, for another guest's document: in its own case and under the guest's case", async () => {
    await refusedLikeDownload(upTwoId, ginaDocument, w.guest.token, 404);
    await refusedLikeDownload(w.case.id, ginaDocument, w.guest.token, 404);
    await refusedLikeDownload(w.case.id, umaDocument, gina.token, 404);
  });

  it('is a 404 for a document of a case the guest is linked to but that was not shared with them', async () => {
    await refusedLikeDownload(upTwoId, unsharedInUpTwo, gina.token, 404);
  });

  it("is a 404 for another tenant's case and document, even with their real ids", async () => {
    const other = await otherTenantDocument(w);
    await refusedLikeDownload(other.caseId, other.itemId, w.guest.token, 404);
    await refusedLikeDownload(w.case.id, other.itemId, w.guest.token, 404);
    await refusedLikeDownload(other.caseId, umaDocument, w.guest.token, 404);
  });

  it('is a 404 the moment a document is unshared, before SharePoint has been told', async () => {
    const again = await uploadDocx(upTwoId, 'Short-lived.docx', 'Shared for a moment');
    await w.app.app.services.sharing.shareItems(w.firm.actor, { contactIds: [gina.contactId], itemIds: [again], expiresAt: null, reason: null });
    await w.app.settle();
    expect((await preview(upTwoId, again, gina.token)).status).toBe(200);
    await w.app.app.services.sharing.unshareItems(w.firm.actor, { contactIds: [gina.contactId], itemIds: [again], reason: null });
    // No settle: SharePoint may still hold Gina's permission; CaseRoom's own check refuses first.
    await refusedLikeDownload(upTwoId, again, gina.token, 404);
  });

  it('never gives a staff-only document, even to a guest with a case grant', async () => {
    const memo = await uploadDocx(w.case.id, 'Partner notes.docx', 'Our honest view of the case');
    expect((await preview(w.case.id, memo, w.guest.token)).status).toBe(200);
    const marked = await callApi(w.app.url, 'PATCH', `/api/items/${memo}`, w.firm.staffToken, { staffOnly: true });
    expect(marked.status).toBe(200);
    await refusedLikeDownload(w.case.id, memo, w.guest.token, 404);
  });

  it('refuses a folder the guest can see with 400 (a folder has no preview), and one they cannot see with 404', async () => {
    const folder = await callApi(w.app.url, 'POST', `/api/cases/${w.case.id}/items`, w.firm.staffToken, { kind: 'folder', title: 'Pleadings', parentId: null });
    expect(folder.status).toBe(201);
    await w.app.settle();
    await w.sim.sim.admin.resetStats();
    const res = await preview(w.case.id, folder.body.id as string, w.guest.token);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await graphPreviewCalls()).toEqual([]);
    await refusedLikeDownload(w.case.id, folder.body.id as string, gina.token, 404);
  });

  it('is for guests only: a staff token gets 403 (as on the download), no token 401', async () => {
    await refusedLikeDownload(upTwoId, ginaDocument, w.firm.staffToken, 403);
    expect((await preview(upTwoId, ginaDocument, null)).status).toBe(401);
  });

  // Last: it takes Uma's permission away in SharePoint.
  it("is a 404 when CaseRoom allows it but SharePoint no longer does: Graph is asked with the guest's token and refuses", async () => {
    expect((await preview(w.case.id, umaDocument, w.guest.token)).status).toBe(200);
    // Someone removes Uma's permission on the case folder by hand in SharePoint (drift CaseRoom has not repaired).
    const held = await permissionsFor(w.sim, w.case.driveId as string, w.case.folderItemId as string, w.guest.userId);
    expect(held.length).toBeGreaterThan(0);
    for (const permission of held) expect((await w.sim.graph('DELETE', `/drives/${w.case.driveId}/items/${w.case.folderItemId}/permissions/${permission.id}`)).status).toBe(204);
    await w.sim.sim.admin.resetStats();
    const res = await preview(w.case.id, umaDocument, w.guest.token);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('embed.aspx');
    // SharePoint was asked, as Uma: an app-only call would have been given the page.
    expect((await graphPreviewCalls()).map((call) => call.tokenKind)).toEqual(['delegated']);
    expect(await download(w.case.id, umaDocument, w.guest.token)).toBe(404);
  });

  it.each(['not-an-id', '..%2F..%2Fetc%2Fpasswd', `${randomUUID()}x`, randomUUID(), "1' OR '1'='1"])('is a 404 for a bad or unknown item id (%#)', async (bad) => {
    expect((await preview(upTwoId, bad, gina.token)).status).toBe(404);
  });
});
