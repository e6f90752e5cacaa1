/**
 * Upload sessions (learn.microsoft.com/graph/api/driveitem-createuploadsession):
 * - createUploadSession answers 200 with uploadUrl, expirationDateTime, nextExpectedRanges;
 *   `item.@microsoft.graph.conflictBehavior` fail (default) / replace / rename;
 * - the uploadUrl needs no bearer token; PUT fragments with Content-Range, in order, each a
 *   multiple of 320 KiB except the last and under 60 MiB; 202 with nextExpectedRanges; a
 *   fragment that is not the next expected range → 416;
 * - bytes of a fragment whose connection dropped are ignored, so GET on the uploadUrl tells
 *   where to resume; DELETE cancels (204); the last fragment commits: 201 Created or 200 OK
 *   (replace) with the driveItem; a name conflict at commit → 409 nameAlreadyExists.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SimContext } from '../context';
import { GraphError, invalidRequest, notFound } from '../web/errors';
import type { SimRequest, SimResponse } from '../web/types';
import type { UploadSessionRecord } from '../state/model';
import { QuickXorHash } from '../state/quickXorHash';
import { AccessEvaluator } from './access';
import { requireActionBody } from './actionBody';
import { requireAccess, renderItem, type DriveCall } from './drives';
import { actorOf, commitFile, ensureFolderPath, nameAlreadyExists, parseConflictBehavior, replaceContent, validateName } from './files';

export const FRAGMENT_MULTIPLE_BYTES = 320 * 1024;
export const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;
const SESSION_LIFETIME_MS = 24 * 3600 * 1000;
const UPLOADABLE_PROPERTIES = ['name', 'description', 'fileSize', 'driveItemSource', 'mediaSource'];

export function uploadUrl(origin: string, session: UploadSessionRecord): string {
  return `${origin}/_api/v2.0/uploadSession?guid=${session.id}`;
}

function partPath(ctx: SimContext, session: UploadSessionRecord): string {
  return path.join(ctx.store.uploadsDir, `${session.id}.part`);
}

function sessionStatus(session: UploadSessionRecord): Record<string, unknown> {
  const remaining = session.totalSize === null ? `${session.received}-` : `${session.received}-${session.totalSize - 1}`;
  return { expirationDateTime: session.expirationDateTime, nextExpectedRanges: [session.totalSize !== null && session.received >= session.totalSize ? '' : remaining].filter(Boolean) };
}

export async function handleCreateUploadSession(call: DriveCall): Promise<SimResponse> {
  const body = requireActionBody(await call.req.body.json(), 'createUploadSession', ['item', 'deferCommit']);
  const item = (body.item ?? {}) as Record<string, unknown>;
  if (typeof item !== 'object' || Array.isArray(item)) throw invalidRequest('item must be a driveItemUploadableProperties object.');
  for (const key of Object.keys(item)) {
    if (!key.startsWith('@') && !UPLOADABLE_PROPERTIES.includes(key)) throw new GraphError(400, 'BadRequest', `The property '${key}' does not exist on type 'microsoft.graph.driveItemUploadableProperties'.`);
  }
  if (body.deferCommit !== undefined && typeof body.deferCommit !== 'boolean') throw invalidRequest('deferCommit must be a Boolean.');
  const { target } = call;
  let parentId: string;
  let name: string;
  let targetItemId: string | null = null;
  let missingFolders: string[] = [];
  let behavior = parseConflictBehavior(item['@microsoft.graph.conflictBehavior'], 'fail');
  if (target.item) {
    if (target.item.kind === 'folder') throw invalidRequest('Address the file to upload by path under the folder: …/items/{folder-id}:/{file-name}:/createUploadSession.');
    requireAccess(call.access, target.item, 'write');
    parentId = target.item.parentId as string;
    name = target.item.name;
    if (call.req.rawPath.includes(':')) {
      if (behavior === 'fail') throw nameAlreadyExists();
    } else {
      // Addressed by id: the session updates that very item.
      targetItemId = target.item.id;
      behavior = 'replace';
    }
  } else if (target.missing) {
    requireAccess(call.access, target.missing.parent, 'write');
    parentId = target.missing.parent.id;
    name = target.missing.names[target.missing.names.length - 1];
    missingFolders = target.missing.names.slice(0, -1);
  } else {
    throw notFound();
  }
  validateName(name);
  if (typeof item.name === 'string' && item.name !== name) throw invalidRequest(`The name in the request body ('${item.name}') must match the name in the path ('${name}').`);
  const fileSize = item.fileSize;
  if (fileSize !== undefined && (typeof fileSize !== 'number' || !Number.isInteger(fileSize) || fileSize < 0)) throw invalidRequest('fileSize must be a non-negative integer.');
  const session: UploadSessionRecord = {
    id: randomBytes(24).toString('hex'),
    tenantId: call.caller.tenantId,
    appId: call.caller.appId,
    targetItemId,
    missingFolders,
    driveId: call.drive.id,
    parentId,
    name,
    conflictBehavior: behavior,
    totalSize: typeof fileSize === 'number' ? fileSize : null,
    received: 0,
    expirationDateTime: new Date(Date.now() + SESSION_LIFETIME_MS).toISOString(),
    createdBy: actorOf(call.caller),
    deferCommit: body.deferCommit === true,
    description: typeof item.description === 'string' ? item.description : null,
  };
  await fs.writeFile(partPath(call.ctx, session), Buffer.alloc(0));
  call.ctx.store.data.uploadSessions[session.id] = session;
  call.ctx.store.markDirty();
  return { status: 200, json: { uploadUrl: uploadUrl(call.req.origin, session), expirationDateTime: session.expirationDateTime, nextExpectedRanges: ['0-'] } };
}

/** Resolves the session named by an uploadUrl, or null when unknown or expired. */
export function sessionForRequest(ctx: SimContext, req: SimRequest): UploadSessionRecord | null {
  const id = req.query.get('guid') ?? '';
  const session = ctx.store.data.uploadSessions[id];
  if (!session) return null;
  if (new Date(session.expirationDateTime).getTime() < Date.now()) {
    void discardSession(ctx, session);
    return null;
  }
  return session;
}

async function discardSession(ctx: SimContext, session: UploadSessionRecord): Promise<void> {
  delete ctx.store.data.uploadSessions[session.id];
  ctx.store.markDirty();
  await fs.rm(partPath(ctx, session), { force: true });
}

const sessionsReceiving = new Set<string>();

export async function handleUploadUrl(ctx: SimContext, req: SimRequest): Promise<SimResponse> {
  const session = sessionForRequest(ctx, req);
  if (!session) throw new GraphError(404, 'itemNotFound', 'The upload session was not found or has expired.');
  switch (req.method) {
    case 'GET':
      return { status: 200, json: sessionStatus(session) };
    case 'DELETE':
      await discardSession(ctx, session);
      return { status: 204, empty: true };
    case 'POST':
      // Explicit commit of a deferCommit session (SharePoint: POST with an empty body).
      if (session.totalSize === null || session.received < session.totalSize) throw invalidRequest('The upload session is not complete.');
      return commitSession(ctx, req, session);
    case 'PUT':
      return receiveFragment(ctx, req, session);
    default:
      throw new GraphError(405, 'invalidRequest', 'Method not allowed.');
  }
}

async function receiveFragment(ctx: SimContext, req: SimRequest, session: UploadSessionRecord): Promise<SimResponse> {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
  if (!range) throw invalidRequest('The Content-Range header is missing or malformed (expected "bytes start-end/total").');
  const start = Number(range[1]);
  const end = Number(range[2]);
  const total = Number(range[3]);
  const length = end - start + 1;
  if (end < start || end >= total) throw new GraphError(416, 'invalidRange', 'The Content-Range header is not satisfiable.', { 'content-range': `bytes */${total}` });
  if (session.totalSize !== null && session.totalSize !== total) throw invalidRequest(`The file size in Content-Range (${total}) differs from the size of the upload session (${session.totalSize}).`);
  const declared = req.body.declaredLength();
  if (declared !== undefined && declared !== length) throw invalidRequest('The Content-Range header length does not match the provided number of bytes.');
  if (length >= MAX_FRAGMENT_BYTES) throw new GraphError(413, 'requestEntityTooLarge', 'A fragment must be smaller than 60 MiB.');
  const isLast = end === total - 1;
  if (!isLast && length % FRAGMENT_MULTIPLE_BYTES !== 0) throw invalidRequest('Fragment sizes must be a multiple of 320 KiB (327,680 bytes), except for the last fragment.');
  if (start !== session.received || sessionsReceiving.has(session.id)) {
    throw new GraphError(416, 'invalidRange', `The uploaded fragment overlaps or skips data. Expected range starts at ${session.received}.`, { 'content-range': `bytes */${total}` });
  }
  sessionsReceiving.add(session.id);
  try {
    const file = partPath(ctx, session);
    const stream = req.body.stream();
    let written = 0;
    try {
      if (stream) {
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            written += chunk.length;
            if (written > length) callback(invalidRequest('The fragment is longer than its Content-Range.'));
            else callback(null, chunk);
          },
        });
        await pipeline(stream, meter, createWriteStream(file, { flags: 'r+', start }));
      } else {
        const content = await req.body.buffer(MAX_FRAGMENT_BYTES);
        written = content.length;
        const handle = await fs.open(file, 'r+');
        try {
          await handle.write(content, 0, content.length, start);
        } finally {
          await handle.close();
        }
      }
    } catch (error) {
      // A dropped connection: everything in this fragment is ignored, as Graph documents.
      await fs.truncate(file, session.received);
      if (error instanceof GraphError) throw error;
      return { destroySocket: true };
    }
    if (written !== length) {
      await fs.truncate(file, session.received);
      throw invalidRequest('The Content-Range header length does not match the provided number of bytes.');
    }
    session.totalSize = total;
    session.received = end + 1;
    session.expirationDateTime = new Date(Date.now() + SESSION_LIFETIME_MS).toISOString();
    ctx.store.markDirty();
  } finally {
    sessionsReceiving.delete(session.id);
  }
  if (session.received < total || session.deferCommit) return { status: 202, json: sessionStatus(session) };
  return commitSession(ctx, req, session);
}

async function commitSession(ctx: SimContext, req: SimRequest, session: UploadSessionRecord): Promise<SimResponse> {
  const drive = ctx.store.data.drives[session.driveId];
  const parent = ctx.store.liveItem(session.parentId);
  if (!drive || !parent) {
    await discardSession(ctx, session);
    throw new GraphError(404, 'itemNotFound', 'The destination folder no longer exists.');
  }
  const file = partPath(ctx, session);
  const hash = new QuickXorHash();
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const blobId = `${session.id}-blob`;
  // Keep the part file until the commit succeeded, so a 409 leaves the session resumable.
  await fs.copyFile(file, ctx.store.blobPath(blobId));
  const blob = { blobId, size: session.totalSize ?? 0, quickXorHash: hash.digestBase64() };
  const caller =
    session.createdBy.kind === 'user'
      ? { kind: 'user' as const, tenantId: session.tenantId, appId: session.appId, userId: session.createdBy.userId, scopes: [] }
      : { kind: 'app' as const, tenantId: session.tenantId, appId: session.appId, roles: [] };
  const access = new AccessEvaluator(ctx.store, caller);
  let result;
  const target = session.targetItemId ? ctx.store.liveItem(session.targetItemId) : undefined;
  if (target) {
    result = { item: await replaceContent(ctx, target, blob, session.createdBy), created: false };
  } else {
    const folder = ensureFolderPath(ctx, drive, parent, session.missingFolders, session.createdBy);
    result = await commitFile(ctx, drive, folder, session.name, session.conflictBehavior, blob, session.createdBy);
  }
  await discardSession(ctx, session);
  return { status: result.created ? 201 : 200, json: renderItem({ ctx, req, access }, result.item) };
}
