import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { CaseAccess } from '../../../src/domain/access';
import { expectedAccess, type FirmShape, generatedItems, type GuestModel, ids } from './firm-generator';

/**
 * Simulated guests on the portal API: each one in a loop lists its cases, opens one, and now and
 * then writes a message or records an upload, until the time is up. Every answer is checked
 * against what the domain's guestAccess says that guest may see. Used by the load test and the
 * bench's 60-second run.
 */
export interface LoadGuest {
  model: GuestModel;
  token: string;
}

export type LoadOp = 'myCases' | 'caseDetail' | 'message';

export interface LoadResult {
  durationMs: number;
  guests: number;
  requests: number;
  errors: Array<{ op: LoadOp; status: number; message: string }>;
  violations: string[];
  latencyMs: Record<LoadOp, number[]>;
  messagesSent: number;
  casesOpened: Set<string>;
}

export interface LoadOptions {
  baseUrl: string;
  firmId: string;
  shape: FirmShape;
  guests: LoadGuest[];
  durationMs: number;
  /** Pause between a guest's requests, uniformly 0..thinkMs (default 1000: people read before they click). */
  thinkMs?: number;
  messageShare?: number;
  now?: Date;
}

interface GuestCase {
  id: string;
  sections: string[];
  canUpload: boolean;
}
interface GuestItem {
  id: string;
  kind: string;
  title: string;
}
interface CaseView {
  sections: string[];
  canUpload: boolean;
  documents: GuestItem[] | null;
  notes: GuestItem[] | null;
  events: GuestItem[] | null;
  invoices: GuestItem[] | null;
  threads: Array<{ id: string }>;
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function runGuestLoad(o: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    durationMs: 0,
    guests: o.guests.length,
    requests: 0,
    errors: [],
    violations: [],
    latencyMs: { myCases: [], caseDetail: [], message: [] },
    messagesSent: 0,
    casesOpened: new Set(),
  };
  const now = o.now ?? new Date();
  const id = ids(o.shape.seed);
  const caseIndex = new Map(Array.from({ length: o.shape.cases }, (_, i) => [id.case(i), i] as const));
  const generatedOfCase = new Map<string, Set<string>>();
  const generated = (caseId: string) => {
    let set = generatedOfCase.get(caseId);
    if (!set) {
      set = new Set(generatedItems(o.shape, caseIndex.get(caseId) ?? -1).map((i) => i.id));
      generatedOfCase.set(caseId, set);
    }
    return set;
  };
  // undici's request() costs far less CPU than fetch(); the guests share a process with the app in tests.
  const agent = new Agent({ connections: o.guests.length, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const started = performance.now();
  const end = started + o.durationMs;

  const call = async <T>(op: LoadOp, token: string, method: string, path: string, body?: unknown): Promise<T | null> => {
    const t0 = performance.now();
    result.requests++;
    try {
      const res = await request(`${o.baseUrl}${path}`, {
        dispatcher: agent,
        method: method as 'GET' | 'POST',
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.body.text();
      result.latencyMs[op].push(performance.now() - t0);
      if (res.statusCode < 200 || res.statusCode > 299) {
        result.errors.push({ op, status: res.statusCode, message: text.slice(0, 300) });
        return null;
      }
      return JSON.parse(text) as T;
    } catch (err) {
      result.errors.push({ op, status: 0, message: err instanceof Error ? err.message : String(err) });
      return null;
    }
  };

  const guestLoop = async (guest: LoadGuest, seq: number) => {
    const expected: Map<string, CaseAccess> = expectedAccess(o.firmId, o.shape, guest.model, now);
    const ownThreads = new Set<string>();
    let rnd = (seq * 2654435761) % 2 ** 32;
    const random = () => (rnd = (rnd * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
    const who = `guest ${guest.model.index} (${guest.model.group})`;
    const think = () => new Promise((r) => setTimeout(r, Math.floor(random() * (o.thinkMs ?? 1000))));
    await think();
    while (performance.now() < end) {
      const cases = await call<GuestCase[]>('myCases', guest.token, 'GET', '/api/portal/cases');
      if (!cases) continue;
      if (
        !sameSet(
          cases.map((c) => c.id),
          expected.keys(),
        )
      )
        result.violations.push(`${who}: my cases ${cases.length} ≠ expected ${expected.size}`);
      for (const c of cases) {
        const e = expected.get(c.id);
        if (e && (!sameSet(c.sections, e.sections) || c.canUpload !== e.canUpload)) result.violations.push(`${who}: case ${c.id} sections/upload differ`);
      }
      if (cases.length === 0) {
        await think();
        continue;
      }
      await think();
      const pick = cases[Math.floor(random() * cases.length)];
      const view = await call<CaseView>('caseDetail', guest.token, 'GET', `/api/portal/cases/${pick.id}`);
      const e = expected.get(pick.id);
      if (view && e) {
        result.casesOpened.add(pick.id);
        const items = [...(view.documents ?? []), ...(view.notes ?? []), ...(view.events ?? []), ...(view.invoices ?? [])];
        const gen = generated(pick.id);
        const seenGenerated = items.filter((i) => gen.has(i.id)).map((i) => i.id);
        if (!sameSet(seenGenerated, e.itemIds)) result.violations.push(`${who}: case ${pick.id} shows ${seenGenerated.length} generated items, domain says ${e.itemIds.size}`);
        for (const extra of items.filter((i) => !gen.has(i.id))) {
          // Only documents guests uploaded, and only to guests whose broad grant shows documents.
          if (extra.kind !== 'document' || !extra.title.startsWith('upload-') || e.via === 'item' || !e.sections.includes('documents')) result.violations.push(`${who}: case ${pick.id} shows ${extra.kind} "${extra.title}" it may not see`);
        }
        if (!sameSet(view.sections, e.sections) || view.canUpload !== e.canUpload) result.violations.push(`${who}: case view ${pick.id} sections/upload differ`);
        for (const t of view.threads) if (!e.threadIds.has(t.id) && !ownThreads.has(t.id)) result.violations.push(`${who}: sees thread ${t.id} of someone else`);
      }
      await think();
      const r = random();
      if (r < (o.messageShare ?? 0.15)) {
        const sent = await call<{ threadId: string }>('message', guest.token, 'POST', `/api/portal/cases/${pick.id}/messages`, { body: `Load message ${result.requests} <b>not bold</b> '; SELECT 1;--`, screen: 'load-test' });
        if (sent) {
          ownThreads.add(sent.threadId);
          result.messagesSent++;
        }
      }
    }
  };
  try {
    await Promise.all(o.guests.map((g, i) => guestLoop(g, i + 1)));
  } finally {
    await agent.close();
  }
  result.durationMs = performance.now() - started;
  return result;
}

export function summarize(r: LoadResult) {
  const all = Object.values(r.latencyMs).flat();
  const ms = (v: number) => Math.round(v * 10) / 10;
  const stats = (v: number[]) => ({ count: v.length, p50: ms(percentile(v, 50)), p95: ms(percentile(v, 95)), p99: ms(percentile(v, 99)) });
  return {
    guests: r.guests,
    seconds: Math.round(r.durationMs / 100) / 10,
    requests: r.requests,
    requestsPerSecond: Math.round(r.requests / (r.durationMs / 1000)),
    errors: r.errors.length,
    violations: r.violations.length,
    messagesSent: r.messagesSent,
    distinctCasesOpened: r.casesOpened.size,
    all: stats(all),
    byOp: Object.fromEntries(Object.entries(r.latencyMs).map(([op, v]) => [op, stats(v)])),
  };
}
