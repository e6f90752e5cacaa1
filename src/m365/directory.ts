import { GraphRequestError } from './errors';
import { APP, type GraphGateway, seg } from './graph';

/**
 * The directory reads set-up and staff membership need, app-only through the gateway:
 * - checkMemberGroups (learn.microsoft.com/graph/api/directoryobject-checkmembergroups): is a user
 *   in the staff group (transitively)? Covered by User.Read.All, which CaseRoom already holds
 *   (Microsoft's permission reference lists it for POST /users/{id}/checkMemberGroups);
 * - security groups by name (learn.microsoft.com/graph/api/group-list, $filter startswith): Group.ReadBasic.All;
 * - a user or mailbox by sign-in name (learn.microsoft.com/graph/api/user-get): User.Read.All.
 */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
}
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  userType: string | null;
}

export interface DirectoryPort {
  /** Of `groupIds`, those the user is a member of (directly or through nested groups). */
  memberGroups(userId: string, groupIds: readonly string[]): Promise<string[]>;
  searchSecurityGroups(startsWith: string): Promise<DirectoryGroup[]>;
  group(groupId: string): Promise<DirectoryGroup | null>;
  /** A member of the tenant by id or UPN (null: no such user). */
  user(idOrUpn: string): Promise<DirectoryUser | null>;
}

const odataString = (value: string) => value.replace(/'/g, "''");
const isNotFound = (err: unknown) => err instanceof GraphRequestError && err.status === 404;

export function gatewayDirectory(graph: GraphGateway): DirectoryPort {
  return {
    async memberGroups(userId, groupIds) {
      const answer = await graph.call<{ value: string[] }>({ method: 'POST', path: `/users/${seg(userId)}/checkMemberGroups`, body: { groupIds }, auth: APP, idempotent: true });
      return answer.value;
    },
    async searchSecurityGroups(startsWith) {
      const filter = `securityEnabled eq true and startswith(displayName,'${odataString(startsWith)}')`;
      const answer = await graph.call<{ value: DirectoryGroup[] }>({ method: 'GET', path: `/groups?$filter=${encodeURIComponent(filter)}&$select=id,displayName,description&$top=25`, auth: APP });
      return answer.value.map((g) => ({ id: g.id, displayName: g.displayName, description: g.description ?? null }));
    },
    async group(groupId) {
      try {
        const g = await graph.call<DirectoryGroup & { securityEnabled?: boolean }>({ method: 'GET', path: `/groups/${seg(groupId)}?$select=id,displayName,description,securityEnabled`, auth: APP });
        return g.securityEnabled === false ? null : { id: g.id, displayName: g.displayName, description: g.description ?? null };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async user(idOrUpn) {
      try {
        return await graph.call<DirectoryUser>({ method: 'GET', path: `/users/${seg(idOrUpn)}?$select=id,displayName,userPrincipalName,mail,userType`, auth: APP });
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}
