import type { Scenario } from './lib/common';

/**
 * Scenarios whose product side was not ready to be measured when the bench was last changed.
 * Each says why instead of inventing a figure; replace with a module of its own once it can run.
 */
const notRun = (key: Scenario['key'], title: string, why: string): Scenario => ({ key, title, run: async () => ({ status: 'not run', why }) });

export const p1 = notRun('P1', 'sharing throughput against the simulator (RU budgets 1,250 and 6,250/min) vs a naive sharer', 'harness not written yet: needs the reconciler (src/services/reconciler.ts) driven through the integration harness with the simulator at 50 ms latency and an RU budget; the reconciler and harness landed during this session and the scenario was not built in time');
