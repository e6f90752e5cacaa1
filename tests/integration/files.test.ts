import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ZipFile } from 'yazl';
import { MAX_FILES_PER_UPLOAD } from '../../src/services/uploads';
import { Repo } from '../../src/store/repo';
import type { CaseRecord } from '../../src/store/records';
import { startUploadWorld, type UploadWorld } from '../stress/support/m365-world';
import type { UploadAnswer, UploadBatchStatus } from '../../src/contract';
import { type AppHandle, type FirmFixture, type SimHandle, upload, waitForBatch } from './harness';

const MB = 1024 * 1024;

/** A handle on V8's collector, so RSS shows live memory rather than garbage not yet collected. */
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

function zip(entries: Array<{ name: string; content: Buffer; compress?: boolean }>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new ZipFile();
    for (const e of entries) z.addBuffer(e.content, e.name, { compress: e.compress ?? true });
    z.end();
    const chunks: Buffer[] = [];
    z.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

/** Guest uploads into SharePoint through CaseRoom: streaming, resumable, and what is refused. */
describe('file routes', () => {
  let world: UploadWorld;
  let sim: SimHandle;
  let app: AppHandle;
  let f: FirmFixture;
  let c: CaseRecord;
  let guestToken: string;

  beforeAll(async () => {
    world = await startUploadWorld({ settings: { maxUploadBytes: 300 * MB, zip: { maxUncompressedBytes: 50 * MB, maxEntries: 100, maxRatio: 100 } } });
    ({ sim, app, firm: f, case: c } = world);
    guestToken = world.guest.token;
  });
  afterAll(async () => {
    await world?.close();
  });

  const filesPath = () => `/api/portal/cases/${c.id}/files`;
  const snapshot = async () => ({
    items: (await app.db.query('SELECT id FROM items WHERE case_id = $1', [c.id])).length,
    children: ((await sim.graph('GET', `/drives/${c.driveId}/items/${c.folderItemId}/children`)).body.value as unknown[]).length,
  });

  it('streams a 200 MB upload with bounded memory and resumes after dropped connections', async () => {
    const size = 200 * MB;
    const block = Buffer.alloc(MB, 0x5a);
    const boundary = '----caseroom-big';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${size}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Scans 2026.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        if (sent >= size) {
          controller.enqueue(tail);
          controller.close();
          return;
        }
        // The same block every time: the client should not be what uses memory in this test.
        controller.enqueue(block);
        sent += block.length;
      },
    });
    await sim.sim.admin.resetStats();
    await sim.sim.admin.setKnobs({ faultRate: 0.25, faultKinds: ['reset'] });
    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    // Collect before each sample: what remains is what the upload path holds on to. Once a
    // second: a full collection of this process (app, simulator, Jest) takes a good part of that.
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 1000);
    let done: UploadBatchStatus;
    try {
      const res = await fetch(`${app.url}${filesPath()}`, { method: 'POST', headers: { authorization: `Bearer ${guestToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body, duplex: 'half' } as RequestInit);
      const answer = (await res.json()) as UploadAnswer;
      expect(res.status).toBe(201);
      expect(answer.batch?.files[0].sizeBytes).toBe(size);
      // Accepted once spooled; the write to SharePoint (upload session, resets injected) follows in the background.
      done = await waitForBatch(app, guestToken, answer.batch?.id as string, 240_000);
    } finally {
      clearInterval(sampler);
      await sim.sim.admin.setKnobs({ faultRate: 0 });
    }
    expect(done.files[0].state).toBe('in');
    const stats = await sim.sim.admin.stats();
    expect(stats.totals.injectedResets).toBeGreaterThan(0);
    const item = await new Repo(app.db).item(f.firm.id, done.files[0].itemId as string);
    expect(item?.sizeBytes).toBe(size);
    const inSharePoint = await sim.graph('GET', `/drives/${c.driveId}/items/${item?.driveItemId}`);
    expect(inSharePoint.body.size).toBe(size);
    const growthMb = (peak - baseline) / MB;
    // 200 MB went through; the process (app, simulator and client together) grew by a fraction of it.
    expect(growthMb).toBeLessThan(100);
    console.info(`200 MB upload: RSS grew ${growthMb.toFixed(1)} MB at peak; ${stats.totals.injectedResets} connection resets survived`);
  }, 300_000); // 200 MB through upload sessions with injected resets: minutes on a loaded 2-core machine

  it('extracts a zip keeping its folders', async () => {
    const archive = await zip([
      { name: 'Records/intake.pdf', content: Buffer.from('%PDF intake') },
      { name: 'Records/Scans/page1.pdf', content: Buffer.from('%PDF page 1') },
      { name: 'readme.txt', content: Buffer.from('hello') },
    ]);
    const res = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'evidence.zip', content: archive }]);
    expect(res.status).toBe(201);
    expect(res.body.files.map((x: { title: string }) => x.title).sort()).toEqual(['intake.pdf', 'page1.pdf', 'readme.txt']);
    const items = await new Repo(app.db).itemsOfCase(c.id);
    const records = items.find((i) => i.kind === 'folder' && i.title === 'Records');
    const scans = items.find((i) => i.kind === 'folder' && i.title === 'Scans');
    expect(scans?.parentId).toBe(records?.id);
    expect(items.find((i) => i.title === 'page1.pdf')?.parentId).toBe(scans?.id);
    const inSharePoint = await sim.graph('GET', `/drives/${c.driveId}/items/${c.folderItemId}:/Records/Scans/page1.pdf`);
    expect(inSharePoint.status).toBe(200);
  });

  it('refuses zip bombs, zip slip, blocked types, empty and oversized files, storing nothing', async () => {
    const before = await snapshot();
    const bomb = await zip([{ name: 'zeros.bin', content: Buffer.alloc(40 * MB) }]);
    const r1 = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'bomb.zip', content: bomb }]);
    expect(r1.status).toBe(413);
    expect(r1.body.error.message).toMatch(/zip bomb/);

    // Archives holding only refused entries are refused whole (a good entry beside them would be stored: tests/http/zip-and-names.test.ts).
    const slip = await zip([{ name: 'aa/evil.txt', content: Buffer.from('evil') }]);
    const patched = Buffer.from(slip.toString('latin1').split('aa/evil.txt').join('../evil.txt'), 'latin1');
    const r2 = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'slip.zip', content: patched }]);
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toMatch(/outside/);

    const r3 = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'setup.exe', content: Buffer.from('MZ') }]);
    expect(r3.status).toBe(415);
    const inner = await zip([{ name: 'docs/run.exe', content: Buffer.from('MZ') }]);
    const r4 = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'mixed.zip', content: inner }]);
    expect(r4.status).toBe(415);

    const r5 = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'empty.pdf', content: Buffer.alloc(0) }]);
    expect(r5.status).toBe(400);
    const r6 = await upload(app, filesPath(), guestToken, [
      { name: 'size', value: String(400 * MB) },
      { name: 'file', filename: 'huge.pdf', content: Buffer.from('%PDF') },
    ]);
    expect(r6.status).toBe(413);
    const r7 = await upload(app, filesPath(), guestToken, [
      { name: 'folder', value: '../up' },
      { name: 'file', filename: 'a.pdf', content: Buffer.from('%PDF') },
    ]);
    expect(r7.status).toBe(400);
    // One file more than a request may carry: refused whole, not stored without the last one.
    const many = Array.from({ length: MAX_FILES_PER_UPLOAD + 1 }, (_, i) => ({ name: 'file', filename: `page ${i + 1}.pdf`, content: Buffer.from(`%PDF ${i}`) }));
    const r8 = await upload(app, filesPath(), guestToken, many);
    expect(r8.status).toBe(413);
    expect(r8.body.error.message).toMatch(/at most 20 files/);
    expect(await snapshot()).toEqual(before);
  });
  it('a re-check of a file the upload already recorded costs no Graph call; an unknown one is imported', async () => {
    const up = await upload(app, filesPath(), guestToken, [{ name: 'file', filename: 'Receipt.pdf', content: Buffer.from('%PDF receipt') }]);
    expect(up.status).toBe(201);
    await app.settle();
    const item = await new Repo(app.db).item(f.firm.id, up.body.files[0].id);
    // What the m365-import-file job does, two minutes after the drive sync saw a file while its uploader's upload was running.
    await sim.sim.admin.resetStats();
    await app.m365.detection.importIfUnknown(c.driveId as string, item?.driveItemId as string);
    expect((await sim.sim.admin.stats()).totals.calls).toBe(0);

    const byHand = (await sim.sim.admin.addFileByHand(c.driveId as string, c.folderItemId as string, { name: 'Added in SharePoint.pdf', text: '%PDF by hand' })) as { id: string };
    await app.m365.detection.importIfUnknown(c.driveId as string, byHand.id);
    expect((await sim.sim.admin.stats()).totals.calls).toBeGreaterThan(0);
    expect(await new Repo(app.db).itemByDriveItem(f.firm.id, byHand.id)).toMatchObject({ title: 'Added in SharePoint.pdf' });
  });
});
