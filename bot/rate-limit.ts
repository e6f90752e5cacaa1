/**
 * Teams' limits for a bot in one thread: 7 messages per second and 60 per 30 seconds (also
 * 8 per 2 s and 1800 per hour, which these two imply closely enough for CaseRoom's volume).
 * Staying under them beats bouncing off 429s. Keyed by channel, which is stricter than per
 * thread: a busy case channel never sees the bot flood it across many threads either.
 *
 * Sends on one key run one at a time and are counted when they finish: botbuilder's HTTP
 * pipeline retries 429/503 by itself, so a send can reach the service well after it started,
 * and counting at the start would let retried sends bunch up inside one window.
 * In-process: each app instance keeps its own count (with N instances, lower the limits N-fold).
 */
export interface RateWindow {
  ms: number;
  max: number;
}

export const TEAMS_THREAD_LIMITS: RateWindow[] = [
  { ms: 1000, max: 7 },
  { ms: 30_000, max: 60 },
];

export interface ThreadLimiter {
  /** Runs `send` when one more message may go out on `key`, after the previous one on that key finished. */
  run<T>(key: string, send: () => Promise<T>): Promise<T>;
}

export function createThreadLimiter(windows: RateWindow[] = TEAMS_THREAD_LIMITS, clock: () => number = Date.now, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): ThreadLimiter {
  const sent = new Map<string, number[]>();
  const tails = new Map<string, Promise<unknown>>();
  const longest = Math.max(...windows.map((w) => w.ms));

  async function waitForSlot(key: string): Promise<void> {
    for (;;) {
      const now = clock();
      const times = (sent.get(key) ?? []).filter((t) => t > now - longest);
      sent.set(key, times);
      let readyAt = now;
      for (const w of windows) {
        const inWindow = times.filter((t) => t > now - w.ms);
        // A margin of a few ms keeps us clear of the service's own rounding.
        if (inWindow.length >= w.max) readyAt = Math.max(readyAt, inWindow[inWindow.length - w.max] + w.ms + 5);
      }
      if (readyAt <= now) return;
      await sleep(readyAt - now);
    }
  }

  return {
    run<T>(key: string, send: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(async () => {
        await waitForSlot(key);
        try {
          return await send();
        } finally {
          const times = sent.get(key) ?? [];
          times.push(clock());
          sent.set(key, times);
        }
      });
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      // Forget idle keys so the map does not grow with every channel ever used.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
  };
}
