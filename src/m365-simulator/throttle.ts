/**
 * SharePoint's resource-unit budget and the fault injector.
 *
 * Costs follow "Avoid getting throttled or blocked in SharePoint Online" (learn.microsoft.com/
 * sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online):
 * 1 unit for a single-item query, a delta with a token or a download; 2 for multi-item queries
 * (children, delta without token) and for create/update/delete/upload; 5 for every permission
 * operation, including $expand=permissions. Limits are per app per tenant per minute; throttled
 * requests count too, and the answer is 429 with Retry-After (seconds). From 80 % of the budget,
 * RateLimit-Limit/-Remaining/-Reset headers are added, as SharePoint does.
 */
import type { Knobs } from './context';

export interface Cost {
  units: number;
  permissionOperation: boolean;
}

const WINDOW_MS = 60_000;

/** Cost of a Graph request against SharePoint, or null for requests that are not SharePoint's. */
export function resourceUnitCost(method: string, rawPath: string, query: URLSearchParams): Cost | null {
  const path = rawPath.toLowerCase();
  const isSharePoint = /^\/v1\.0\/(drives|sites)\b/.test(path) || /^\/v1\.0\/groups\/[^/]+\/drive\b/.test(path) || path.startsWith('/_api/v2.0/uploadsession');
  if (!isSharePoint) return null;
  const expand = (query.get('$expand') ?? '').toLowerCase();
  if (/\/permissions(\/|$)/.test(path) || /\/invite$/.test(path) || expand.includes('permissions')) return { units: 5, permissionOperation: true };
  if (/\/delta$/.test(path)) return { units: query.has('token') ? 1 : 2, permissionOperation: false };
  if (method !== 'GET') return { units: 2, permissionOperation: false };
  if (/\/children$/.test(path) || /\/drives$/.test(path)) return { units: 2, permissionOperation: false };
  return { units: 1, permissionOperation: false };
}

export type ThrottleDecision = { allowed: true; headers: Record<string, string> } | { allowed: false; retryAfterSeconds: number };

export class ResourceUnitBudget {
  private readonly usage = new Map<string, Array<{ at: number; units: number }>>();

  constructor(private readonly knobs: Knobs) {}

  consume(appKey: string, units: number, now = Date.now()): ThrottleDecision {
    const limit = this.knobs.resourceUnitsPerMinute;
    const entries = (this.usage.get(appKey) ?? []).filter((entry) => entry.at > now - WINDOW_MS);
    this.usage.set(appKey, entries);
    const used = entries.reduce((sum, entry) => sum + entry.units, 0);
    if (limit <= 0) return { allowed: true, headers: {} };
    entries.push({ at: now, units });
    if (used + units <= limit) {
      const remaining = limit - used - units;
      if (remaining > limit * 0.2) return { allowed: true, headers: {} };
      const resetSeconds = Math.max(1, Math.ceil((entries[0].at + WINDOW_MS - now) / 1000));
      return { allowed: true, headers: { 'ratelimit-limit': String(limit), 'ratelimit-remaining': String(remaining), 'ratelimit-reset': String(resetSeconds) } };
    }
    // Throttled requests count toward the limit too; wait until enough old units leave the window
    // for one more request of this cost to fit.
    let total = used + units;
    let retryAt = now + WINDOW_MS;
    for (const entry of entries) {
      if (total + units <= limit) break;
      total -= entry.units;
      retryAt = entry.at + WINDOW_MS;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
  }

  reset(): void {
    this.usage.clear();
  }
}

export type InjectedFault = { kind: '429' | '503' } | { kind: 'reset'; afterProcessing: boolean };

export function rollFault(knobs: Knobs, insideBatch: boolean, random: () => number = Math.random): InjectedFault | null {
  if (knobs.faultRate <= 0 || knobs.faultKinds.length === 0 || random() >= knobs.faultRate) return null;
  // An inner request of a $batch cannot lose its own connection; it fails with 503 instead.
  const kinds = insideBatch ? knobs.faultKinds.map((kind) => (kind === 'reset' ? '503' : kind)) : knobs.faultKinds;
  const kind = kinds[Math.floor(random() * kinds.length)];
  if (kind === 'reset') return { kind: 'reset', afterProcessing: random() < knobs.resetAfterProcessingShare };
  return { kind };
}
