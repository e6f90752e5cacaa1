#!/usr/bin/env node
// Runs a command several times in a row, optionally with CPU-burning processes beside it, and
// checks after every run that nothing it started is still running: no process of ours, no
// PostgreSQL cluster. It is how the suite's robustness on a busy machine is shown, not a test.
//
//   node scripts/repeat-under-load.mjs --times 2 --burners 2 -- npm test
//   node scripts/repeat-under-load.mjs --times 10 -- npm run jest -- tests/stress/chaos.test.ts --maxWorkers=1
//
// Each run's exit code, wall time and the machine's load average are appended as one JSON line
// to test-artifacts/repeat-under-load.jsonl. The exit code is 0 only if every run passed and
// left nothing behind.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function parseArgs(argv) {
  const split = argv.indexOf('--');
  if (split < 0 || split === argv.length - 1) throw new Error('usage: repeat-under-load.mjs [--times N] [--burners N] -- command args…');
  const options = { times: 1, burners: 0 };
  const flags = argv.slice(0, split);
  for (let i = 0; i < flags.length; i += 2) {
    const name = flags[i].replace(/^--/, '');
    const value = Number(flags[i + 1]);
    if (!(name in options) || !Number.isInteger(value) || value < 0) throw new Error(`bad option ${flags[i]} ${flags[i + 1] ?? ''}`);
    options[name] = value;
  }
  return { ...options, command: argv.slice(split + 1) };
}

// A busy loop in its own process: one core's worth of load that the suite must live beside.
function startBurner() {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

function leftovers() {
  // Our own process tree: whatever still has this script as an ancestor, burners aside.
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => {
      const [pid, ppid, ...args] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), args: args.join(' ') };
    });
  const children = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of table) {
      if (!children.has(row.pid) && children.has(row.ppid)) {
        children.add(row.pid);
        grew = true;
      }
    }
  }
  const ours = table.filter((row) => row.pid !== process.pid && children.has(row.pid) && !row.args.startsWith('ps ') && !row.args.includes('for (;;)'));
  // A throwaway cluster is started detached (it outlives a killed runner on purpose), so look for it by name.
  const clusters = table.filter((row) => /postgres/.test(row.args) && /caseroom-pg-|caseroom_test/.test(row.args));
  return [...ours, ...clusters];
}

function runOnce(command) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 0)));
  });
}

const { times, burners: burnerCount, command } = parseArgs(process.argv.slice(2));
const burners = Array.from({ length: burnerCount }, startBurner);
const stopBurners = () => burners.forEach((burner) => burner.kill('SIGKILL'));
process.on('exit', stopBurners);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

const log = path.resolve('test-artifacts/repeat-under-load.jsonl');
mkdirSync(path.dirname(log), { recursive: true });
let failed = 0;
for (let run = 1; run <= times; run++) {
  const started = Date.now();
  const code = await runOnce(command);
  const left = leftovers();
  const record = {
    at: new Date().toISOString(),
    run,
    of: times,
    burners: burnerCount,
    command: command.join(' '),
    exitCode: code,
    seconds: Math.round((Date.now() - started) / 1000),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
    leftBehind: left.map((row) => row.args),
  };
  appendFileSync(log, `${JSON.stringify(record)}\n`);
  console.log(`[repeat-under-load] run ${run}/${times}: exit ${code} in ${record.seconds} s, load ${record.loadAverage.join(' ')}, left behind: ${left.length ? left.map((row) => row.args).join('; ') : 'nothing'}`);
  if (code !== 0 || left.length) failed++;
}
stopBurners();
console.log(`[repeat-under-load] ${times - failed} of ${times} runs passed and left nothing behind`);
process.exit(failed ? 1 : 0);
