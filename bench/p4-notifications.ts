import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { UploadAnswer, UploadBatchStatus } from '../src/contract';
import type { ChannelLog, StoredActivity, Thread } from '../src/m365-simulator/connector/state';
import { multipart } from '../tests/integration/harness';
import { cardOf, cardText } from '../tests/bot/harness';
import { zip } from '../tests/stress/support/hostile-zip';
import { log, round, type Scenario, type ScenarioResult } from './lib/common';
import { connectorAdmin, startProductionWorld, UPLOADER } from './p3-upload';

/**
 * P4: a guest uploads one zip of 1,000 small files (10 folders of 100) through the portal route
 * on the smallest tenant's budget; the app accepts it once spooled and writes it in the background. Then the case's channel in the simulator's Bot
 * Connector is watched: how many posts and card updates the burst makes, and how long after the
 * upload's answer the last card change lands. The app is the production build (package.json
 * "serve") in a child process, so the outbox runs on its own timer and the bot posts through
 * botbuilder, exactly as deployed.
 */
const FILES = Number(process.env.BENCH_P4_FILES ?? 1000);
const FOLDERS = 10;
/** Longer than the bot's coalescing delay (1.5 s) plus the outbox's poll (0.5 s), with margin. */
const QUIET_MS = 8000;
const DELAY_TARGET_MS = 5000;
/**
 * The smallest tenant's budget and 50 ms per Graph call: the guest's answer must come once the
 * bytes are spooled (≤ 5 s), the background write must spend ≤ 2.2 units per file and finish
 * within (units spent ÷ budget) + 10 %, and the channel must get one card.
 */
const UNITS_PER_MINUTE = 1250;
const LATENCY_MS = 50;
const ANSWER_TARGET_MS = 5000;
const UNITS_PER_FILE_TARGET = 2.2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const at = (a: StoredActivity) => Date.parse(a.updatedAt ?? a.createdAt);

export const p4: Scenario = {
  key: 'P4',
  title: '1,000-file zip uploaded by a guest → channel posts and delay to the final card',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const names = Array.from({ length: FILES }, (_, i) => `Scans/batch-${String(i % FOLDERS).padStart(2, '0')}/page-${String(i + 1).padStart(4, '0')}.pdf`);
    // Random bodies: compressible ones would trip the archive's ratio check, which is not what is measured.
    const archive = await zip(names.map((name) => ({ name, content: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200 + (name.length % 400))]) })));
    const w = await startProductionWorld({ caseNumber: 'COM-2026-007', env: { M365_RESOURCE_UNITS_PER_MINUTE: String(UNITS_PER_MINUTE) }, simKnobs: { resourceUnitsPerMinute: UNITS_PER_MINUTE, latencyMs: LATENCY_MS } });
    try {
      const channelId = w.case.channelId as string;
      const channel = async (): Promise<Thread[]> => {
        const res = await connectorAdmin<ChannelLog>(w.sim, 'GET', `/channels/${encodeURIComponent(channelId)}`);
        return res.status === 200 ? res.body.threads : [];
      };
      const before = new Set((await channel()).map((t) => t.conversationId));
      await connectorAdmin(w.sim, 'DELETE', '/stats');
      await w.sim.admin.resetStats();
      const load = os.loadavg()[0];
      const { body, contentType } = multipart([{ name: 'file', filename: 'scans.zip', content: archive, type: 'application/zip' }]);
      const sentAt = Date.now();
      const res = await fetch(`${w.url}/api/portal/cases/${w.case.id}/files`, { method: 'POST', headers: { authorization: `Bearer ${w.guestToken}`, 'content-type': contentType }, body: new Uint8Array(body) });
      const text = await res.text();
      const answeredAt = Date.now();
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${text.slice(0, 500)}`);
      const batch = (JSON.parse(text) as UploadAnswer).batch;
      if (!batch) throw new Error('the upload answer carries no batch');
      const answered = batch.files.length;
      log(`P4: ${answered} files accepted (201) in ${answeredAt - sentAt} ms; following the batch`);
      let done: UploadBatchStatus = batch;
      for (const until = answeredAt + 15 * 60_000; done.state === 'pending' && Date.now() < until;) {
        await sleep(250);
        const status = await fetch(`${w.url}/api/portal/uploads/${batch.id}`, { headers: { authorization: `Bearer ${w.guestToken}` } });
        if (status.ok) done = (await status.json()) as UploadBatchStatus;
      }
      const allInAt = Date.now();
      const writeGraph = (await w.sim.admin.stats()).totals;
      log(`P4: batch ${done.state} ${allInAt - answeredAt} ms after the answer; ${writeGraph.resourceUnits} units; watching the channel`);

      // Every activity on the channel that appeared or changed since the upload was sent.
      let threads: Thread[] = [];
      let lastChange = 0;
      let quietSince = Date.now();
      const deadline = allInAt + 90_000;
      for (;;) {
        threads = await channel();
        const latest = Math.max(
          0,
          ...threads
            .flatMap((t) => t.activities)
            .map(at)
            .filter((t) => t >= sentAt),
        );
        if (latest !== lastChange) {
          lastChange = latest;
          quietSince = Date.now();
        }
        const hasCard = threads.some((t) => !before.has(t.conversationId));
        if ((hasCard && Date.now() - quietSince >= QUIET_MS) || Date.now() > deadline) break;
        await sleep(100);
      }
      const fresh = threads.filter((t) => !before.has(t.conversationId));
      const replies = threads.flatMap((t) => t.activities.filter((a) => a.id !== t.rootId && Date.parse(a.createdAt) >= sentAt));
      const uploadCards = fresh.filter((t) => /new uploads? from a guest/.test(cardText(cardOf(t.activities[0]))) && cardText(cardOf(t.activities[0])).includes(UPLOADER.name));
      const root = uploadCards[0]?.activities[0];
      const finalText = cardText(cardOf(root));
      const listed = names.filter((n) => finalText.includes(n.split('/').pop() as string)).length;
      const more = Number(/and (\d+) more/.exec(finalText)?.[1] ?? 0);
      const stats = (await connectorAdmin<Record<string, number>>(w.sim, 'GET', '/stats')).body;
      const graph = (await w.sim.admin.stats()).totals;
      const delayMs = lastChange ? lastChange - allInAt : null;
      const firstCardMs = root ? Date.parse(root.createdAt) - allInAt : null;
      return {
        status: 'ok',
        seconds: round((performance.now() - started) / 1000),
        filesInZip: FILES,
        zipBytes: archive.length,
        filesInAnswer: answered,
        uploadRequestMs: answeredAt - sentAt,
        channel: {
          postsOnCaseChannel: fresh.length + replies.length,
          threadsCreated: fresh.length,
          replies: replies.length,
          uploadCards: uploadCards.length,
          cardUpdates: root ? root.version - 1 : 0,
          otherNewThreads: fresh.length - uploadCards.length,
        },
        connectorStatsAllChannels: { threadsCreated: stats.threadsCreated, replies: stats.replies, updates: stats.updates, rateLimited429: stats.rateLimited429 },
        delayMs: { allInToFirstCard: firstCardMs, allInToLastCardChange: delayMs },
        finalCard: root
          ? {
              heading: /(\d+) new uploads? from a guest/.exec(finalText)?.[0] ?? null,
              countsEveryFile: finalText.includes(`${FILES} new uploads from a guest`) && finalText.includes(`uploaded ${FILES} files`),
              namesListed: listed,
              andMore: more,
              everyFileListedOrCounted: listed + more === FILES,
            }
          : null,
        background: {
          filesIn: done.files.filter((f) => f.state === 'in').length,
          filesRefused: done.files.filter((f) => f.state === 'refused').length,
          answerToAllInMs: allInAt - answeredAt,
          resourceUnits: writeGraph.resourceUnits,
          unitsPerFile: round(writeGraph.resourceUnits / FILES, 2),
          allowedMs: Math.round((writeGraph.resourceUnits / UNITS_PER_MINUTE) * 60_000 * 1.1),
        },
        targets: {
          answerMs: `≤ ${ANSWER_TARGET_MS}`,
          unitsPerFile: `≤ ${UNITS_PER_FILE_TARGET}`,
          allIn: '≤ (units ÷ budget) + 10 %',
          cardsPerBatch: '1',
          delayMs: `≤ ${DELAY_TARGET_MS} after the last file is in`,
          met:
            answeredAt - sentAt <= ANSWER_TARGET_MS &&
            writeGraph.resourceUnits / FILES <= UNITS_PER_FILE_TARGET &&
            allInAt - answeredAt <= (writeGraph.resourceUnits / UNITS_PER_MINUTE) * 60_000 * 1.1 &&
            done.files.every((f) => f.state === 'in') &&
            uploadCards.length === 1,
        },
        graphDuringRun: { calls: graph.calls, resourceUnits: graph.resourceUnits, throttled429: graph.throttled429 },
        setup: {
          app: 'package.json "serve" (compiled src/server.ts: Microsoft 365, bot and tab parts) in a child process, PGlite, outbox on its own timer (OUTBOX_POLL_MS default), bot defaults (coalesce 1.5 s, burst idle 2 min)',
          resourceUnitsPerMinute: UNITS_PER_MINUTE,
          latencyMsPerCall: LATENCY_MS,
          watchedUntil: `no change on the channel for ${QUIET_MS / 1000} s`,
          loadAverageAtStart: round(load, 1),
        },
      };
    } finally {
      await w.close();
    }
  },
};
