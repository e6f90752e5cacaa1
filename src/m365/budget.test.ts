import { type BatchStep, splitToFit } from './batch';
import { BUDGET_SHARE, currentBudgetPriority, removalReserve, ResourceBudget, withBudgetPriority } from './budget';

/** A clock the budget sleeps on: sleeping advances it, so minutes pass in microseconds. */
function fakeTime() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

/** The most units spent in any 60 s window of a log of (time, units). */
function busiestMinute(log: Array<{ at: number; units: number }>): number {
  let best = 0;
  for (let i = 0; i < log.length; i++) {
    let sum = 0;
    for (let j = i; j < log.length && log[j].at < log[i].at + 60_000; j++) sum += log[j].units;
    best = Math.max(best, sum);
  }
  return best;
}

describe('the SharePoint resource-unit budget (sliding minute)', () => {
  it.each([1250, 6250])('never spends more than the budget in any minute, and sustains close to it less the removal reserve (%i units/min)', async (perMinute) => {
    const time = fakeTime();
    const budget = new ResourceBudget(perMinute, time.now, time.sleep);
    const log: Array<{ at: number; units: number }> = [];
    const started = time.now();
    // Permission operations (5), reads (1) and whole $batches (100), as a sharer sends them.
    const costs = [5, 5, 1, 100, 5, 2];
    for (let i = 0; time.now() - started < 5 * 60_000; i++) {
      const units = costs[i % costs.length];
      await budget.take(units);
      log.push({ at: time.now(), units });
      time.advance(3); // the request's own time on the wire
    }
    expect(busiestMinute(log)).toBeLessThanOrEqual(perMinute * BUDGET_SHARE);
    const spent = log.reduce((sum, e) => sum + e.units, 0);
    const minutes = (time.now() - started) / 60_000;
    // Everything but the removal reserve is there for other work, used to within a few per cent.
    expect(spent / minutes).toBeGreaterThan((Math.floor(perMinute * BUDGET_SHARE) - removalReserve(perMinute)) * 0.93);
  });

  it('spends at once while the window has room', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(1250, time.now, time.sleep);
    const before = time.now();
    for (let i = 0; i < 200; i++) await budget.take(5);
    expect(time.now()).toBe(before);
    expect(budget.snapshot()).toMatchObject({ spent: 1000, waitedMs: 0, available: Math.floor(1250 * BUDGET_SHARE) - 1000 });
  });

  it('after a 429, spends nothing until the advised wait has passed', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(6250, time.now, time.sleep);
    await budget.take(5);
    const pausedAt = time.now();
    budget.pause(4000);
    await budget.take(5);
    expect(time.now() - pausedAt).toBeGreaterThanOrEqual(4000);
  });

  it('lets a batch that costs more than the whole budget through once the window is empty, instead of waiting for ever', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(100, time.now, time.sleep);
    await budget.take(50);
    const t0 = time.now();
    await budget.take(500);
    expect(time.now() - t0).toBeGreaterThan(59_000);
    expect(time.now() - t0).toBeLessThanOrEqual(60_001);
  });

  it('serves waiters in order', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(100, time.now, time.sleep);
    const order: string[] = [];
    await budget.take(90);
    await Promise.all([budget.take(50).then(() => order.push('big')), budget.take(1).then(() => order.push('small'))]);
    expect(order).toEqual(['big', 'small']);
  });
});

describe('revocation first: the removal reserve', () => {
  /** A clock whose sleeps wait until the test lets time pass, so who is still waiting can be seen. */
  function heldTime() {
    let t = 1_000_000;
    const sleepers: Array<{ until: number; wake: () => void }> = [];
    return {
      now: () => t,
      sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ until: t + ms, wake })),
      async pass(ms: number) {
        t += ms;
        for (const s of sleepers.splice(0))
          if (s.until <= t) s.wake();
          else sleepers.push(s);
        await new Promise((r) => setImmediate(r));
      },
    };
  }
  const limit = Math.floor(1250 * BUDGET_SHARE);
  const reserve = removalReserve(1250);

  it('holds back units other work can never spend, however much it asks for', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(1250, time.now, time.sleep);
    expect(reserve).toBe(50);
    await budget.take(limit - reserve);
    expect(budget.headroom('normal')).toBe(0);
    expect(budget.headroom('removal')).toBe(reserve);
    const before = time.now();
    // A removal still goes at once; one more unit of other work waits for the window to move.
    await budget.take(5, 'removal');
    expect(time.now()).toBe(before);
    await budget.take(1);
    expect(time.now() - before).toBeGreaterThan(59_000);
  });

  it('lets a removal through while other work is queued waiting for the budget', async () => {
    const time = heldTime();
    const budget = new ResourceBudget(1250, time.now, time.sleep);
    await budget.take(limit - reserve);
    const order: string[] = [];
    const bulk = Promise.all([budget.take(2).then(() => order.push('bulk 1')), budget.take(2).then(() => order.push('bulk 2'))]);
    await time.pass(10);
    await budget.take(5, 'removal').then(() => order.push('removal'));
    expect(order).toEqual(['removal']);
    await time.pass(60_000);
    await bulk;
    expect(order).toEqual(['removal', 'bulk 1', 'bulk 2']);
  });

  it('counts removals against the whole budget: they can spend the reserve, not more', async () => {
    const time = fakeTime();
    const budget = new ResourceBudget(1250, time.now, time.sleep);
    await budget.take(limit - reserve);
    const before = time.now();
    for (let i = 0; i < reserve / 5; i++) await budget.take(5, 'removal');
    expect(time.now()).toBe(before);
    expect(budget.headroom('removal')).toBe(0);
    await budget.take(5, 'removal');
    expect(time.now() - before).toBeGreaterThan(59_000);
  });

  it('marks the calls of a removal, and only those, as removals', async () => {
    expect(currentBudgetPriority()).toBe('normal');
    const seen = await withBudgetPriority('removal', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentBudgetPriority();
    });
    expect(seen).toBe('removal');
    expect(currentBudgetPriority()).toBe('normal');
  });
});

describe('a $batch near the end of the budget minute', () => {
  const invite = (id: number): BatchStep => ({ id: String(id), method: 'POST', url: `/drives/d/items/i${id}/invite`, body: {} });

  it('sends the requests that fit now and keeps the rest for later', () => {
    const batch = Array.from({ length: 20 }, (_, i) => invite(i + 1));
    const [now, later] = splitToFit(batch, 87);
    expect(now.map((s) => s.id)).toEqual(batch.slice(0, 17).map((s) => s.id));
    expect(later.map((s) => s.id)).toEqual(['18', '19', '20']);
  });

  it('never separates a request from the one it depends on', () => {
    const batch = [...Array.from({ length: 16 }, (_, i) => invite(i + 1)), { id: '17', method: 'DELETE' as const, url: '/drives/d/items/x/permissions/p' }, { ...invite(18), dependsOn: ['17'] }, invite(19)];
    const [now, later] = splitToFit(batch, 17 * 5);
    expect(now.map((s) => s.id)).toEqual(batch.slice(0, 16).map((s) => s.id));
    expect(later.map((s) => s.id)).toEqual(['17', '18', '19']);
  });

  it('sends the whole batch (and lets the budget wait) when not even one request fits', () => {
    const batch = [invite(1), invite(2)];
    expect(splitToFit(batch, 3)).toEqual([batch, []]);
    expect(splitToFit(batch, Number.POSITIVE_INFINITY)).toEqual([batch, []]);
  });
});
