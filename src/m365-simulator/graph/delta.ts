/**
 * driveItem: delta (learn.microsoft.com/graph/api/driveitem-delta).
 * - Without a token: every item of the drive, paged with @odata.nextLink, ending with @odata.deltaLink.
 * - With a token: the items changed since (current state, one entry per item), deleted ones with
 *   the `deleted` facet; `token=latest` returns no items and a deltaLink for "from now on".
 * - A token the drive no longer remembers (older than the kept change log, another drive, a
 *   reset simulator, or garbage) gets 410 Gone with code resyncRequired and a Location to restart.
 * - parentReference.path is not returned in delta responses (documented).
 * - A change of sharing only is reported to the users whose access it changed, never to the app
 *   (Store.recordSharingChange).
 * - On SharePoint, delta is supported on the root folder only.
 */
import type { SimContext } from '../context';
import { GraphError, invalidRequest } from '../web/errors';
import type { SimResponse } from '../web/types';
import type { DriveItemRecord, DriveRecord } from '../state/model';
import { existingItem, requireAccess, type DriveCall } from './drives';
import { driveItemJson } from './render';

const DEFAULT_PAGE_SIZE = 200;

interface DeltaCursor {
  /** drive epoch: tokens from another life of the drive are stale. */
  e: string;
  /** changes strictly after this sequence… */
  s: number;
  /** …up to and including this one (fixed when the round started). */
  u: number;
  /** items already returned in this round. */
  o: number;
  /** true for the initial full enumeration. */
  f: boolean;
}

function encodeCursor(cursor: DeltaCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): DeltaCursor | null {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<DeltaCursor>;
    if (typeof parsed.e !== 'string' || typeof parsed.s !== 'number' || typeof parsed.u !== 'number' || typeof parsed.o !== 'number' || typeof parsed.f !== 'boolean') return null;
    return parsed as DeltaCursor;
  } catch {
    return null;
  }
}

function deltaUrl(origin: string, drive: DriveRecord, token: string | null, top: number | null): string {
  const params = new URLSearchParams();
  if (token) params.set('token', token);
  if (top) params.set('$top', String(top));
  const query = params.toString();
  return `${origin}/v1.0/drives/${drive.id}/root/delta${query ? `?${query}` : ''}`;
}

export function resyncRequired(origin: string, drive: DriveRecord): GraphError {
  return new GraphError(
    410,
    'resyncRequired',
    "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
    { location: deltaUrl(origin, drive, null, null) },
    'resyncChangesApplyDifferences',
  );
}

function depth(ctx: SimContext, item: DriveItemRecord): number {
  return ctx.store.ancestors(item).length;
}

export async function handleDelta(call: DriveCall): Promise<SimResponse> {
  const { ctx, drive, req } = call;
  const folder = existingItem(call);
  if (folder.parentId !== null) throw invalidRequest('Delta is only supported on the root folder of a SharePoint document library.');
  requireAccess(call.access, folder, 'traverse');
  const topParam = req.query.get('$top');
  const top = topParam ? Number(topParam) : null;
  if (top !== null && (!Number.isInteger(top) || top < 1)) throw invalidRequest(`Invalid $top value '${topParam}'.`);
  const pageSize = top ?? DEFAULT_PAGE_SIZE;
  const token = req.query.get('token');

  if (token === 'latest') {
    const cursor: DeltaCursor = { e: drive.epoch, s: drive.changeSeq, u: drive.changeSeq, o: 0, f: false };
    return { status: 200, json: { value: [], '@odata.deltaLink': deltaUrl(req.origin, drive, encodeCursor(cursor), top) } };
  }

  let cursor: DeltaCursor;
  if (token === null) {
    cursor = { e: drive.epoch, s: 0, u: drive.changeSeq, o: 0, f: true };
  } else {
    const decoded = decodeCursor(token);
    if (!decoded || decoded.e !== drive.epoch || decoded.s < drive.changeLogFloor || decoded.u > drive.changeSeq) throw resyncRequired(req.origin, drive);
    // A deltaLink token (o = 0, s = u) starts a new round that ends at the current sequence.
    cursor = decoded.o === 0 && decoded.s === decoded.u && !decoded.f ? { ...decoded, u: drive.changeSeq } : decoded;
  }

  let candidates: DriveItemRecord[];
  if (cursor.f) {
    candidates = Object.values(ctx.store.data.items)
      .filter((item) => item.driveId === drive.id && !item.deletedDateTime)
      .sort((a, b) => depth(ctx, a) - depth(ctx, b) || a.id.localeCompare(b.id));
  } else {
    const lastChange = new Map<string, number>();
    const callerId = call.caller.kind === 'user' ? call.caller.userId : null;
    for (const entry of drive.changeLog) {
      if (entry.seq <= cursor.s || entry.seq > cursor.u) continue;
      // A change of sharing only reaches the delta of those whose access it changed (Store.recordSharingChange).
      if (entry.sharingFor && !(callerId !== null && entry.sharingFor.includes(callerId))) continue;
      lastChange.set(entry.itemId, entry.seq);
    }
    candidates = [...lastChange.entries()]
      .sort((a, b) => a[1] - b[1])
      .map(([itemId]) => ctx.store.data.items[itemId])
      .filter((item): item is DriveItemRecord => Boolean(item));
  }
  const visible = candidates.filter((item) => (item.deletedDateTime ? call.access.seesEverything() : call.access.level(item) !== 'none'));
  const page = visible.slice(cursor.o, cursor.o + pageSize);
  const value = page.map((item) => {
    const canRead = !item.deletedDateTime && ['read', 'write'].includes(call.access.level(item));
    return driveItemJson(ctx, item, { origin: req.origin, omitParentPath: true, includeDownloadUrl: canRead });
  });
  const json: Record<string, unknown> = { value };
  if (cursor.o + pageSize < visible.length) {
    json['@odata.nextLink'] = deltaUrl(req.origin, drive, encodeCursor({ ...cursor, o: cursor.o + pageSize }), top);
  } else {
    json['@odata.deltaLink'] = deltaUrl(req.origin, drive, encodeCursor({ e: drive.epoch, s: cursor.u, u: cursor.u, o: 0, f: false }), top);
  }
  return { status: 200, json };
}
