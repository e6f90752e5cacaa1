/**
 * (d) infra/azure.bicep agrees with the app's configuration (src/config.ts): the Web App sets every
 * TENANT_REQUIRED setting, every app setting is a name the app reads (or an App Service platform
 * setting), outputs named like config keys carry the same value as the app setting, secrets come
 * from Key Vault, the resulting environment passes loadConfig in tenant mode, and App Service
 * starts the compiled build the deploy step made.
 */
import { loadConfig, TENANT_REQUIRED } from '../../src/config';
import { bicepAppSettings, bicepOutputs, bicepParams, configKeys, readJson, readText } from './helpers';

const bicep = readText('infra/azure.bicep');
const settings = bicepAppSettings(bicep);
const outputs = bicepOutputs(bicep);
const keys = new Set(configKeys());
/** App Service platform settings, read by App Service itself rather than by CaseRoom. */
const PLATFORM_SETTINGS = new Set(['WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT']);
const SECRET_SETTINGS = ['M365_CLIENT_SECRET', 'BOT_PASSWORD', 'DATABASE_URL', 'DATABASE_MIGRATION_URL'];

/** A stand-in value for a Bicep expression, shaped like what App Service will hand the process. */
function sampleValue(name: string, expression: string): string {
  const literal = /^'([^'$]*)'$/.exec(expression);
  if (literal) return literal[1];
  const samples: Record<string, string> = {
    PUBLIC_BASE_URL: 'https://caseroom-abc.azurewebsites.net',
    DATABASE_URL: 'postgresql://caseroom_app:pw@caseroom-pg-abc.postgres.database.azure.com:5432/caseroom?sslmode=require',
    DATABASE_MIGRATION_URL: 'postgresql://caseroomadmin:pw@caseroom-pg-abc.postgres.database.azure.com:5432/caseroom?sslmode=require',
    M365_AUTHORITY_HOST: 'https://login.microsoftonline.com',
    GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
    LOG_LEVEL: 'info',
    WEB_CONCURRENCY: '2',
    MAIL_SENDER: 'notices@contoso.com',
    SETUP_ADMIN_UPNS: 'it.admin@contoso.com',
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  };
  return samples[name] ?? `sample-${name.toLowerCase()}`;
}

describe('infra/azure.bicep vs src/config.ts', () => {
  it('parses a non-trivial set of app settings and outputs', () => {
    expect(settings.size).toBeGreaterThanOrEqual(TENANT_REQUIRED.length);
    expect(outputs.length).toBeGreaterThan(5);
  });

  it('sets every TENANT_REQUIRED setting on the Web App', () => {
    expect(TENANT_REQUIRED.filter((name) => !settings.has(name))).toEqual([]);
  });

  it('uses only names the app reads (plus App Service platform settings)', () => {
    expect([...settings.keys()].filter((n) => !keys.has(n) && !PLATFORM_SETTINGS.has(n))).toEqual([]);
  });

  it('runs the app in tenant mode, listening on all interfaces, in production', () => {
    expect(settings.get('M365_MODE')).toBe("'tenant'");
    expect(settings.get('HOST')).toBe("'0.0.0.0'");
    expect(settings.get('NODE_ENV')).toBe("'production'");
    expect(settings.has('PORT')).toBe(false); // App Service injects PORT for Node apps
  });

  it('reads secrets from Key Vault references, never from plain values', () => {
    for (const name of SECRET_SETTINGS) expect(settings.get(name)).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{[A-Za-z]+\.properties\.secretUri\}\)'$/);
  });

  it('outputs named like config keys carry the same expression as the matching app setting', () => {
    const configOutputs = outputs.filter((o) => keys.has(o.name));
    expect(configOutputs.map((o) => o.name)).toEqual(expect.arrayContaining(['PUBLIC_BASE_URL', 'API_AUDIENCE']));
    for (const o of configOutputs) expect([o.name, o.expression]).toEqual([o.name, settings.get(o.name)]);
  });

  it('every other output is read by the lifecycle files, the manifests or the deploy guide', () => {
    const readers = ['teamsapp.yml', 'appPackage/manifest.json', 'aad.manifest.json', 'docs/deploy.md'].map(readText).join('\n');
    const unread = outputs.filter((o) => !keys.has(o.name) && !readers.includes(o.name)).map((o) => o.name);
    expect(unread).toEqual([]);
  });

  it('outputs nothing secret (they are written to the committed env/.env.<env>)', () => {
    const secure = bicepParams(bicep)
      .filter((p) => p.secure)
      .map((p) => p.name);
    for (const o of outputs) {
      for (const s of secure) expect(o.expression).not.toMatch(new RegExp(`\\b${s}\\b`));
      expect(o.expression).not.toMatch(/ConnectionString|secret/i);
    }
  });

  it('the parameters file supplies exactly declared parameters, including every one without a default', () => {
    const params = bicepParams(bicep);
    const supplied = Object.keys(readJson<{ parameters: Record<string, unknown> }>('infra/azure.parameters.json').parameters);
    const declared = new Set(params.map((p) => p.name));
    expect(supplied.filter((n) => !declared.has(n))).toEqual([]);
    expect(params.filter((p) => !p.hasDefault && !supplied.includes(p.name)).map((p) => p.name)).toEqual([]);
  });

  it('the environment the Web App gets passes loadConfig in tenant mode', () => {
    const env: Record<string, string> = {};
    for (const [name, expression] of settings) env[name] = sampleValue(name, expression);
    const config = loadConfig(env);
    expect(config.m365.mode).toBe('tenant');
    expect(config.store).toMatchObject({ kind: 'postgres', migrationUrl: expect.stringMatching(/^postgresql:\/\/caseroomadmin:/) });
    expect(config.host).toBe('0.0.0.0');
    expect(config.webConcurrency).toBe(2);
    expect(config.telemetry.connectionString).toMatch(/^InstrumentationKey=/);
  });

  it('sends telemetry to the Application Insights it creates', () => {
    expect(settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe('appInsights.properties.ConnectionString');
    expect(bicep).toMatch(/WorkspaceResourceId: logAnalytics\.id/);
  });

  it('keeps PostgreSQL private, backed up 35 days, with high availability a parameter (off by default)', () => {
    // No firewall rule at all, so none opening the server to every Azure address (0.0.0.0).
    expect(bicep).not.toMatch(/firewallRules|startIpAddress|AllowAllAzure/i);
    expect(bicep).toMatch(/privateDnsZoneArmResourceId: postgresDnsZone\.id/);
    expect(bicep).toMatch(/backupRetentionDays: postgresBackupRetentionDays/);
    const ha = bicepParams(bicep).find((p) => p.name === 'postgresHighAvailability');
    expect(ha).toMatchObject({ defaultValue: "'Disabled'", allowed: expect.arrayContaining(['Disabled', 'ZoneRedundant']) });
  });

  it('starts what `atk deploy` built: an npm script running the compiled src/server.ts', () => {
    const script = /^param startupCommand string = 'npm run (\S+)'$/m.exec(bicep)?.[1] as string;
    const { scripts } = readJson<{ scripts: Record<string, string> }>('package.json');
    const { outDir, rootDir } = readJson<{ compilerOptions: { outDir: string; rootDir: string } }>('tsconfig.build.json').compilerOptions;
    expect(rootDir).toBe('.');
    expect(scripts[script]).toMatch(new RegExp(`^node( --[\\w-]+=\\w+)* ${outDir}/src/server\\.js$`));
    expect(scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(readText('teamsapp.yml')).toMatch(/^deploy:[\s\S]*args: run build/m);
  });

  it('declares the resources the product needs', () => {
    expect(bicep).toMatch(/linuxFxVersion: 'NODE\|22-lts'/); // Node 20 left support in April 2026
    expect(bicep).toMatch(/msaAppType: 'SingleTenant'/);
    expect(bicep).toMatch(/endpoint: '\$\{publicBaseUrl\}\/api\/messages'/);
    expect(bicep).toMatch(/name: 'MsTeamsChannel'/);
    expect(bicep).toMatch(/enableRbacAuthorization: true/);
    expect(bicep).toMatch(/'Microsoft\.DBforPostgreSQL\/flexibleServers@/);
    // PostgreSQL is private: in a delegated subnet, no firewall rule opening it to Azure's addresses.
    expect(bicep).not.toMatch(/firewallRules@/);
    expect(bicep).toMatch(/delegatedSubnetResourceId: resourceId\('Microsoft\.Network\/virtualNetworks\/subnets', vnet\.name, 'postgres'\)/);
    expect(bicep).toMatch(/serviceName: 'Microsoft\.DBforPostgreSQL\/flexibleServers'/);
    expect(bicep).toMatch(/virtualNetworkSubnetId: resourceId\('Microsoft\.Network\/virtualNetworks\/subnets', vnet\.name, 'app'\)/);
    expect(bicep).toMatch(/vnetRouteAllEnabled: true/);
    expect(bicep).toMatch(/param postgresBackupRetentionDays int = 35/);
    expect(bicep).toMatch(/highAvailability: \{ mode: postgresHighAvailability \}/);
    // The app serves as the least-privilege role; the administrator's URL is the migration one.
    expect(bicep).toMatch(/name: 'database-url'[\s\S]*?postgresql:\/\/\$\{postgresAppLogin\}:/);
    expect(bicep).toMatch(/name: 'database-migration-url'[\s\S]*?postgresql:\/\/\$\{postgresAdminLogin\}:/);
    expect(bicep).toMatch(/'Microsoft\.Insights\/components@/);
    expect(bicep).toMatch(/'Microsoft\.OperationalInsights\/workspaces@/);
    expect(bicep).toMatch(/keyVaultReferenceIdentity: identity\.id/);
    expect(bicep).toMatch(/4633458b-17de-408a-b874-0445c86b69e6/); // Key Vault Secrets User
  });
});
