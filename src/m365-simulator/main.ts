/**
 * CLI: `npx tsx src/m365-simulator/main.ts [--data-dir DIR] [--https-port N] [--http-port N]
 *      [--latency-ms N] [--ru-per-minute N] [--fault-rate R] [--seed]`
 * Environment variables with the same meaning: M365_SIM_DATA_DIR, M365_SIM_HTTPS_PORT,
 * M365_SIM_HTTP_PORT, M365_SIM_LATENCY_MS, M365_SIM_RU_PER_MINUTE, M365_SIM_FAULT_RATE.
 * `--seed` creates a demo tenant (app, two staff members, one accepted and one pending guest)
 * when the data directory has none, and prints its ids and secret.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'https-port': { type: 'string' },
      'http-port': { type: 'string' },
      'latency-ms': { type: 'string' },
      'ru-per-minute': { type: 'string' },
      'fault-rate': { type: 'string' },
      seed: { type: 'boolean', default: false },
    },
  });
  const numberOption = (flag: string | undefined, env: string | undefined) => ((flag ?? env) === undefined ? undefined : Number(flag ?? env));
  const simulator = await startSimulator({
    dataDir: path.resolve(values['data-dir'] ?? process.env.M365_SIM_DATA_DIR ?? '.data/m365-simulator'),
    httpsPort: numberOption(values['https-port'], process.env.M365_SIM_HTTPS_PORT) ?? 0,
    httpPort: numberOption(values['http-port'], process.env.M365_SIM_HTTP_PORT) ?? 0,
    latencyMs: numberOption(values['latency-ms'], process.env.M365_SIM_LATENCY_MS),
    resourceUnitsPerMinute: numberOption(values['ru-per-minute'], process.env.M365_SIM_RU_PER_MINUTE),
    faultRate: numberOption(values['fault-rate'], process.env.M365_SIM_FAULT_RATE),
    logger: { info: (message, details) => console.log(message, details ?? ''), warn: (message, details) => console.warn(message, details ?? '') },
  });
  if (values.seed) {
    const state = await simulator.admin.state();
    if (Object.keys(state.tenants).length === 0) {
      // A playground registration, granted explicitly what a generic Graph client would be (apps hold nothing by default).
      const created = await simulator.admin.createTenant({
        domain: 'contoso.onmicrosoft.com',
        displayName: 'Contoso Legal',
        app: {
          graphAppRoles: ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'User.Invite.All', 'User.Read.All', 'Team.Create', 'Team.ReadBasic.All', 'Channel.Create', 'Channel.ReadBasic.All'],
          graphDelegatedScopes: ['Files.ReadWrite.All', 'User.Read'],
        },
      });
      const tenantId = created.tenant.id;
      await simulator.admin.createUser(tenantId, { displayName: 'Megan Bowen', mail: 'megan@contoso.onmicrosoft.com', jobTitle: 'Partner' });
      await simulator.admin.createUser(tenantId, { displayName: 'Lee Gu', mail: 'lee@contoso.onmicrosoft.com', jobTitle: 'Paralegal' });
      await simulator.admin.createUser(tenantId, { displayName: 'Ada Client', mail: 'ada@client.example', userType: 'Guest', externalUserState: 'Accepted' });
      await simulator.admin.createUser(tenantId, { displayName: 'Ben Expert', mail: 'ben@expert.example', userType: 'Guest' });
      console.log('Seeded tenant', { tenantId, clientId: created.app.clientId, clientSecret: created.app.clientSecret, authority: created.authority, graphAppRoles: created.app.graphAppRoles });
    }
  }
  console.log(`Microsoft 365 simulator: HTTPS ${simulator.httpsUrl}  HTTP ${simulator.httpUrl}  CA ${simulator.caCertPath}`);
  const shutdown = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
