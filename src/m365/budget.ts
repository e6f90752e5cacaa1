import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * SharePoint resource units, spent before a request is sent so CaseRoom stays under the
 * tenant's budget (1,250 to 6,250 units a minute depending on licences) instead of bouncing
 * off it with 429s.
 * Costs follow "Avoid getting throttled or blocked in SharePoint Online": permission
 * operations 5, multi-item queries and writes 2, single-item reads 1.
 */
export const PERMISSION_COST = 5;

export function resourceUnitCost(method: string, url: string): number {
  const path = url
    .replace(/^https?:\/\/[^/]+/, '')
    .split('?')[0]
    .toLowerCase();
  const m = method.toUpperCase();
  if (!/\/(drives|sites|groups|users\/[^/]+\/drive)\b/.test(path) && !path.includes('/_layouts/') && !path.includes('/uploadsession')) return 0;
  if (/\/(invite|permissions)(\/|$)/.test(path)) return PERMISSION_COST;
  if (m === 'GET') return /\/(children|delta)$/.test(path) ? 2 : 1;
  return 2;
}

/**
 * Who is spending. Removals (a guest's permission deleted, and the reads that find it) may use a
 * reserve no other work can touch, and never queue behind other work: a revocation must reach
 * SharePoint within seconds even while a bulk upload or share has the rest of the budget spent.
 */
export type BudgetPriority = 'removal' | 'normal';

export interface BudgetSnapshot {
  unitsPerMinute: number;
  /** Units that may still be spent in the current rolling minute (by a removal: the reserve included). */
  available: number;
  /** Units held back for removals in every minute. */
  reserved: number;
  waitedMs: number;
  spent: number;
}

const WINDOW_MS = 60_000;
/**
 * The share of the budget CaseRoom lets itself spend in any rolling minute. SharePoint counts
 * requests when they arrive and we count them when they leave, so the two windows are shifted
 * by the network time; the rest is headroom for that jitter and for other apps' small calls.
 */
export const BUDGET_SHARE = 0.95;

/**
 * The share of the budget only removals may spend: 4 % (50 units, ten permission operations a
 * minute on the smallest tenant), and at least what one revocation costs (read the item's
 * permissions, perhaps its parent's, delete one: 3 × 5) with a little to spare. Small, since
 * bulk work loses it.
 */
export const REMOVAL_RESERVE_SHARE = 0.04;

export function removalReserve(unitsPerMinute: number): number {
  return Math.max(4 * PERMISSION_COST, Math.round(unitsPerMinute * REMOVAL_RESERVE_SHARE));
}

/**
 * A sliding minute, like SharePoint's own: every spend is remembered for 60 s and a request
 * waits until what it costs fits under the limit. (A token bucket cannot do this: to never
 * exceed the budget in any minute it must refill slower than the budget, capping sustained
 * use at the refill rate.)
 */
export class ResourceBudget {
  private readonly limit: number;
  /** Units held back for removals: other work stops at `limit - reserved`. */
  private readonly reserved: number;
  private readonly spends: Array<{ at: number; units: number }> = [];
  private inWindow = 0;
  private pausedUntil = 0;
  private waitedMs = 0;
  private spent = 0;
  /**
   * Waiters are served in order within their class so a big batch cannot starve single calls
   * forever; removals have a queue of their own, so they never wait behind other work.
   */
  private readonly queues: Record<BudgetPriority, Promise<void>> = { removal: Promise.resolve(), normal: Promise.resolve() };

  constructor(
    readonly unitsPerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.limit = Math.max(PERMISSION_COST, Math.floor(unitsPerMinute * BUDGET_SHARE));
    this.reserved = unitsPerMinute > 0 ? Math.min(Math.floor(this.limit / 2), removalReserve(unitsPerMinute)) : 0;
  }

  private limitFor(priority: BudgetPriority): number {
    return priority === 'removal' ? this.limit : this.limit - this.reserved;
  }

  private forget(t: number): void {
    while (this.spends.length > 0 && this.spends[0].at <= t - WINDOW_MS) this.inWindow -= (this.spends.shift() as { units: number }).units;
  }

  /** How long until `units` fit in the window (0: now). A cost above the whole limit waits for an empty window. */
  private waitFor(units: number, t: number, priority: BudgetPriority): number {
    if (t < this.pausedUntil) return this.pausedUntil - t;
    const limit = this.limitFor(priority);
    const need = Math.min(units, limit);
    let over = this.inWindow + need - limit;
    if (over <= 0) return 0;
    for (const s of this.spends) {
      over -= s.units;
      if (over <= 0) return s.at + WINDOW_MS - t + 1;
    }
    return WINDOW_MS;
  }

  /** Resolves once `units` may be spent, and records them as spent. Removals may use the reserve and skip other work's queue. */
  take(units: number, priority: BudgetPriority = 'normal'): Promise<void> {
    if (units <= 0 || this.unitsPerMinute <= 0) return Promise.resolve();
    const turn = this.queues[priority].then(async () => {
      for (;;) {
        const t = this.now();
        this.forget(t);
        const waitMs = this.waitFor(units, t, priority);
        if (waitMs <= 0) break;
        this.waitedMs += waitMs;
        await this.sleep(waitMs);
      }
      this.spends.push({ at: this.now(), units });
      this.inWindow += units;
      this.spent += units;
    });
    this.queues[priority] = turn.catch(() => undefined);
    return turn;
  }

  /** Units that may be spent right now without waiting (Infinity when there is no budget). */
  headroom(priority: BudgetPriority = 'normal'): number {
    if (this.unitsPerMinute <= 0) return Number.POSITIVE_INFINITY;
    const t = this.now();
    if (t < this.pausedUntil) return 0;
    this.forget(t);
    return Math.max(0, this.limitFor(priority) - this.inWindow);
  }

  /** The service throttled us anyway (another app, or a smaller licence): spend nothing until its Retry-After has passed. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
  }

  snapshot(): BudgetSnapshot {
    this.forget(this.now());
    return { unitsPerMinute: this.unitsPerMinute, available: Math.max(0, this.limit - this.inWindow), reserved: this.reserved, waitedMs: this.waitedMs, spent: this.spent };
  }
}

/**
 * The priority of the Graph calls made inside `work` (and everything it awaits): the middleware
 * reads it when it spends units, so a removal's reads, deletes and $batches need no parameter
 * threaded through every layer.
 */
const priorityScope = new AsyncLocalStorage<BudgetPriority>();

export function withBudgetPriority<T>(priority: BudgetPriority, work: () => Promise<T>): Promise<T> {
  return priorityScope.run(priority, work);
}

export function currentBudgetPriority(): BudgetPriority {
  return priorityScope.getStore() ?? 'normal';
}
