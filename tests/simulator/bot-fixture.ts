/**
 * A bot for the simulator's Bot Connector tests: its own app registration in the fixture's tenant,
 * a Teams app in the catalog whose bot it is (CaseRoom's Entra app as webApplicationInfo, with
 * the RSC permissions a test asks for), and a messaging endpoint that records what Teams sends.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Fixture } from './helpers';

export interface ReceivedActivity {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface BotFixture {
  botAppId: string;
  botSecret: string;
  teamsAppId: string;
  received: ReceivedActivity[];
  /** A client-credentials token for the Bot Framework, from the simulator's token endpoint, as botbuilder gets it. */
  botToken(): Promise<string>;
  /** Calls the connector; `token: null` sends none, undefined sends the bot's. */
  connector(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: Record<string, unknown> }>;
  install(teamId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBotFixture(f: Fixture, resourceSpecificPermissions: string[]): Promise<BotFixture> {
  const received: ReceivedActivity[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const botAppId = randomUUID();
  const botSecret = 'bot-secret';
  const teamsAppId = randomUUID();
  await f.sim.admin.createApp(f.tenantId, { clientId: botAppId, clientSecret: botSecret, displayName: 'Test bot' });
  await f.sim.admin.publishTeamsApp(f.tenantId, { id: teamsAppId, clientId: f.clientId, displayName: 'CaseRoom', botId: botAppId, resourceSpecificPermissions });
  const knobs = await fetch(`${f.sim.httpUrl}/botconnector/_admin/knobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ botEndpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/messages`, botAppId, faultRate: 0 }),
  });
  if (!knobs.ok) throw new Error(`connector knobs: ${knobs.status}`);

  const botToken = async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: botAppId, client_secret: botSecret, scope: 'https://api.botframework.com/.default' });
    const res = await fetch(`${f.sim.httpUrl}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`bot token: ${res.status} ${JSON.stringify(json)}`);
    return json.access_token;
  };
  let cached: string | null = null;
  return {
    botAppId,
    botSecret,
    teamsAppId,
    received,
    botToken,
    async connector(method, path, body, token) {
      const bearer = token === undefined ? (cached ??= await botToken()) : token;
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const res = await fetch(`${f.sim.httpUrl}/botconnector${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    },
    async install(teamId) {
      return (await f.sim.admin.installAppInTeam(teamId, teamsAppId, f.staff.id)).id;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
