import { runBatch, type BatchStep } from './batch';
import type { GraphGateway } from './graph';
import { batchError } from './batch';
import { seg } from './graph';

/** The parts of a Graph `permission` CaseRoom reads. */
export interface GraphPermission {
  id: string;
  roles?: string[];
  expirationDateTime?: string;
  grantedToV2?: { user?: { id?: string; displayName?: string; email?: string }; siteGroup?: { id?: string; displayName?: string } };
  grantedTo?: { user?: { id?: string; displayName?: string; email?: string } };
  inheritedFrom?: { id?: string; driveId?: string } | null;
  invitation?: { email?: string };
}

export type Role = 'read' | 'write';

export interface ItemRef {
  driveId: string;
  itemId: string;
}

export const itemUrl = (t: ItemRef) => `/drives/${seg(t.driveId)}/items/${seg(t.itemId)}`;

export const userIdOf = (p: GraphPermission): string | undefined => p.grantedToV2?.user?.id ?? p.grantedTo?.user?.id;
export const roleOf = (p: GraphPermission): Role | 'owner' | 'other' => {
  const roles = p.roles ?? [];
  if (roles.includes('owner')) return 'owner';
  if (roles.includes('write')) return 'write';
  if (roles.includes('read')) return 'read';
  return 'other';
};

/** Permissions set on the item itself (not inherited) for a person (not a site group). */
export function directUserPermissions(perms: readonly GraphPermission[]): GraphPermission[] {
  return perms.filter((p) => !p.inheritedFrom && userIdOf(p) !== undefined);
}

/**
 * The body of `POST /drives/{d}/items/{i}/invite` for existing guests: sign-in required, no
 * SharePoint e-mail (CaseRoom tells the guest itself). Parameter names are the `invite`
 * action's in the v1.0 CSDL.
 *
 * No expirationDateTime: on OneDrive for Business and SharePoint it applies to sharing links
 * only (learn.microsoft.com/graph/api/driveitem-invite); CaseRoom enforces a grant's expiry by
 * removing the permission itself.
 *
 * retainInheritedPermissions stays true (said explicitly, it is the default): the first direct
 * share of an item copies what the item inherited onto it. With false, the site's Owners and
 * Members groups would not be copied and the firm's own staff would lose the item. The price
 * is that guests who reached the item through its case folder now hold a copied permission
 * there; CaseRoom records every item it shared (m365_unique_items) and gives case and client
 * scopes their own permission on each (docs/sharepoint-sharing.md).
 */
export function inviteBody(guestUserIds: readonly string[], role: Role): Record<string, unknown> {
  return {
    recipients: guestUserIds.map((objectId) => ({ objectId })),
    roles: [role],
    requireSignIn: true,
    sendInvitation: false,
    retainInheritedPermissions: true,
  };
}

/** Reads the permissions of many items with `$batch` GETs. A missing item maps to null. */
export async function readPermissions(graph: GraphGateway, targets: readonly ItemRef[]): Promise<Map<string, GraphPermission[] | null>> {
  const unique = [...new Map(targets.map((t) => [t.itemId, t])).values()];
  const steps: BatchStep[] = unique.map((t, i) => ({ id: String(i + 1), method: 'GET', url: `${itemUrl(t)}/permissions` }));
  const results = await runBatch(graph, steps);
  const out = new Map<string, GraphPermission[] | null>();
  unique.forEach((t, i) => {
    const r = results.get(String(i + 1));
    if (!r) throw new Error(`no answer for the permissions of ${t.itemId}`);
    if (r.status === 404) out.set(t.itemId, null);
    else if (r.status >= 200 && r.status < 300) out.set(t.itemId, ((r.body as { value?: GraphPermission[] })?.value ?? []) as GraphPermission[]);
    else throw batchError(r);
  });
  return out;
}
