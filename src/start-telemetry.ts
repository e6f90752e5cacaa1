// Imported first by src/server.ts, before any module that loads express, node:http or undici:
// the HTTP instrumentation hooks `require` and sees only what is loaded after it starts.
// (CommonJS evaluates imports in order; ES import hoisting keeps this a module of its own.)
import { telemetrySettingsOf } from './config';
import { startTelemetry } from './telemetry';

startTelemetry(telemetrySettingsOf(process.env));
