import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAfterFirstAnswer } from '../../src/app';

/** The outbox worker of a fresh process starts once the app has answered someone, or after its grace. */
describe('startAfterFirstAnswer', () => {
  let server: http.Server;
  let url: string;
  let answer: (() => void) | null = null;
  beforeEach(async () => {
    // Each request is held until the test lets it go, so "answered" is the test's to decide.
    answer = null;
    server = http.createServer((_req, res) => (answer = () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends a request and waits until the server holds it; the response comes once `answer` runs. */
  async function requestArrived(): Promise<{ response: Promise<Response>; answer: () => void }> {
    answer = null;
    const response = fetch(url);
    while (!answer) await new Promise((resolve) => setTimeout(resolve, 5));
    return { response, answer };
  }

  test('starts when the first response has been sent, not when the request arrives; once', async () => {
    let starts = 0;
    const pending = startAfterFirstAnswer(server, () => starts++, 60_000);
    const first = await requestArrived();
    expect(starts).toBe(0);
    first.answer();
    expect((await first.response).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(starts).toBe(1);
    const second = await requestArrived();
    second.answer();
    await second.response;
    expect(starts).toBe(1);
    pending.cancel();
  });

  test('starts after the grace when nobody calls, and never once cancelled', async () => {
    let started = 0;
    startAfterFirstAnswer(server, () => started++, 30);
    let cancelledStarts = 0;
    startAfterFirstAnswer(server, () => cancelledStarts++, 30).cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toBe(1);
    expect(cancelledStarts).toBe(0);
  });
});
