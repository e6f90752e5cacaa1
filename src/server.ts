import './start-telemetry'; // first: see the file
import { botPart } from './parts/bot';
import { startCaseRoom } from './app';
import { ConfigError, loadConfig } from './config';
import { tabPart } from './parts/tab';
import { microsoft365Part } from './parts/m365';
import { startTelemetry, stopTelemetry } from './telemetry';

/**
 * Production entry: config from the environment, parts in dependency order, clean shutdown on signals.
 * `partsAfter`: see ComposeOptions (npm start's simulator, still starting).
 */
export async function main(env: NodeJS.ProcessEnv = process.env, alsoStop: () => Promise<void> = async () => undefined, partsAfter?: Promise<unknown>) {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
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
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
