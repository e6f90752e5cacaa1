import type { Logger } from 'pino';
import { currentBudgetPriority, resourceUnitCost } from './budget';
import { GraphRequestError, parseGraphError, parseRetryAfter } from './errors';
import { APP, type GraphAuth, type GraphGateway } from './graph';
import { recordEvent } from '../telemetry';

/**
 * JSON `$batch` for bulk work (permission changes, permission reads): at most 20 requests per
 * batch, `dependsOn` kept inside one batch, and inner 429/503/504 retried one by one after
 * their own Retry-After — the SDK leaves inner failures to the caller. A request whose
 * dependency failed (424) is retried together with it.
 */
export const MAX_BATCH = 20;

export interface BatchStep {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Relative to the version root, e.g. `/drives/{d}/items/{i}/invite`. */
  url: string;
  body?: unknown;
  dependsOn?: string[];
}

export interface BatchResult {
  id: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface InnerResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const RETRY = new Set([429, 503, 504, 424]);

/** Groups steps so every dependsOn chain stays inside one batch, then packs groups into batches of ≤ 20. */
export function packBatches(steps: readonly BatchStep[]): BatchStep[][] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const root = new Map<string, string>();
  const find = (id: string): string => {
    const parent = root.get(id) ?? id;
    if (parent === id) return id;
    const top = find(parent);
    root.set(id, top);
    return top;
  };
  for (const s of steps) for (const d of s.dependsOn ?? []) if (byId.has(d)) root.set(find(s.id), find(d));
  const groups = new Map<string, BatchStep[]>();
  for (const s of steps) {
    const key = find(s.id);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const batches: BatchStep[][] = [];
  let current: BatchStep[] = [];
  for (const group of groups.values()) {
    if (group.length > MAX_BATCH) throw new Error(`a dependsOn chain of ${group.length} requests does not fit in one $batch`);
    if (current.length + group.length > MAX_BATCH) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length) batches.push(current);
  return batches;
}

export interface BatchOptions {
  auth?: GraphAuth;
  /** Rounds of inner retries before giving up on a request (its last answer is returned). */
  maxRounds?: number;
  /** Longest Retry-After waited for in-process; longer advice throws a throttled GraphRequestError. */
  maxInlineWaitSeconds?: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export async function runBatch(graph: GraphGateway, steps: readonly BatchStep[], options: BatchOptions = {}): Promise<Map<string, BatchResult>> {
  const results = new Map<string, BatchResult>();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRounds = options.maxRounds ?? 6;
  let pending = [...steps];
  for (let round = 0; pending.length > 0; round++) {
    const retry: BatchStep[] = [];
    let waitSeconds = 0;
    const queue = packBatches(pending);
    for (let next = queue.shift(); next; next = queue.shift()) {
      // Near the end of the budget's minute, send what fits now rather than wait for the whole batch.
      const [batch, rest] = splitToFit(next, graph.budget().headroom(currentBudgetPriority()));
      if (rest.length > 0) queue.unshift(rest);
      const answers = await sendBatch(graph, batch, options.auth ?? APP);
      for (const step of batch) {
        const answer = answers.get(step.id) ?? { id: step.id, status: 0, headers: {}, body: { error: { code: 'missingResponse', message: 'no response for this request in the batch' } } };
        if (RETRY.has(answer.status) && round + 1 < maxRounds) {
          retry.push(step);
          waitSeconds = Math.max(waitSeconds, parseRetryAfter(answer.headers['retry-after'] ?? answer.headers['Retry-After']) ?? (answer.status === 424 ? 0 : 2 ** round));
        } else {
          results.set(step.id, answer);
        }
      }
    }
    if (retry.length === 0) break;
    // Inner answers are the batch's own: the retry link never sees them, so they are recorded here.
    recordEvent('caseroom.throttled', { 'url.template': '/$batch', 'graph.throttled_requests': retry.length, 'graph.retry_after_seconds': waitSeconds });
    if (waitSeconds > (options.maxInlineWaitSeconds ?? 30)) {
      throw new GraphRequestError(429, 'throttled', `${retry.length} batched requests throttled; retry in ${waitSeconds}s`, '', waitSeconds);
    }
    if (retry.some((s) => s.method !== 'GET')) graph.budget().pause(waitSeconds * 1000);
    options.logger?.warn({ retry: retry.length, waitSeconds, round }, 'batch: inner requests throttled; retrying them');
    if (waitSeconds > 0) await sleep(waitSeconds * 1000);
    // A dependency that already succeeded is no longer in the retried set: drop it from dependsOn.
    const retried = new Set(retry.map((s) => s.id));
    pending = retry.map((s) => ({ ...s, dependsOn: s.dependsOn?.filter((d) => retried.has(d)) }));
  }
  return results;
}

/**
 * The longest head of a batch that costs at most `units` and cuts no dependsOn chain (packed
 * batches keep each chain together), and the rest. When not even the first request fits, the
 * whole batch: the budget then waits for room.
 */
export function splitToFit(batch: readonly BatchStep[], units: number): [BatchStep[], BatchStep[]] {
  let cut = 0;
  let cost = 0;
  for (let k = 1; k <= batch.length; k++) {
    cost += resourceUnitCost(batch[k - 1].method, batch[k - 1].url);
    if (cost > units) break;
    const head = new Set(batch.slice(0, k).map((s) => s.id));
    if (batch.slice(k).every((s) => !(s.dependsOn ?? []).some((d) => head.has(d)))) cut = k;
  }
  if (cut === 0 || cut === batch.length) return [[...batch], []];
  return [batch.slice(0, cut), batch.slice(cut)];
}

async function sendBatch(graph: GraphGateway, batch: BatchStep[], auth: GraphAuth): Promise<Map<string, BatchResult>> {
  const requests = batch.map((s) => ({
    id: s.id,
    method: s.method,
    url: s.url,
    ...(s.body !== undefined ? { body: s.body, headers: { 'content-type': 'application/json' } } : {}),
    ...(s.dependsOn && s.dependsOn.length > 0 ? { dependsOn: s.dependsOn } : {}),
  }));
  const units = batch.reduce((sum, s) => sum + resourceUnitCost(s.method, s.url), 0);
  // Every inner request is idempotent in our use (invite an existing guest, delete, read), so a lost answer may be re-sent.
  const body = await graph.call<{ responses?: InnerResponse[] }>({ method: 'POST', path: '/$batch', body: { requests }, auth, units, idempotent: true });
  const out = new Map<string, BatchResult>();
  for (const r of body?.responses ?? []) {
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    out.set(String(r.id), { id: String(r.id), status: Number(r.status), body: r.body ?? null, headers });
  }
  return out;
}

/** An inner answer as an error, for callers that treat non-2xx as failure. */
export function batchError(result: BatchResult): GraphRequestError {
  return parseGraphError(result.status, result.body, result.headers['request-id'] ?? '', parseRetryAfter(result.headers['retry-after']));
}
