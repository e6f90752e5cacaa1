// P7/P8's load generator, in a process of its own (bench/lib/open-loop.ts forks it), so the server
// being measured has its event loop to itself. Plain JavaScript on purpose: no transpiler in the
// client's path. Open loop: request i is due at start + i/rate whatever the answers do, and is
// timed from when it was due, so queueing in the server shows in the latencies.
//
// HTTP/1.1 over raw keep-alive sockets, each request's bytes made once: on 2 cores every
// millisecond of CPU the client spends is one the server under test does not get, and Node's
// http client cost about 0.5 ms a request (bench/PROFILE.md).
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const HEADER_END = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** One keep-alive connection: sends a request, resolves with the response's status (0: the connection failed). */
class Connection {
  constructor(host, port, onClosed) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.pending = null;
    this.buffered = [];
    this.socket.on('data', (chunk) => this.onData(chunk));
    const fail = () => {
      onClosed(this);
      this.finish(0);
    };
    this.socket.on('error', fail);
    this.socket.on('close', fail);
  }

  send(bytes) {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.buffered = [];
      this.socket.write(bytes);
    });
  }

  finish(status) {
    const resolve = this.pending;
    this.pending = null;
    resolve?.(status);
  }

  onData(chunk) {
    if (!this.pending) return;
    this.buffered.push(chunk);
    const data = this.buffered.length === 1 ? chunk : Buffer.concat(this.buffered);
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = data.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const body = data.length - headerEnd - HEADER_END.length;
    const complete = length ? body >= Number(length[1]) : /\r\ntransfer-encoding:\s*chunked/i.test(head) ? data.subarray(data.length - LAST_CHUNK.length).equals(LAST_CHUNK) : true;
    if (!complete) return;
    this.buffered = [];
    this.finish(Number(head.slice(9, 12)));
  }
}

async function atRate({ url, pool, rate, seconds }) {
  const { hostname, port } = new URL(url);
  const requests = pool.map(({ path, token }) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: application/json\r\n\r\n`, 'latin1'));
  // Idle connections are reused; a slow server gets more connections, never a client-side queue.
  const idle = [];
  const open = new Set();
  const closed = (connection) => {
    open.delete(connection);
    const at = idle.indexOf(connection);
    if (at >= 0) idle.splice(at, 1);
  };
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
    let connection = idle.pop();
    if (!connection) {
      connection = new Connection(hostname, Number(port), closed);
      open.add(connection);
    }
    const used = connection;
    inFlight.push(
      used.send(requests[(i * 7) % requests.length]).then((status) => {
        if (status !== 200) failed++;
        latencies.push(performance.now() - due);
        if (status !== 0) idle.push(used);
      }),
    );
  }
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  for (const connection of open) connection.socket.destroy();
  return { latencies, failed, wallMs: performance.now() - started, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (message) => {
  if (message?.kind === 'stop') {
    process.disconnect();
    return;
  }
  atRate(message).then(
    (result) => process.send({ kind: 'result', ...result }),
    (err) => process.send({ kind: 'error', message: String(err?.stack ?? err) }),
  );
});
