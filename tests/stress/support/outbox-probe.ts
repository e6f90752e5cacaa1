import type { Db } from '../../../src/store/db';
import type { ProbeHandler } from '../../support/outbox';

/**
 * An outbox handler that writes down every run it starts and finishes, in the database all
 * instances share, so a test can check afterwards that no job took effect twice, none was lost,
 * and jobs with one dedupe key never ran at the same time. Used in-process and by the child
 * worker in tests/stress/fixtures/outbox-child.ts (which is killed for real).
 */
export const PROBE_KIND = 'probe';

export const PROBE_SCHEMA = `
CREATE TABLE IF NOT EXISTS probe_runs (
  run_id bigserial PRIMARY KEY,
  job_id bigint NOT NULL,
  worker text NOT NULL,
  dedupe_key text,
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS probe_runs_job ON probe_runs (job_id);`;

type ProbeJob = Parameters<ProbeHandler>[0];

export interface ProbeOptions {
  /** Return true to make this run hang forever after it started (the process is then killed). */
  trap?: (job: ProbeJob) => boolean;
  onTrapped?: (job: ProbeJob) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function probeHandler(db: Db, workerId: string, options: ProbeOptions = {}): ProbeHandler {
  return async (job) => {
    const [run] = await db.query<{ run_id: string }>('INSERT INTO probe_runs (job_id, worker, dedupe_key, attempt) VALUES ($1, $2, $3, $4) RETURNING run_id', [job.id, workerId, job.dedupeKey, job.attempts]);
    if (options.trap?.(job)) {
      options.onTrapped?.(job);
      await new Promise<never>(() => undefined);
    }
    const ms = Number(job.payload.ms ?? 0);
    if (ms > 0) await sleep(ms);
    await db.query('UPDATE probe_runs SET finished_at = clock_timestamp() WHERE run_id = $1', [run.run_id]);
  };
}

export interface ProbeRun {
  runId: number;
  jobId: number;
  worker: string;
  dedupeKey: string | null;
  attempt: number;
  startedAt: number;
  finishedAt: number | null;
}

export async function probeRuns(db: Db): Promise<ProbeRun[]> {
  const rows = await db.query<{ run_id: string; job_id: string; worker: string; dedupe_key: string | null; attempt: number; started: number; finished: number | null }>(
    `SELECT run_id, job_id, worker, dedupe_key, attempt,
            extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
     FROM probe_runs ORDER BY run_id`,
  );
  return rows.map((r) => ({
    runId: Number(r.run_id),
    jobId: Number(r.job_id),
    worker: r.worker,
    dedupeKey: r.dedupe_key,
    attempt: Number(r.attempt),
    startedAt: Number(r.started),
    finishedAt: r.finished === null ? null : Number(r.finished),
  }));
}

/** Pairs of runs of one dedupe key whose [start, end] intervals overlap; `openEnd` closes runs that never finished. */
export function overlappingRuns(runs: readonly ProbeRun[], openEnd: (run: ProbeRun) => number): Array<[ProbeRun, ProbeRun]> {
  const byKey = new Map<string, ProbeRun[]>();
  for (const run of runs) if (run.dedupeKey) byKey.set(run.dedupeKey, [...(byKey.get(run.dedupeKey) ?? []), run]);
  const overlaps: Array<[ProbeRun, ProbeRun]> = [];
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const end = prev.finishedAt ?? openEnd(prev);
      if (sorted[i].startedAt < end) overlaps.push([prev, sorted[i]]);
    }
  }
  return overlaps;
}
