import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { multipart, waitForBatch } from '../integration/harness';
import { storeFingerprint } from '../support/app';
import { lieAboutSize, setFlag, zip, zipWithRawNames } from './support/hostile-zip';
import { driveSnapshot, startUploadWorld, type UploadWorld } from './support/m365-world';

/**
 * The upload half of the security sweep (the rest is security-sweep.test.ts): hostile files
 * sent to the guest and staff upload routes of an app wired to the simulator, generated from
 * the table below. Each row: the precise status and error code (and field), then the store
 * (every table) and the case's drive in SharePoint exactly as before. An archive is refused
 * whole only when none of its files can be stored (or it is too big to open): its rows hold the
 * hostile entries alone. A good entry beside a bad one is stored and the bad one listed
 * (tests/http/zip-and-names.test.ts).
 * Limits are set small so the oversized rows stay cheap: 4 MiB per file, archives expand to at
 * most 8 MiB, 50 entries, ratio 100.
 */
const MiB = 1024 * 1024;
const LIMITS = { maxUploadBytes: 4 * MiB, zip: { maxUncompressedBytes: 8 * MiB, maxEntries: 50, maxRatio: 100 } };

type Part = Parameters<typeof multipart>[0][number];
interface Row {
  name: string;
  /** Guest portal route unless 'staff'. */
  as?: 'staff';
  parts: () => Promise<Part[]>;
  status: number;
  code: string;
  field?: string;
  message?: RegExp;
}

const pdf = (n = 16) => Buffer.from(`%PDF-1.7 ${'x'.repeat(n)}`);
const file = (filename: string, content: Buffer = pdf()): Part => ({ name: 'file', filename, content });
const one = (filename: string, content?: Buffer) => async () => [file(filename, content)];
const zipped =
  (build: () => Promise<Buffer>, filename = 'archive.zip') =>
  async () => [file(filename, await build())];
const zeros = (n: number) => Buffer.alloc(n);

const rows: Row[] = [];

// Empty files.
rows.push(
  { name: 'empty file, no size declared', parts: one('empty.pdf', Buffer.alloc(0)), status: 400, code: 'validation_failed', field: 'file', message: /empty/ },
  { name: 'empty file, size 0 declared', parts: async () => [{ name: 'size', value: '0' }, file('empty.pdf', Buffer.alloc(0))], status: 400, code: 'validation_failed', field: 'file', message: /empty/ },
  { name: 'empty file by staff', as: 'staff', parts: one('empty.pdf', Buffer.alloc(0)), status: 400, code: 'validation_failed', field: 'file', message: /empty/ },
  { name: 'empty zip file', parts: one('empty.zip', Buffer.alloc(0)), status: 400, code: 'validation_failed', field: 'file', message: /empty/ },
  { name: 'zip with no entries', parts: zipped(() => zip([])), status: 400, code: 'validation_failed', field: 'file', message: /no files/ },
  {
    name: 'zip holding only empty files',
    parts: zipped(() =>
      zip([
        { name: 'a.pdf', content: Buffer.alloc(0) },
        { name: 'b/c.pdf', content: Buffer.alloc(0) },
      ]),
    ),
    status: 400,
    code: 'validation_failed',
    field: 'file',
    message: /no files/,
  },
  { name: 'multipart request with no file', parts: async () => [{ name: 'folder', value: 'Medical' }], status: 400, code: 'validation_failed', field: 'file', message: /no file/ },
);

// Oversized: declared and real.
rows.push(
  { name: 'size field above the limit', parts: async () => [{ name: 'size', value: String(4 * MiB + 1) }, file('huge.pdf')], status: 413, code: 'payload_too_large', field: 'file' },
  { name: 'size field of 250 GB', parts: async () => [{ name: 'size', value: String(250 * 1024 ** 3) }, file('huge.pdf')], status: 413, code: 'payload_too_large', field: 'file' },
  { name: 'size field negative', parts: async () => [{ name: 'size', value: '-5' }, file('neg.pdf')], status: 400, code: 'validation_failed', field: 'size' },
  { name: 'size field not a number', parts: async () => [{ name: 'size', value: '12abc' }, file('nan.pdf')], status: 400, code: 'validation_failed', field: 'size' },
  { name: 'real bytes above the limit, no size declared', parts: one('big.pdf', zeros(4 * MiB + 64 * 1024)), status: 413, code: 'payload_too_large', field: 'file' },
  { name: 'real bytes above the limit by staff', as: 'staff', parts: one('big.pdf', zeros(4 * MiB + 64 * 1024)), status: 413, code: 'payload_too_large', field: 'file' },
  { name: 'real zip above the limit', parts: one('big.zip', zeros(4 * MiB + 64 * 1024)), status: 413, code: 'payload_too_large', field: 'file' },
  {
    name: 'declared size smaller than the bytes sent',
    parts: async () => [{ name: 'size', value: '10' }, file('liar.pdf', pdf(200_000))],
    status: 400,
    code: 'validation_failed',
    field: 'size',
    message: /has 200009 bytes, not the 10 announced/,
  },
  {
    name: 'declared size larger than the bytes sent',
    parts: async () => [{ name: 'size', value: String(2 * MiB) }, file('short.pdf', pdf(1000))],
    status: 400,
    code: 'validation_failed',
    field: 'size',
    message: /not the 2097152 announced/,
  },
);

// Zip bombs.
rows.push(
  { name: 'zip bomb: 3 MiB of zeros, ratio ~1000', parts: zipped(() => zip([{ name: 'zeros.bin', content: zeros(3 * MiB) }])), status: 413, code: 'payload_too_large', field: 'file', message: /zip bomb/ },
  {
    name: 'zip bomb: entries expanding past the total limit',
    parts: zipped(() => zip(Array.from({ length: 9 }, (_, i) => ({ name: `part${i}.bin`, content: zeros(MiB) })))),
    status: 413,
    code: 'payload_too_large',
    field: 'file',
    message: /expands to more than/,
  },
  {
    name: 'zip bomb: 51 entries (many entries)',
    parts: zipped(() => zip(Array.from({ length: 51 }, (_, i) => ({ name: `f${i}.txt`, content: Buffer.from(`file ${i}`) })))),
    status: 413,
    code: 'payload_too_large',
    field: 'file',
    message: /51 entries/,
  },
  {
    name: 'zip bomb: 5,000 entries',
    parts: zipped(() => zip(Array.from({ length: 5000 }, (_, i) => ({ name: `d${i % 10}/f${i}.txt`, content: Buffer.from('x') })))),
    status: 413,
    code: 'payload_too_large',
    field: 'file',
    message: /5000 entries/,
  },
  {
    name: 'zip bomb: header declares 1 KB, data inflates to 3 MiB',
    parts: zipped(async () => lieAboutSize(await zip([{ name: 'small.txt', content: zeros(3 * MiB) }]), 'small.txt', 1000)),
    status: 400,
    code: 'validation_failed',
    field: 'file',
  },
  { name: 'zip bomb: header declares 4 GiB - 1', parts: zipped(async () => lieAboutSize(await zip([{ name: 'big.txt', content: Buffer.from('tiny') }]), 'big.txt', 0xfffffffe)), status: 413, code: 'payload_too_large', field: 'file' },
  {
    name: 'zip bomb: ratio bomb nested one level down',
    parts: zipped(async () => zip([{ name: 'outer/zeros.bin', content: zeros(2 * MiB) }])),
    status: 413,
    code: 'payload_too_large',
    field: 'file',
    message: /zip bomb/,
  },
);

// Zip slip.
const slip = (evil: string) => zipped(() => zipWithRawNames([{ name: evil, content: Buffer.from('evil') }]));
for (const evil of [
  '../evil.txt',
  '../../../../etc/cron.d/evil',
  'docs/../../evil.txt',
  '/etc/passwd.txt',
  '/abs/evil.txt',
  'C:/Windows/evil.txt',
  'c:evil.txt',
  '..\\evil.txt',
  'docs\\..\\..\\evil.txt',
  '\\\\server\\share\\evil.txt',
  '\\evil.txt',
]) {
  rows.push({ name: `zip slip: ${evil}`, parts: slip(evil), status: 400, code: 'validation_failed', field: 'file', message: /outside|absolute|leaves/ });
}
rows.push({
  name: 'zip slip in a directory entry',
  parts: zipped(() => zipWithRawNames([{ name: '../outside/', content: Buffer.alloc(0) }])),
  status: 400,
  code: 'validation_failed',
  field: 'file',
  message: /outside/,
});
rows.push({
  name: 'zip with a symbolic link',
  parts: zipped(() => zip([{ name: 'link.txt', content: Buffer.from('/etc/passwd'), mode: 0o120777 }])),
  status: 400,
  code: 'validation_failed',
  field: 'file',
  message: /symbolic link/,
});
rows.push({
  name: 'zip with an encrypted entry',
  parts: zipped(async () => setFlag(await zip([{ name: 'secret.pdf', content: pdf() }]), 'secret.pdf', 0x1)),
  status: 415,
  code: 'unsupported_media_type',
  field: 'file',
  message: /encrypted/,
});
rows.push({ name: 'not a zip at all, named .zip', parts: one('fake.zip', Buffer.from('PK\u0003\u0004 this is not really a zip archive')), status: 400, code: 'validation_failed', field: 'file' });
rows.push({
  name: 'zip truncated in the middle',
  parts: zipped(async () => {
    const whole = await zip([{ name: 'a.pdf', content: pdf(5000), compress: false }]);
    return whole.subarray(0, whole.length / 2);
  }),
  status: 400,
  code: 'validation_failed',
  field: 'file',
});

// Disallowed types, at the top level and inside archives.
for (const name of ['setup.exe', 'SETUP.EXE', 'invoice.pdf.exe', 'run.bat', 'script.ps1', 'macro.vbs', 'app.js', 'lib.dll', 'install.msi', 'shortcut.lnk', 'tweak.reg', 'page.hta']) {
  rows.push({ name: `blocked type at the top level: ${name}`, parts: one(name, Buffer.from('MZ')), status: 415, code: 'unsupported_media_type', field: 'file' });
}
rows.push({ name: 'blocked type by staff: tool.exe', as: 'staff', parts: one('tool.exe', Buffer.from('MZ')), status: 415, code: 'unsupported_media_type', field: 'file' });
for (const name of ['docs/run.exe', 'deep/er/install.msi', 'Invoice.PDF.Exe', 'x.sh']) {
  rows.push({
    name: `blocked type inside a zip: ${name}`,
    parts: zipped(() => zip([{ name, content: Buffer.from('MZ') }])),
    status: 415,
    code: 'unsupported_media_type',
    field: 'file',
  });
}

// Names SharePoint refuses, at the top level, in the folder field and inside archives.
const ILLEGAL = [
  'a:b.pdf',
  'what?.pdf',
  'star*.pdf',
  'pipe|.pdf',
  'lt<gt>.pdf',
  'CON.pdf',
  'con',
  'prn.txt',
  'aux.docx',
  'nul.pdf',
  'COM1.pdf',
  'lpt9.txt',
  'desktop.ini',
  '.lock',
  '~$draft.docx',
  '_vti_cnf.pdf',
  'trailing.',
  ' leading.pdf',
  'tab\tin.pdf',
  'bell\u0007.pdf',
  'del\u007f.pdf',
  `${'n'.repeat(252)}.pdf`,
];
for (const name of ILLEGAL) {
  rows.push({ name: `illegal SharePoint name at the top level: ${JSON.stringify(name)}`, parts: one(name), status: 400, code: 'validation_failed', field: 'file' });
  rows.push({
    name: `illegal SharePoint name inside a zip: ${JSON.stringify(name)}`,
    parts: zipped(() => zipWithRawNames([{ name: `docs/${name}`, content: pdf() }])),
    status: 400,
    code: 'validation_failed',
    field: 'file',
  });
}
// Bidi overrides and zero-width characters: refused in names (src/contract/names.ts).
rows.push(
  { name: 'right-to-left override in a file name', parts: one('invoice\u202Efdp.html'), status: 400, code: 'validation_failed', field: 'file', message: /U\+202E/ },
  { name: 'zero-width space in a zip entry name', parts: zipped(() => zip([{ name: 'docs/Acme\u200Bcontract.pdf', content: pdf() }])), status: 400, code: 'validation_failed', field: 'file', message: /U\+200B/ },
  { name: 'left-to-right isolate in the folder field', parts: async () => [{ name: 'folder', value: 'Medical\u2066' }, file('a.pdf')], status: 400, code: 'validation_failed', field: 'folder', message: /U\+2066/ },
);
for (const folder of ['a:b', 'CON', 'x/../..', '../up', 'ok/~$bad', 'trail./x', '_vti_bin']) {
  rows.push({ name: `illegal folder field: ${folder}`, parts: async () => [{ name: 'folder', value: folder }, file('a.pdf')], status: 400, code: 'validation_failed', field: 'folder' });
}

// 400-character paths.
const longPath = (total: number, leaf = 'scan.pdf') => {
  const segment = 'd'.repeat(99);
  const parts: string[] = [];
  while ([...parts, leaf].join('/').length + 100 <= total) parts.push(segment);
  const rest = total - [...parts, leaf].join('/').length - 1;
  if (rest > 0) parts.push('e'.repeat(rest));
  const p = [...parts, leaf].join('/');
  if (p.length !== total) throw new Error(`path of ${p.length}, wanted ${total}`);
  return p;
};
rows.push(
  {
    name: 'zip entry path of 401 characters',
    parts: zipped(() => zip([{ name: longPath(401), content: pdf() }])),
    status: 400,
    code: 'validation_failed',
    field: 'file',
    message: /400 characters/,
  },
  { name: 'zip entry path of 1,000 characters', parts: zipped(() => zip([{ name: longPath(1000), content: pdf() }])), status: 400, code: 'validation_failed', field: 'file', message: /400 characters/ },
  { name: 'folder field and file name adding up to 401 characters', parts: async () => [{ name: 'folder', value: longPath(392, 'last') }, file('scan.pdf')], status: 400, code: 'validation_failed', field: 'folder' },
  { name: 'folder field of 600 characters', parts: async () => [{ name: 'folder', value: longPath(600, 'last') }, file('scan.pdf')], status: 400, code: 'validation_failed', field: 'folder' },
  {
    name: 'folder field plus zip entry path beyond 400 characters',
    parts: async () => [{ name: 'folder', value: longPath(300, 'last') }, file('in.zip', await zip([{ name: longPath(150), content: pdf() }]))],
    status: 400,
    code: 'validation_failed',
  },
);

// One request, a good file then a refused one: nothing of the request may stay behind.
rows.push(
  { name: 'a good file followed by a blocked one in the same request', parts: async () => [file('first.pdf'), file('second.exe', Buffer.from('MZ'))], status: 415, code: 'unsupported_media_type', field: 'file' },
  {
    name: 'a good zip followed by a zip slip in the same request',
    parts: async () => [file('good.zip', await zip([{ name: 'g/a.pdf', content: pdf() }])), file('bad.zip', await zipWithRawNames([{ name: '../evil.txt', content: Buffer.from('x') }]))],
    status: 400,
    code: 'validation_failed',
    field: 'file',
  },
);

/** A refusal is quick; an upload that never gets an answer is a failure of its own. */
const ANSWER_WITHIN_MS = 10_000;

/** Sends a multipart body as-is, or only its head with a lying Content-Length, and reads the answer. */
function rawPost(url: string, token: string, contentType: string, body: Buffer, declaredLength?: number): Promise<{ status: number; body: { error?: { code?: string; field?: string; message?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': String(declaredLength ?? body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') });
        });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`));
    }, ANSWER_WITHIN_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(body);
    if (declaredLength === undefined) req.end();
    // With a larger declared length the request stays open: the server must answer without waiting for the rest.
  });
}

describe('upload sweep: hostile files through the upload routes', () => {
  let w: UploadWorld;
  const guestPath = () => `/api/portal/cases/${w.case.id}/files`;
  const staffPath = () => `/api/cases/${w.case.id}/files`;
  // Every table as storeFingerprint sees it, except the delta jobs SharePoint's change notifications queue on their own.
  const store = async () => {
    const outbox = await w.app.db.query<{ row: unknown }>(`SELECT to_jsonb(o) AS row FROM outbox o WHERE kind <> 'm365-delta' ORDER BY id`);
    return (await storeFingerprint(w.app.db)).replace(/^outbox:.*$/m, `outbox:${JSON.stringify(outbox)}`);
  };
  const unchanged = async () => ({ store: await store(), drive: await driveSnapshot(w.sim, w.case.driveId as string) });

  beforeAll(async () => {
    w = await startUploadWorld({ settings: LIMITS });
  }, 60_000);
  afterAll(async () => {
    // An upload the app never answered keeps its connection open, and server.close waits for it: bounded.
    await Promise.race([w?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }, 20_000);

  it('keeps a table of at least 100 hostile uploads with distinct names', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await unchanged();
    const { body, contentType } = multipart(await row.parts());
    const token = row.as === 'staff' ? w.firm.staffToken : w.guest.token;
    const res = await rawPost(`${w.app.url}${row.as === 'staff' ? staffPath() : guestPath()}`, token, contentType, body);
    expect({ status: res.status, code: res.body.error?.code, ...(row.field ? { field: res.body.error?.field } : {}) }).toEqual({ status: row.status, code: row.code, ...(row.field ? { field: row.field } : {}) });
    if (row.message) expect(res.body.error?.message).toMatch(row.message);
    // Anything a refused request started in SharePoint must be gone, and the store untouched.
    await w.app.drain();
    expect(await unchanged()).toEqual(before);
  });

  it('answers 413 at once to a Content-Length above the limit, before reading the body', async () => {
    const before = await unchanged();
    const { body, contentType } = multipart([file('huge.pdf', pdf(1000))]);
    const started = Date.now();
    const res = await rawPost(`${w.app.url}${guestPath()}`, w.guest.token, contentType, body, 6 * MiB);
    expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }).toEqual({ status: 413, code: 'payload_too_large', field: 'file' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await unchanged()).toEqual(before);
  });

  it('keeps an archive inside the archive packed: a nested zip bomb is stored as one small file', async () => {
    const inner = await zip([
      { name: 'bomb.bin', content: zeros(6 * MiB) },
      { name: 'more.zip', content: await zip([{ name: 'zeros.bin', content: zeros(6 * MiB) }]) },
    ]);
    const outer = await zip([
      { name: 'nested/inner.zip', content: inner, compress: false },
      { name: 'nested/note.txt', content: Buffer.from('see inner') },
    ]);
    const drive0 = await driveSnapshot(w.sim, w.case.driveId as string);
    const { body, contentType } = multipart([file('outer.zip', outer)]);
    const res = await rawPost(`${w.app.url}${guestPath()}`, w.guest.token, contentType, body);
    expect(res.status).toBe(201);
    // Accepted once stored safely; the outbox writes the two files to SharePoint.
    const done = await waitForBatch(w.app, w.guest.token, (res.body as unknown as { batch: { id: string } }).batch.id);
    expect(done.files.map((f) => [f.path, f.sizeBytes, f.state]).sort()).toEqual([
      ['nested/inner.zip', inner.length, 'in'],
      ['nested/note.txt', 9, 'in'],
    ]);
    const added = (await driveSnapshot(w.sim, w.case.driveId as string)).filter((p) => !drive0.includes(p));
    const caseFolder = `/root/${w.case.number} ${w.case.title}/`;
    expect(added.map((p) => p.replace(caseFolder, ''))).toEqual([`nested/inner.zip:${inner.length}`, 'nested/note.txt:9', 'nested:dir'].sort());
  });
});
