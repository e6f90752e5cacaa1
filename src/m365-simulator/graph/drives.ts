/**
 * Sites, drives and driveItems: get, children (paged), content download (302 to a
 * pre-authenticated URL with Range support), simple upload, folders, rename/move, delete, and
 * dispatch to permissions, delta and upload sessions. Addressing by id and by path
 * (`/root:/a/b.pdf:` and `/items/{id}:/name:/content`) both work.
 */
import { promises as fs } from 'node:fs';
import type { SimContext } from '../context';
import { GraphError, accessDenied, invalidRequest, notFound } from '../web/errors';
import type { Router } from '../web/router';
import type { Caller, SimRequest, SimResponse } from '../web/types';
import type { DriveItemRecord, DriveRecord, SiteRecord } from '../state/model';
import { AccessEvaluator, type AccessLevel } from './access';
import { handleDelta } from './delta';
import { actorOf, commitFile, createFolder, ensureFolderPath, parseConflictBehavior, replaceContent, validateName } from './files';
import { handleInvite, handlePermissions, visiblePermissionsJson } from './permissions';
import { handlePreview } from './preview';
import { ctag, driveItemJson, driveJson, etag, siteJson, verifyDownloadUrl } from './render';
import { handleCreateUploadSession } from './uploads';

/** Graph's documented limit for PUT …/content; larger files need an upload session. */
export const SIMPLE_UPLOAD_LIMIT_BYTES = 250 * 1024 * 1024;
const DEFAULT_PAGE_SIZE = 200;
const MAX_PAGE_SIZE = 999;

export interface ResolvedTarget {
  /** The addressed item, when it exists. */
  item: DriveItemRecord | null;
  /** For a path that does not exist (yet): the deepest existing folder and the missing names. */
  missing: { parent: DriveItemRecord; names: string[] } | null;
}

export interface DriveCall {
  req: SimRequest;
  ctx: SimContext;
  caller: Caller;
  drive: DriveRecord;
  access: AccessEvaluator;
  target: ResolvedTarget;
  tail: string;
}

export function requireCaller(req: SimRequest): Caller {
  if (!req.caller) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  return req.caller;
}

/** Items a caller may not even know about are reported as missing, as SharePoint does. */
export function requireAccess(access: AccessEvaluator, item: DriveItemRecord, needed: Exclude<AccessLevel, 'none'>): void {
  const level = access.level(item);
  const rank: Record<AccessLevel, number> = { none: 0, traverse: 1, read: 2, write: 3 };
  if (level === 'none') throw notFound('The resource could not be found.');
  if (rank[level] < rank[needed]) throw accessDenied('Access denied. You do not have permission to perform this action or access this resource.');
}

/** `if-match` on update and delete: a tag other than the item's eTag or cTag is 412 and nothing changes (driveitem-update, driveitem-delete). */
function requireMatchingTag(call: DriveCall, item: DriveItemRecord): void {
  const given = call.req.headers['if-match'];
  if (!given || given === '*') return;
  if (given !== etag(item) && given !== ctag(item)) throw new GraphError(412, 'preconditionFailed', 'The provided eTag or cTag does not match the current version of the item.');
}

export function existingItem(call: DriveCall): DriveItemRecord {
  if (!call.target.item) throw notFound('The resource could not be found.');
  return call.target.item;
}

function selectProperties(json: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return json;
  const wanted = new Set(select.split(',').map((name) => name.trim()));
  wanted.add('id');
  return Object.fromEntries(Object.entries(json).filter(([name]) => wanted.has(name) || name.startsWith('@')));
}

export function renderItem(call: Pick<DriveCall, 'ctx' | 'req' | 'access'>, item: DriveItemRecord): Record<string, unknown> {
  const canRead = call.access.level(item) === 'read' || call.access.level(item) === 'write';
  let json = driveItemJson(call.ctx, item, { origin: call.req.origin, includeDownloadUrl: canRead });
  const expand = call.req.query.get('$expand') ?? '';
  // Security-trimmed like GET …/permissions: a guest learns of no one else's access.
  if (/\bpermissions\b/.test(expand)) json.permissions = visiblePermissionsJson(call, item);
  if (/\bchildren\b/.test(expand) && item.kind === 'folder') {
    json.children = call.ctx.store
      .children(item.id)
      .filter((child) => call.access.level(child) !== 'none')
      .map((child) => driveItemJson(call.ctx, child, { origin: call.req.origin }));
  }
  json = selectProperties(json, call.req.query.get('$select'));
  return json;
}

function resolveTarget(ctx: SimContext, drive: DriveRecord, rest: string): { target: ResolvedTarget; tail: string } | null {
  const match = /^\/(?:root|items\/(?<itemId>[^/:]+))(?::(?<path>[^:]*):?)?(?<tail>\/.*)?$/.exec(rest);
  if (!match?.groups) return null;
  const { itemId, path, tail } = match.groups;
  let base: DriveItemRecord | undefined;
  if (itemId) {
    const decodedId = decodeURIComponent(itemId);
    base = decodedId === 'root' ? ctx.store.data.items[drive.rootItemId] : ctx.store.liveItem(decodedId);
    if (base && base.driveId !== drive.id) base = undefined;
  } else {
    base = ctx.store.data.items[drive.rootItemId];
  }
  if (!base) return { target: { item: null, missing: null }, tail: tail ?? '' };
  if (path === undefined) return { target: { item: base, missing: null }, tail: tail ?? '' };
  const names = path
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
  let current = base;
  for (let index = 0; index < names.length; index++) {
    const child = current.kind === 'folder' ? ctx.store.childByName(current.id, names[index]) : undefined;
    if (!child) {
      if (current.kind !== 'folder') return { target: { item: null, missing: null }, tail: tail ?? '' };
      return { target: { item: null, missing: { parent: current, names: names.slice(index) } }, tail: tail ?? '' };
    }
    current = child;
  }
  return { target: { item: current, missing: null }, tail: tail ?? '' };
}

function driveForCaller(ctx: SimContext, caller: Caller, driveId: string): DriveRecord {
  const drive = ctx.store.data.drives[driveId];
  if (!drive || drive.tenantId !== caller.tenantId) throw notFound('The resource could not be found.');
  return drive;
}

function siteForCaller(ctx: SimContext, caller: Caller, siteKey: string) {
  const data = ctx.store.data;
  let site: SiteRecord | undefined = siteKey === 'root' ? data.sites[data.tenants[caller.tenantId]?.rootSiteId ?? ''] : data.sites[siteKey];
  if (!site) {
    // "{hostname}:/sites/{name}" addressing.
    const byPath = /^([^:]+):\/sites\/([^:]+):?$/.exec(siteKey);
    if (byPath) site = Object.values(data.sites).find((candidate) => candidate.tenantId === caller.tenantId && candidate.name.toLowerCase() === byPath[2].toLowerCase());
  }
  if (!site || site.tenantId !== caller.tenantId) throw new GraphError(404, 'itemNotFound', 'Requested site could not be found');
  return site;
}

async function handleDriveRequest(ctx: SimContext, req: SimRequest, drive: DriveRecord, rest: string): Promise<SimResponse> {
  const caller = requireCaller(req);
  const access = new AccessEvaluator(ctx.store, caller);
  if (rest === '' || rest === '/') {
    if (req.method !== 'GET') throw new GraphError(405, 'invalidRequest', 'Method not allowed.');
    return { status: 200, json: driveJson(ctx, drive) };
  }
  const resolved = resolveTarget(ctx, drive, rest);
  if (!resolved) throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rest.split('/')[1] ?? rest}'.`);
  const call: DriveCall = { req, ctx, caller, drive, access, target: resolved.target, tail: resolved.tail };
  const tail = resolved.tail.replace(/\/$/, '');
  const method = req.method;

  if (tail === '') {
    if (method === 'GET') {
      const item = existingItem(call);
      requireAccess(access, item, 'traverse');
      return { status: 200, json: renderItem(call, item) };
    }
    if (method === 'PATCH') return patchItem(call);
    if (method === 'DELETE') return deleteItem(call);
  }
  if (tail === '/children') {
    if (method === 'GET') return listChildren(call);
    if (method === 'POST') return createChild(call);
  }
  if (tail === '/content') {
    if (method === 'GET') return downloadContent(call);
    if (method === 'PUT') return simpleUpload(call);
  }
  if (tail === '/createUploadSession' && method === 'POST') return handleCreateUploadSession(call);
  if (tail === '/invite' && method === 'POST') return handleInvite(call);
  if (tail === '/copy' && method === 'POST') return copyItem(call);
  if (tail === '/preview' && method === 'POST') return handlePreview(call);
  if (tail === '/permissions' || tail.startsWith('/permissions/')) return handlePermissions(call, tail.slice('/permissions'.length).replace(/^\//, ''));
  if (tail === '/delta' && method === 'GET') return handleDelta(call);
  throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${tail.split('/')[1] ?? tail}'.`);
}

async function listChildren(call: DriveCall): Promise<SimResponse> {
  const folder = existingItem(call);
  requireAccess(call.access, folder, 'traverse');
  const topParam = call.req.query.get('$top');
  const top = topParam ? Number(topParam) : DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(top) || top < 1) throw invalidRequest(`Invalid $top value '${topParam}'.`);
  const pageSize = Math.min(top, MAX_PAGE_SIZE);
  const offset = decodeSkipToken(call.req.query.get('$skiptoken'));
  const visible = call.ctx.store
    .children(folder.id)
    .filter((child) => call.access.level(child) !== 'none')
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  const page = visible.slice(offset, offset + pageSize);
  const json: Record<string, unknown> = { value: page.map((child) => renderItem(call, child)) };
  if (offset + pageSize < visible.length) {
    const next = new URLSearchParams(call.req.query);
    next.set('$top', String(pageSize));
    next.set('$skiptoken', Buffer.from(`Paged=TRUE&p_ID=${offset + pageSize}`).toString('base64url'));
    json['@odata.nextLink'] = `${call.req.origin}/v1.0/drives/${call.drive.id}/items/${folder.id}/children?${next.toString()}`;
  }
  return { status: 200, json };
}

function decodeSkipToken(token: string | null): number {
  if (!token) return 0;
  const match = /p_ID=(\d+)/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw invalidRequest('Invalid $skiptoken.');
  return Number(match[1]);
}

async function createChild(call: DriveCall): Promise<SimResponse> {
  const parent = existingItem(call);
  requireAccess(call.access, parent, 'write');
  const body = (await call.req.body.json()) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') throw invalidRequest('A request body is required.');
  if (!body.folder || typeof body.folder !== 'object') throw invalidRequest('Only folders can be created with POST /children; upload files with PUT /content or an upload session.');
  const behavior = parseConflictBehavior(body['@microsoft.graph.conflictBehavior'], 'fail');
  const { item } = createFolder(call.ctx, call.drive, parent, validateName(body.name), behavior, actorOf(call.caller));
  return { status: 201, json: renderItem(call, item) };
}

/**
 * PATCH name and/or parentReference: rename and move (learn.microsoft.com/graph/api/driveitem-update,
 * learn.microsoft.com/graph/api/driveitem-move). "Items cannot be moved between Drives using this
 * request": another driveId is a 400. A destination that does not exist (or that the caller cannot
 * see) is 404 itemNotFound, as SharePoint answers, and nothing changes: not even the name sent with
 * it (Graph has been reported to rename anyway; the stricter, atomic reading is taken). A name
 * already in the destination is 409 nameAlreadyExists.
 */
async function patchItem(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'write');
  if (!item.parentId) throw accessDenied('The root folder cannot be renamed or moved.');
  requireMatchingTag(call, item);
  const body = ((await call.req.body.json()) ?? {}) as { name?: unknown; parentReference?: { id?: string; driveId?: string } };
  if (body.parentReference?.driveId && body.parentReference.driveId !== item.driveId) throw invalidRequest('Items cannot be moved between drives using this request.');
  const newParentId = body.parentReference?.id;
  const newParent = newParentId ? call.ctx.store.liveItem(newParentId) : call.ctx.store.data.items[item.parentId];
  if (!newParent || newParent.driveId !== item.driveId || call.access.level(newParent) === 'none') throw notFound('The resource could not be found.');
  if (newParent.kind !== 'folder') throw invalidRequest('The destination is not a folder.');
  if (newParent.id === item.id || call.ctx.store.ancestors(newParent).some((ancestor) => ancestor.id === item.id)) throw invalidRequest('An item cannot be moved into itself.');
  // A move adds an item to the destination, so it needs write there as well as on the item.
  // learn.microsoft.com/graph/api/driveitem-move does not spell the destination rule out;
  // SharePoint asks for Add Items on the target list folder, and we take that stricter reading.
  if (newParent.id !== item.parentId) requireAccess(call.access, newParent, 'write');
  const newName = body.name === undefined ? item.name : validateName(body.name);
  const clash = call.ctx.store.childByName(newParent.id, newName);
  if (clash && clash.id !== item.id) throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
  const oldParentId = item.parentId;
  item.name = newName;
  if (newParent.id !== oldParentId) call.ctx.store.moveItem(item, newParent.id);
  item.version += 1;
  item.lastModifiedBy = actorOf(call.caller);
  item.lastModifiedDateTime = new Date().toISOString();
  call.ctx.store.recordChange(item.driveId, item.id);
  for (const descendant of call.ctx.store.descendants(item)) call.ctx.store.recordChange(descendant.driveId, descendant.id);
  return { status: 200, json: renderItem(call, item) };
}

/**
 * POST …/copy (learn.microsoft.com/graph/api/driveitem-copy): the caller must read the item and,
 * since a copy adds an item to the destination, write there (SharePoint's Add Items, the same
 * stricter reading as for a move). Name clashes fail unless `@microsoft.graph.conflictBehavior`
 * says otherwise. Simplifications: the copy is done before the 202 answer, whose Location points at
 * the new item rather than at a monitor resource; copies stay within the drive.
 */
async function copyItem(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'read');
  if (!item.parentId) throw invalidRequest('The root folder cannot be copied.');
  const body = ((await call.req.body.json()) ?? {}) as { name?: unknown; parentReference?: { id?: string; driveId?: string } };
  if (body.parentReference?.driveId && body.parentReference.driveId !== item.driveId) throw invalidRequest('Copies to another drive are not supported by this simulator.');
  const destinationId = body.parentReference?.id ?? item.parentId;
  const destination = call.ctx.store.liveItem(destinationId);
  if (!destination || destination.driveId !== item.driveId || destination.kind !== 'folder') throw invalidRequest('The destination folder does not exist.');
  if (destination.id === item.id || call.ctx.store.ancestors(destination).some((ancestor) => ancestor.id === item.id)) throw invalidRequest('An item cannot be copied into itself.');
  requireAccess(call.access, destination, 'write');
  const behavior = parseConflictBehavior(call.req.query.get('@microsoft.graph.conflictBehavior') ?? undefined, 'fail');
  const name = body.name === undefined ? item.name : validateName(body.name);
  // Replacing a file overwrites it: that takes write on the file itself, which may hold unique permissions.
  const replaced = behavior === 'replace' ? call.ctx.store.childByName(destination.id, name) : undefined;
  if (replaced) requireAccess(call.access, replaced, 'write');
  const actor = actorOf(call.caller);
  const copyInto = async (source: DriveItemRecord, parent: DriveItemRecord, as: string, conflict: typeof behavior): Promise<DriveItemRecord> => {
    if (source.kind === 'folder') {
      const { item: folder } = createFolder(call.ctx, call.drive, parent, as, conflict, actor);
      for (const child of call.ctx.store.children(source.id)) await copyInto(child, folder, child.name, 'fail');
      return folder;
    }
    const bytes = source.blobId ? await fs.readFile(call.ctx.store.blobPath(source.blobId)) : Buffer.alloc(0);
    const blob = await call.ctx.store.writeBlobFromBuffer(bytes);
    return (await commitFile(call.ctx, call.drive, parent, as, conflict, blob, actor)).item;
  };
  const copied = await copyInto(item, destination, name, behavior);
  return { status: 202, headers: { location: `${call.req.origin}/v1.0/drives/${call.drive.id}/items/${copied.id}` }, empty: true };
}

/**
 * DELETE moves the item (and everything inside it) to the recycle bin
 * (learn.microsoft.com/graph/api/driveitem-delete): 204, then the item is 404 itemNotFound, its
 * permissions gone with it, and delta reports it with the `deleted` facet. An `if-match` that
 * does not match the item's eTag or cTag is 412 and nothing is deleted.
 */
async function deleteItem(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'write');
  if (!item.parentId) throw accessDenied('The root folder of a drive cannot be deleted.');
  requireMatchingTag(call, item);
  const parent = call.ctx.store.data.items[item.parentId];
  const blobs = call.ctx.store.deleteItem(item, new Date().toISOString());
  if (parent) {
    parent.version += 1;
    call.ctx.store.recordChange(parent.driveId, parent.id);
  }
  await call.ctx.store.removeBlobs(blobs);
  return { status: 204, empty: true };
}

/** Graph answers GET /content with 302 to a pre-authenticated URL; fetch and the SDK follow it. */
async function downloadContent(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'read');
  if (item.kind !== 'file') throw invalidRequest('Cannot download the content of a folder.');
  const json = driveItemJson(call.ctx, item, { origin: call.req.origin, includeDownloadUrl: true });
  return { status: 302, headers: { location: String(json['@microsoft.graph.downloadUrl']) }, empty: true };
}

async function simpleUpload(call: DriveCall): Promise<SimResponse> {
  const { target } = call;
  const declared = call.req.body.declaredLength();
  if (declared !== undefined && declared > SIMPLE_UPLOAD_LIMIT_BYTES) throw new GraphError(413, 'requestEntityTooLarge', 'The request is too large. Use an upload session for files larger than 250 MB.');
  const behavior = parseConflictBehavior(call.req.query.get('@microsoft.graph.conflictBehavior'), 'replace');
  const actor = actorOf(call.caller);
  if (target.item) {
    if (target.item.kind === 'folder') throw invalidRequest('Cannot upload content into a folder; address a file name under it.');
    requireAccess(call.access, target.item, 'write');
    if (behavior === 'fail') throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
  } else if (target.missing) {
    requireAccess(call.access, target.missing.parent, 'write');
    validateName(target.missing.names[target.missing.names.length - 1]);
  } else {
    throw notFound();
  }
  const blob = await receiveBody(call, SIMPLE_UPLOAD_LIMIT_BYTES);
  if (target.item && behavior === 'replace') {
    const item = await replaceContent(call.ctx, target.item, blob, actor);
    return { status: 200, json: renderItem(call, item) };
  }
  let parent: DriveItemRecord;
  let name: string;
  if (target.item) {
    parent = call.ctx.store.data.items[target.item.parentId as string];
    name = target.item.name;
  } else {
    const missing = target.missing as NonNullable<ResolvedTarget['missing']>;
    parent = ensureFolderPath(call.ctx, call.drive, missing.parent, missing.names.slice(0, -1), actor);
    name = missing.names[missing.names.length - 1];
  }
  const { item, created } = await commitFile(call.ctx, call.drive, parent, name, behavior, blob, actor);
  return { status: created ? 201 : 200, json: renderItem(call, item) };
}

async function receiveBody(call: DriveCall, limit: number) {
  const stream = call.req.body.stream();
  if (stream) {
    const stored = await call.ctx.store.writeBlob(stream, limit);
    if ('tooLarge' in stored) throw new GraphError(413, 'requestEntityTooLarge', 'The request is too large. Use an upload session for files larger than 250 MB.');
    return stored;
  }
  return call.ctx.store.writeBlobFromBuffer(await call.req.body.buffer(limit));
}

/** Serves the pre-authenticated download URL, with single-range support like SharePoint. */
export async function servePreauthenticatedDownload(ctx: SimContext, req: SimRequest): Promise<SimResponse> {
  const grant = verifyDownloadUrl(req.query);
  const item = grant ? ctx.store.liveItem(grant.itemId) : undefined;
  if (!grant || !item || item.kind !== 'file' || !item.blobId) return { status: 401, text: 'The download URL is invalid or has expired.' };
  const filePath = ctx.store.blobPath(item.blobId);
  const size = (await fs.stat(filePath)).size;
  const baseHeaders = { 'accept-ranges': 'bytes', etag: `"{${item.etagGuid}},${item.version}"`, 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}` };
  const rangeHeader = req.headers.range;
  if (rangeHeader) {
    const range = parseRange(rangeHeader, size);
    if (!range) return { status: 416, headers: { ...baseHeaders, 'content-range': `bytes */${size}` }, empty: true };
    return { status: 206, headers: { ...baseHeaders, 'content-range': `bytes ${range.start}-${range.end}/${size}` }, file: { path: filePath, start: range.start, end: range.end }, contentType: item.mimeType ?? 'application/octet-stream' };
  }
  if (size === 0) return { status: 200, headers: baseHeaders, text: '', contentType: item.mimeType ?? 'application/octet-stream' };
  return { status: 200, headers: baseHeaders, file: { path: filePath, start: 0, end: size - 1 }, contentType: item.mimeType ?? 'application/octet-stream' };
}

function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return null;
  return { start, end };
}

export function registerDriveRoutes(router: Router, ctx: SimContext): void {
  router.add('GET', '/v1.0/sites/{siteId}', async (req) => ({ status: 200, json: siteJson(siteForCaller(ctx, requireCaller(req), req.params.siteId)) }));
  router.add('GET', '/v1.0/sites/{siteId}/drives', async (req) => {
    const site = siteForCaller(ctx, requireCaller(req), req.params.siteId);
    return { status: 200, json: { value: [driveJson(ctx, ctx.store.data.drives[site.driveId])] } };
  });
  router.add('*', /^\/v1\.0\/sites\/(?<siteId>[^/]+)\/drive(?<rest>\/.*)?$/i, async (req) => {
    const caller = requireCaller(req);
    const site = siteForCaller(ctx, caller, req.params.siteId);
    return handleDriveRequest(ctx, req, driveForCaller(ctx, caller, site.driveId), rawGroup(req, /\/drive(\/.*)?$/));
  });
  router.add('*', /^\/v1\.0\/groups\/(?<groupId>[^/]+)\/drive(?<rest>\/.*)?$/i, async (req) => {
    const caller = requireCaller(req);
    const team = ctx.store.data.teams[req.params.groupId];
    if (!team || team.tenantId !== caller.tenantId) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${req.params.groupId}' does not exist or one of its queried reference-property objects are not present.`);
    return handleDriveRequest(ctx, req, driveForCaller(ctx, caller, team.driveId), rawGroup(req, /\/drive(\/.*)?$/));
  });
  router.add('*', /^\/v1\.0\/drives\/(?<driveId>[^/]+)(?<rest>\/.*)?$/i, async (req) => {
    const caller = requireCaller(req);
    const match = /^\/v1\.0\/drives\/[^/]+(\/.*)?$/i.exec(req.rawPath);
    return handleDriveRequest(ctx, req, driveForCaller(ctx, caller, req.params.driveId), match?.[1] ?? '');
  });
}

/** The rest of the path after /drive, kept percent-encoded (path addressing decodes per segment). */
function rawGroup(req: SimRequest, pattern: RegExp): string {
  return pattern.exec(req.rawPath)?.[1] ?? '';
}
