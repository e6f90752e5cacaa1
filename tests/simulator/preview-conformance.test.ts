/**
 * driveItem: preview (learn.microsoft.com/graph/api/driveitem-preview), as the simulator answers it:
 * the v1.0 CSDL's `itemPreviewInfo`, only the CSDL's parameters (`page`, `zoom`), the permission
 * reference's Files.Read(.All) family, SharePoint's permissions for delegated callers, and a
 * short-lived page a browser can frame.
 */
import { declaredAppRegistration } from '../../scripts/declared-app';
import { docxBytes } from '../support/office-files';
import { checkActionBody, checkEntity, loadCsdl, type CsdlModel } from './csdl';
import { useFixture } from './helpers';

const f = useFixture();
const model: CsdlModel = loadCsdl();

type GraphErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };
type PreviewInfo = { getUrl: string; postParameters: string | null; postUrl: string | null };

async function upload(path: string, bytes: Uint8Array | string): Promise<{ id: string; parentReference: { id: string } }> {
  const put = await f.graph<{ id: string; parentReference: { id: string } }>('PUT', `/drives/${f.rootDriveId}/root:/${path}:/content`, { body: bytes });
  expect(put.status).toBe(201);
  return put.json;
}

describe('driveItem: preview (learn.microsoft.com/graph/api/driveitem-preview)', () => {
  test('answers itemPreviewInfo per the v1.0 CSDL, with a getUrl on the plain-HTTP origin whose page names the file and shows a docx text', async () => {
    const file = await upload('Preview/Engagement letter.docx', await docxBytes(['Dear Ada,', 'Terms & fees below.']));
    const body = { page: '1', zoom: 1 };
    expect(checkActionBody(model, 'preview', 'driveItem', body)).toEqual([]);
    const answer = await f.graph<PreviewInfo & { '@odata.context': string }>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { body });
    expect(answer.status).toBe(200);
    expect(answer.json['@odata.context']).toMatch(/#microsoft\.graph\.itemPreviewInfo$/);
    expect(checkEntity(model, 'itemPreviewInfo', answer.json)).toEqual([]);
    expect(answer.json.getUrl.startsWith(`${f.sim.httpUrl}/`)).toBe(true);
    const page = await fetch(answer.json.getUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Frameable: nothing forbids another origin from framing it (SharePoint's embed page allows it).
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('content-security-policy') ?? '').not.toMatch(/frame-ancestors/);
    const html = await page.text();
    expect(html).toContain('<h1>Engagement letter.docx</h1>');
    expect(html).toContain('Dear Ada,\nTerms &amp; fees below.');
  });

  test('a file of another kind gets a plain "preview of <name>" page; an empty body is accepted', async () => {
    const file = await upload('Preview/notes.txt', 'plain');
    const answer = await f.graph<PreviewInfo>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`);
    expect(answer.status).toBe(200);
    expect(await (await fetch(answer.json.getUrl)).text()).toContain('Preview of notes.txt');
  });

  test('the getUrl is refused once tampered with, and once the file is deleted', async () => {
    const file = await upload('Preview/short-lived.docx', await docxBytes(['x']));
    const { getUrl } = (await f.graph<PreviewInfo>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`)).json;
    const later = new URL(getUrl);
    later.searchParams.set('e', String(Number(later.searchParams.get('e')) + 3_600_000));
    expect((await fetch(later)).status).toBe(403);
    expect((await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${file.id}`)).status).toBe(204);
    expect((await fetch(getUrl)).status).toBe(404);
  });

  test('unknown body properties are 400 BadRequest with Graph\'s error body (the CSDL has only page and zoom; the old OneDrive "viewer" is not v1.0)', async () => {
    const file = await upload('Preview/strict.docx', await docxBytes(['x']));
    expect(checkActionBody(model, 'preview', 'driveItem', { viewer: 'office' })).toEqual([expect.stringContaining("'viewer' is not a parameter")]);
    const refused = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { body: { viewer: 'office' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('BadRequest');
    expect(refused.json.error.message).toContain("'viewer'");
    expect(refused.json.error.innerError['request-id']).toBeTruthy();
    const badZoom = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { body: { zoom: 'big' } });
    expect(badZoom.status).toBe(400);
  });

  test('a missing item is 404 itemNotFound', async () => {
    const missing = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/01NOSUCHITEM/preview`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('itemNotFound');
  });

  test("refuses a folder with 400 invalidRequest (stricter reading of driveitem-preview: a temporary preview renders a file's content)", async () => {
    const file = await upload('Preview Folder/inside.docx', await docxBytes(['x']));
    const folder = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/${file.parentReference.id}/preview`);
    expect(folder.status).toBe(400);
    expect(folder.json.error.code).toBe('invalidRequest');
  });

  test('a delegated guest without access to the file gets 404 itemNotFound (SharePoint hides what the caller cannot see)', async () => {
    const file = await upload('Preview/private.docx', await docxBytes(['secret']));
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    const refused = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { token: guestToken });
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe('itemNotFound');
  });

  test("authorised by the permission reference: an app without a Files/Sites permission is 403, CaseRoom's declared app is allowed", async () => {
    const file = await upload('Preview/authorised.docx', await docxBytes(['x']));
    const bare = await f.sim.admin.createApp(f.tenantId, { graphAppRoles: ['User.Read.All'] });
    const bareToken = await f.sim.admin.token({ tenantId: f.tenantId, clientId: bare.clientId });
    const refused = await f.graph<GraphErrorBody>('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { token: bareToken });
    expect(refused.status).toBe(403);
    const caseRoom = await f.sim.admin.createApp(f.tenantId, declaredAppRegistration());
    const caseRoomToken = await f.sim.admin.token({ tenantId: f.tenantId, clientId: caseRoom.clientId });
    expect((await f.graph('POST', `/drives/${f.rootDriveId}/items/${file.id}/preview`, { token: caseRoomToken })).status).toBe(200);
  });
});
