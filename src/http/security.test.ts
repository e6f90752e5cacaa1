import { TokenBuckets } from './security';

describe('per-person token buckets', () => {
  it('lets a burst through, then refuses with the seconds until the next request may pass', () => {
    const buckets = new TokenBuckets({ perMinute: 60, burst: 3 });
    const answers = [0, 0, 0, 0].map(() => buckets.take('guest-a', 1_000));
    expect(answers.slice(0, 3).every((a) => a.allowed)).toBe(true);
    expect(answers[3]).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the average rate, never above the burst', () => {
    const buckets = new TokenBuckets({ perMinute: 6, burst: 2 });
    buckets.take('a', 0);
    buckets.take('a', 0);
    expect(buckets.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(buckets.take('a', 10_000).allowed).toBe(true);
    // An hour idle earns two requests, not six hundred.
    const later = [0, 0, 0].map(() => buckets.take('a', 3_610_000).allowed);
    expect(later).toEqual([true, true, false]);
  });

  it('keeps one person apart from another', () => {
    const buckets = new TokenBuckets({ perMinute: 60, burst: 1 });
    expect(buckets.take('a', 0).allowed).toBe(true);
    expect(buckets.take('a', 0).allowed).toBe(false);
    expect(buckets.take('b', 0).allowed).toBe(true);
  });
});
