// P7/P8's load generator, in a process of its own (bench/lib/open-loop.ts forks it), so the server
// being measured has its event loop to itself. Plain JavaScript on purpose: no transpiler in the
// client's path. Open loop: request i is due at start + i/rate whatever the answers do, and is
// timed from when it was due, so queueing in the server shows in the latencies.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

// Keep-alive and no socket cap: a slow server gets more connections, never a client-side queue.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function get(url, token) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
  });
}

async function atRate({ url, pool, rate, seconds }) {
  const total = Math.round(rate * seconds);
  const latencies = [];
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { path, token } = pool[(i * 7) % pool.length];
    inFlight.push(
      get(`${url}${path}`, token).then((ok) => {
        if (!ok) failed++;
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, failed, wallMs: performance.now() - started, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (message) => {
  if (message?.kind === 'stop') {
    agent.destroy();
    process.disconnect();
    return;
  }
  atRate(message).then(
    (result) => process.send({ kind: 'result', ...result }),
    (err) => process.send({ kind: 'error', message: String(err?.stack ?? err) }),
  );
});
