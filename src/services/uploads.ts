import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Logger } from 'pino';
import type { Services } from './core';
import type { ArchiveEntryNote, DocumentPreviewLink, RefusedArchiveEntry, UploadAnswer, UploadBatchStatus } from '../contract';
import { visibleName } from '../contract/names';
import type { EntryRefusal } from '../domain/archive-plan';
import { DomainError, forbidden, invalid, notFound } from '../domain/errors';
import { checkItemName, checkUploadName, MAX_PATH_LENGTH } from '../domain/filenames';
import { previewDriveItem } from '../m365/drive-items';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { type GraphAuth, type GraphGateway, onBehalfOf, pathOf, seg } from '../m365/graph';
import type { M365Settings } from '../m365/settings';
import { type UploadedItem, UploadSessions } from '../m365/upload-session';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord } from '../store/records';
import { ArchiveError, extractZip, inspectZip, removeQuietly } from './archive';
import { digestOf, flushToDisk, type SpooledFile, spoolTo, type UploadBase, UploadBatches, WRITE_SLICE_MS } from './upload-batches';
import { actorLabel, type Clock, type GuestActor, type StaffActor } from './context';
import { guestSyncOutstanding } from './job-requests';
import type { CaseAccess } from '../domain/access';

type Uploader = GuestActor | StaffActor;

/** Upload detection (changes made in SharePoint) lives apart; exported here too for the wiring. */
export { UploadDetection, type DetectionDeps } from './upload-detection';

/** Files one multipart request may carry; more go in another request or in a zip archive. */
export const MAX_FILES_PER_UPLOAD = 20;

export interface UploadDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  services: Services;
  settings: M365Settings;
  clock: Clock;
  /** Where accepted uploads wait for SharePoint: a directory on durable disk (the data directory's by default). */
  spoolDir: string;
}

/** What a guest's grants let her upload into, checked by CaseRoom before it writes anything (app-only). */
interface GuestUploadRights {
  access: CaseAccess;
  /** Every item of the case, to resolve folders by name and walk the folder chain. */
  items: ItemRecord[];
}

interface StoredFile {
  base: UploadBase;
  /** Path relative to the base, e.g. 'Medical/scan.pdf'. */
  path: string;
  item: UploadedItem;
  size: number;
  mimeType: string | null;
}

export type { UploadAnswer } from '../contract';

/** What a request brought so far: the files stored or spooled (removed again if the request is refused), and what its archives left out. */
interface Received<F> {
  stored: F[];
  skipped: ArchiveEntryNote[];
  refused: RefusedArchiveEntry[];
}

/** Stores one file of a request as it arrives (or a zip's files); its fields are those sent before it. */
type StoreFile<F> = (stream: Readable, filename: string, mimeType: string | null, fields: Record<string, string>, notes: Pick<Received<F>, 'skipped' | 'refused'>) => Promise<F[]>;

/** How many refused entries a whole-archive refusal names before "and N more". */
const REFUSALS_NAMED = 5;

/**
 * An archive none of whose files can be stored: refused as a whole, with the first refusal's
 * status (413 for a bomb, 415 for blocked types…) and the reasons, or as empty.
 */
function nothingToStore(archive: string, refused: readonly EntryRefusal[], skipped: number): ArchiveError {
  const clutter = skipped ? ` (${skipped} operating-system file${skipped === 1 ? '' : 's'} left out)` : '';
  if (refused.length === 0) return new ArchiveError('empty', `${archive}: the archive contains no files${clutter}`);
  const named = refused.slice(0, REFUSALS_NAMED).map((r) => `${r.path}: ${r.reason}`);
  const more = refused.length > REFUSALS_NAMED ? `; and ${refused.length - REFUSALS_NAMED} more` : '';
  return new ArchiveError(refused[0].problem, `${archive}: the archive has no files that can be stored${clutter}: ${named.join('; ')}${more}`);
}

/** SharePoint's limit on a decoded path, checked for folder + name before anything is uploaded. */
function checkPathLength(folder: string, name: string, field: string): void {
  const full = [folder, name].filter(Boolean).join('/');
  if (full.length > MAX_PATH_LENGTH) throw invalid(field, `${full.slice(0, 40)}…: the path is longer than ${MAX_PATH_LENGTH} characters`);
}

/** A claim on a drive for the duration of an upload: delta leaves those files to us. */
const CLAIM_SECONDS = 3600;
/** Names of folders in the optional `folder` field: 'Medical records/2026'. */
function checkFolder(folder: string): string {
  if (folder.length > MAX_PATH_LENGTH) throw invalid('folder', `the folder path is longer than ${MAX_PATH_LENGTH} characters`);
  const segments = folder.split(/[/\\]/).filter(Boolean);
  for (const s of segments) {
    const check = checkItemName(s);
    if (!check.ok) throw invalid('folder', `${visibleName(s)}: ${check.reason}`);
  }
  return segments.join('/');
}

/** 400 for a bad name, 415 for a refused type: the client learns which. */
function checkFileName(name: string): void {
  const basic = checkItemName(name);
  if (!basic.ok) throw invalid('file', `${visibleName(name) || '(no name)'}: ${basic.reason}`);
  const typed = checkUploadName(name);
  if (!typed.ok) throw new DomainError('unsupported_media_type', `${visibleName(name)}: ${typed.reason}`, 'file');
}

/**
 * Uploads and downloads through SharePoint. Downloads and staff uploads use the caller's own
 * delegated token, so SharePoint enforces its permissions as well as our store; a guest's upload
 * is written app-only by CaseRoom after it checks her grant (guests hold only read in
 * SharePoint; docs/sharepoint-sharing.md). Bytes stream through: one upload fragment in
 * memory at a time; zips and files of unknown size are spooled to disk, never to memory.
 */
export class UploadService {
  private readonly sessions: UploadSessions;
  /** Guests' uploads, written to SharePoint in the background (outbox kind `upload-write`). */
  readonly batches: UploadBatches;

  constructor(private readonly d: UploadDeps) {
    this.sessions = new UploadSessions(d.graph, d.logger, d.settings.uploadChunkBytes);
    this.batches = new UploadBatches({ db: d.db, graph: d.graph, logger: d.logger, services: d.services, sessions: this.sessions });
  }

  /** The spool directory, created on first use (the data directory's `upload-spool` by default). */
  private async spoolRoot(): Promise<string> {
    await fs.mkdir(this.d.spoolDir, { recursive: true });
    return this.d.spoolDir;
  }

  /** At start-up: spool directories of requests that died before they were accepted (no batch names them) are removed. */
  async sweepSpool(): Promise<number> {
    return this.batches.sweepOrphans(await this.spoolRoot());
  }

  /** The outbox job: writes a batch for one slice of time; queues the rest when the slice ran out. */
  async writeBatch(batchId: string, signal?: AbortSignal, sliceMs = WRITE_SLICE_MS): Promise<'done' | 'more'> {
    return this.batches.write(batchId, sliceMs, signal);
  }

  /** GET /api/portal/uploads/{id}. */
  batchStatus(actor: GuestActor, batchId: string): Promise<UploadBatchStatus> {
    return this.batches.status(actor, batchId);
  }

  /** Case and destination checks before any byte is read; for a guest, also what her grants let her upload into. */
  private async target(actor: Uploader, caseId: string): Promise<{ c: CaseRecord; rights: GuestUploadRights | null }> {
    const repo = new Repo(this.d.db);
    let rights: GuestUploadRights | null = null;
    if (actor.kind === 'guest') {
      const firm = await repo.firm(actor.firmId);
      const contact = await repo.contact(actor.firmId, actor.contactId);
      if (!firm || !contact) throw notFound('case');
      const access = await this.d.services.portal.assertCanUpload(repo, firm, contact, caseId);
      rights = { access, items: await repo.itemsOfCase(caseId) };
    }
    const c = await repo.case(actor.firmId, caseId);
    if (!c) throw notFound('case');
    if (!c.driveId || !c.folderItemId) throw new DomainError('unavailable', 'the case folder is still being created in SharePoint; try again in a minute', undefined, 30);
    return { c, rights };
  }

  /**
   * Where one file goes: the case folder, or the folder named by the `folderId` field. For a guest,
   * CaseRoom writes with its own (app-only) rights, so this is the only check between her and the
   * firm's files: the base must be a folder her grants let her upload into, and every folder of
   * the `folder` path that already exists must be one she can see (never a staff-only one).
   */
  private uploadBase(c: CaseRecord, folderId: string | undefined, folder: string, rights: GuestUploadRights | null): UploadBase {
    let base: UploadBase = { itemId: null, driveItemId: c.folderItemId as string };
    const items = rights?.items;
    if (folderId) {
      const found = items ? items.find((i) => i.id === folderId) : undefined;
      // Staff uploads resolve the folder below, with the rest of the store.
      if (rights && (!found || found.kind !== 'folder' || !rights.access.itemIds.has(found.id) || !found.driveItemId)) throw notFound('folder');
      if (found?.driveItemId) base = { itemId: found.id, driveItemId: found.driveItemId };
    }
    if (!rights || !items) return base;
    const byId = new Map(items.map((i) => [i.id, i]));
    const mayUploadInto = (folderItemId: string | null): boolean => {
      if (rights.access.uploadAnywhere && (folderItemId === null || rights.access.itemIds.has(folderItemId))) return true;
      for (let at: string | null = folderItemId, depth = 0; at !== null && depth < 1000; depth++) {
        if (rights.access.uploadFolderIds.has(at)) return true;
        at = byId.get(at)?.parentId ?? null;
      }
      return false;
    };
    if (!mayUploadInto(base.itemId)) throw forbidden('your access does not include uploading into this folder');
    let parent = base.itemId;
    for (const name of folder.split('/').filter(Boolean)) {
      const existing = items.find((i) => i.kind === 'folder' && i.parentId === parent && i.title.toLowerCase() === name.toLowerCase());
      if (!existing) break; // created by this upload, beneath folders she may upload into
      if (!rights.access.itemIds.has(existing.id)) throw notFound('folder');
      parent = existing.id;
    }
    return base;
  }

  /** Parses a multipart request (fields `folder`, `size`, `extract` before each file) and stores every file. */
  async receive(req: IncomingMessage, actor: Uploader, caseId: string, bearer: string): Promise<UploadAnswer> {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) throw new DomainError('unsupported_media_type', 'send the file as multipart/form-data', 'file');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.d.settings.maxUploadBytes + 1024 * 1024) throw new DomainError('payload_too_large', `uploads are limited to ${this.d.settings.maxUploadBytes} bytes`, 'file');
    const { c, rights } = await this.target(actor, caseId);
    if (actor.kind === 'guest' && rights) return this.receiveGuest(req, actor, c, rights);
    // Staff uploads keep the direct path: written with the staff member's own delegated token
    // (SharePoint enforces walls on it), which the background has no way to hold on to.
    const auth: GraphAuth = onBehalfOf(bearer);
    const m365 = new M365Repo(this.d.db);
    const claim = await m365.claimUpload({ firmId: c.firmId, driveId: c.driveId as string, userId: actor.userId, ttlSeconds: CLAIM_SECONDS });
    const received: Received<StoredFile> = { stored: [], skipped: [], refused: [] };
    const { stored } = received;
    const startedAt = Date.now();
    try {
      await this.parse(req, received, (stream, filename, mimeType, fields, notes) => this.storeOne(stream, filename, mimeType, fields, c, auth, rights, notes));
      if (stored.length === 0) throw invalid('file', 'no file in the request');
      return { ...(await this.record(actor, c, stored)), skipped: received.skipped, refused: received.refused };
    } catch (err) {
      // All or nothing: a refused request leaves nothing behind. Removed while our claim on the
      // drive still stands, so upload detection never imports a half-accepted request.
      await this.removeStored(c, stored, auth, startedAt);
      throw err;
    } finally {
      await m365.releaseClaim(claim);
    }
  }

  /**
   * A guest's upload: every file checked and spooled (flushed, with its SHA-256) under one
   * directory of the spool disk, then the batch and its write job committed together; the answer
   * goes out then, before SharePoint is touched. All or nothing: a refused request leaves no
   * batch and no spool behind.
   */
  private async receiveGuest(req: IncomingMessage, actor: GuestActor, c: CaseRecord, rights: GuestUploadRights): Promise<UploadAnswer> {
    const dir = await fs.mkdtemp(path.join(await this.spoolRoot(), 'caseroom-upload-'));
    const received: Received<SpooledFile> = { stored: [], skipped: [], refused: [] };
    let counter = 0;
    const next = () => path.join(dir, `file-${++counter}`);
    try {
      await this.parse(req, received, async (stream, filename, mimeType, fields, notes) => {
        const { base, folder, size, isZip } = await this.checkOne(filename, fields, c, rights);
        const spool = next();
        const spooled = await spoolTo(stream, spool, this.d.settings.maxUploadBytes);
        if (spooled.size === 0) throw invalid('file', `${filename} is empty`);
        if (size !== null && spooled.size !== size) throw invalid('size', `${filename} has ${spooled.size} bytes, not the ${size} announced`);
        if (!isZip) return [{ base, path: [folder, filename].filter(Boolean).join('/'), size: spooled.size, mimeType, sha256: spooled.sha256, file: spool }];
        const entriesDir = `${spool}-entries`;
        await fs.mkdir(entriesDir);
        const extracted = await this.expand(spool, filename, folder, entriesDir, notes);
        await fs.rm(spool, { force: true });
        const out: SpooledFile[] = [];
        for (const entry of extracted) {
          const digest = await digestOf(entry.file);
          await flushToDisk(entry.file);
          out.push({ base, path: entry.path, size: digest.size, mimeType: null, sha256: digest.sha256, file: entry.file });
        }
        await flushToDisk(entriesDir);
        return out;
      });
      if (received.stored.length === 0) throw invalid('file', 'no file in the request');
      const batch = await this.batches.accept(actor, c, dir, received.stored, received);
      return { files: [], skipped: received.skipped, refused: received.refused, batch };
    } catch (err) {
      await removeQuietly(dir);
      throw err;
    }
  }

  /** The checks on one file before its bytes are read: name, folder, destination, announced size. */
  private async checkOne(filename: string, fields: Record<string, string>, c: CaseRecord, rights: GuestUploadRights | null): Promise<{ base: UploadBase; folder: string; size: number | null; isZip: boolean }> {
    checkFileName(filename);
    const folder = fields.folder ? checkFolder(fields.folder) : '';
    const base = await this.resolveBase(c, fields.folderId, folder, rights);
    checkPathLength(folder, filename, 'folder');
    const size = fields.size !== undefined && fields.size !== '' ? Number(fields.size) : null;
    if (size !== null && (!Number.isInteger(size) || size < 0)) throw invalid('size', 'size must be a whole number of bytes');
    if (size === 0) throw invalid('file', `${filename} is empty`);
    if (size !== null && size > this.d.settings.maxUploadBytes) throw new DomainError('payload_too_large', `${filename} is larger than the ${this.d.settings.maxUploadBytes} bytes accepted`, 'file');
    const isZip = filename.toLowerCase().endsWith('.zip') && fields.extract !== 'false';
    return { base, folder, size, isZip };
  }

  /**
   * An archive's files, planned and decompressed into `dir`; what it left out goes to `notes`.
   * Paths come back relative to the upload's base, the archive's folders recreated where the
   * archive itself would have gone (paths already checked by the plan).
   */
  private async expand(spool: string, filename: string, folder: string, dir: string, notes: Pick<Received<unknown>, 'skipped' | 'refused'>): Promise<Array<{ path: string; size: number; file: string }>> {
    const limits = this.d.settings.zip;
    const plan = await inspectZip(spool, limits, folder);
    const { extracted, refused } = await extractZip(spool, plan.entries, dir, limits);
    const allRefused = [...plan.refused, ...refused];
    if (extracted.length === 0) throw nothingToStore(visibleName(filename), allRefused, plan.skipped.length);
    const archive = visibleName(filename);
    notes.skipped.push(...plan.skipped.map((n) => ({ archive, ...n })));
    notes.refused.push(...allRefused.map((r) => ({ archive, ...r })));
    return extracted.map((entry) => ({ path: [folder, entry.path].filter(Boolean).join('/'), size: entry.size, file: entry.file }));
  }

  /** Removes a refused request's files, then the folders it created that are now empty (deepest first). */
  private async removeStored(c: CaseRecord, stored: StoredFile[], auth: GraphAuth, startedAt: number): Promise<void> {
    const drive = `/drives/${seg(c.driveId as string)}/items`;
    const remove = async (id: string, what: string) => {
      try {
        await this.d.graph.raw({ method: 'DELETE', path: `${drive}/${seg(id)}`, auth, idempotent: true });
      } catch (err) {
        this.d.logger.error({ err, driveItemId: id, caseId: c.id }, `could not remove ${what} of a refused upload; drift and delta will report it`);
      }
    };
    for (const file of stored) await remove(file.item.id, 'a file');
    const folders = new Map<string, { base: string; path: string }>();
    for (const file of stored) {
      const parts = file.path.split('/').slice(0, -1);
      for (let i = parts.length; i > 0; i--) {
        const folderPath = parts.slice(0, i).join('/');
        folders.set(`${file.base.driveItemId}|${folderPath}`, { base: file.base.driveItemId, path: folderPath });
      }
    }
    for (const folder of [...folders.values()].sort((a, b) => b.path.split('/').length - a.path.split('/').length)) {
      const item = await this.d.graph.get<{ id: string; createdDateTime?: string; folder?: { childCount?: number } }>(`${drive}/${seg(folder.base)}:/${pathOf(folder.path)}:?$select=id,createdDateTime,folder`, auth).catch(() => null);
      // Only folders this request made (a second of clock slack) and left empty; older ones are someone's.
      if (item?.folder?.childCount === 0 && Date.parse(item.createdDateTime ?? '') >= startedAt - 1000) await remove(item.id, 'a folder');
    }
  }

  /** Stores each file of the request as it arrives, appending to `stored` (which the caller cleans up on failure). */
  private parse<F>(req: IncomingMessage, received: Received<F>, store: StoreFile<F>): Promise<void> {
    return new Promise((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        // defParamCharset: browsers put the file name's UTF-8 octets straight into `filename="…"`
        // (the HTML form encoding is UTF-8; RFC 7578 §4.2 notes this common practice), and
        // busboy's default (latin1) turned "García.pdf" into "GarcÃ­a.pdf". A `filename*=`
        // parameter, if a client sends one, still carries its own charset.
        bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: MAX_FILES_PER_UPLOAD, fields: 50, fieldSize: 4096, fileSize: this.d.settings.maxUploadBytes + 1 } });
      } catch (err) {
        reject(invalid('file', `the multipart body cannot be read: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      const fields: Record<string, string> = {};
      let failure: unknown = null;
      let chain = Promise.resolve();
      const fail = (err: unknown) => {
        failure ??= err;
      };
      bb.on('field', (name, value) => {
        fields[name] = value;
      });
      // On the first refusal, answer at once: a file stream a reader gave up on (destroyed) would
      // otherwise keep busboy from ever closing, and the caller would wait forever.
      const refuseNow = () => {
        req.unpipe(bb);
        req.resume();
        reject(failure);
      };
      bb.on('file', (_name, stream, info) => {
        const snapshot = { ...fields };
        delete fields.size; // a size describes the file that follows it only
        stream.on('limit', () => fail(new DomainError('payload_too_large', `uploads are limited to ${this.d.settings.maxUploadBytes} bytes`, 'file')));
        chain = chain.then(async () => {
          if (failure) {
            stream.resume();
            return;
          }
          try {
            received.stored.push(...(await store(stream, info.filename ?? '', info.mimeType ?? null, snapshot, received)));
          } catch (err) {
            fail(err);
            refuseNow();
          } finally {
            // Let busboy move on (or finish) even when we stopped reading this file.
            stream.resume();
          }
        });
      });
      // Past a limit busboy drops the rest without a word: the whole upload is refused instead,
      // so a user never sees "uploaded" for a request that lost some of its files.
      bb.on('filesLimit', () => {
        fail(new DomainError('payload_too_large', `at most ${MAX_FILES_PER_UPLOAD} files per upload: send the rest in another upload, or as one zip archive`, 'file'));
        refuseNow();
      });
      bb.on('fieldsLimit', () => {
        fail(invalid('file', 'too many form fields in the upload'));
        refuseNow();
      });
      bb.on('error', (err: unknown) => {
        fail(invalid('file', `the multipart body is malformed: ${err instanceof Error ? err.message : String(err)}`));
        chain.then(() => reject(failure));
      });
      bb.on('close', () => {
        chain.then(() => (failure ? reject(failure) : resolve()));
      });
      req.on('aborted', () => fail(new DomainError('validation_failed', 'the upload was interrupted', 'file')));
      req.pipe(bb);
    });
  }

  private async storeOne(
    stream: Readable,
    filename: string,
    mimeType: string | null,
    fields: Record<string, string>,
    c: CaseRecord,
    auth: GraphAuth,
    rights: GuestUploadRights | null,
    notes: Pick<Received<StoredFile>, 'skipped' | 'refused'>,
  ): Promise<StoredFile[]> {
    const { base, folder, size, isZip } = await this.checkOne(filename, fields, c, rights);
    if (!isZip && size !== null) return [await this.put(c, base, folder, filename, size, stream, mimeType, auth)];

    // Unknown size or an archive: spool to disk (constant memory), then upload from there.
    const dir = await fs.mkdtemp(path.join(await this.spoolRoot(), 'caseroom-upload-'));
    try {
      const spool = path.join(dir, 'upload');
      const spooled = (await spoolTo(stream, spool, this.d.settings.maxUploadBytes)).size;
      if (spooled === 0) throw invalid('file', `${filename} is empty`);
      if (!isZip) return [await this.put(c, base, folder, filename, spooled, createReadStream(spool), mimeType, auth)];
      const out: StoredFile[] = [];
      for (const entry of await this.expand(spool, filename, folder, dir, notes)) {
        const slash = entry.path.lastIndexOf('/');
        out.push(await this.put(c, base, entry.path.slice(0, Math.max(slash, 0)), entry.path.slice(slash + 1), entry.size, createReadStream(entry.file), null, auth));
      }
      return out;
    } finally {
      await removeQuietly(dir);
    }
  }

  /** The base of one file (see uploadBase); a staff member's `folderId` must name a folder of the case. */
  private async resolveBase(c: CaseRecord, folderId: string | undefined, folder: string, rights: GuestUploadRights | null): Promise<UploadBase> {
    if (folderId !== undefined && !/^[0-9a-f-]{36}$/i.test(folderId)) throw invalid('folderId', 'must be an id');
    if (rights || !folderId) return this.uploadBase(c, folderId, folder, rights);
    const found = await new Repo(this.d.db).item(c.firmId, folderId);
    if (!found || found.caseId !== c.id || found.kind !== 'folder' || !found.driveItemId) throw notFound('folder');
    return { itemId: found.id, driveItemId: found.driveItemId };
  }

  private async put(c: CaseRecord, base: UploadBase, folder: string, name: string, size: number, source: Readable, mimeType: string | null, auth: GraphAuth): Promise<StoredFile> {
    const dest = await this.sessions.freePath({ driveId: c.driveId as string, baseItemId: base.driveItemId, path: [folder, name].filter(Boolean).join('/') }, auth);
    try {
      const item = await this.sessions.upload(dest, size, source, auth);
      return { base, path: dest.path, item, size, mimeType: item.file?.mimeType ?? mimeType };
    } catch (err) {
      if (err instanceof GraphRequestError && (err.status === 403 || err.status === 404)) throw new DomainError('forbidden', 'SharePoint does not (yet) let you upload to this case; try again in a minute');
      throw asRetryable(err);
    }
  }

  /** Items for what was stored: folders first (found or created), then documents through the services. */
  private async record(actor: Uploader, c: CaseRecord, stored: StoredFile[]): Promise<Pick<UploadAnswer, 'files'>> {
    const folderItem = new Map<string, string | null>();
    const ensureFolder = async (base: UploadBase, folderPath: string): Promise<string | null> => {
      if (folderPath === '') return base.itemId;
      const key = `${base.driveItemId}|${folderPath}`;
      if (folderItem.has(key)) return folderItem.get(key) ?? null;
      const slash = folderPath.lastIndexOf('/');
      const parentId = await ensureFolder(base, slash >= 0 ? folderPath.slice(0, slash) : '');
      const title = folderPath.slice(slash + 1);
      const driveItem = await this.d.graph.get<{ id: string }>(`/drives/${seg(c.driveId as string)}/items/${seg(base.driveItemId)}:/${pathOf(folderPath)}:?$select=id`);
      const repo = new Repo(this.d.db);
      let item = await repo.itemByDriveItem(c.firmId, driveItem.id);
      if (!item) {
        item = await this.d.db.transaction(async (tx) => {
          const r = new Repo(tx);
          const existing = await r.itemByDriveItem(c.firmId, driveItem.id);
          if (existing) return existing;
          const created = await r.insertItem({ firmId: c.firmId, caseId: c.id, kind: 'folder', title, parentId, driveItemId: driveItem.id, createdBy: actorLabel(actor) });
          await r.appendAudit({ firmId: c.firmId, actor: actorLabel(actor), action: 'folder.created', target: `case:${c.id}`, reason: 'created by an upload', data: { itemId: created.id, title } });
          return created;
        });
      }
      folderItem.set(key, item.id);
      return item.id;
    };
    const documents: Array<{ name: string; sizeBytes: number; mimeType: string | null; driveItemId: string; parentId: string | null }> = [];
    for (const f of stored) {
      const slash = f.path.lastIndexOf('/');
      const parentId = await ensureFolder(f.base, slash >= 0 ? f.path.slice(0, slash) : '');
      documents.push({ name: f.item.name ?? f.path.slice(slash + 1), sizeBytes: f.size, mimeType: f.mimeType, driveItemId: f.item.id, parentId });
    }
    if (actor.kind === 'guest') {
      const items = await this.d.services.portal.recordUploads(actor, c.id, documents);
      return { files: items.map((i) => ({ id: i.id, title: i.title, parentId: i.parentId, sizeBytes: i.sizeBytes ?? null })) };
    }
    const created: ItemRecord[] = [];
    for (const doc of documents) {
      const existing = await new Repo(this.d.db).itemByDriveItem(c.firmId, doc.driveItemId);
      created.push(existing ?? (await this.d.services.casework.createItem(actor, c.id, { kind: 'document', title: doc.name, parentId: doc.parentId, sizeBytes: doc.sizeBytes, mimeType: doc.mimeType, driveItemId: doc.driveItemId })));
    }
    return { files: created.map((i) => ({ id: i.id, title: i.title, parentId: i.parentId, sizeBytes: i.sizeBytes })) };
  }

  /** A document's bytes from SharePoint, fetched with the caller's delegated token. */
  async download(actor: Uploader, caseId: string, itemId: string, bearer: string): Promise<{ item: ItemRecord; response: Response }> {
    const repo = new Repo(this.d.db);
    let item: ItemRecord | null;
    if (actor.kind === 'guest') item = await this.d.services.portal.documentForDownload(actor, caseId, itemId);
    else {
      item = await repo.item(actor.firmId, itemId);
      if (!item || item.caseId !== caseId || item.kind !== 'document') throw notFound('document');
    }
    const { driveId, driveItemId } = await this.placeInSharePoint(actor, caseId, item);
    const response = await this.d.graph.raw({ method: 'GET', path: `/drives/${seg(driveId)}/items/${seg(driveItemId)}/content`, auth: { kind: 'user', assertion: bearer } });
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      throw await this.refusedBySharePoint(actor);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DomainError('unavailable', `SharePoint answered ${response.status}; try again shortly`, undefined, 10);
    }
    // Proof of delivery: the open is recorded before the bytes go out, so a sent document is never unrecorded.
    if (actor.kind === 'guest')
      await this.d.services.portal.documentOpened(actor, item).catch(async (err: unknown) => {
        await response.body?.cancel();
        throw err;
      });
    return { item, response };
  }

  /**
   * SharePoint's own preview of a case document (Word, Excel, PowerPoint and the rest it renders):
   * a short-lived URL the tab or the portal frames. Asked with the caller's own token, because the
   * URL acts as whoever asked for it (learn.microsoft.com/graph/api/driveitem-preview, "Caution"):
   * an app-only URL would show a walled-off or since-revoked file with the app's rights. A guest is
   * first checked as for a download (PortalService.visibleFileItem); SharePoint's permission on the
   * item, read through their token, is the second check.
   */
  async previewLink(actor: Uploader, caseId: string, itemId: string, bearer: string): Promise<DocumentPreviewLink> {
    const item = actor.kind === 'guest' ? await this.d.services.portal.visibleFileItem(actor, caseId, itemId) : await new Repo(this.d.db).item(actor.firmId, itemId);
    if (!item || item.caseId !== caseId) throw notFound('document');
    if (item.kind === 'folder') throw invalid('itemId', 'a folder has no preview; open a document in it');
    if (item.kind !== 'document') throw notFound('document');
    const { driveId, driveItemId } = await this.placeInSharePoint(actor, caseId, item);
    let link: DocumentPreviewLink;
    try {
      link = { url: (await previewDriveItem(this.d.graph, driveId, driveItemId, onBehalfOf(bearer))).getUrl };
    } catch (err) {
      if (err instanceof GraphRequestError && (err.status === 404 || err.status === 403)) throw await this.refusedBySharePoint(actor);
      throw asRetryable(err);
    }
    // The guest is about to read it: their first open is recorded as seen, as a download records it.
    if (actor.kind === 'guest') await this.d.services.portal.documentOpened(actor, item);
    return link;
  }

  /**
   * CaseRoom lets the caller see the document but SharePoint refuses it. For a guest whose
   * permissions are still on their way (a sync waits or runs: just shared, just accepted) that is
   * "try again in a minute", which tells nothing the portal's list did not; otherwise the file is
   * gone there or was unshared by hand: "not found", as for anything else they cannot see.
   */
  private async refusedBySharePoint(actor: Uploader): Promise<DomainError> {
    if (actor.kind === 'guest' && (await guestSyncOutstanding(this.d.db, actor.contactId))) {
      return new DomainError('unavailable', 'this document is still being shared with you in SharePoint; try again in a minute', undefined, 30);
    }
    return notFound('document');
  }

  private async placeInSharePoint(actor: Uploader, caseId: string, item: ItemRecord): Promise<{ driveId: string; driveItemId: string }> {
    const c = await new Repo(this.d.db).case(actor.firmId, caseId);
    if (!item.driveItemId || !c?.driveId) throw notFound('document');
    return { driveId: c.driveId, driveItemId: item.driveItemId };
  }
}
