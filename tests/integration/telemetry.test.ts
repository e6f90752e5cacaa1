import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { ResourceBudget } from '../../src/m365/budget';
import { chain, RetryMiddleware, TelemetryMiddleware } from '../../src/m365/middleware';
import { type Db, openDb } from '../../src/store/db';
import { Repo } from '../../src/store/repo';
import { graphPathTemplate, startTelemetry, stopTelemetry } from '../../src/telemetry';
import { createScratchDatabase, type ScratchDatabase } from '../stress/support/scratch-db';
import { useFirmOnSimulator } from './firm-world';
import { permissionsFor, type StartAppOptions, upload } from './harness';

/**
 * Application Insights through OpenTelemetry, with an in-memory exporter beside Azure Monitor's
 * (whose ingestion endpoint here is a closed local port): one staff request, the
 * Graph calls it and the outbox make, the PostgreSQL statements under them, and the share and
 * revocation applied in SharePoint are each recorded, named and attributed as an operator would
 * look for them.
 */
const memory = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(memory);
const appOptions: StartAppOptions = {};
let scratch: ScratchDatabase;
let db: Db;

beforeAll(async () => {
  // No calls from a test to Microsoft's own statsbeat endpoints.
  for (const name of ['APPLICATION_INSIGHTS_NO_STATSBEAT', 'APPLICATIONINSIGHTS_STATSBEAT_DISABLED', 'APPLICATIONINSIGHTS_SDKSTATS_DISABLED']) process.env[name] = 'true';
  const on = startTelemetry(
    { connectionString: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://127.0.0.1:9/` },
    {
      spanProcessors: [processor],
      // Every trace kept (production samples 5 a second), and nothing sent but the traces.
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: false,
      enableStandardMetrics: false,
      enablePerformanceCounters: false,
      disableOfflineStorage: true,
    },
  );
  expect(on).toBe(true);
  // The store on the real PostgreSQL the jest script starts, opened as the app opens it.
  scratch = await createScratchDatabase('caseroom_telemetry');
  db = await openDb({ kind: 'postgres', url: scratch.url });
  appOptions.db = db;
}, 60_000);

const w = useFirmOnSimulator({ app: appOptions });

afterAll(async () => {
  await stopTelemetry();
  await db?.close();
  await scratch?.drop();
});

async function spans(): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  return memory.getFinishedSpans();
}
const named = (all: ReadableSpan[], name: string) => all.filter((s) => s.name === name);
const SERVER = 1;
const CLIENT = 2;

describe('telemetry to Application Insights', () => {
  it('records a request, Graph and PostgreSQL dependencies, and the share and revocation applied in SharePoint', async () => {
    const { sharing } = w.app.app.services;
    const client = await sharing.createClient(w.f.actor, { name: 'Ada Lovelace' });
    const c = await sharing.createCase(w.f.actor, { clientId: client.id, number: 'TEL-2026-001', title: 'Lovelace v. Babbage', assignedStaffId: w.f.staff.id, budgetCents: null });
    await w.app.drain();
    const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [{ name: 'file', filename: 'Notes.pdf', content: Buffer.from('%PDF-1.4 notes') }]);
    expect(up.status).toBe(201);
    const item = await new Repo(w.app.db).item(w.f.firm.id, up.body.files[0].id);
    const contact = await sharing.createContact(w.f.actor, { email: 'ada@mail.example', name: 'Ada Lovelace', kind: 'client', phone: null, clientId: client.id });
    await sharing.link(w.f.actor, c.id, contact.id);
    await sharing.setPortalAccess(w.f.actor, contact.id, true, null);
    await w.app.drain();
    const guestId = (await new Repo(w.app.db).contact(w.f.firm.id, contact.id))?.guestUserId as string;
    await w.sim.sim.admin.acceptInvitation(guestId);
    await w.app.m365.provisioning.pollAcceptances();
    await sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds: [item?.id as string], expiresAt: null, reason: 'client asked' });
    await w.app.drain();
    const driveId = (await new Repo(w.app.db).case(w.f.firm.id, c.id))?.driveId as string;
    expect(await permissionsFor(w.sim, driveId, item?.driveItemId as string, guestId)).toHaveLength(1);
    memory.reset();

    // A staff request: a server span named by its route, with the PostgreSQL statements it ran beneath it.
    const res = await w.app.call('GET', `/api/cases/${c.id}`, w.f.staffToken);
    expect(res.status).toBe(200);
    let all = await spans();
    const [request] = named(all, 'GET /api/cases/:caseId');
    expect(request).toBeDefined();
    expect(request.kind).toBe(SERVER);
    expect(request.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/api/cases/:caseId', 'http.response.status_code': 200 });
    const statements = all.filter((s) => s.attributes['db.system.name'] === 'postgresql' && s.spanContext().traceId === request.spanContext().traceId);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements[0].kind).toBe(CLIENT);
    expect(statements[0].attributes).toMatchObject({ 'db.namespace': scratch.name, 'server.address': '127.0.0.1', 'db.operation.name': expect.stringMatching(/^[A-Z]+$/) });
    // Statements are recorded with their placeholders, never the values bound to them.
    expect(statements.map((s) => String(s.attributes['db.query.text'])).join('\n')).not.toContain(c.id);

    // The revocation: a Graph dependency per call (path template, status) and the event, under the outbox job's statements.
    memory.reset();
    await sharing.unshareItems(w.f.actor, { contactIds: [contact.id], itemIds: [item?.id as string], reason: 'done' });
    await w.app.drain();
    expect(await permissionsFor(w.sim, driveId, item?.driveItemId as string, guestId)).toHaveLength(0);
    all = await spans();
    const [revocation] = named(all, 'caseroom.revocation');
    expect(revocation?.attributes).toMatchObject({ 'caseroom.contact_id': contact.id, 'caseroom.drive_item_id': item?.driveItemId });
    // Background work is an operation of its own: the revocation and the Graph call that made it sit under the outbox job.
    const sameJob = (s: ReadableSpan) => s.spanContext().traceId === revocation.spanContext().traceId;
    const job = all.find((s) => s.name.startsWith('outbox ') && sameJob(s));
    expect(job?.attributes['caseroom.job_kind']).toEqual(expect.any(String));
    const batch = named(all, 'POST /$batch').find(sameJob);
    expect(batch?.kind).toBe(CLIENT);
    expect(batch?.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.template': '/$batch', 'http.response.status_code': 200, 'graph.retry_count': 0, 'graph.throttled': false });

    // Shared again: the share event names the guest, the case and the item.
    memory.reset();
    await sharing.shareItems(w.f.actor, { contactIds: [contact.id], itemIds: [item?.id as string], expiresAt: null, reason: 'again' });
    await w.app.drain();
    all = await spans();
    const [share] = named(all, 'caseroom.share');
    expect(share?.attributes).toMatchObject({ 'caseroom.firm_id': w.f.firm.id, 'caseroom.contact_id': contact.id, 'caseroom.case_id': c.id, 'caseroom.drive_item_id': item?.driveItemId, 'caseroom.role': 'read' });
    expect(all.some((s) => s.kind === CLIENT && String(s.attributes['url.template'] ?? '').length > 0 && s.attributes['http.response.status_code'] === 200)).toBe(true);
  }, 120_000);

  it('records throttling: a 429 with Retry-After is a retry on the Graph dependency and a throttling event', async () => {
    memory.reset();
    const answers = [new Response('{"error":{"code":"TooManyRequests"}}', { status: 429, headers: { 'retry-after': '7' } }), new Response('{}', { status: 200 })];
    const microsoft365: Middleware = {
      execute: async (context: Context) => {
        context.response = answers.shift() as Response;
      },
    };
    const waited: number[] = [];
    const budget = new ResourceBudget(1250);
    const pipeline = chain(
      new TelemetryMiddleware(),
      new RetryMiddleware(
        pino({ level: 'silent' }),
        () => budget,
        5,
        async (ms) => void waited.push(ms),
      ),
      microsoft365,
    );
    await pipeline.execute({ request: 'https://graph.microsoft.com/v1.0/drives/b!abc/items/01XYZ/permissions/aGVsbG8', options: { method: 'DELETE' } } as Context);
    expect(waited).toEqual([7000]);
    const all = await spans();
    const [call] = named(all, 'DELETE /drives/{id}/items/{id}/permissions/{id}');
    expect(call?.attributes).toMatchObject({ 'http.response.status_code': 200, 'graph.retry_count': 1, 'graph.throttled': true, 'server.address': 'graph.microsoft.com' });
    const [throttled] = named(all, 'caseroom.throttled');
    expect(throttled?.attributes).toMatchObject({ 'http.response.status_code': 429, 'graph.retry_after_seconds': 7, 'url.template': '/drives/{id}/items/{id}/permissions/{id}' });
    expect(throttled.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
  });

  it('names Graph dependencies by path template, whatever the ids', () => {
    expect(graphPathTemplate('/drives/b!x-1/items/01AB/invite')).toBe('/drives/{id}/items/{id}/invite');
    expect(graphPathTemplate('https://graph.microsoft.com/v1.0/users/ada%40contoso.com/sendMail?x=1')).toBe('/users/{id}/sendMail');
    expect(graphPathTemplate('/teams/t1/channels/19:abc@thread.tacv2/filesFolder')).toBe('/teams/{id}/channels/{id}/filesFolder');
    expect(graphPathTemplate('/drives/d1/root:/Cases/TEL-1/Notes.pdf:/content')).toBe('/drives/{id}/root:{path}:/content');
    expect(graphPathTemplate('/$batch')).toBe('/$batch');
  });
});
