import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UploadAnswer, UploadBatchStatus } from '../../src/contract';
import type { Db } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import { freshPglite } from '../support/db';
import { callApi } from '../support/http';
import { zip } from '../stress/support/hostile-zip';
import { driveSnapshot, uploadCase } from '../stress/support/m365-world';
import { useUploadWorld } from './firm-world';
import { acceptedGuest, type AppHandle, permissionsFor, seedFirm, type SimHandle, startApp, startSim, tmpDir, uploadAnswer, waitForBatch } from './harness';

/**
 * A guest's upload is answered once its bytes are spooled and checksummed, and written to
 * SharePoint by the outbox afterwards: the answer comes before the write, a process that dies in
 * between loses nothing, the guest follows each file, a damaged spool copy is refused loudly, the
 * channel hears once per batch, and a revocation overtakes a queue of bulk writes.
 */
const pdf = (text: string) => Buffer.from(`%PDF-1.7 ${text}`);

async function sharePointNames(world: { sim: SimHandle }, driveId: string): Promise<string[]> {
  return (await driveSnapshot(world.sim, driveId)).map((line) => line.split(':')[0].split('/').pop() as string);
}

async function status(app: Pick<AppHandle, 'url'>, token: string, batchId: string): Promise<UploadBatchStatus> {
  const res = await callApi(app.url, 'GET', `/api/portal/uploads/${batchId}`, token);
  expect(res.status).toBe(200);
  return res.body as UploadBatchStatus;
}

describe('guest uploads written in the background', () => {
  const w = useUploadWorld();
  const filesPath = () => `/api/portal/cases/${w.case.id}/files`;

  it('answers before anything is written to SharePoint, then writes every file and says so per file', async () => {
    const res = await uploadAnswer(w.app, filesPath(), w.guest.token, [
      { name: 'file', filename: 'early-one.pdf', content: pdf('one') },
      { name: 'folder', value: 'Early' },
      { name: 'file', filename: 'early-two.pdf', content: pdf('two') },
    ]);
    expect(res.status).toBe(201);
    const answer = res.body as UploadAnswer;
    expect(answer.batch?.state).toBe('pending');
    expect(answer.batch?.files.map((f) => [f.path, f.state])).toEqual([
      ['early-one.pdf', 'pending'],
      ['Early/early-two.pdf', 'pending'],
    ]);
    // Nothing in SharePoint, nothing in the case's documents yet: only the spooled copy.
    const names = await sharePointNames(w, w.case.driveId as string);
    expect(names).not.toContain('early-one.pdf');
    expect(names).not.toContain('Early');
    const batchId = answer.batch?.id as string;
    expect((await status(w.app, w.guest.token, batchId)).state).toBe('pending');

    const done = await waitForBatch(w.app, w.guest.token, batchId);
    expect(done.files.map((f) => f.state)).toEqual(['in', 'in']);
    const after = await driveSnapshot(w.sim, w.case.driveId as string);
    expect(after.some((line) => line.endsWith('/early-one.pdf:' + pdf('one').length))).toBe(true);
    expect(after.some((line) => line.endsWith('/Early/early-two.pdf:' + pdf('two').length))).toBe(true);
    const item = await new Repo(w.app.db).item(w.firm.firm.id, done.files[1].itemId as string);
    expect(item?.title).toBe('early-two.pdf');
    // The spool is cleaned up once the batch is in.
    const spoolDirs = await w.app.db.query<{ spool_dir: string }>('SELECT spool_dir FROM upload_batches WHERE id = $1', [batchId]);
    await expect(fs.stat(spoolDirs[0].spool_dir)).rejects.toThrow();
  });

  it('refuses a file whose spooled copy no longer matches its checksum, and writes the others', async () => {
    const res = await uploadAnswer(w.app, filesPath(), w.guest.token, [
      { name: 'file', filename: 'kept-intact.pdf', content: pdf('intact') },
      { name: 'file', filename: 'damaged-on-disk.pdf', content: pdf('original') },
    ]);
    expect(res.status).toBe(201);
    const batchId = (res.body as UploadAnswer).batch?.id as string;
    const rows = await w.app.db.query<{ spool_file: string }>('SELECT spool_file FROM upload_files WHERE batch_id = $1 AND position = 1', [batchId]);
    // Same size, other bytes: only the checksum can tell.
    await fs.writeFile(rows[0].spool_file, pdf('tampere'));
    const done = await waitForBatch(w.app, w.guest.token, batchId);
    expect(done.files.map((f) => f.state)).toEqual(['in', 'refused']);
    expect(done.files[1].reason).toMatch(/checksum/);
    const names = await sharePointNames(w, w.case.driveId as string);
    expect(names).toContain('kept-intact.pdf');
    expect(names).not.toContain('damaged-on-disk.pdf');
  });

  it('removes, at start-up, the spool of a request that died before it was accepted, and keeps a pending batch', async () => {
    const res = await uploadAnswer(w.app, filesPath(), w.guest.token, [{ name: 'file', filename: 'still-pending.pdf', content: pdf('pending') }]);
    const batchId = (res.body as UploadAnswer).batch?.id as string;
    const [{ spool_dir: pendingDir }] = await w.app.db.query<{ spool_dir: string }>('SELECT spool_dir FROM upload_batches WHERE id = $1', [batchId]);
    const abandoned = await fs.mkdtemp(path.join(path.dirname(pendingDir), 'caseroom-upload-'));
    await fs.writeFile(path.join(abandoned, 'file-1'), pdf('half a request'));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await fs.utimes(abandoned, twoHoursAgo, twoHoursAgo);
    await fs.utimes(pendingDir, twoHoursAgo, twoHoursAgo);
    expect(await w.app.m365.uploads.sweepSpool()).toBe(1);
    await expect(fs.stat(abandoned)).rejects.toThrow();
    expect((await fs.stat(pendingDir)).isDirectory()).toBe(true);
    expect((await waitForBatch(w.app, w.guest.token, batchId)).files[0].state).toBe('in');
  });

  it('tells the channel once per batch, when its files are in', async () => {
    const archive = await zip(Array.from({ length: 6 }, (_, k) => ({ name: `Bundle/doc-${k}.pdf`, content: pdf(`bundle ${k}`) })));
    const before = w.app.notifications.length;
    const res = await uploadAnswer(w.app, filesPath(), w.guest.token, [{ name: 'file', filename: 'bundle.zip', content: archive }]);
    expect(res.status).toBe(201);
    const done = await waitForBatch(w.app, w.guest.token, (res.body as UploadAnswer).batch?.id as string);
    await w.app.drain();
    const uploaded = w.app.notifications.slice(before).filter((e) => e.type === 'guest.uploaded');
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0].type === 'guest.uploaded' && [...uploaded[0].itemIds].sort()).toEqual(done.files.map((f) => f.itemId).sort());
  });
});

describe('an upload accepted just before the process dies', () => {
  let sim: SimHandle;
  let db: Db;
  let dataDir: string;
  const apps: AppHandle[] = [];

  beforeAll(async () => {
    sim = await startSim();
    db = await freshPglite();
    dataDir = await tmpDir('caseroom-restart-');
  }, 180_000);
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await db?.close();
    await sim?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('still reaches SharePoint when a new process starts on the same store and data directory', async () => {
    const first = await startApp(sim, { db, dataDir });
    apps.push(first);
    const { case: c, guest } = await uploadCase(sim, first, await seedFirm(sim, db));
    const token = guest.token;

    const archive = await zip([
      { name: 'survivor-1.pdf', content: pdf('one') },
      { name: 'Deep/survivor-2.pdf', content: pdf('two') },
    ]);
    const res = await uploadAnswer(first, `/api/portal/cases/${c.id}/files`, token, [{ name: 'file', filename: 'survivors.zip', content: archive }]);
    expect(res.status).toBe(201);
    const batchId = (res.body as UploadAnswer).batch?.id as string;
    // The process goes away before its outbox runs: nothing was written.
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    expect(await sharePointNames({ sim }, c.driveId as string)).not.toContain('survivor-1.pdf');

    const second = await startApp(sim, { db, dataDir });
    apps.push(second);
    const done = await waitForBatch(second, token, batchId);
    expect(done.files.map((f) => f.state)).toEqual(['in', 'in']);
    const names = await sharePointNames({ sim }, c.driveId as string);
    expect(names).toEqual(expect.arrayContaining(['survivor-1.pdf', 'survivor-2.pdf']));
  }, 240_000);
});

describe('revocation first', () => {
  // A tiny budget (60 units a minute): a 40-file batch needs well over a minute of it.
  const w = useUploadWorld({ settings: { unitsPerMinute: 60 } });

  it('removes a guest permission while a queue of bulk writes has the budget spent', async () => {
    const { sharing } = w.app.app.services;
    const rex = await acceptedGuest(w.sim, w.app, w.firm, { name: 'Rex Revoked', email: 'rex@guest.example', kind: 'expert', caseId: w.case.id });
    const grant = await sharing.grant(w.firm.actor, { contactId: rex.contactId, scope: { kind: 'case', caseId: w.case.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: null, reason: null });
    await w.app.settle(60_000);
    expect(await permissionsFor(w.sim, w.case.driveId as string, w.case.folderItemId as string, rex.userId)).toHaveLength(1);

    const archive = await zip(Array.from({ length: 40 }, (_, k) => ({ name: `Bulk/page-${k}.pdf`, content: pdf(`page ${k}`) })));
    const res = await uploadAnswer(w.app, `/api/portal/cases/${w.case.id}/files`, w.guest.token, [{ name: 'file', filename: 'bulk.zip', content: archive }]);
    expect(res.status).toBe(201);
    const batchId = (res.body as UploadAnswer).batch?.id as string;
    w.app.app.worker.start();
    const budget = w.app.m365.graph.budget();
    // Wait (generously) until the bulk write has used up everything but the removal reserve.
    for (let waited = 0; budget.headroom('normal') >= 2 && waited < 120_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(budget.headroom('normal')).toBeLessThan(2);

    await sharing.revokeGrant(w.firm.actor, grant.id, 'engagement ended');
    let revoked = false;
    for (let waited = 0; !revoked && waited < 120_000; waited += 250) {
      revoked = (await permissionsFor(w.sim, w.case.driveId as string, w.case.folderItemId as string, rex.userId)).length === 0;
      if (!revoked) await new Promise((r) => setTimeout(r, 250));
    }
    expect(revoked).toBe(true);
    // The bulk batch is still waiting on the budget: the removal went ahead of it.
    const batch = await status(w.app, w.guest.token, batchId);
    expect(batch.state).toBe('pending');
    expect(batch.files.some((f) => f.state === 'pending')).toBe(true);
  }, 300_000);
});
