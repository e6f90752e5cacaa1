import type { PermissionKnowledge } from '../domain/model';
import { runBatch, type BatchStep, type BatchResult } from './batch';
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
  invitation?: { email?: string };
  /**
   * CaseRoom's own finding, not a Graph property: the item holds this permission itself (it can
   * be deleted or changed there). Set by readPermissions; SharePoint does not say, since its
   * document libraries "don't return the inheritedFrom property"
   * (learn.microsoft.com/graph/api/resources/permission).
   */
  heldByItem?: boolean;
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

/**
 * Permissions set on the item itself (not inherited) for a person (not a site group), from a list
 * readPermissions returned (a list straight from Graph yields none: nothing in it says what is
 * the item's own).
 */
export function directUserPermissions(perms: readonly GraphPermission[]): GraphPermission[] {
  return perms.filter((p) => p.heldByItem === true && userIdOf(p) !== undefined);
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

/** A grantee and its roles: what survives of a permission copied or inherited from a parent (ids may differ). */
const granteeKey = (p: GraphPermission): string => {
  const who = p.grantedToV2?.user?.id ?? p.grantedTo?.user?.id ?? (p.grantedToV2?.siteGroup ? `group:${p.grantedToV2.siteGroup.id ?? p.grantedToV2.siteGroup.displayName}` : `other:${p.id}`);
  return `${who}|${[...(p.roles ?? [])].sort().join(',')}`;
};

/** Same grantees with the same roles, as many times each: what an item that inherits lists. */
export function sameGrants(a: readonly GraphPermission[], b: readonly GraphPermission[]): boolean {
  if (a.length !== b.length) return false;
  const count = new Map<string, number>();
  for (const p of a) count.set(granteeKey(p), (count.get(granteeKey(p)) ?? 0) + 1);
  for (const p of b) {
    const left = count.get(granteeKey(p)) ?? 0;
    if (left === 0) return false;
    count.set(granteeKey(p), left - 1);
  }
  return true;
}

/**
 * Which permissions listed on an item the item holds itself, from CaseRoom's records first:
 * - on an item CaseRoom gave unique permissions (m365_unique_items), every one: a unique item
 *   lists its own role assignments only;
 * - elsewhere, those whose id CaseRoom recorded creating there;
 * - and when `parent` (the parent's list) was read: every one if the item lists something its
 *   parent does not (someone gave it unique permissions by hand), none beyond the recorded ones if
 *   it lists exactly what its parent does (it inherits, or holds an untouched copy: either way
 *   nothing of its own to manage yet).
 */
export function classifyPermissions(itemId: string, perms: readonly GraphPermission[], knowledge: PermissionKnowledge, parent?: readonly GraphPermission[]): GraphPermission[] {
  const unique = knowledge.unique.has(itemId) || (parent !== undefined && !sameGrants(perms, parent));
  const recorded = knowledge.recordedIds.get(itemId);
  return perms.map((p) => ({ ...p, heldByItem: unique || (recorded?.has(p.id) ?? false) }));
}

/** Whether the list leaves CaseRoom unsure about a person's permission (so the parent's list is worth a read). */
function undecided(itemId: string, perms: readonly GraphPermission[], knowledge: PermissionKnowledge): boolean {
  if (knowledge.unique.has(itemId) || !knowledge.parentOf.has(itemId)) return false;
  const recorded = knowledge.recordedIds.get(itemId);
  return perms.some((p) => userIdOf(p) !== undefined && !recorded?.has(p.id));
}

const permissionsUrl = (driveId: string, itemId: string | null) => (itemId === null ? `/drives/${seg(driveId)}/root/permissions` : `${itemUrl({ driveId, itemId })}/permissions`);

/** The `value` of a permission list answer; null for a missing item; other failures throw. */
function listOf(r: BatchResult | undefined, what: string): GraphPermission[] | null {
  if (!r) throw new Error(`no answer for the permissions of ${what}`);
  if (r.status === 404) return null;
  if (r.status >= 200 && r.status < 300) return ((r.body as { value?: GraphPermission[] })?.value ?? []) as GraphPermission[];
  throw batchError(r);
}

/**
 * Reads the permissions of many items with `$batch` GETs, each marked with whether the item
 * holds it itself (`heldByItem`, see classifyPermissions). A missing item maps to null.
 *
 * SharePoint lists an item's effective permissions without saying which are inherited, so
 * CaseRoom's records (`knowledgeOf`, M365Repo.permissionKnowledge) decide where they can: items it shared hold unique permissions. Only
 * an item it knows nothing decisive about, whose list names a person, costs one more read: its
 * parent's permissions (a case folder's parent is the drive's root), once per parent.
 */
export async function readPermissions(graph: GraphGateway, targets: readonly ItemRef[], knowledgeOf: (driveItemIds: readonly string[]) => Promise<PermissionKnowledge>): Promise<Map<string, GraphPermission[] | null>> {
  const unique = [...new Map(targets.map((t) => [t.itemId, t])).values()];
  const knowledge = await knowledgeOf(unique.map((t) => t.itemId));
  const steps: BatchStep[] = unique.map((t, i) => ({ id: String(i + 1), method: 'GET', url: permissionsUrl(t.driveId, t.itemId) }));
  const results = await runBatch(graph, steps);
  const lists = new Map(unique.map((t, i) => [t.itemId, listOf(results.get(String(i + 1)), t.itemId)] as const));

  const parentUrls = new Set<string>();
  for (const t of unique) {
    const perms = lists.get(t.itemId);
    if (perms && undecided(t.itemId, perms, knowledge)) parentUrls.add(permissionsUrl(t.driveId, knowledge.parentOf.get(t.itemId) ?? null));
  }
  const parentSteps: BatchStep[] = [...parentUrls].map((url, i) => ({ id: String(i + 1), method: 'GET', url }));
  const parentResults = parentSteps.length > 0 ? await runBatch(graph, parentSteps) : new Map<string, BatchResult>();
  const parentLists = new Map(parentSteps.map((step) => [step.url, listOf(parentResults.get(step.id), step.url)] as const));

  const out = new Map<string, GraphPermission[] | null>();
  for (const t of unique) {
    const perms = lists.get(t.itemId) ?? null;
    const parent = knowledge.parentOf.has(t.itemId) ? parentLists.get(permissionsUrl(t.driveId, knowledge.parentOf.get(t.itemId) ?? null)) : undefined;
    out.set(t.itemId, perms && classifyPermissions(t.itemId, perms, knowledge, parent ?? undefined));
  }
  return out;
}
