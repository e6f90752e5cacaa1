/**
 * `npm start`: CaseRoom with its embedded defaults. Unless M365_MODE=tenant (or production), it
 * first starts the local Microsoft 365 simulator on its own loopback ports, gives it the demo
 * firm's tenant, app registration and people, and points the app at it; then it starts the app
 * through the same entry point production uses (src/server.ts) and, as the firm's Teams admin
 * would, installs CaseRoom in the demo Cases team.
 */
import path from 'node:path';
import { main } from '../src/server';
import { storeConfigOf } from '../src/config';
import { type RunningSimulator, startSimulator } from '../src/m365-simulator';
import { seedFromTemplate } from '../src/store/pglite-template';
import { demoCasesTeam, registerCaseRoomApp, seedDemoTenant } from './local-tenant';

async function startLocalMicrosoft365(appBaseUrl: string, dataDir: string): Promise<RunningSimulator> {
  const simulator = await startSimulator({
    dataDir: path.join(dataDir, 'm365-simulator'),
    httpsPort: Number(process.env.SIMULATOR_HTTPS_PORT ?? 4443),
    httpPort: Number(process.env.SIMULATOR_HTTP_PORT ?? 4080),
    latencyMs: process.env.SIMULATOR_LATENCY_MS ? Number(process.env.SIMULATOR_LATENCY_MS) : undefined,
  });
  // Both loopback spellings: a browser may open the app as localhost or 127.0.0.1.
  await seedDemoTenant(simulator, [appBaseUrl, appBaseUrl.replace('//127.0.0.1:', '//localhost:')]);
  await registerCaseRoomApp(simulator, `${appBaseUrl}/api/messages`);
  return simulator;
}

/**
 * The admin's install, tried a few times: opening the store blocks the event loop for seconds on a
 * first start, so a pooled connection to the simulator may have been closed unnoticed (ECONNRESET).
 * Running it again is safe: it finds the team and installation it already made.
 */
async function installDemoCasesTeam(sim: RunningSimulator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await demoCasesTeam(sim);
      return;
    } catch (err) {
      if (attempt >= 3) {
        console.error("Installing CaseRoom in the demo Cases team failed (install it from the simulator's /channels page):", err);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function run() {
  const env = { ...process.env };
  const tenantMode = env.M365_MODE === 'tenant' || (env.NODE_ENV === 'production' && env.M365_MODE !== 'simulator');
  let simulator: RunningSimulator | null = null;
  if (!tenantMode && !env.SIMULATOR_URL) {
    const host = env.HOST ?? '127.0.0.1';
    const appBaseUrl = env.PUBLIC_BASE_URL ?? `http://${host}:${env.PORT ?? 3978}`;
    const store = storeConfigOf(env);
    // A first start copies the PGlite template into DATA_DIR (the thread pool's work) while the
    // simulator makes its keys and the demo tenant; the app then opens a store that is there. Any
    // trouble with the template is left for the app's own open, which reports it.
    const [started] = await Promise.all([startLocalMicrosoft365(appBaseUrl, path.resolve(env.DATA_DIR ?? '.data')), store.kind === 'pglite' ? seedFromTemplate(store.dataDir).catch(() => false) : false]);
    simulator = started;
    env.SIMULATOR_URL = simulator.httpsUrl;
    env.SIMULATOR_SIGN_IN_URL = simulator.httpUrl;
    env.M365_CA_CERT_FILE = simulator.caCertPath;
    env.M365_MODE = 'simulator';
  }
  const app = await main(env, async () => simulator?.close());
  if (simulator) {
    const sim = simulator;
    // Now that the bot answers, the demo firm's admin adds CaseRoom to its Cases team (in Teams:
    // Apps → CaseRoom → Add to a team); CaseRoom adopts the team and sets up the demo cases there.
    await installDemoCasesTeam(sim);
    console.log(
      [
        '',
        `CaseRoom is running at ${app.url}`,
        `  Staff case tab   ${app.url}/tab/case      Firm pages  ${app.url}/tab/firm`,
        `  Guest portal     ${app.url}/tab/portal`,
        `  Health           ${app.url}/healthz`,
        `Local Microsoft 365 simulator: ${sim.httpUrl} (sign-in page lists the demo staff and guests; channel pages show the bot's posts)`,
        '',
      ].join('\n'),
    );
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
