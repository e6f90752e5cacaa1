/** Creating folders and committing file content: shared by simple upload, upload sessions and the admin API. */
import path from 'node:path';
import type { SimContext } from '../context';
import { GraphError, invalidRequest } from '../web/errors';
import type { Caller } from '../web/types';
import { newDriveItemId, newGuid } from '../state/ids';
import type { Actor, DriveItemRecord, DriveRecord } from '../state/model';

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

export function actorOf(caller: Caller): Actor {
  return caller.kind === 'user' ? { kind: 'user', userId: caller.userId } : { kind: 'app', appId: caller.appId };
}

const MIME_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.zip': 'application/x-zip-compressed',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.msg': 'application/vnd.ms-outlook',
  '.eml': 'message/rfc822',
  '.html': 'text/html',
};

export function mimeTypeFor(name: string): string {
  return MIME_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

const INVALID_NAME = /["*:<>?/\\|]/;
// Control characters are invalid in SharePoint names too (checked by code point: no regex escape).
const hasControlCharacter = (name: string) => [...name].some((char) => char.charCodeAt(0) < 0x20);

/** SharePoint Online's naming rules (the subset clients actually hit). */
export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw invalidRequest('The name of the item is missing.');
  if (INVALID_NAME.test(name) || hasControlCharacter(name) || name !== name.trim() || name.endsWith('.') || name.startsWith('~$') || name.length > 400) {
    throw new GraphError(400, 'invalidRequest', `The provided name '${name}' contains invalid characters or is not allowed.`);
  }
  return name;
}

export function parseConflictBehavior(value: unknown, fallback: ConflictBehavior): ConflictBehavior {
  if (value === undefined || value === null || value === '') return fallback;
  if (value === 'fail' || value === 'replace' || value === 'rename') return value;
  throw invalidRequest(`Invalid value '${String(value)}' for @microsoft.graph.conflictBehavior.`);
}

/** OneDrive's rename rule: "report.pdf" → "report 1.pdf", "report 2.pdf", … */
export function uniqueName(ctx: SimContext, parentId: string, name: string): string {
  if (!ctx.store.childByName(parentId, name)) return name;
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let counter = 1; ; counter++) {
    const candidate = `${stem} ${counter}${extension}`;
    if (!ctx.store.childByName(parentId, candidate)) return candidate;
  }
}

export const nameAlreadyExists = () => new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');

function newItem(drive: DriveRecord, parentId: string, name: string, kind: 'folder' | 'file', actor: Actor): DriveItemRecord {
  const now = new Date().toISOString();
  return {
    id: newDriveItemId(),
    driveId: drive.id,
    parentId,
    name,
    kind,
    size: 0,
    blobId: null,
    mimeType: kind === 'file' ? mimeTypeFor(name) : null,
    quickXorHash: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    createdBy: actor,
    lastModifiedBy: actor,
    etagGuid: newGuid().toUpperCase(),
    version: 1,
    contentVersion: 1,
    deletedDateTime: null,
  };
}

/** Bumps the modification data of every ancestor folder, as SharePoint does for eTags of parents. */
function touchAncestors(ctx: SimContext, item: DriveItemRecord): void {
  for (const ancestor of ctx.store.ancestors(item)) {
    ancestor.version += 1;
    ctx.store.recordChange(ancestor.driveId, ancestor.id);
  }
}

export function createFolder(ctx: SimContext, drive: DriveRecord, parent: DriveItemRecord, requestedName: string, behavior: ConflictBehavior, actor: Actor): { item: DriveItemRecord; created: boolean } {
  validateName(requestedName);
  if (parent.kind !== 'folder') throw invalidRequest('The parent item is not a folder.');
  let name = requestedName;
  const existing = ctx.store.childByName(parent.id, name);
  if (existing) {
    if (behavior === 'fail') throw nameAlreadyExists();
    if (behavior === 'rename') name = uniqueName(ctx, parent.id, name);
    else if (existing.kind === 'folder') return { item: existing, created: false };
    else throw nameAlreadyExists();
  }
  const item = newItem(drive, parent.id, name, 'folder', actor);
  ctx.store.insertItem(item);
  touchAncestors(ctx, item);
  return { item, created: true };
}

/** Creates missing intermediate folders (path-addressed uploads create them, as OneDrive does). */
export function ensureFolderPath(ctx: SimContext, drive: DriveRecord, parent: DriveItemRecord, names: string[], actor: Actor): DriveItemRecord {
  let current = parent;
  for (const name of names) {
    const existing = ctx.store.childByName(current.id, name);
    if (existing) {
      if (existing.kind !== 'folder') throw nameAlreadyExists();
      current = existing;
    } else {
      current = createFolder(ctx, drive, current, name, 'fail', actor).item;
    }
  }
  return current;
}

export interface StoredBlob {
  blobId: string;
  size: number;
  quickXorHash: string;
}

/**
 * Puts a blob into the drive under `parent` with `requestedName`, or into `existing` (replace).
 * Returns the item and whether it was created (201) or replaced (200).
 */
export async function commitFile(ctx: SimContext, drive: DriveRecord, parent: DriveItemRecord, requestedName: string, behavior: ConflictBehavior, blob: StoredBlob, actor: Actor): Promise<{ item: DriveItemRecord; created: boolean }> {
  validateName(requestedName);
  let name = requestedName;
  const existing = ctx.store.childByName(parent.id, name);
  if (existing) {
    if (behavior === 'fail' || existing.kind === 'folder') {
      await ctx.store.removeBlobs([blob.blobId]);
      throw nameAlreadyExists();
    }
    if (behavior === 'replace') return { item: await replaceContent(ctx, existing, blob, actor), created: false };
    name = uniqueName(ctx, parent.id, name);
  }
  const item = newItem(drive, parent.id, name, 'file', actor);
  item.blobId = blob.blobId;
  item.size = blob.size;
  item.quickXorHash = blob.quickXorHash;
  ctx.store.insertItem(item);
  touchAncestors(ctx, item);
  return { item, created: true };
}

export async function replaceContent(ctx: SimContext, item: DriveItemRecord, blob: StoredBlob, actor: Actor): Promise<DriveItemRecord> {
  const previousBlob = item.blobId;
  item.blobId = blob.blobId;
  item.size = blob.size;
  item.quickXorHash = blob.quickXorHash;
  item.version += 1;
  item.contentVersion += 1;
  item.lastModifiedBy = actor;
  item.lastModifiedDateTime = new Date().toISOString();
  ctx.store.recordChange(item.driveId, item.id);
  touchAncestors(ctx, item);
  if (previousBlob) await ctx.store.removeBlobs([previousBlob]);
  return item;
}
