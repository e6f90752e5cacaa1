import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import busboy from 'busboy';
import type { Logger } from 'pino';
import type { Services } from './core';
import { DomainError, forbidden, invalid, notFound } from '../domain/errors';
import { checkItemName, checkUploadName, MAX_PATH_LENGTH } from '../domain/filenames';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { APP, type GraphAuth, type GraphGateway, onBehalfOf, pathOf, seg } from '../m365/graph';
import type { M365Settings } from '../m365/settings';
import { type UploadedItem, UploadSessions } from '../m365/upload-session';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import type { CaseRecord, ItemRecord } from '../store/records';
import { extractZip, inspectZip, removeQuietly } from './archive';
import { actorLabel, type Clock, type GuestActor, type StaffActor } from './context';
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
}

/** The folder a file's path is relative to: the case folder (itemId null) or a folder item of the case. */
interface UploadBase {
  itemId: string | null;
  driveItemId: string;
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

export interface UploadAnswer {
  files: Array<{ id: string; title: string; parentId: string | null; sizeBytes: number | null }>;
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
    if (!check.ok) throw invalid('folder', `${s}: ${check.reason}`);
  }
  return segments.join('/');
}

/** 400 for a bad name, 415 for a refused type: the client learns which. */
function checkFileName(name: string): void {
  const basic = checkItemName(name);
  if (!basic.ok) throw invalid('file', `${name || '(no name)'}: ${basic.reason}`);
  const typed = checkUploadName(name);
  if (!typed.ok) throw new DomainError('unsupported_media_type', `${name}: ${typed.reason}`, 'file');
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

  constructor(private readonly d: UploadDeps) {
    this.sessions = new UploadSessions(d.graph, d.logger, d.settings.uploadChunkBytes);
  }

  private spoolRoot(): string {
    return this.d.settings.spoolDir ?? os.tmpdir();
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
    // A guest's upload is written by CaseRoom itself once her grant is checked (uploadBase): guests
    // hold only read in SharePoint, so her own token could not write it, by design.
    const auth: GraphAuth = actor.kind === 'guest' ? APP : onBehalfOf(bearer);
    const m365 = new M365Repo(this.d.db);
    const claim = await m365.claimUpload({ firmId: c.firmId, driveId: c.driveId as string, userId: actor.userId, ttlSeconds: CLAIM_SECONDS });
    const stored: StoredFile[] = [];
    const startedAt = Date.now();
    try {
      await this.parse(req, c, auth, rights, stored);
      if (stored.length === 0) throw invalid('file', 'no file in the request');
      return await this.record(actor, c, stored);
    } catch (err) {
      // All or nothing: a refused request leaves nothing behind. Removed while our claim on the
      // drive still stands, so upload detection never imports a half-accepted request.
      await this.removeStored(c, stored, auth, startedAt);
      throw err;
    } finally {
      await m365.releaseClaim(claim);
    }
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
  private parse(req: IncomingMessage, c: CaseRecord, auth: GraphAuth, rights: GuestUploadRights | null, stored: StoredFile[]): Promise<StoredFile[]> {
    return new Promise((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        // Browsers send a file's name as raw UTF-8 in the part header; busboy's default reads it as
        // Latin-1 and "Informe médico.pdf" would become "Informe mÃ©dico.pdf".
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
            stored.push(...(await this.storeOne(stream, info.filename ?? '', info.mimeType ?? null, snapshot, c, auth, rights)));
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
        chain.then(() => (failure ? reject(failure) : resolve(stored)));
      });
      req.on('aborted', () => fail(new DomainError('validation_failed', 'the upload was interrupted', 'file')));
      req.pipe(bb);
    });
  }

  private async storeOne(stream: Readable, filename: string, mimeType: string | null, fields: Record<string, string>, c: CaseRecord, auth: GraphAuth, rights: GuestUploadRights | null): Promise<StoredFile[]> {
    checkFileName(filename);
    const folder = fields.folder ? checkFolder(fields.folder) : '';
    const base = await this.resolveBase(c, fields.folderId, folder, rights);
    checkPathLength(folder, filename, 'folder');
    const size = fields.size !== undefined && fields.size !== '' ? Number(fields.size) : null;
    if (size !== null && (!Number.isInteger(size) || size < 0)) throw invalid('size', 'size must be a whole number of bytes');
    if (size === 0) throw invalid('file', `${filename} is empty`);
    if (size !== null && size > this.d.settings.maxUploadBytes) throw new DomainError('payload_too_large', `${filename} is larger than the ${this.d.settings.maxUploadBytes} bytes accepted`, 'file');
    const isZip = filename.toLowerCase().endsWith('.zip') && fields.extract !== 'false';
    if (!isZip && size !== null) return [await this.put(c, base, folder, filename, size, stream, mimeType, auth)];

    // Unknown size or an archive: spool to disk (constant memory), then upload from there.
    const dir = await fs.mkdtemp(path.join(this.spoolRoot(), 'caseroom-upload-'));
    try {
      const spool = path.join(dir, 'upload');
      const spooled = await spoolTo(stream, spool, this.d.settings.maxUploadBytes);
      if (spooled === 0) throw invalid('file', `${filename} is empty`);
      if (!isZip) return [await this.put(c, base, folder, filename, spooled, createReadStream(spool), mimeType, auth)];
      const limits = this.d.settings.zip;
      const entries = await inspectZip(spool, limits);
      const extracted = await extractZip(spool, entries, dir, limits);
      // The archive's folders are recreated where the archive itself would have gone.
      const out: StoredFile[] = [];
      for (const entry of extracted) {
        const leaf = entry.path.split('/').pop() as string;
        const relativeFolder = [folder, entry.path.split('/').slice(0, -1).join('/')].filter(Boolean).join('/');
        checkPathLength(relativeFolder, leaf, 'file');
        out.push(await this.put(c, base, relativeFolder, leaf, entry.size, createReadStream(entry.file), null, auth));
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
  private async record(actor: Uploader, c: CaseRecord, stored: StoredFile[]): Promise<UploadAnswer> {
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
    const c = await repo.case(actor.firmId, caseId);
    if (!item.driveItemId || !c?.driveId) throw notFound('document');
    const response = await this.d.graph.raw({ method: 'GET', path: `/drives/${seg(c.driveId)}/items/${seg(item.driveItemId)}/content`, auth: { kind: 'user', assertion: bearer } });
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      // The store allows it but SharePoint does not (yet): say "not found", as for anything else the guest cannot see.
      throw notFound('document');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DomainError('unavailable', `SharePoint answered ${response.status}; try again shortly`, undefined, 10);
    }
    return { item, response };
  }
}

/** Writes a stream to a file, refusing more than `limit` bytes; returns the size. */
async function spoolTo(source: Readable, file: string, limit: number): Promise<number> {
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) cb(new DomainError('payload_too_large', `uploads are limited to ${limit} bytes`, 'file'));
      else cb(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(file));
  return size;
}
