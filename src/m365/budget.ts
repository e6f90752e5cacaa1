/**
 * SharePoint resource units, spent before a request is sent so CaseRoom stays under the
 * tenant's budget (1,250 to 6,250 units a minute depending on licences) instead of bouncing
 * off it with 429s. A token bucket per tenant. SharePoint counts a sliding minute, and a bucket
 * lets through capacity + one minute of refill in any minute, so capacity (the burst) is 20 %
 * of the budget and the refill 80 % a minute: never more than the budget in any 60 s.
 * Costs follow "Avoid getting throttled or blocked in SharePoint Online": permission
 * operations 5, multi-item queries and writes 2, single-item reads 1.
 */
export const PERMISSION_COST = 5;

export function resourceUnitCost(method: string, url: string): number {
  const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0].toLowerCase();
  const m = method.toUpperCase();
  if (!/\/(drives|sites|groups|users\/[^/]+\/drive)\b/.test(path) && !path.includes('/_layouts/') && !path.includes('/uploadsession')) return 0;
  if (/\/(invite|permissions)(\/|$)/.test(path)) return PERMISSION_COST;
  if (m === 'GET') return /\/(children|delta)$/.test(path) ? 2 : 1;
  return 2;
}

export interface BudgetSnapshot {
  unitsPerMinute: number;
  available: number;
  waitedMs: number;
  spent: number;
}

export class ResourceBudget {
  private available: number;
  private last: number;
  private readonly capacity: number;
  private readonly refillPerMinute: number;
  private waitedMs = 0;
  private spent = 0;
  /** Waiters are served in order so a big batch cannot starve single calls forever. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly unitsPerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.capacity = Math.max(PERMISSION_COST, Math.floor(unitsPerMinute * 0.2));
    this.refillPerMinute = unitsPerMinute - this.capacity;
    this.available = this.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.capacity, this.available + ((t - this.last) * this.refillPerMinute) / 60_000);
    this.last = t;
  }

  /** Resolves once `units` may be spent. A cost above the burst (a big $batch) waits for a full bucket and drives it negative. */
  take(units: number): Promise<void> {
    if (units <= 0 || this.unitsPerMinute <= 0) return Promise.resolve();
    const need = Math.min(units, this.capacity);
    const turn = this.queue.then(async () => {
      this.refill();
      while (this.available < need) {
        const waitMs = Math.ceil(((need - this.available) * 60_000) / Math.max(1, this.refillPerMinute));
        this.waitedMs += waitMs;
        await this.sleep(waitMs);
        this.refill();
      }
      // Spend the whole cost: a batch of 20 permission operations (100 units) may borrow from the next seconds.
      this.available -= units;
      this.spent += units;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The service throttled us anyway (another app, or a smaller licence): stop spending for a while. */
  drain(): void {
    this.refill();
    this.available = Math.min(this.available, 0);
  }

  snapshot(): BudgetSnapshot {
    this.refill();
    return { unitsPerMinute: this.unitsPerMinute, available: Math.floor(this.available), waitedMs: this.waitedMs, spent: this.spent };
  }
}
