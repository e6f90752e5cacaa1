#!/usr/bin/env node
// Runs the Jest suites with a throwaway PostgreSQL on loopback, so the store suite runs against
// PostgreSQL as well as PGlite with one command. TEST_DATABASE_URL, when set, is used as is.
// The cluster lives in a temp dir and is removed afterwards; nothing on the machine is changed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim() };
let stop = () => {};

if (!env.TEST_DATABASE_URL) {
  const root = '/usr/lib/postgresql';
  const version = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) {
    console.error('PostgreSQL is not installed: the store suite must also run against it.\n  Debian/Ubuntu: apt-get install -y postgresql   (or set TEST_DATABASE_URL to an empty database you own)');
    process.exit(1);
  }
  const bin = path.join(root, version, 'bin');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseroom-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root; the Debian package creates the postgres user for this.
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const run = (cmd, cmdArgs) => (asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...cmdArgs], { stdio: 'pipe' }) : execFileSync(path.join(bin, cmd), cmdArgs, { stdio: 'pipe' }));
  const port = String(55000 + Math.floor(Math.random() * 900));
  const user = asRoot ? 'postgres' : os.userInfo().username;
  run('initdb', ['-D', path.join(dir, 'data'), '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-o', `-k ${dir} -h 127.0.0.1 -p ${port} -c fsync=off -c max_connections=200`, '-w', 'start']);
  run('createdb', ['-h', '127.0.0.1', '-p', port, '-U', user, 'caseroom_test']);
  env.TEST_DATABASE_URL = `postgres://${user}@127.0.0.1:${port}/caseroom_test`;
  console.log(`PostgreSQL ${version} for the tests on 127.0.0.1:${port}`);
  stop = () => {
    try {
      run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

const result = spawnSync(process.execPath, [path.resolve('node_modules/jest/bin/jest.js'), ...args], { stdio: 'inherit', env });
stop();
process.exit(result.status ?? 1);
