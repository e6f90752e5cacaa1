import { DomainError } from '../domain/errors';
import type { DirectoryPort } from '../m365/directory';

/** How long a Graph answer on a user's staff-group membership is trusted (per user, per group). */
export const MEMBERSHIP_CACHE_MS = 3 * 60_000;
const MEMBERSHIP_CACHE_SIZE = 10_000;

/** Is this user of this tenant in this group, as Graph says now (or said within MEMBERSHIP_CACHE_MS)? */
export type MembershipCheck = (tenantId: string, userId: string, groupId: string) => Promise<boolean>;

/**
 * Staff-group membership through Graph checkMemberGroups app-only, remembered briefly per user so
 * a page's burst of calls (or a run of bot commands) makes one Graph call. The API and the bot ask
 * the same question here, so someone removed from the group loses both within the same minutes.
 * Without a directory (no Microsoft 365 part) nobody is a member. A Graph failure is a typed 503:
 * membership unknown is not membership.
 */
export function rememberedMembership(directory: Pick<DirectoryPort, 'memberGroups'> | null | undefined, now: () => number = Date.now): MembershipCheck {
  const remembered = new Map<string, { member: boolean; until: number }>();
  return async (tenantId, userId, groupId) => {
    const key = `${tenantId}|${userId}|${groupId}`.toLowerCase();
    const known = remembered.get(key);
    if (known && now() < known.until) return known.member;
    if (!directory) return false;
    let member: boolean;
    try {
      member = (await directory.memberGroups(userId, [groupId])).some((g) => g.toLowerCase() === groupId.toLowerCase());
    } catch {
      throw new DomainError('unavailable', 'CaseRoom could not check your staff membership with Microsoft 365 just now; try again in a minute', undefined, 30);
    }
    if (remembered.size >= MEMBERSHIP_CACHE_SIZE) remembered.delete(remembered.keys().next().value as string);
    remembered.set(key, { member, until: now() + MEMBERSHIP_CACHE_MS });
    return member;
  };
}
