import { DomainError } from '../domain/errors';
import { asRetryable, GraphRequestError } from './errors';
import { type GraphAuth, type GraphGateway, seg } from './graph';

/** Where a drive item sits: its id, name and parent folder (what CaseRoom records of it). */
export interface DriveItemPlace {
  id: string;
  name: string;
  parentId: string | null;
}

/**
 * Staff's folder, rename, move and delete, done in SharePoint app-only (Files.ReadWrite.All, which
 * aad.manifest.json declares and which permissions.json lists for POST children, PATCH and DELETE
 * on /drives/{id}/items/{id}). CaseRoom changes SharePoint first and its store after, so these
 * throw typed errors the API can answer with, and nothing is recorded when SharePoint refuses.
 */
export interface DriveItemsPort {
  /** POST …/children with conflictBehavior fail: a name already there is a 409, never a silent "name 1" (learn.microsoft.com/graph/api/driveitem-post-children). */
  createFolder(driveId: string, parentDriveItemId: string, name: string): Promise<DriveItemPlace>;
  /** PATCH name and/or parentReference (learn.microsoft.com/graph/api/driveitem-update, driveitem-move). */
  update(driveId: string, driveItemId: string, change: { name?: string; parentDriveItemId?: string }): Promise<DriveItemPlace>;
  /** DELETE: to the site's recycle bin, restorable there (learn.microsoft.com/graph/api/driveitem-delete). Already gone counts as done. */
  remove(driveId: string, driveItemId: string): Promise<void>;
}

interface DriveItemJson {
  id: string;
  name: string;
  parentReference?: { id?: string };
}

const placeOf = (json: DriveItemJson): DriveItemPlace => ({ id: json.id, name: json.name, parentId: json.parentReference?.id ?? null });

/** What staff are told when SharePoint refuses; throttling and outages become retryable `throttled` answers. */
export function sharePointRefusal(err: unknown, name: string | undefined): unknown {
  if (!(err instanceof GraphRequestError)) return err;
  if (err.status === 409 && err.code === 'nameAlreadyExists') {
    return new DomainError('conflict', `${name ? `"${name}"` : 'That name'} already exists in that folder in SharePoint; choose another name`, undefined, undefined, { sharePoint: 'nameAlreadyExists' });
  }
  if (err.status === 404) return new DomainError('conflict', 'the item is no longer in SharePoint (someone moved or deleted it there); the list is brought up to date at the next check', undefined, undefined, { sharePoint: 'itemNotFound' });
  if (err.status === 403) return new DomainError('forbidden', 'SharePoint refused the change to this item');
  if (err.status === 412) return new DomainError('conflict', 'the item changed in SharePoint meanwhile; try again');
  return asRetryable(err);
}

export function gatewayDriveItems(graph: GraphGateway): DriveItemsPort {
  const item = (driveId: string, driveItemId: string) => `/drives/${seg(driveId)}/items/${seg(driveItemId)}`;
  return {
    async createFolder(driveId, parentDriveItemId, name) {
      try {
        return placeOf(await graph.call<DriveItemJson>({ method: 'POST', path: `${item(driveId, parentDriveItemId)}/children`, body: { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } }));
      } catch (err) {
        throw sharePointRefusal(err, name);
      }
    },
    async update(driveId, driveItemId, change) {
      const body: Record<string, unknown> = {};
      if (change.name !== undefined) body.name = change.name;
      if (change.parentDriveItemId !== undefined) body.parentReference = { id: change.parentDriveItemId };
      try {
        return placeOf(await graph.call<DriveItemJson>({ method: 'PATCH', path: item(driveId, driveItemId), body, idempotent: true }));
      } catch (err) {
        throw sharePointRefusal(err, change.name);
      }
    },
    async remove(driveId, driveItemId) {
      try {
        await graph.call({ method: 'DELETE', path: item(driveId, driveItemId), idempotent: true });
      } catch (err) {
        if (err instanceof GraphRequestError && err.status === 404) return;
        throw sharePointRefusal(err, undefined);
      }
    },
  };
}

/** Graph's itemPreviewInfo (v1.0 CSDL); CaseRoom frames `getUrl` and posts nothing. */
export interface ItemPreviewInfo {
  getUrl: string;
  postParameters?: string | null;
  postUrl?: string | null;
}

/**
 * POST …/preview (learn.microsoft.com/graph/api/driveitem-preview): a short-lived embeddable URL.
 * The body is empty: the action's only parameters (`page`, `zoom`) keep their defaults. Not
 * idempotent in Graph's sense (each call mints a new URL), but harmless to retry.
 */
export async function previewDriveItem(graph: GraphGateway, driveId: string, driveItemId: string, auth: GraphAuth): Promise<ItemPreviewInfo> {
  const info = await graph.call<ItemPreviewInfo>({ method: 'POST', path: `/drives/${seg(driveId)}/items/${seg(driveItemId)}/preview`, body: {}, auth, idempotent: true });
  if (typeof info?.getUrl !== 'string' || !/^https?:\/\//.test(info.getUrl)) throw new DomainError('unavailable', 'SharePoint answered the preview without a page to show; try again shortly', undefined, 10);
  return info;
}
