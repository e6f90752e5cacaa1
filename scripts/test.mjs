#!/usr/bin/env node
// Runs the Jest suites with a throwaway PostgreSQL on loopback, so the store suite runs against
// PostgreSQL as well as PGlite with one command. TEST_DATABASE_URL, when set, is used as is.
// The cluster lives in a temp dir and is removed afterwards, however the run ends (Jest passes,
// fails, crashes or is killed; this script gets SIGINT/SIGTERM/SIGHUP, or dies outright: then the
// cluster's watchdog removes it). Nothing on the machine is changed but the PGlite template cache
// in node_modules/.cache (src/store/pglite-template.ts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin, startThrowawayPostgres } from './postgres-cluster.mjs';

const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim() };
let cluster = null;

// The pre-initialised PGlite cluster every PGlite test loads (made by `npm ci`; made here if not):
// made once before Jest, not by each of its workers at the same time (and before
// the cluster, so an interrupt while it is made leaves nothing behind).
spawnSync(process.execPath, [path.resolve('scripts/pglite-template.mjs')], { stdio: 'inherit', env });

const stopCluster = () => {
  try {
    cluster?.stop();
  } catch (err) {
    console.error(`could not stop the test PostgreSQL: ${err instanceof Error ? err.message : String(err)}`);
  }
};
// 'exit' handlers run synchronously, which stop() is: covers every way out of this script.
process.on('exit', stopCluster);

if (!env.TEST_DATABASE_URL) {
  if (!findPostgresBin()) {
    console.error('PostgreSQL is not installed: the store suite must also run against it.\n  Debian/Ubuntu: apt-get install -y postgresql   (or set TEST_DATABASE_URL to an empty database you own)');
    process.exit(1);
  }
  cluster = startThrowawayPostgres({ database: 'caseroom_test' });
  env.TEST_DATABASE_URL = cluster.url;
  console.log(`PostgreSQL ${cluster.version} for the tests at ${cluster.url}`);
}

// Every temp dir a suite makes (data dirs, simulator stores, upload spools, browser profiles) goes
// under one directory of this run, removed with the cluster on the way out: a suite that forgets
// its own, or dies before its afterAll, leaves nothing in /tmp. After the cluster, whose directory
// must stay outside (it belongs to the postgres user); readable by others for the same reason when a
// suite starts a PostgreSQL of its own in here.
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'caseroom-test-run-'));
fs.chmodSync(runTmp, 0o755);
env.TMPDIR = runTmp;
process.on('exit', () => {
  try {
    fs.rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    console.error(`could not remove the run's temp dir ${runTmp}: ${err instanceof Error ? err.message : String(err)}`);
  }
});

// Not spawnSync: while it blocks, a signal to this script kills it on the spot, before any
// cleanup, leaving Jest and the cluster behind.
const jest = spawn(process.execPath, [path.resolve('node_modules/jest/bin/jest.js'), ...process.argv.slice(2)], { stdio: 'inherit', env });
const JEST_GRACE_MS = 10_000;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // Jest gets the signal too (to stop its workers); one that does not stop in time is killed.
    if (jest.exitCode === null && jest.signalCode === null) jest.kill(signal);
    setTimeout(() => jest.kill('SIGKILL'), JEST_GRACE_MS).unref();
  });
}
jest.on('error', (err) => {
  console.error(`could not start Jest: ${err.message}`);
  process.exit(1);
});
jest.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
