import './start-telemetry'; // first: see the file
import { botPart } from './parts/bot';
import { startCaseRoom } from './app';
import cluster from 'node:cluster';
import pino from 'pino';
import { type AppConfig, ConfigError, loadConfig } from './config';
import { superviseWorkers } from './serve-workers';
import { tabPart } from './parts/tab';
import { microsoft365Part } from './parts/m365';
import { startTelemetry, stopTelemetry } from './telemetry';

/** The settings, or the process stops naming what is wrong with them. */
function configOrExit(env: NodeJS.ProcessEnv): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/**
 * Production entry: config from the environment, parts in dependency order, clean shutdown on signals.
 * `partsAfter`: see ComposeOptions (npm start's simulator, still starting).
 */
export async function main(env: NodeJS.ProcessEnv = process.env, alsoStop: () => Promise<void> = async () => undefined, partsAfter?: Promise<unknown>) {
  const config = configOrExit(env);
  // Already running when started from process.env (start-telemetry.ts); an `env` of the caller's own starts it here.
  startTelemetry(config.telemetry);
  const app = await startCaseRoom({ config, parts: [microsoft365Part(), botPart(), tabPart()], partsAfter });
  const shutdown = (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(alsoStop)
      .then(stopTelemetry)
      .then(
        () => process.exit(0),
        (err) => {
          app.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return app;
}

if (require.main === module) {
  const { webConcurrency, logLevel } = configOrExit(process.env);
  if (webConcurrency > 1 && cluster.isPrimary) {
    superviseWorkers(webConcurrency, pino({ level: logLevel, base: { app: 'caseroom', role: 'primary' } }));
  } else {
    main().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  }
}
