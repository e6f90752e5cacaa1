// A throwaway PostgreSQL cluster on loopback: initdb into a temp dir, start it, create one database,
// and remove everything on stop. Used by the test runner (scripts/test.mjs) and the bench (P2).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The newest PostgreSQL under /usr/lib/postgresql (Debian layout), or null. */
export function findPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const version = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  return version ? { version, bin: path.join(root, version, 'bin') } : null;
}

/**
 * Starts a cluster and returns its URL. `settings` are extra `-c name=value` server settings.
 * As root, initdb must run as the `postgres` user the Debian package creates.
 */
export function startThrowawayPostgres(options = {}) {
  const found = findPostgresBin();
  if (!found) throw new Error('PostgreSQL is not installed (Debian/Ubuntu: apt-get install -y postgresql)');
  const database = options.database ?? 'caseroom';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseroom-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const run = (cmd, args) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(found.bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(found.bin, cmd), args, { stdio: 'pipe' });
  const port = String(options.port ?? 56000 + Math.floor(Math.random() * 900));
  const user = asRoot ? 'postgres' : os.userInfo().username;
  const settings = { fsync: 'off', max_connections: '200', ...(options.settings ?? {}) };
  const flags = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  run('initdb', ['-D', path.join(dir, 'data'), '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-o', `-k ${dir} -h 127.0.0.1 -p ${port} ${flags}`, '-w', 'start']);
  run('createdb', ['-h', '127.0.0.1', '-p', port, '-U', user, database]);
  let stopped = false;
  return {
    url: `postgres://${user}@127.0.0.1:${port}/${database}`,
    version: found.version,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
