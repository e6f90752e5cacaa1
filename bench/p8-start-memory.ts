import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { log, round, type Scenario, type ScenarioResult } from './lib/common';
import { type LoadRequest, LoadClient, type RateStep } from './lib/open-loop';
import { treeCpuMs, treeRssBytes } from './lib/proc';
import { npmStartCommand, startEntry, type StartedEntry } from './lib/start-entry';

/**
 * P8: `npm start`'s memory. Its entry (package.json's command, without npm) on a fresh data
 * directory: resident memory of its process tree once healthy and settled (the demo firm seeded,
 * CaseRoom installed in the demo Cases team), then the peak while P7's open-loop mix of guest and
 * staff reads runs against it from another process, at each of BENCH_P8_RATES for
 * BENCH_P8_SECONDS. The people are the demo firm's, signed in through the local simulator as a
 * browser would (authorization code with PKCE), so the tokens are checked as in production.
 */
const RATES = (process.env.BENCH_P8_RATES ?? '25,50,100').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_P8_SECONDS ?? 10);
const SETTLE_MS = Number(process.env.BENCH_P8_SETTLE_MS ?? 15_000);
const MB = 2 ** 20;

type Settings = { tenantId: string; scope: string; signIn: { clientId: string; endpoints: { authorization_endpoint: string; token_endpoint: string } } };
type Person = { userId: string; guest: boolean };

/** The accounts the simulator's sign-in page offers: its forms carry each one's id and a staff/guest badge. */
function accountsOnSignInPage(html: string): Person[] {
  return [...html.matchAll(/name="sim_user_id" value="([^"]+)"><button[^>]*>.*?<span class="badge">(staff|guest)/g)].map((m) => ({ userId: m[1], guest: m[2] === 'guest' }));
}

/** A token for `person` as the tab gets one: sign-in with PKCE, then the code redeemed cross-origin (a `spa` redirect URI). */
async function signIn(app: StartedEntry, settings: Settings, person: Person): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${app.url}/tab/portal`;
  const scope = `${settings.scope} openid offline_access`;
  const form = new URLSearchParams({
    client_id: settings.signIn.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    sim_user_id: person.userId,
  });
  const authorized = await fetch(settings.signIn.endpoints.authorization_endpoint, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(authorized.headers.get('location') ?? 'about:blank').searchParams.get('code');
  if (!code) throw new Error(`no code for ${person.userId}: ${authorized.status} ${await authorized.text()}`);
  const redeemed = await fetch(settings.signIn.endpoints.token_endpoint, {
    method: 'POST',
    headers: { origin: app.url },
    body: new URLSearchParams({ client_id: settings.signIn.clientId, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, scope }),
  });
  const body = (await redeemed.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token for ${person.userId}: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function getJson<T>(url: string, token: string): Promise<T | null> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200 ? ((await res.json()) as T) : null;
}

/** P7's mix from the demo firm's people: each guest's cases, case pages and profile; each staff member's case list and a case's items. */
async function requestPool(app: StartedEntry): Promise<{ pool: LoadRequest[]; guests: number; staff: number }> {
  const settings = (await (await fetch(`${app.url}/tab/settings.json`)).json()) as Settings;
  const query = new URLSearchParams({ client_id: settings.signIn.clientId, response_type: 'code', redirect_uri: `${app.url}/tab/portal`, scope: settings.scope, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  const people = accountsOnSignInPage(await (await fetch(`${settings.signIn.endpoints.authorization_endpoint}?${query.toString()}`)).text());
  const pool: LoadRequest[] = [];
  let [guests, staff] = [0, 0];
  for (const person of people) {
    const token = await signIn(app, settings, person);
    const listPath = person.guest ? '/api/portal/cases' : '/api/cases';
    // Someone CaseRoom refuses (staff outside the firm's staff group, a guest with nothing shared) is not in the mix.
    const cases = await getJson<Array<{ id: string }>>(`${app.url}${listPath}`, token);
    if (!cases?.length) continue;
    const add = (p: string, times: number) => pool.push(...Array.from({ length: times }, () => ({ path: p, token })));
    if (person.guest) {
      guests++;
      add(listPath, 7);
      cases.slice(0, 7).forEach((c, n) => add(`/api/portal/cases/${c.id}`, n === 0 ? 7 - Math.min(6, cases.length - 1) : 1));
      add('/api/portal/me', 2);
    } else {
      staff++;
      add(listPath, 2);
      add(`/api/cases/${cases[0].id}/items`, 2);
    }
  }
  if (!pool.length) throw new Error('nobody in the demo firm could read anything');
  return { pool, guests, staff };
}

/** Samples the tree's resident memory every 100 ms while `work` runs; the highest sample. */
async function peakRssWhile<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = treeRssBytes(pid);
  const timer = setInterval(() => (peakBytes = Math.max(peakBytes, treeRssBytes(pid))), 100);
  try {
    const result = await work();
    return { result, peakBytes: Math.max(peakBytes, treeRssBytes(pid)) };
  } finally {
    clearInterval(timer);
  }
}

export const p8: Scenario = {
  key: 'P8',
  title: "npm start's idle and peak resident memory under P7's open-loop reads (PGlite)",
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseroom-bench-p8-'));
    const client = new LoadClient();
    let app: StartedEntry | null = null;
    try {
      app = await startEntry(dataDir);
      const pid = app.child.pid ?? 0;
      const loadAverage = os.loadavg().map((v) => round(v, 2));
      const rssAtHealthyMB = round(treeRssBytes(pid) / MB, 0);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const idleRssMB = round(treeRssBytes(pid) / MB, 0);
      const cpuToIdleMs = round(treeCpuMs(pid), 0);
      log(`P8 healthy in ${round(app.msToHealthy, 0)} ms, ${rssAtHealthyMB} MB; idle ${idleRssMB} MB after ${SETTLE_MS} ms (load ${loadAverage[0]})`);
      const { pool, guests, staff } = await requestPool(app);
      const entry = app;
      const steps: Array<RateStep & { peakRssMB: number }> = [];
      for (const rate of RATES) {
        const { result, peakBytes } = await peakRssWhile(pid, () => client.atRate(entry.url, pool, rate, SECONDS, () => treeCpuMs(pid)));
        const step = { ...result, peakRssMB: round(peakBytes / MB, 0) };
        log(`P8 ${rate}/s: ${JSON.stringify(step)}`);
        steps.push(step);
      }
      return {
        status: 'ok',
        seconds: round((performance.now() - started) / 1000),
        command: npmStartCommand().script,
        target: 'idle < 300 MB (issue 15)',
        loadAverage,
        msToHealthy: round(app.msToHealthy, 0),
        cpuToIdleMs,
        rssAtHealthyMB,
        idleRssMB,
        peakRssMB: Math.max(idleRssMB, ...steps.map((s) => s.peakRssMB)),
        people: { guests, staff },
        steps,
        loadAverageAfter: os.loadavg().map((v) => round(v, 2)),
      };
    } finally {
      await client.close();
      await app?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
