import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { GraphGateway } from '../../src/m365/graph';
import { createDispatcher } from '../../src/m365/transport';

/**
 * Graph calls are bounded: a peer that accepts the connection and never answers fails the call
 * within the gateway's response timeout (a POST is not resent: it may have been carried out).
 */
let hang: Server;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  hang = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', () => resolve()));
  port = (hang.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hang.close(() => resolve()));
});

it('a Graph call to a peer that never answers fails within the response timeout', async () => {
  const dispatcher = createDispatcher(undefined);
  const graph = new GraphGateway({
    graphBaseUrl: `http://127.0.0.1:${port}/v1.0`,
    tenantId: 't',
    tokens: { appToken: async () => 'token', userToken: async () => 'token' },
    dispatcher,
    logger: pino({ level: 'silent' }),
    unitsPerMinute: 100_000,
    responseTimeoutMs: 500,
  });
  const started = Date.now();
  const failure = await graph.call({ method: 'POST', path: '/invitations', body: {} }).catch((err: unknown) => err);
  expect(Date.now() - started).toBeLessThan(3000);
  // The Graph SDK re-wraps what the chain throws; the message is the network error's.
  expect((failure as Error).message).toMatch(/networkError: no response from Microsoft 365 within 500 ms/);
  expect(sockets.length).toBe(1);
  await dispatcher.close();
});
