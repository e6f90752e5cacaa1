/**
 * Groups and membership checks, as Graph v1.0 serves them:
 * - POST /users/{id}/checkMemberGroups and /directoryObjects/{id}/checkMemberGroups
 *   (learn.microsoft.com/graph/api/directoryobject-checkmembergroups): of up to 20 `groupIds`,
 *   those the object is a member of, transitively; more than 20 is a 400;
 * - GET /groups with $filter on securityEnabled/mailEnabled (eq) and startswith(displayName,'…'),
 *   $select and $top (learn.microsoft.com/graph/api/group-list);
 * - GET /groups/{id} (learn.microsoft.com/graph/api/group-get).
 * The pipeline authorises each from Microsoft's permission reference first (checkMemberGroups:
 * User.Read.All among others; groups: Group.ReadBasic.All, Group.Read.All, Directory.Read.All…).
 * Guests cannot enumerate groups (403 Authorization_RequestDenied), as with users.
 */
import type { SimContext } from '../context';
import { GraphError } from '../web/errors';
import type { Router } from '../web/router';
import type { SimRequest } from '../web/types';
import { findUser, isTransitiveMember } from '../state/directory';
import type { GroupRecord } from '../state/model';
import { requireCaller } from './drives';

const notFound = (key: string) => new GraphError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
const insufficientPrivileges = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** checkMemberGroups takes at most 20 group ids (Learn: "a list of up to 20 groups"). */
const MAX_GROUP_IDS = 20;

const DEFAULT_PROPERTIES = ['id', 'displayName', 'description', 'securityEnabled', 'mailEnabled', 'createdDateTime'] as const;

function groupJson(group: GroupRecord, select: string[] | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    securityEnabled: group.securityEnabled,
    mailEnabled: group.mailEnabled,
    createdDateTime: group.createdDateTime,
    groupTypes: [],
  };
  const names = select ?? [...DEFAULT_PROPERTIES];
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]]));
}

type GroupPredicate = (g: GroupRecord) => boolean;

function parseGroupFilter(filter: string): GroupPredicate[] {
  return filter.split(/\s+and\s+/i).map((clause): GroupPredicate => {
    const flag = /^\s*(securityEnabled|mailEnabled)\s+eq\s+(true|false)\s*$/i.exec(clause);
    if (flag) {
      const property = flag[1].toLowerCase() === 'securityenabled' ? 'securityEnabled' : 'mailEnabled';
      const value = flag[2].toLowerCase() === 'true';
      return (g) => g[property] === value;
    }
    const starts = /^\s*startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(clause);
    if (starts) {
      const prefix = starts[1].replace(/''/g, "'").toLowerCase();
      return (g) => g.displayName.toLowerCase().startsWith(prefix);
    }
    throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${clause.trim()}' of resource 'Group'.`);
  });
}

const selectOf = (req: SimRequest): string[] | null => {
  const select = req.query.get('$select');
  return select
    ? select
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
};

export function registerGroupRoutes(router: Router, ctx: SimContext): void {
  const isGuestCaller = (req: SimRequest) => {
    const caller = requireCaller(req);
    return caller.kind === 'user' && ctx.store.data.users[caller.userId]?.userType !== 'Member';
  };

  const checkMemberGroups = async (req: SimRequest) => {
    const caller = requireCaller(req);
    const subject = findUser(ctx.store.data, caller.tenantId, req.params.id) ?? Object.values(ctx.store.data.groups).find((g) => g.tenantId === caller.tenantId && g.id === req.params.id.toLowerCase());
    if (!subject) throw notFound(req.params.id);
    const body = ((await req.body.json()) ?? {}) as { groupIds?: unknown };
    if (!Array.isArray(body.groupIds) || body.groupIds.some((id) => typeof id !== 'string')) throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'groupIds' of resource 'DirectoryObject'.");
    const ids = body.groupIds as string[];
    if (ids.length > MAX_GROUP_IDS) throw new GraphError(400, 'Request_BadRequest', `The number of values in the 'groupIds' parameter exceeds the maximum of ${MAX_GROUP_IDS}.`);
    if (ids.some((id) => !GUID.test(id))) throw new GraphError(400, 'Request_BadRequest', "Invalid GUID value specified for property 'groupIds'.");
    const member = ids.filter((id) => {
      const group = ctx.store.data.groups[id.toLowerCase()];
      return group !== undefined && group.tenantId === caller.tenantId && isTransitiveMember(ctx.store.data, group.id, subject.id);
    });
    return { status: 200, json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)', value: member } };
  };
  router.add('POST', '/v1.0/users/{id}/checkMemberGroups', checkMemberGroups);
  router.add('POST', '/v1.0/directoryObjects/{id}/checkMemberGroups', checkMemberGroups);

  router.add('GET', '/v1.0/groups', async (req) => {
    const caller = requireCaller(req);
    if (isGuestCaller(req)) throw insufficientPrivileges();
    const filter = req.query.get('$filter');
    const predicates = filter ? parseGroupFilter(filter) : [];
    const top = Math.max(1, Math.min(Number(req.query.get('$top') ?? 100) || 100, 999));
    const groups = Object.values(ctx.store.data.groups)
      .filter((g) => g.tenantId === caller.tenantId && predicates.every((p) => p(g)))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { status: 200, json: { value: groups.slice(0, top).map((g) => groupJson(g, selectOf(req))) } };
  });

  router.add('GET', '/v1.0/groups/{id}', async (req) => {
    const caller = requireCaller(req);
    if (isGuestCaller(req)) throw insufficientPrivileges();
    const group = ctx.store.data.groups[req.params.id.toLowerCase()];
    if (!group || group.tenantId !== caller.tenantId) throw notFound(req.params.id);
    return { status: 200, json: groupJson(group, selectOf(req)) };
  });
}
