import nodeFs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Repo } from '../../src/store/repo';
import { upload } from '../integration/harness';
import { storeFingerprint } from '../support/app';
import { lieAboutSize, zip } from '../stress/support/hostile-zip';
import { driveSnapshot, startUploadWorld, type UploadWorld } from '../stress/support/m365-world';

/**
 * Zip uploads and the names people type, as a hostile or merely careless sender tries them:
 * archives with operating-system clutter, bad entries beside good ones, ratio and many-entry
 * bombs (bytes written to the spool disk are counted), UTF-8 file names from browsers, and bidi
 * overrides or zero-width characters on every route that takes a name. A refusal changes
 * nothing: the store (every table) and the case's drive in SharePoint stay exactly as they were.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
/** Production's defaults (src/m365/settings.ts), so the bombs meet the limits a firm would have. */
const LIMITS = { zip: { maxUncompressedBytes: 2 * 1024 * MiB, maxEntries: 2000, maxRatio: 100 } };
const RLO_NAME = 'invoice\u202Efdp.html';
const ZERO_WIDTH_NAME = 'Acme\u200BLtd';
const pdf = (text: string) => Buffer.from(`%PDF-1.7 ${text}`);

type Answer = {
  files: Array<{ id: string; title: string }>;
  skipped: Array<{ archive: string; path: string; reason: string }>;
  refused: Array<{ archive: string; path: string; problem: string; reason: string }>;
};

/**
 * Counts the bytes every spool file of an upload received (the product writes them with
 * fs.createWriteStream under a `caseroom-upload-` directory): the disk a bomb could fill.
 */
function meterSpool(): { bytes: () => Promise<number>; restore: () => void } {
  const real = nodeFs.createWriteStream;
  let written = 0;
  let open = 0;
  const spy = jest.spyOn(nodeFs, 'createWriteStream').mockImplementation(((file: nodeFs.PathLike, options?: unknown) => {
    const stream = real(file, options as Parameters<typeof real>[1]);
    if (String(file).includes('caseroom-upload-')) {
      open++;
      stream.on('close', () => {
        written += stream.bytesWritten;
        open--;
      });
    }
    return stream;
  }) as typeof nodeFs.createWriteStream);
  return {
    // The answer can leave before the last spool file's 'close' event: wait for it, generously.
    async bytes() {
      for (let waited = 0; open > 0 && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(open).toBe(0);
      return written;
    },
    restore: () => spy.mockRestore(),
  };
}

describe('zip uploads and names', () => {
  let w: UploadWorld;
  let folderId: string;
  let meter: ReturnType<typeof meterSpool> | null = null;
  const guestFiles = () => `/api/portal/cases/${w.case.id}/files`;
  const staffFiles = () => `/api/cases/${w.case.id}/files`;
  const drive = () => driveSnapshot(w.sim, w.case.driveId as string);
  const caseFolder = () => `/root/${w.case.number} ${w.case.title}/`;
  // Every table, except the delta jobs SharePoint's own change notifications queue.
  const store = async () => {
    const outbox = await w.app.db.query<{ row: unknown }>(`SELECT to_jsonb(o) AS row FROM outbox o WHERE kind <> 'm365-delta' ORDER BY id`);
    return (await storeFingerprint(w.app.db)).replace(/^outbox:.*$/m, `outbox:${JSON.stringify(outbox)}`);
  };
  // Earlier uploads' outbox work (cards, access syncs) is run first, so only this request's effects could differ.
  const unchanged = async () => {
    await w.app.drain();
    return { store: await store(), drive: await drive() };
  };
  /** What an accepted upload added to the case's drive, relative to the case folder. */
  const addedSince = async (before: string[]) => (await drive()).filter((p) => !before.includes(p)).map((p) => p.replace(caseFolder(), ''));

  beforeAll(async () => {
    w = await startUploadWorld({ settings: LIMITS });
    const folder = await w.app.call('POST', `/api/cases/${w.case.id}/items`, w.firm.staffToken, { kind: 'folder', title: 'Correspondence' });
    expect(folder.status).toBe(201);
    folderId = folder.body.id;
  }, 120_000);
  afterEach(() => {
    meter?.restore();
    meter = null;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('stores exactly the good entries of a zip, leaves clutter out and lists each refused entry with its reason', async () => {
    const built = await zip([
      { name: 'Records/intake.pdf', content: pdf('intake') },
      { name: 'Records/Scans/page1.pdf', content: pdf('page 1') },
      { name: 'notes.txt', content: Buffer.from('hello') },
      { name: '__MACOSX/Records/._intake.pdf', content: Buffer.from('mac resource fork') },
      { name: 'Records/.DS_Store', content: Buffer.from('mac folder settings') },
      { name: 'Thumbs.db', content: Buffer.from('windows thumbnails') },
      { name: 'Records/desktop.ini', content: Buffer.from('[.ShellClassInfo]') },
      { name: 'Records/run.exe', content: Buffer.from('MZ') },
      { name: RLO_NAME, content: Buffer.from('<html>') },
      { name: 'records/INTAKE.pdf', content: pdf('second intake') },
      { name: 'aa/evil.txt', content: Buffer.from('evil') },
    ]);
    // yazl refuses to write `..`; the same length patched in afterwards, in both headers.
    const archive = Buffer.from(built.toString('latin1').split('aa/evil.txt').join('../evil.txt'), 'latin1');
    const driveBefore = await drive();
    const res = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'evidence.zip', content: archive }]);
    expect(res.status).toBe(201);
    const answer = res.body as Answer;
    expect(answer.files.map((f) => f.title).sort()).toEqual(['intake.pdf', 'notes.txt', 'page1.pdf']);
    expect(answer.skipped.map((s) => s.path).sort()).toEqual(['Records/.DS_Store', 'Records/desktop.ini', 'Thumbs.db', '__MACOSX/Records/._intake.pdf']);
    expect(answer.skipped.every((s) => s.archive === 'evidence.zip' && s.reason.length > 0)).toBe(true);
    expect(answer.refused.map((r) => [r.path, r.problem])).toEqual([
      ['Records/run.exe', 'blocked_type'],
      ['invoice<U+202E>fdp.html', 'bad_name'],
      ['records/INTAKE.pdf', 'duplicate'],
      ['../evil.txt', 'zip_slip'],
    ]);
    expect(answer.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/\.exe files are not accepted/), expect.stringMatching(/right-to-left override \(U\+202E\)/), expect.stringMatching(/twice/), expect.stringMatching(/outside/)]);
    // SharePoint and the store hold the good files and their folders, nothing else.
    expect((await addedSince(driveBefore)).sort()).toEqual(['Records/Scans/page1.pdf:15', 'Records/Scans:dir', 'Records/intake.pdf:15', 'Records:dir', 'notes.txt:5']);
    const titles = (await new Repo(w.app.db).itemsOfCase(w.case.id)).map((i) => i.title);
    for (const junk of ['.DS_Store', '._intake.pdf', 'Thumbs.db', 'desktop.ini', 'run.exe', RLO_NAME, 'evil.txt']) expect(titles).not.toContain(junk);
  });

  it('refuses a per-entry ratio bomb without spooling it: a 66 KiB zip cannot write 60 MiB', async () => {
    // 60 entries of 1 MiB of zeros (ratio ~1,000, each under the old 1 MiB floor) beside one real file.
    const zeros = Buffer.alloc(MiB);
    const archive = await zip([{ name: 'cover.pdf', content: pdf('cover letter') }, ...Array.from({ length: 60 }, (_, i) => ({ name: `zeros/${i}.bin`, content: zeros }))]);
    expect(archive.length).toBeLessThan(100 * KiB);
    const driveBefore = await drive();
    meter = meterSpool();
    const res = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'bomb.zip', content: archive }]);
    const spooled = await meter.bytes();
    expect(res.status).toBe(201);
    const answer = res.body as Answer;
    expect(answer.files.map((f) => f.title)).toEqual(['cover.pdf']);
    expect(answer.refused).toHaveLength(60);
    expect(answer.refused.every((r) => r.problem === 'ratio' && /zip bomb/.test(r.reason))).toBe(true);
    // The archive itself and the one real file: nothing of the 60 MiB.
    expect(spooled).toBeLessThan(archive.length + 64 * KiB);
    expect(await addedSince(driveBefore)).toEqual(['cover.pdf:21']);
  });

  it('refuses a 1,000-entry bomb whole, writing no more than the archive itself, and changes nothing', async () => {
    const zeros = Buffer.alloc(MiB);
    const archive = await zip(Array.from({ length: 1000 }, (_, i) => ({ name: `part${i}.bin`, content: zeros })));
    const before = await unchanged();
    meter = meterSpool();
    const res = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'many.zip', content: archive }]);
    const spooled = await meter.bytes();
    expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }).toEqual({ status: 413, code: 'payload_too_large', field: 'file' });
    expect(res.body.error.message).toMatch(/^many\.zip: the archive has no files that can be stored: part0\.bin: expands \d+ times .*zip bomb.*; and 995 more$/);
    expect(spooled).toBeLessThanOrEqual(archive.length);
    await w.app.drain();
    expect(await unchanged()).toEqual(before);
  });

  it('cuts an entry off at the size its header declares while it streams, and stores the rest', async () => {
    const honest = await zip([
      { name: 'a-real.pdf', content: pdf('real') },
      { name: 'liar.txt', content: Buffer.alloc(3 * MiB, 0x61) },
    ]);
    // Declares 40 KiB (within the ratio of its ~3 KiB of data); the data inflates to 3 MiB.
    const archive = lieAboutSize(honest, 'liar.txt', 40 * KiB);
    meter = meterSpool();
    const res = await upload(w.app, staffFiles(), w.firm.staffToken, [{ name: 'file', filename: 'liar.zip', content: archive }]);
    const spooled = await meter.bytes();
    expect(res.status).toBe(201);
    expect((res.body as Answer).files.map((f) => f.title)).toEqual(['a-real.pdf']);
    expect((res.body as Answer).refused).toEqual([{ archive: 'liar.zip', path: 'liar.txt', problem: 'corrupt', reason: expect.stringMatching(/beyond the size its header declares/) }]);
    // The archive, the real file and at most the 40 KiB declared (plus one stream chunk past it).
    expect(spooled).toBeLessThan(archive.length + 40 * KiB + 128 * KiB);
  });

  it('keeps UTF-8 file names from a browser, on both upload routes and inside archives', async () => {
    const guest = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'García.pdf', content: pdf('García') }]);
    expect(guest.status).toBe(201);
    expect(guest.body.files.map((f: { title: string }) => f.title)).toEqual(['García.pdf']);
    const staff = await upload(w.app, staffFiles(), w.firm.staffToken, [
      { name: 'folder', value: 'Évaluation médicale' },
      { name: 'file', filename: 'Zoë Łukasz 契約.pdf', content: pdf('names') },
    ]);
    expect(staff.status).toBe(201);
    expect(staff.body.files.map((f: { title: string }) => f.title)).toEqual(['Zoë Łukasz 契約.pdf']);
    const archive = await zip([{ name: 'Expediente/Acuerdo señal.pdf', content: pdf('señal') }]);
    const zipped = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'Documentación.zip', content: archive }]);
    expect(zipped.body.files.map((f: { title: string }) => f.title)).toEqual(['Acuerdo señal.pdf']);
    const inSharePoint = await drive();
    for (const path of ['García.pdf', 'Évaluation médicale/Zoë Łukasz 契約.pdf', 'Expediente/Acuerdo señal.pdf']) expect(inSharePoint.some((p) => p.startsWith(`${caseFolder()}${path}:`))).toBe(true);
    expect(inSharePoint.some((p) => p.includes('Ã'))).toBe(false);
  });

  describe('bidi overrides and zero-width characters are refused on every route that takes a name', () => {
    type Route = { name: string; as: 'staff' | 'guest'; send: (bad: string) => Promise<{ status: number; body: { error?: { code: string; field?: string; message: string } } }>; field: string };
    const json = (as: 'staff' | 'guest', method: string, path: () => string, body: (bad: string) => unknown) => (bad: string) => w.app.call(method, path(), as === 'staff' ? w.firm.staffToken : w.guest.token, body(bad));
    const multipartFile = (as: 'staff' | 'guest') => (bad: string) => upload(w.app, as === 'staff' ? staffFiles() : guestFiles(), as === 'staff' ? w.firm.staffToken : w.guest.token, [{ name: 'file', filename: bad, content: pdf('x') }]);
    const multipartFolder = (as: 'staff' | 'guest') => (bad: string) =>
      upload(w.app, as === 'staff' ? staffFiles() : guestFiles(), as === 'staff' ? w.firm.staffToken : w.guest.token, [
        { name: 'folder', value: `Medical/${bad}` },
        { name: 'file', filename: 'scan.pdf', content: pdf('x') },
      ]);
    const zipOfOne = (bad: string) => async () => upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'names.zip', content: await zip([{ name: `docs/${bad}`, content: pdf('x') }]) }]);
    const routes: Route[] = [
      {
        name: 'POST /clients name',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => '/api/clients',
          (bad) => ({ name: bad }),
        ),
        field: 'name',
      },
      {
        name: 'POST /contacts name',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => '/api/contacts',
          (bad) => ({ email: 'new@guest.example', name: bad, kind: 'client' }),
        ),
        field: 'name',
      },
      {
        name: 'PATCH /contacts/{id} name',
        as: 'staff',
        send: json(
          'staff',
          'PATCH',
          () => `/api/contacts/${w.guest.contactId}`,
          (bad) => ({ name: bad }),
        ),
        field: 'name',
      },
      {
        name: 'POST /cases title',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => '/api/cases',
          (bad) => ({ clientId: w.case.clientId, number: 'ZN-1', title: bad }),
        ),
        field: 'title',
      },
      {
        name: 'PATCH /cases/{id} title',
        as: 'staff',
        send: json(
          'staff',
          'PATCH',
          () => `/api/cases/${w.case.id}`,
          (bad) => ({ title: bad }),
        ),
        field: 'title',
      },
      {
        name: 'POST /cases/{id}/items folder title',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => `/api/cases/${w.case.id}/items`,
          (bad) => ({ kind: 'folder', title: bad }),
        ),
        field: 'title',
      },
      {
        name: 'POST /cases/{id}/items note title',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => `/api/cases/${w.case.id}/items`,
          (bad) => ({ kind: 'note', title: bad, body: 'b' }),
        ),
        field: 'title',
      },
      {
        name: 'PATCH /items/{id} folder title',
        as: 'staff',
        send: json(
          'staff',
          'PATCH',
          () => `/api/items/${folderId}`,
          (bad) => ({ title: bad }),
        ),
        field: 'title',
      },
      {
        name: 'POST /cases/{id}/threads subject',
        as: 'staff',
        send: json(
          'staff',
          'POST',
          () => `/api/cases/${w.case.id}/threads`,
          (bad) => ({ subject: bad }),
        ),
        field: 'subject',
      },
      {
        name: 'portal POST /cases/{id}/messages subject',
        as: 'guest',
        send: json(
          'guest',
          'POST',
          () => `/api/portal/cases/${w.case.id}/messages`,
          (bad) => ({ body: 'hello', subject: bad }),
        ),
        field: 'subject',
      },
      { name: 'portal multipart file name', as: 'guest', send: multipartFile('guest'), field: 'file' },
      { name: 'staff multipart file name', as: 'staff', send: multipartFile('staff'), field: 'file' },
      { name: 'portal multipart folder field', as: 'guest', send: multipartFolder('guest'), field: 'folder' },
      { name: 'staff multipart folder field', as: 'staff', send: multipartFolder('staff'), field: 'folder' },
      { name: 'zip entry name (alone in its archive)', as: 'guest', send: (bad) => zipOfOne(bad)(), field: 'file' },
    ];
    const cases = routes.flatMap((r) => [[`${r.name}: ${'right-to-left override'}`, r, RLO_NAME, 'U+202E'] as const, [`${r.name}: ${'zero-width space'}`, r, ZERO_WIDTH_NAME, 'U+200B'] as const]);

    it.each(cases)('%s', async (_name, route, bad, code) => {
      const before = await unchanged();
      const res = await route.send(bad);
      expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }).toEqual({ status: 400, code: 'validation_failed', field: route.field });
      expect(res.body.error?.message).toContain(code);
      // The message spells the character out rather than echoing it, so it cannot reorder the message.
      expect(res.body.error?.message).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF\u061C]/);
      await w.app.drain();
      expect(await unchanged()).toEqual(before);
    });

    it('the same routes accept the name once the invisible character is gone', async () => {
      const res = await w.app.call('POST', '/api/clients', w.firm.staffToken, { name: 'Acme Ltd' });
      expect(res.status).toBe(201);
      const file = await upload(w.app, guestFiles(), w.guest.token, [{ name: 'file', filename: 'invoice.pdf', content: pdf('ok') }]);
      expect(file.status).toBe(201);
    });
  });
});
