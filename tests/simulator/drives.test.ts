/** Drives and driveItems: addressing, children paging, download, simple upload, folders, upload sessions. */
import { QuickXorHash } from '../../src/m365-simulator/state/quickXorHash';
import { useFixture } from './helpers';

const f = useFixture();

type Item = {
  id: string;
  name: string;
  size: number;
  eTag: string;
  parentReference: { id: string; path?: string; driveId: string };
  file?: { hashes: { quickXorHash: string } };
  folder?: { childCount: number };
  '@microsoft.graph.downloadUrl'?: string;
};
const KIB = 1024;

describe('quickXorHash', () => {
  test.each([
    ['', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['Sg==', 'SgAAAAAAAAAAAAAAAQAAAAAAAAA='],
    ['jRRDVA==', 'jaDAEKgAAAAAAAAABAAAAAAAAAA='],
    ['J9iPGCbfZSTNyw==', 'J8DGIzBggm+UgQTNUgYAAAAAAAA='],
    ['T6LYJIfDh81JrAK309H2JMJTXis=', 'zBTHrspn3mEcohlJdIUAbjGNaNg='],
  ])('matches the published test vector for %s (learn.microsoft.com/onedrive/developer/code-snippets/quickxorhash)', (input, expected) => {
    expect(new QuickXorHash().update(Buffer.from(input, 'base64')).digestBase64()).toBe(expected);
  });
});

describe('driveItem addressing and content', () => {
  test('PUT by path creates missing folders and the file (201), then replaces it (200) (learn.microsoft.com/graph/api/driveitem-put-content)', async () => {
    const created = await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/root:/Cases/2024-001/Pleadings/brief.pdf:/content`, { body: 'v1' });
    expect(created.status).toBe(201);
    expect(created.json.parentReference.path).toBe(`/drives/${f.rootDriveId}/root:/Cases/2024-001/Pleadings`);
    expect(created.json.file?.hashes.quickXorHash).toBe(new QuickXorHash().update(Buffer.from('v1')).digestBase64());
    const replaced = await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/items/${created.json.id}/content`, { body: 'version 2' });
    expect(replaced.status).toBe(200);
    expect(replaced.json.id).toBe(created.json.id);
    expect(replaced.json.eTag).not.toBe(created.json.eTag);
    const byPath = await f.graph<Item>('GET', `/drives/${f.rootDriveId}/root:/Cases/2024-001/Pleadings/brief.pdf:`);
    expect(byPath.json.size).toBe(9);
  });

  test('GET /content answers 302 to a pre-authenticated URL that honours Range (learn.microsoft.com/graph/api/driveitem-get-content)', async () => {
    const file = await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/root:/range.txt:/content`, { body: '0123456789' });
    const redirect = await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.json.id}/content`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    const partial = await fetch(location, { headers: { range: 'bytes=2-5' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');
    expect((await fetch(location, { headers: { range: 'bytes=50-' } })).status).toBe(416);
    // No bearer needed on the download URL, but a tampered one fails.
    expect((await fetch(location.replace(/tempauth=[^&]+/, 'tempauth=forged'))).status).toBe(401);
  });

  test('children are paged with $top and @odata.nextLink (learn.microsoft.com/graph/api/driveitem-list-children)', async () => {
    const folder = await f.graph<Item>('POST', `/drives/${f.rootDriveId}/root/children`, { body: { name: 'Paging', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } });
    expect(folder.status).toBe(201);
    for (let index = 0; index < 5; index++) await f.graph('PUT', `/drives/${f.rootDriveId}/items/${folder.json.id}:/doc-${index}.txt:/content`, { body: `doc ${index}` });
    const names: string[] = [];
    let next: string | undefined = `/drives/${f.rootDriveId}/items/${folder.json.id}/children?$top=2`;
    let pages = 0;
    while (next) {
      const page: { json: { value: Item[]; '@odata.nextLink'?: string } } = await f.graph('GET', next);
      names.push(...page.json.value.map((item) => item.name));
      next = page.json['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(['doc-0.txt', 'doc-1.txt', 'doc-2.txt', 'doc-3.txt', 'doc-4.txt']);
  });

  test('folder creation conflicts: fail → 409 nameAlreadyExists, rename → "name 1" (learn.microsoft.com/graph/api/driveitem-post-children)', async () => {
    await f.graph('POST', `/drives/${f.rootDriveId}/root/children`, { body: { name: 'Dup', folder: {} } });
    const conflict = await f.graph('POST', `/drives/${f.rootDriveId}/root/children`, { body: { name: 'dup', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ error: { code: 'nameAlreadyExists' } });
    const renamed = await f.graph<Item>('POST', `/drives/${f.rootDriveId}/root/children`, { body: { name: 'Dup', folder: {}, '@microsoft.graph.conflictBehavior': 'rename' } });
    expect(renamed.json.name).toBe('Dup 1');
  });

  test('names with characters SharePoint forbids are refused with 400 (learn.microsoft.com/sharepoint/troubleshoot/lists-and-libraries/invalid-file-names)', async () => {
    const response = await f.graph('POST', `/drives/${f.rootDriveId}/root/children`, { body: { name: 'a:b', folder: {} } });
    expect(response.status).toBe(400);
  });

  test('DELETE removes the subtree (204) and the item is then 404 itemNotFound (learn.microsoft.com/graph/api/driveitem-delete)', async () => {
    const file = await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/root:/Trash/old.txt:/content`, { body: 'x' });
    const folderId = file.json.parentReference.id;
    expect((await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${folderId}`)).status).toBe(204);
    const gone = await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.json.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: 'itemNotFound' } });
  });

  test('sites/root and the drive of a site resolve to the same drive (learn.microsoft.com/graph/api/site-get)', async () => {
    const site = await f.graph<{ id: string }>('GET', '/sites/root');
    const siteDrive = await f.graph<{ id: string; driveType: string }>('GET', `/sites/${site.json.id}/drive`);
    expect(siteDrive.json).toMatchObject({ id: f.rootDriveId, driveType: 'documentLibrary' });
  });
});

describe('upload sessions (learn.microsoft.com/graph/api/driveitem-createuploadsession)', () => {
  const chunkOf = (size: number, fill: number) => Buffer.alloc(size, fill);

  async function createSession(path: string, item: Record<string, unknown> = {}) {
    const response = await f.graph<{ uploadUrl: string; expirationDateTime: string; nextExpectedRanges: string[] }>('POST', `/drives/${f.rootDriveId}/root:/${path}:/createUploadSession`, { body: { item } });
    expect(response.status).toBe(200);
    return response.json;
  }

  const put = (url: string, body: Buffer, range: string) => fetch(url, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-range': range } });

  test('fragments in 320 KiB multiples, 202 with nextExpectedRanges, 201 with the driveItem on the last one; the upload URL needs no token', async () => {
    const session = await createSession('Uploads/big.bin', { '@microsoft.graph.conflictBehavior': 'fail' });
    const first = chunkOf(320 * KIB, 1);
    const last = chunkOf(100, 2);
    const total = first.length + last.length;
    const accepted = await put(session.uploadUrl, first, `bytes 0-${first.length - 1}/${total}`);
    expect(accepted.status).toBe(202);
    expect((await accepted.json()).nextExpectedRanges).toEqual([`${first.length}-${total - 1}`]);
    const done = await put(session.uploadUrl, last, `bytes ${first.length}-${total - 1}/${total}`);
    expect(done.status).toBe(201);
    const item = (await done.json()) as Item;
    expect(item.size).toBe(total);
    expect(item.file?.hashes.quickXorHash).toBe(new QuickXorHash().update(Buffer.concat([first, last])).digestBase64());
  });

  test('a fragment that is not a multiple of 320 KiB (except the last) is refused', async () => {
    const session = await createSession('Uploads/odd.bin');
    const response = await put(session.uploadUrl, chunkOf(100 * KIB, 1), `bytes 0-${100 * KIB - 1}/${400 * KIB}`);
    expect(response.status).toBe(400);
  });

  test('an out-of-order or repeated range gets 416; GET on the uploadUrl tells where to resume; DELETE cancels', async () => {
    const session = await createSession('Uploads/resume.bin');
    const size = 320 * KIB;
    const total = size * 2 + 10;
    expect((await put(session.uploadUrl, chunkOf(size, 1), `bytes ${size}-${2 * size - 1}/${total}`)).status).toBe(416);
    expect((await put(session.uploadUrl, chunkOf(size, 1), `bytes 0-${size - 1}/${total}`)).status).toBe(202);
    const repeated = await put(session.uploadUrl, chunkOf(size, 1), `bytes 0-${size - 1}/${total}`);
    expect(repeated.status).toBe(416);
    const status = await fetch(session.uploadUrl).then((r) => r.json());
    expect(status.nextExpectedRanges).toEqual([`${size}-${total - 1}`]);
    expect((await fetch(session.uploadUrl, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(session.uploadUrl)).status).toBe(404);
  });

  test('a fragment cut off by a dropped connection is ignored and the upload resumes from the last complete fragment', async () => {
    const session = await createSession('Uploads/dropped.bin');
    const size = 320 * KIB;
    const total = size * 2;
    expect((await put(session.uploadUrl, chunkOf(size, 7), `bytes 0-${size - 1}/${total}`)).status).toBe(202);
    // Send half of the second fragment, then drop the socket.
    const url = new URL(session.uploadUrl);
    const http = await import('node:http');
    await new Promise<void>((resolve) => {
      const request = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'PUT', headers: { 'content-range': `bytes ${size}-${total - 1}/${total}`, 'content-length': size } });
      request.on('error', () => resolve());
      request.write(chunkOf(size / 2, 8), () =>
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 50),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const status = await fetch(session.uploadUrl).then((r) => r.json());
    expect(status.nextExpectedRanges).toEqual([`${size}-${total - 1}`]);
    const done = await put(session.uploadUrl, chunkOf(size, 8), `bytes ${size}-${total - 1}/${total}`);
    expect(done.status).toBe(201);
  });

  test('conflictBehavior: fail refuses an existing name (409); replace answers 200 with the same item; rename creates "name 1"', async () => {
    const original = await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/root:/Uploads/conflict.txt:/content`, { body: 'original' });
    const fail = await f.graph('POST', `/drives/${f.rootDriveId}/root:/Uploads/conflict.txt:/createUploadSession`, { body: { item: { '@microsoft.graph.conflictBehavior': 'fail' } } });
    expect(fail.status).toBe(409);
    const replace = await createSession('Uploads/conflict.txt', { '@microsoft.graph.conflictBehavior': 'replace' });
    const replaced = await put(replace.uploadUrl, Buffer.from('new'), 'bytes 0-2/3');
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as Item).id).toBe(original.json.id);
    const rename = await createSession('Uploads/conflict.txt', { '@microsoft.graph.conflictBehavior': 'rename' });
    const renamed = await put(rename.uploadUrl, Buffer.from('other'), 'bytes 0-4/5');
    expect(renamed.status).toBe(201);
    expect(((await renamed.json()) as Item).name).toBe('conflict 1.txt');
  });

  test('an unknown parameter in the createUploadSession body is refused, as OData does', async () => {
    const response = await f.graph('POST', `/drives/${f.rootDriveId}/root:/Uploads/x.bin:/createUploadSession`, { body: { item: {}, deferComit: true } });
    expect(response.status).toBe(400);
  });
});
