/** Folder creation, rename, move and delete as Graph answers them, and how delta reports each. */
import { useFixture } from './helpers';

const f = useFixture();

type Item = { id: string; name: string; eTag: string; cTag: string; parentReference: { id: string }; deleted?: { state: string } };
type DeltaPage = { value: Item[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

const folder = async (parentId: string, name: string) => (await f.graph<Item>('POST', `/drives/${f.rootDriveId}/items/${parentId}/children`, { body: { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } })).json;
const rootId = async () => (await f.graph<Item>('GET', `/drives/${f.rootDriveId}/root`)).json.id;
const put = async (path: string) => (await f.graph<Item>('PUT', `/drives/${f.rootDriveId}/root:/${path}:/content`, { body: 'x' })).json;

async function changesSince(deltaLink: string): Promise<{ items: Item[]; deltaLink: string }> {
  const items: Item[] = [];
  let next = deltaLink;
  for (;;) {
    const page = await f.graph<DeltaPage>('GET', next);
    expect(page.status).toBe(200);
    items.push(...page.json.value);
    if (page.json['@odata.deltaLink']) return { items, deltaLink: page.json['@odata.deltaLink'] };
    next = page.json['@odata.nextLink'] as string;
  }
}
const latest = async () => (await f.graph<DeltaPage>('GET', `/drives/${f.rootDriveId}/root/delta?token=latest`)).json['@odata.deltaLink'] as string;

describe('POST …/children (learn.microsoft.com/graph/api/driveitem-post-children)', () => {
  test('201 with the folder under its parent; the same name again with conflictBehavior fail is 409 nameAlreadyExists, case-insensitively', async () => {
    const parent = await folder(await rootId(), 'Lifecycle');
    const created = await f.graph<Item>('POST', `/drives/${f.rootDriveId}/items/${parent.id}/children`, { body: { name: 'Evidence', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Evidence', parentReference: { id: parent.id } });
    const again = await f.graph('POST', `/drives/${f.rootDriveId}/items/${parent.id}/children`, { body: { name: 'EVIDENCE', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'nameAlreadyExists' } });
  });
});

describe('PATCH name and parentReference (learn.microsoft.com/graph/api/driveitem-update, driveitem-move)', () => {
  test('a rename answers 200 with the new name; a move answers 200 with the new parentReference; both in one request too', async () => {
    const a = await folder(await rootId(), 'MoveA');
    const b = await folder(await rootId(), 'MoveB');
    const file = await put('MoveA/letter.txt');
    const renamed = await f.graph<Item>('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'letter v2.txt' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'letter v2.txt', parentReference: { id: a.id } });
    const moved = await f.graph<Item>('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { parentReference: { id: b.id }, name: 'letter v3.txt' } });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ name: 'letter v3.txt', parentReference: { id: b.id } });
  });

  test('a name taken in the destination is 409 nameAlreadyExists and nothing changes', async () => {
    const a = await folder(await rootId(), 'ClashA');
    await put('ClashA/taken.txt');
    const mine = await put('ClashA/mine.txt');
    const clash = await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${mine.id}`, { body: { name: 'Taken.txt' } });
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({ error: { code: 'nameAlreadyExists' } });
    expect((await f.graph<Item>('GET', `/drives/${f.rootDriveId}/items/${mine.id}`)).json).toMatchObject({ name: 'mine.txt', parentReference: { id: a.id } });
  });

  test('a destination that does not exist is 404 itemNotFound and the name sent with it is not applied (the stricter, atomic reading)', async () => {
    const file = await put('Nowhere/file.txt');
    const res = await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'renamed.txt', parentReference: { id: '01NOSUCHITEMXXXXXXXXXXXXXXXXXXXXXX' } } });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'itemNotFound' } });
    expect((await f.graph<Item>('GET', `/drives/${f.rootDriveId}/items/${file.id}`)).json.name).toBe('file.txt');
  });

  test('"Items cannot be moved between Drives using this request": another driveId is 400; a folder into itself is 400', async () => {
    const outer = await folder(await rootId(), 'Outer');
    const inner = await folder(outer.id, 'Inner');
    const across = await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${outer.id}`, { body: { parentReference: { driveId: 'b!another-drive', id: inner.id } } });
    expect(across.status).toBe(400);
    const intoItself = await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${outer.id}`, { body: { parentReference: { id: inner.id } } });
    expect(intoItself.status).toBe(400);
  });

  test('if-match with a stale eTag is 412 and nothing changes; the current eTag is accepted', async () => {
    const file = await put('Tagged/file.txt');
    await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'file-1.txt' } });
    const stale = await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'file-2.txt' }, headers: { 'if-match': file.eTag } });
    expect(stale.status).toBe(412);
    expect((await f.graph<Item>('GET', `/drives/${f.rootDriveId}/items/${file.id}`)).json.name).toBe('file-1.txt');
    const current = (await f.graph<Item>('GET', `/drives/${f.rootDriveId}/items/${file.id}`)).json.eTag;
    expect((await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'file-2.txt' }, headers: { 'if-match': current } })).status).toBe(200);
  });
});

describe('DELETE (learn.microsoft.com/graph/api/driveitem-delete): to the recycle bin', () => {
  test('204; then 404 itemNotFound by id and by path; a stale if-match is 412 and the item stays', async () => {
    const file = await put('Bin/keep.txt');
    await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${file.id}`, { body: { name: 'keep2.txt' } });
    expect((await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${file.id}`, { headers: { 'if-match': file.eTag } })).status).toBe(412);
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.id}`)).status).toBe(200);
    const gone = await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${file.id}`);
    expect(gone.status).toBe(204);
    const byId = await f.graph('GET', `/drives/${f.rootDriveId}/items/${file.id}`);
    expect(byId.status).toBe(404);
    expect(byId.json).toMatchObject({ error: { code: 'itemNotFound' } });
    expect((await f.graph('GET', `/drives/${f.rootDriveId}/root:/Bin/keep2.txt:`)).status).toBe(404);
    expect((await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${file.id}`)).status).toBe(404);
  });
});

describe('delta after a rename, a move and a delete (learn.microsoft.com/graph/api/driveitem-delta)', () => {
  test('renamed and moved items appear with their new name and parentReference; deleted ones with the deleted facet, and a folder’s contents with it', async () => {
    const a = await folder(await rootId(), 'DeltaA');
    const b = await folder(await rootId(), 'DeltaB');
    const renamed = await put('DeltaA/renamed.txt');
    const moved = await put('DeltaA/moved.txt');
    const inside = await put('DeltaC/inside.txt');
    const doomedFolder = inside.parentReference.id;
    const since = await latest();

    await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${renamed.id}`, { body: { name: 'renamed now.txt' } });
    await f.graph('PATCH', `/drives/${f.rootDriveId}/items/${moved.id}`, { body: { parentReference: { id: b.id } } });
    await f.graph('DELETE', `/drives/${f.rootDriveId}/items/${doomedFolder}`);

    const { items } = await changesSince(since);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(renamed.id)).toMatchObject({ name: 'renamed now.txt', parentReference: { id: a.id } });
    expect(byId.get(renamed.id)?.deleted).toBeUndefined();
    expect(byId.get(moved.id)).toMatchObject({ name: 'moved.txt', parentReference: { id: b.id } });
    expect(byId.get(doomedFolder)?.deleted).toEqual({ state: 'deleted' });
    expect(byId.get(inside.id)?.deleted).toEqual({ state: 'deleted' });
  });
});
