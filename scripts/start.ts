/**
 * `npm start`: CaseRoom with its embedded defaults. Unless M365_MODE=tenant (or production), it
 * first starts the local Microsoft 365 simulator on its own loopback ports, gives it the demo
 * firm's tenant, app registration and people, and points the app at it; then it starts the app
 * through the same entry point production uses (src/server.ts) and, as the firm's Teams admin
 * would, installs CaseRoom in the demo Cases team.
 */
import path from 'node:path';
import { main } from '../src/server';
import { type RunningSimulator, startSimulator } from '../src/m365-simulator';
import { demoCasesTeam, registerCaseRoomApp, seedDemoTenant } from './local-tenant';

interface LocalSimulatorPlace {
  dataDir: string;
  httpsPort: number;
  httpPort: number;
}

/** What the app is told about the simulator: known before it starts when its ports are given (not 0). */
function simulatorSettings(place: LocalSimulatorPlace): { SIMULATOR_URL: string; SIMULATOR_SIGN_IN_URL: string; M365_CA_CERT_FILE: string } | null {
  if (!place.httpsPort || !place.httpPort) return null;
  // startSimulator's defaults: loopback, and its CA in <dataDir>/tls (checked against the running simulator below).
  return { SIMULATOR_URL: `https://127.0.0.1:${place.httpsPort}`, SIMULATOR_SIGN_IN_URL: `http://127.0.0.1:${place.httpPort}`, M365_CA_CERT_FILE: path.join(place.dataDir, 'tls', 'ca.crt') };
}

const settingsOf = (sim: RunningSimulator) => ({ SIMULATOR_URL: sim.httpsUrl, SIMULATOR_SIGN_IN_URL: sim.httpUrl, M365_CA_CERT_FILE: sim.caCertPath });

async function startLocalMicrosoft365(appBaseUrl: string, place: LocalSimulatorPlace): Promise<RunningSimulator> {
  const simulator = await startSimulator({
    ...place,
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
  let starting: Promise<RunningSimulator> | null = null;
  let simulatorStarted: Promise<unknown> | undefined;
  if (!tenantMode && !env.SIMULATOR_URL) {
    const host = env.HOST ?? '127.0.0.1';
    const appBaseUrl = env.PUBLIC_BASE_URL ?? `http://${host}:${env.PORT ?? 3978}`;
    const place = { dataDir: path.join(path.resolve(env.DATA_DIR ?? '.data'), 'm365-simulator'), httpsPort: Number(env.SIMULATOR_HTTPS_PORT ?? 4443), httpPort: Number(env.SIMULATOR_HTTP_PORT ?? 4080) };
    starting = startLocalMicrosoft365(appBaseUrl, place).then((sim) => (simulator = sim));
    const known = simulatorSettings(place);
    env.M365_MODE = 'simulator';
    if (known) {
      // The app opens, migrates and seeds its store (a first start: seconds) while the simulator
      // makes its keys and the demo tenant; its parts, which call the simulator, wait for it.
      Object.assign(env, known);
      simulatorStarted = starting.then((sim) => {
        if (JSON.stringify(settingsOf(sim)) !== JSON.stringify(known)) throw new Error(`the simulator started at ${JSON.stringify(settingsOf(sim))}, not ${JSON.stringify(known)}`);
      });
      // Awaited by the app before its parts; a failure before then is reported there, not as unhandled.
      simulatorStarted.catch(() => undefined);
    } else {
      Object.assign(env, settingsOf(await starting));
    }
  }
  const app = await main(env, async () => simulator?.close(), simulatorStarted);
  const sim = await starting;
  if (sim) {
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
