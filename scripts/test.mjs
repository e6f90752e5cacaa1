#!/usr/bin/env node
// Runs the Jest suites with a throwaway PostgreSQL on loopback, so the store suite runs against
// PostgreSQL as well as PGlite with one command. TEST_DATABASE_URL, when set, is used as is.
// The cluster lives in a temp dir and is removed afterwards; nothing on the machine is changed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findPostgresBin, startThrowawayPostgres } from './postgres-cluster.mjs';

const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim() };
let cluster = null;

if (!env.TEST_DATABASE_URL) {
  if (!findPostgresBin()) {
    console.error('PostgreSQL is not installed: the store suite must also run against it.\n  Debian/Ubuntu: apt-get install -y postgresql   (or set TEST_DATABASE_URL to an empty database you own)');
    process.exit(1);
  }
  cluster = startThrowawayPostgres({ database: 'caseroom_test' });
  env.TEST_DATABASE_URL = cluster.url;
  console.log(`PostgreSQL ${cluster.version} for the tests at ${cluster.url}`);
}

const result = spawnSync(process.execPath, [path.resolve('node_modules/jest/bin/jest.js'), ...process.argv.slice(2)], { stdio: 'inherit', env });
cluster?.stop();
process.exit(result.status ?? 1);
