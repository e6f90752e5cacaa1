/**
 * Runs `scan` soon after start and then every `everyMs`, one run at a time; its timers never keep
 * the process alive, and `stop` ends them (waiting for a run in progress).
 */
export function scheduleScans(scan: () => Promise<unknown>, o: { firstAfterMs: number; everyMs: number; onError(err: unknown): void }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const runOnce = () => {
    if (running || stopped) return;
    running = scan()
      .then(() => undefined, o.onError)
      .finally(() => {
        running = null;
        if (!stopped) arm(o.everyMs);
      });
  };
  const arm = (ms: number) => {
    timer = setTimeout(runOnce, ms);
    timer.unref();
  };
  return {
    start() {
      stopped = false;
      arm(o.firstAfterMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
