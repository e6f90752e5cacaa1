// Imported first by src/server.ts, before any module that loads express, node:http or undici:
// the HTTP instrumentation hooks `require` and sees only what is loaded after it starts.
// (CommonJS evaluates imports in order; ES import hoisting keeps this a module of its own.)
import cluster from 'node:cluster';
import { telemetrySettingsOf, webConcurrencyOf } from './config';
import { startTelemetry } from './telemetry';

// A primary supervising workers (WEB_CONCURRENCY > 1) serves nothing: only its workers report.
const supervisesOnly = cluster.isPrimary && webConcurrencyOf(process.env) > 1;
if (!supervisesOnly) startTelemetry(telemetrySettingsOf(process.env));
