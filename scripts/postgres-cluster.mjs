// A throwaway PostgreSQL cluster on loopback: initdb into a temp dir, start it, create one database,
// and remove everything on stop. Used by the test runner (scripts/test.mjs) and the bench (P2).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The newest PostgreSQL under /usr/lib/postgresql (Debian layout), or null. */
export function findPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const version = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
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
  const run = (cmd, args) => (asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(found.bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(found.bin, cmd), args, { stdio: 'pipe' }));
  const user = asRoot ? 'postgres' : os.userInfo().username;
  const settings = { fsync: 'off', max_connections: '200', ...(options.settings ?? {}) };
  const flags = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  let port;
  try {
    run('initdb', ['-D', path.join(dir, 'data'), '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
    port = startOnFreePort((p) => run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-o', `-k ${dir} -h 127.0.0.1 -p ${p} ${flags}`, '-w', 'start']), path.join(dir, 'log'), options.port);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stopArgs = ['pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']];
  const watchdog = startWatchdog(asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(found.bin, stopArgs[0]), ...stopArgs[1]]] : [path.join(found.bin, stopArgs[0]), stopArgs[1]], dir);
  try {
    run('createdb', ['-h', '127.0.0.1', '-p', port, '-U', user, database]);
  } catch (err) {
    watchdog.kill();
    run(...stopArgs);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    url: `postgres://${user}@127.0.0.1:${port}/${database}`,
    version: found.version,
    stop() {
      if (stopped) return;
      stopped = true;
      watchdog.kill();
      try {
        run(...stopArgs);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Starts the server on `fixed`, or on a random port below Linux's ephemeral range (32768–60999 by
 * default, net.ipv4.ip_local_port_range): a port picked inside it can be taken at any moment by an
 * outgoing connection's local end, which a busy bench or test run makes thousands of. A port that
 * is taken anyway (another cluster) is answered by trying another one, a few times.
 */
function startOnFreePort(start, logFile, fixed) {
  for (let attempt = 1; ; attempt++) {
    const port = String(fixed ?? 20000 + Math.floor(Math.random() * 10000));
    try {
      start(port);
      return port;
    } catch (err) {
      const taken = fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('Address already in use');
      if (fixed !== undefined || !taken || attempt >= 5) throw err;
    }
  }
}

/**
 * A detached process that stops the cluster and removes its directory if this process dies
 * without calling stop() (SIGKILL, an out-of-memory kill): a cluster must never outlive the
 * run that started it. stop() ends the watchdog first.
 */
function startWatchdog([command, args], dir) {
  const source = `
    const { execFileSync } = require('node:child_process');
    const fs = require('node:fs');
    const [parent, command, args, dir] = [Number(process.argv[1]), process.argv[2], JSON.parse(process.argv[3]), process.argv[4]];
    setInterval(() => {
      try { process.kill(parent, 0); return; } catch {}
      try { execFileSync(command, args, { stdio: 'ignore' }); } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }, 1000);`;
  const child = spawn(process.execPath, ['-e', source, String(process.pid), command, JSON.stringify(args), dir], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    kill: () => {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}
