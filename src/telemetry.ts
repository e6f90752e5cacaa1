import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';

/**
 * Telemetry to Application Insights through OpenTelemetry (`@azure/monitor-opentelemetry`), on
 * only when APPLICATIONINSIGHTS_CONNECTION_STRING is set (src/config.ts parses it).
 *
 * What is recorded, and where it comes from:
 * - requests: the distro's HTTP instrumentation (it hooks `require`, so src/server.ts starts
 *   telemetry before express and node:http are loaded); `nameRequest` gives each the route.
 * - Graph dependencies: one span per Graph call (the gateway's TelemetryMiddleware; undici has no
 *   instrumentation in the distro), with the method, path template, status, retries and throttling.
 * - PostgreSQL dependencies: one span per statement, from the store itself (`traceQuery`), for
 *   PGlite and PostgreSQL alike; the distro's pg instrumentation is off (it would count the same
 *   statements twice and misses pg loaded through `import()`).
 * - events: shares and revocations applied in SharePoint, and throttling by Microsoft 365.
 * - outbox jobs: one operation per run (`traceJob`), so background work has its dependencies too.
 *
 * Every layer but the domain and the contract may use this module; it imports nothing of the
 * product. With telemetry off the API's no-op tracer makes every helper here nearly free.
 */

export interface TelemetrySettings {
  /** Application Insights connection string; null: nothing is recorded or sent. */
  connectionString: string | null;
}

/** Only for tests: span processors beside the Azure Monitor exporter (an in-memory one), every trace kept, no live metrics. */
export type TelemetryOverrides = Pick<AzureMonitorOpenTelemetryOptions, 'spanProcessors' | 'samplingRatio' | 'tracesPerSecond' | 'enableLiveMetrics' | 'enableStandardMetrics' | 'enablePerformanceCounters'> & {
  /** Telemetry that could not be sent is otherwise kept on disk (the temp folder) and sent later. */
  disableOfflineStorage?: boolean;
};

const TRACER = 'caseroom';
/** Platform health probes: thousands a day, and nobody's request. */
const UNRECORDED_PATHS = new Set(['/healthz']);

let stopRunning: (() => Promise<void>) | null = null;

/** Starts telemetry when a connection string is set. Idempotent; answers whether telemetry is on. */
export function startTelemetry(settings: TelemetrySettings, { disableOfflineStorage, ...overrides }: TelemetryOverrides = {}): boolean {
  if (stopRunning) return true;
  if (!settings.connectionString) return false;
  // Application Insights' cloud role name, unless the operator chose one.
  process.env.OTEL_SERVICE_NAME ??= 'caseroom';
  // Loaded only when on: the distro and the OpenTelemetry SDK stay out of processes that send nothing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  const distro = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  // HttpInstrumentation's own option, passed through by the distro (its type declares only `enabled`).
  const http = { enabled: true, ignoreIncomingRequestHook: (request: { url?: string }) => UNRECORDED_PATHS.has((request.url ?? '').split('?')[0]) };
  distro.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: settings.connectionString, ...(disableOfflineStorage ? { disableOfflineStorage } : {}) },
    instrumentationOptions: {
      http,
      postgreSql: { enabled: false },
      azureSdk: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
    ...overrides,
  });
  stopRunning = () => distro.shutdownAzureMonitor();
  return true;
}

/**
 * Sends what is still buffered and stops; a no-op when telemetry is off. An ingestion endpoint
 * that cannot be reached does not fail the shutdown: that telemetry is lost either way.
 */
export async function stopTelemetry(): Promise<void> {
  const stop = stopRunning;
  stopRunning = null;
  await stop?.().catch(() => undefined);
}

const tracer = () => trace.getTracer(TRACER);

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** `work` inside an active span (children and events attach to it), ended with its outcome. */
async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * A business event (share, revocation, throttling) as a short span under whatever is running
 * (a request, a Graph call, an outbox job): Application Insights shows it in the operation's
 * timeline, and it can be counted by name.
 */
export function recordEvent(name: 'caseroom.share' | 'caseroom.revocation' | 'caseroom.throttled', attributes: Attributes): void {
  tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes }).end();
}

// ------------------------------------------------------------------ requests

/**
 * Runs `next` (the rest of the request's handling) inside the request's span. Normally the HTTP
 * instrumentation made it already and this only passes on; when node:http was loaded before
 * telemetry started (an embedding that did not come through src/server.ts), the request gets a
 * span of its own here, so requests are recorded either way. `onDone` receives the way to end it.
 */
export function traceRequest(method: string, url: string, onDone: (ended: (status: number) => void) => void, next: () => void): void {
  const path = url.split('?')[0];
  if (!stopRunning || trace.getActiveSpan()?.isRecording() || UNRECORDED_PATHS.has(path)) return next();
  const span = tracer().startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } });
  onDone((status) => {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.end();
  });
  context.with(trace.setSpan(context.active(), span), next);
}

/** Names the current request by its route (`GET /api/cases/:caseId`) instead of the bare method. */
export function nameRequest(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute('http.route', route);
  span.updateName(`${method} ${route}`);
}

// ------------------------------------------------------------------ outbox jobs

/**
 * One outbox job run as an operation of its own (a request in Application Insights, `outbox
 * <kind>`), so the Graph calls, statements and events of background work are found under it.
 */
export function traceJob<T extends { kind: string }>(jobKind: string, attempt: number, run: () => Promise<T>): Promise<T> {
  return inSpan(`outbox ${jobKind}`, SpanKind.CONSUMER, { 'caseroom.job_kind': jobKind, 'caseroom.job_attempt': attempt }, async (span) => {
    const outcome = await run();
    if (outcome.kind !== 'done') span.setStatus({ code: SpanStatusCode.ERROR, message: `job ${outcome.kind}` });
    return outcome;
  });
}

// ------------------------------------------------------------------ Microsoft Graph

/** Collections whose next segment is an id (or a UPN): replaced by `{id}` in the path template. */
const ID_AFTER = new Set([
  'drives',
  'items',
  'sites',
  'lists',
  'users',
  'groups',
  'teams',
  'channels',
  'chats',
  'messages',
  'replies',
  'permissions',
  'subscriptions',
  'invitations',
  'tabs',
  'installedApps',
  'members',
  'applications',
  'servicePrincipals',
]);

/**
 * `/drives/b!x/items/01AB/invite` → `/drives/{id}/items/{id}/invite`, from a relative path or an
 * absolute Graph URL (a nextLink): ids would make every call a dependency of its own.
 */
export function graphPathTemplate(url: string): string {
  const path = url
    .replace(/^https?:\/\/[^/]+/, '')
    .split('?')[0]
    .replace(/^\/(v1\.0|beta)(?=\/|$)/, '')
    .replace(/root:[^:]*:/g, 'root:{path}:');
  const segments = path.split('/');
  return segments.map((segment, i) => (i > 0 && ID_AFTER.has(segments[i - 1]) && !segment.startsWith('$') ? '{id}' : segment)).join('/') || '/';
}

export interface GraphCallTrace {
  /** The answer's status (the last attempt's, after retries). */
  answered(status: number): void;
  /** Microsoft 365 refused an attempt with 429 or 503 (and how long it asked us to wait). */
  throttled(status: number, retryAfterSeconds: number | undefined): void;
  /** The retry link is sending the call again. */
  retrying(): void;
}

/**
 * One dependency per Graph call, spanning its retries: `GET /drives/{id}/items/{id}`, with the
 * status, the number of retries and whether Microsoft 365 throttled it (429/503 with Retry-After,
 * each also recorded as a `caseroom.throttled` event).
 */
export function traceGraphCall<T>(method: string, url: string, work: (call: GraphCallTrace) => Promise<T>): Promise<T> {
  const template = graphPathTemplate(url);
  const host = /^https?:\/\/([^/]+)/.exec(url)?.[1] ?? 'graph.microsoft.com';
  const attributes: Attributes = { 'http.request.method': method, 'server.address': host, 'url.template': template, 'graph.retry_count': 0, 'graph.throttled': false };
  return inSpan(`${method} ${template}`, SpanKind.CLIENT, attributes, (span) => {
    let retries = 0;
    return work({
      answered(status) {
        span.setAttribute('http.response.status_code', status);
        if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      },
      throttled(status, retryAfterSeconds) {
        span.setAttribute('graph.throttled', true);
        recordEvent('caseroom.throttled', { 'http.request.method': method, 'url.template': template, 'http.response.status_code': status, 'graph.retry_after_seconds': retryAfterSeconds ?? -1 });
      },
      retrying() {
        span.setAttribute('graph.retry_count', ++retries);
      },
    });
  });
}

// ------------------------------------------------------------------ PostgreSQL

export interface QueryTarget {
  /** `pglite` (in-process) or the server's host. */
  server: string;
  database: string;
}

/**
 * One dependency per statement. Recorded only under a span already running (a request, a Graph
 * call, a job): the outbox poll's statements, twice a second with no one waiting, are not.
 */
export function traceQuery<T>(target: QueryTarget, sql: string, run: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return run();
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  const attributes: Attributes = {
    'db.system.name': 'postgresql',
    'db.system': 'postgresql',
    'db.namespace': target.database,
    'db.operation.name': operation,
    // The statement with its $n placeholders: parameter values (names, e-mail addresses) are never recorded.
    'db.query.text': sql.length > 2000 ? `${sql.slice(0, 2000)}…` : sql,
    'server.address': target.server,
  };
  return inSpan(`${operation} ${target.database}`, SpanKind.CLIENT, attributes, () => run());
}
