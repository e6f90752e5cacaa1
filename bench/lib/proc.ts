import fs from 'node:fs';

/**
 * A process tree's memory and CPU from /proc (Linux): what `ps` would sum, read without spawning
 * anything while the load runs. Threads are not processes here (only /proc/<pid>, not tasks).
 */
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux Node supports

function statOf(pid: number): { ppid: number; cpuTicks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), numbered as in proc(5).
    // cutime and cstime hold the children it has reaped: PostgreSQL's backends that have ended
    // (a pool closing idle connections) still count, through the postmaster.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null; // exited meanwhile
  }
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Resident memory of the tree, in bytes (VmRSS of each process). */
export function treeRssBytes(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += match ? Number(match[1]) * 1024 : 0;
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** CPU time (user + system) the tree's processes have used, in ms: its live processes and the children they have reaped. */
export function treeCpuMs(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + ((statOf(pid)?.cpuTicks ?? 0) * 1000) / CLOCK_TICKS_PER_SECOND, 0);
}
