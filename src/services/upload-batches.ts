import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { ArchiveEntryNote, RefusedArchiveEntry, UploadBatchStatus, UploadFileState } from '../contract';
import { DomainError, notFound } from '../domain/errors';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { APP, type GraphGateway, pathOf, seg } from '../m365/graph';
import { SIMPLE_UPLOAD_MAX, type UploadedItem, type UploadSessions } from '../m365/upload-session';
import type { Db } from '../store/db';
import { Repo } from '../store/repo';
import type { CaseRecord } from '../store/records';
import type { Services } from './core';
import { actorLabel, type GuestActor } from './context';
import { hastenDriveDelta, requestUploadWrite } from './job-requests';

/** The folder a file's path is relative to: the case folder (itemId null) or a folder item of the case. */
export interface UploadBase {
  itemId: string | null;
  driveItemId: string;
}

/** One file as received: on the spool disk, flushed, with its SHA-256, waiting to be written to SharePoint. */
export interface SpooledFile {
  base: UploadBase;
  /** Path relative to the base, e.g. 'Medical/scan.pdf'. */
  path: string;
  size: number;
  mimeType: string | null;
  sha256: string;
  file: string;
}

export interface UploadBatchDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  services: Services;
  sessions: UploadSessions;
}

/**
 * How long one run of the write job starts new files before it hands over to a fresh job (the
 * batch carries on where it stopped): a run stays well inside the worker's time limit even when
 * the budget makes a request wait a whole minute.
 */
export const WRITE_SLICE_MS = 20_000;

/** Bytes and digest of a file, read back from the disk. */
export async function digestOf(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Flushes a spool file (or directory) to the disk, so an answer sent after it survives a power cut. */
export async function flushToDisk(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a stream to a file, refusing more than `limit` bytes; returns the size and SHA-256 once the file is on the disk. */
export async function spoolTo(source: Readable, file: string, limit: number): Promise<{ size: number; sha256: string }> {
  let size = 0;
  const hash = createHash('sha256');
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      hash.update(chunk);
      if (size > limit) cb(new DomainError('payload_too_large', `uploads are limited to ${limit} bytes`, 'file'));
      else cb(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(file));
  await flushToDisk(file);
  return { size, sha256: hash.digest('hex') };
}

interface BatchRow {
  id: string;
  firm_id: string;
  case_id: string;
  contact_id: string;
  user_id: string;
  state: 'pending' | 'done';
  spool_dir: string;
  skipped: ArchiveEntryNote[];
  refused: RefusedArchiveEntry[];
}

interface FileRow {
  position: number;
  base_item_id: string | null;
  base_drive_item_id: string;
  path: string;
  size_bytes: string | number;
  mime_type: string | null;
  sha256: string;
  spool_file: string;
  state: UploadFileState;
  reason: string | null;
  drive_item_id: string | null;
  stored_name: string | null;
  folder_item_id: string | null;
  item_id: string | null;
}

/** A spool directory no batch names is an abandoned request once it is this old (App Service ends a request after 230 s). */
const ORPHAN_AGE_MS = 3_600_000;

const ACCESS_CHANGED = 'your access to this case changed before the file was stored';

/** A file that cannot be written, whatever the retry: it is refused with this reason. */
class FileRefused extends Error {}

/**
 * A guest's upload, accepted fast and written in the background. The route answers once every
 * file is on the spool disk (flushed, with its SHA-256) and the batch, its files and the outbox
 * job that writes them are committed in one transaction: a process that dies after the answer
 * leaves a job that the next one runs, and files already in SharePoint are not written again.
 *
 * The write spends at most about 2 resource units per small file (SharePoint's cost of a
 * create, learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online):
 * one PUT with `@microsoft.graph.conflictBehavior=rename` (SharePoint picks a free name; no
 * look-up first), each new folder created once per batch (2 units, a folder the store knows
 * costs nothing), and no read-back. Large files go through an upload session. The channel card
 * comes once, when the batch is in (one `guest.uploaded` event for the whole batch).
 */
export class UploadBatches {
  constructor(private readonly d: UploadBatchDeps) {}

  /** Records an accepted batch and queues its write, in one transaction. */
  async accept(actor: GuestActor, c: CaseRecord, spoolDir: string, files: readonly SpooledFile[], notes: { skipped: ArchiveEntryNote[]; refused: RefusedArchiveEntry[] }): Promise<UploadBatchStatus> {
    const batchId = randomUUID();
    await flushToDisk(spoolDir);
    await this.d.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO upload_batches (id, firm_id, case_id, contact_id, user_id, spool_dir, skipped, refused) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [
        batchId,
        c.firmId,
        c.id,
        actor.contactId,
        actor.userId,
        spoolDir,
        JSON.stringify(notes.skipped),
        JSON.stringify(notes.refused),
      ]);
      for (const [position, f] of files.entries()) {
        await tx.query(`INSERT INTO upload_files (batch_id, position, base_item_id, base_drive_item_id, path, size_bytes, mime_type, sha256, spool_file) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, [
          batchId,
          position,
          f.base.itemId,
          f.base.driveItemId,
          f.path,
          f.size,
          f.mimeType,
          f.sha256,
          f.file,
        ]);
      }
      await requestUploadWrite(tx, c.firmId, batchId);
    });
    return this.statusOf(batchId);
  }

  /**
   * Removes spool directories no batch names that are older than an hour: a request that died
   * before its batch was committed (its guest got no answer, so nothing was promised). Younger
   * ones may be a request in progress on another instance sharing the spool.
   */
  async sweepOrphans(root: string): Promise<number> {
    const known = new Set((await this.d.db.query<{ spool_dir: string }>(`SELECT spool_dir FROM upload_batches WHERE state = 'pending'`)).map((r) => path.resolve(r.spool_dir)));
    let removed = 0;
    for (const name of await fs.readdir(root)) {
      const dir = path.resolve(root, name);
      if (!name.startsWith('caseroom-upload-') || known.has(dir)) continue;
      const stat = await fs.stat(dir).catch(() => null);
      if (!stat?.isDirectory() || Date.now() - stat.mtimeMs < ORPHAN_AGE_MS) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** A batch as its guest sees it; anyone else's (or an unknown id) is a 404, so ids reveal nothing. */
  async status(actor: GuestActor, batchId: string): Promise<UploadBatchStatus> {
    const rows = await this.d.db.query<{ id: string }>('SELECT id FROM upload_batches WHERE id = $1 AND firm_id = $2 AND contact_id = $3', [batchId, actor.firmId, actor.contactId]);
    if (rows.length === 0) throw notFound('upload');
    return this.statusOf(batchId);
  }

  private async statusOf(batchId: string): Promise<UploadBatchStatus> {
    const batch = await this.batch(batchId);
    if (!batch) throw notFound('upload');
    const files = await this.files(batchId);
    return {
      id: batch.id,
      caseId: batch.case_id,
      state: batch.state,
      files: files.map((f) => ({ path: f.path, sizeBytes: Number(f.size_bytes), state: f.state, reason: f.reason, itemId: f.item_id })),
      skipped: batch.skipped,
      refused: batch.refused,
    };
  }

  private async batch(batchId: string): Promise<BatchRow | null> {
    const rows = await this.d.db.query<BatchRow>('SELECT * FROM upload_batches WHERE id = $1', [batchId]);
    return rows[0] ?? null;
  }

  private files(batchId: string): Promise<FileRow[]> {
    return this.d.db.query<FileRow>('SELECT * FROM upload_files WHERE batch_id = $1 ORDER BY position', [batchId]);
  }

  /**
   * Writes the batch's pending files to SharePoint for up to `sliceMs`, then records the batch
   * once none is pending. Returns 'more' when the slice ran out first (the caller queues the rest).
   */
  async write(batchId: string, sliceMs = WRITE_SLICE_MS, signal?: AbortSignal): Promise<'done' | 'more'> {
    const batch = await this.batch(batchId);
    if (!batch || batch.state === 'done') return 'done';
    const repo = new Repo(this.d.db);
    const c = await repo.case(batch.firm_id, batch.case_id);
    const contact = await repo.contact(batch.firm_id, batch.contact_id);
    const firm = await repo.firm(batch.firm_id);
    if (!c?.driveId || !contact || !firm) {
      await this.refusePending(batchId, 'the case is no longer available');
      return this.finish(batch, null);
    }
    const actor: GuestActor = { kind: 'guest', firmId: batch.firm_id, contactId: contact.id, userId: batch.user_id, name: contact.name };
    // Her grant was checked when the files were accepted; one withdrawn since stops the rest.
    const allowed = await this.d.services.portal.assertCanUpload(repo, firm, contact, c.id).then(
      () => true,
      (err: unknown) => {
        if (err instanceof DomainError) return false;
        throw err;
      },
    );
    if (!allowed) {
      await this.refusePending(batchId, ACCESS_CHANGED);
      return this.finish(batch, null, c);
    }
    const until = Date.now() + sliceMs;
    const folders = new Map<string, { itemId: string | null; driveItemId: string }>();
    for (const f of await this.files(batchId)) {
      if (f.state !== 'pending') continue;
      if (Date.now() > until || signal?.aborted) return 'more';
      await this.writeOne(actor, c, f, batchId, folders);
    }
    return this.finish(batch, actor, c);
  }

  private async writeOne(actor: GuestActor, c: CaseRecord, f: FileRow, batchId: string, folders: Map<string, { itemId: string | null; driveItemId: string }>): Promise<void> {
    const slash = f.path.lastIndexOf('/');
    const leaf = f.path.slice(slash + 1);
    try {
      const base = { itemId: f.base_item_id, driveItemId: f.base_drive_item_id };
      const parent = await this.folder(actor, c, base, slash >= 0 ? f.path.slice(0, slash) : '', folders);
      const size = Number(f.size_bytes);
      const content = await this.checkedContent(f, size);
      const item = await this.put(c, parent.driveItemId, leaf, size, content);
      await this.d.db.query(`UPDATE upload_files SET state = 'in', drive_item_id = $3, stored_name = $4, folder_item_id = $5 WHERE batch_id = $1 AND position = $2`, [batchId, f.position, item.id, item.name ?? leaf, parent.itemId]);
    } catch (err) {
      if (!(err instanceof FileRefused)) throw err;
      await this.d.db.query(`UPDATE upload_files SET state = 'refused', reason = $3 WHERE batch_id = $1 AND position = $2`, [batchId, f.position, err.message]);
    }
  }

  /**
   * The file's bytes, checked against the SHA-256 taken when it was accepted. A mismatch (or a
   * spool file gone) means the copy CaseRoom kept is not what the guest sent: never written,
   * refused with the reason, and logged as an error for the operator.
   */
  private async checkedContent(f: FileRow, size: number): Promise<Buffer | Readable> {
    const damaged = (detail: string) => {
      this.d.logger.error({ batchFile: f.position, spoolFile: f.spool_file, detail }, 'upload spool file does not match its checksum: refused');
      return new FileRefused('CaseRoom’s stored copy of this file is damaged (its checksum does not match); please upload it again');
    };
    try {
      if (size <= SIMPLE_UPLOAD_MAX) {
        const bytes = await fs.readFile(f.spool_file);
        if (bytes.length !== size || createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw damaged(`${bytes.length} bytes read`);
        return bytes;
      }
      const digest = await digestOf(f.spool_file);
      if (digest.size !== size || digest.sha256 !== f.sha256) throw damaged(`${digest.size} bytes read`);
      return createReadStream(f.spool_file);
    } catch (err) {
      if (err instanceof FileRefused) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw damaged('spool file missing');
      throw err;
    }
  }

  private async put(c: CaseRecord, parentDriveItemId: string, name: string, size: number, content: Buffer | Readable): Promise<UploadedItem> {
    try {
      return await this.d.sessions.upload({ driveId: c.driveId as string, baseItemId: parentDriveItemId, path: name }, size, content, APP, 'rename');
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 404) throw new FileRefused('the folder it was sent to no longer exists in the case');
      if (err instanceof GraphRequestError && err.status === 400) throw new FileRefused(`SharePoint refused the file: ${err.message}`);
      throw asRetryable(err);
    }
  }

  /**
   * The folder a file goes into, created once per batch: a folder the store knows costs nothing,
   * a new one one create (2 units); one that exists in SharePoint but not in the store (409) one
   * read more. Each gets its folder item, as before the upload ran in the background.
   */
  private async folder(actor: GuestActor, c: CaseRecord, base: UploadBase, folderPath: string, cache: Map<string, { itemId: string | null; driveItemId: string }>): Promise<UploadBase> {
    if (folderPath === '') return base;
    const key = `${base.driveItemId}|${folderPath.toLowerCase()}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const slash = folderPath.lastIndexOf('/');
    const parent = await this.folder(actor, c, base, slash >= 0 ? folderPath.slice(0, slash) : '', cache);
    const title = folderPath.slice(slash + 1);
    const repo = new Repo(this.d.db);
    const known = (await repo.itemsOfCase(c.id)).find((i) => i.kind === 'folder' && i.parentId === parent.itemId && i.driveItemId && i.title.toLowerCase() === title.toLowerCase());
    let found: UploadBase;
    if (known?.driveItemId) found = { itemId: known.id, driveItemId: known.driveItemId };
    else {
      const driveItemId = await this.createFolder(c, parent.driveItemId, title);
      found = { itemId: await this.folderItem(actor, c, driveItemId, title, parent.itemId), driveItemId };
    }
    cache.set(key, found);
    return found;
  }

  private async createFolder(c: CaseRecord, parentDriveItemId: string, title: string): Promise<string> {
    const drive = `/drives/${seg(c.driveId as string)}/items/${seg(parentDriveItemId)}`;
    try {
      const created = await this.d.graph.call<{ id: string }>({ method: 'POST', path: `${drive}/children`, body: { name: title, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }, idempotent: true });
      return created.id;
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 409) return (await this.d.graph.get<{ id: string }>(`${drive}:/${pathOf(title)}:?$select=id`)).id;
      if (err instanceof GraphRequestError && err.status === 404) throw new FileRefused('the folder it was sent to no longer exists in the case');
      throw asRetryable(err);
    }
  }

  private async folderItem(actor: GuestActor, c: CaseRecord, driveItemId: string, title: string, parentId: string | null): Promise<string> {
    return this.d.db.transaction(async (tx) => {
      const r = new Repo(tx);
      const existing = await r.itemByDriveItem(c.firmId, driveItemId);
      if (existing) return existing.id;
      const created = await r.insertItem({ firmId: c.firmId, caseId: c.id, kind: 'folder', title, parentId, driveItemId, createdBy: actorLabel(actor) });
      await r.appendAudit({ firmId: c.firmId, actor: actorLabel(actor), action: 'folder.created', target: `case:${c.id}`, reason: 'created by an upload', data: { itemId: created.id, title } });
      return created.id;
    });
  }

  private async refusePending(batchId: string, reason: string): Promise<void> {
    await this.d.db.query(`UPDATE upload_files SET state = 'refused', reason = $2 WHERE batch_id = $1 AND state = 'pending'`, [batchId, reason]);
  }

  /**
   * Once no file is pending: the documents recorded in one go (one memo, one audit entry, one
   * `guest.uploaded` event for the batch, so one channel card), the batch marked done and
   * its spool removed. Files already recorded by an earlier run are linked, not recorded twice.
   */
  private async finish(batch: BatchRow, actor: GuestActor | null, c?: CaseRecord): Promise<'done'> {
    const files = await this.files(batch.id);
    const unrecorded = files.filter((f) => f.state === 'in' && f.drive_item_id && !f.item_id);
    if (!actor && c?.driveId) {
      // Her access went while the batch was being written: what was written goes again.
      for (const f of unrecorded) {
        await this.d.graph
          .raw({ method: 'DELETE', path: `/drives/${seg(c.driveId)}/items/${seg(f.drive_item_id as string)}`, idempotent: true })
          .catch((err: unknown) => this.d.logger.error({ err, batchId: batch.id }, 'could not remove a file of a withdrawn upload; drift and delta will report it'));
        await this.d.db.query(`UPDATE upload_files SET state = 'refused', reason = $3 WHERE batch_id = $1 AND position = $2`, [batch.id, f.position, ACCESS_CHANGED]);
      }
    }
    if (actor && c && unrecorded.length > 0) {
      const repo = new Repo(this.d.db);
      const fresh: FileRow[] = [];
      for (const f of unrecorded) {
        const existing = await repo.itemByDriveItem(c.firmId, f.drive_item_id as string);
        if (existing) await this.linkItem(batch.id, f.position, existing.id);
        else fresh.push(f);
      }
      if (fresh.length > 0) {
        const documents = fresh.map((f) => ({ name: f.stored_name ?? f.path.split('/').pop() ?? f.path, sizeBytes: Number(f.size_bytes), mimeType: f.mime_type, driveItemId: f.drive_item_id, parentId: f.folder_item_id }));
        // One event for the whole batch; its burst key stays the guest's on this case, so batches
        // sent one after another (the portal sends one request per file) still make one card.
        const items = await this.d.services.portal.recordUploads(actor, c.id, documents);
        for (const [k, f] of fresh.entries()) await this.linkItem(batch.id, f.position, items[k].id);
      }
    }
    await this.d.db.query(`UPDATE upload_batches SET state = 'done', done_at = now() WHERE id = $1`, [batch.id]);
    // The drive's change notifications were deferred while this batch wrote (src/parts/m365/routes.ts): read them now.
    if (c?.driveId) await hastenDriveDelta(this.d.db, c.driveId);
    await fs.rm(batch.spool_dir, { recursive: true, force: true }).catch((err: unknown) => this.d.logger.warn({ err, batchId: batch.id }, 'upload spool not removed'));
    return 'done';
  }

  private async linkItem(batchId: string, position: number, itemId: string): Promise<void> {
    await this.d.db.query('UPDATE upload_files SET item_id = $3 WHERE batch_id = $1 AND position = $2', [batchId, position, itemId]);
  }
}
