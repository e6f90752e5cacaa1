import path from 'node:path';
import { z } from 'zod';
import type { StoreConfig } from './store/db';
import { type M365Settings, m365SettingsOf, m365SettingsSchema } from './m365/settings';
import type { TelemetrySettings } from './telemetry';

// ------------------------------------------------------------------ telemetry (Application Insights)

/**
 * Application Insights' connection string (`InstrumentationKey=…;IngestionEndpoint=…`): set, the
 * server sends requests, Graph and PostgreSQL dependencies and sharing events (src/telemetry.ts).
 * Empty or unset: telemetry is off. A value without an instrumentation key stops the start-up.
 */
const connectionStringSchema = z
  .string()
  .trim()
  .refine((value) => value === '' || /(^|;)\s*InstrumentationKey=[^;]+/i.test(value), 'must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)')
  .optional();

/** The telemetry settings alone: src/server.ts starts telemetry with them before it loads the rest of the server. */
export function telemetrySettingsOf(source: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const parsed = connectionStringSchema.safeParse(source.APPLICATIONINSIGHTS_CONNECTION_STRING);
  // An invalid value is reported by loadConfig, which names it with every other problem.
  return { connectionString: parsed.success && parsed.data ? parsed.data : null };
}

// ------------------------------------------------------------------

/**
 * Every setting the server reads, parsed once at start-up. Names match the Bicep outputs
 * in infra/azure.bicep and the placeholders in env/, so one list rules all three.
 *
 * Two modes: `simulator` (local, the default outside production) derives every Microsoft 365
 * endpoint from SIMULATOR_URL; `tenant` talks to a real tenant and then every setting in
 * TENANT_REQUIRED must be present, or the process stops naming the missing ones.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  /**
   * Processes serving requests (node:cluster workers sharing the port): one Node process uses one
   * core. Above 1 it needs DATABASE_URL, since an embedded PGlite store belongs to one process.
   */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  DATABASE_URL: z.string().url().optional(),
  /**
   * The schema owner's connection, used only at start-up to migrate and to grant the serving role
   * (DATABASE_URL's user) row access; requests never run as the owner. Unset: DATABASE_URL does both.
   */
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  M365_MODE: z.enum(['simulator', 'tenant']).optional(),
  SIMULATOR_URL: z.string().url().optional(),
  /** The simulator's plain-HTTP base, for people's browsers (its HTTPS certificate is self-signed). */
  SIMULATOR_SIGN_IN_URL: z.string().url().optional(),
  /** PEM file of an extra CA to trust for Microsoft 365 endpoints: the simulator's, locally. */
  M365_CA_CERT_FILE: z.string().optional(),
  M365_TENANT_ID: z.string().min(1).optional(),
  M365_CLIENT_ID: z.string().min(1).optional(),
  M365_CLIENT_SECRET: z.string().min(1).optional(),
  /**
   * The browser's own Entra registration (a public client, `spa` redirect URIs, aad.browser.manifest.json):
   * the tab signs in outside Teams with it, code + PKCE, for CaseRoom's API scope only. It holds no
   * Graph permission, so no browser ever gets a Graph token issued to M365_CLIENT_ID.
   */
  M365_BROWSER_CLIENT_ID: z.string().min(1).optional(),
  M365_AUTHORITY_HOST: z.string().url().default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/v1.0'),
  API_AUDIENCE: z.string().min(1).optional(),
  BOT_ID: z.string().min(1).optional(),
  /** The Teams app's catalog id (manifest `id`): activity-feed deep links open it, pinned case tabs bind to it. */
  TEAMS_APP_ID: z.string().min(1).optional(),
  BOT_PASSWORD: z.string().min(1).optional(),
  /**
   * Local only: `off` runs the bot without Bot Framework authentication, for Microsoft 365 Agents
   * Playground (`npm run playground`), which sends unsigned activities as the Bot Framework Emulator
   * does. The simulator's connector always authenticates.
   */
  BOT_AUTH: z.enum(['on', 'off']).optional(),
  APPLICATIONINSIGHTS_CONNECTION_STRING: connectionStringSchema,
  /**
   * The mailbox guests' e-mail digests are sent from (a user or shared mailbox of the tenant):
   * written at start-up into every firm that has none (the firm setting, PUT /api/firm/mail,
   * wins). Empty: only the firm setting. CaseRoom's Mail.Send should be restricted to this one
   * mailbox (docs/deploy.md).
   */
  MAIL_SENDER: z.union([z.literal(''), z.string().trim().email()]).optional(),
  SEED_DEMO_DATA: z.enum(['true', 'false']).optional(),
  /**
   * Sign-in names (UPNs), comma-separated, who may run CaseRoom's first-run set-up besides holders
   * of an Entra admin role (src/domain/setup.ts): for a firm whose IT admin is not a Global or
   * Teams Administrator. They can reopen set-up later too.
   */
  SETUP_ADMIN_UPNS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const upns = (value ?? '')
        .split(',')
        .map((upn) => upn.trim().toLowerCase())
        .filter(Boolean);
      const bad = upns.filter((upn) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(upn));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `not sign-in names (user@domain): ${bad.join(', ')}` });
      return [...new Set(upns)];
    }),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
  /**
   * How long a claimed outbox job stays another instance's before it is handed out again. It
   * must outlast the slowest job (a lease that runs out mid-job lets a second worker start it):
   * the worker cuts a job at three quarters of it and retries it later. It is also how long a
   * crashed PostgreSQL instance's jobs wait.
   */
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(1).default(120),
  /** Per signed-in person: API requests a minute on average, and how many may come at once. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(600),
  /** The Graph gateway's M365_* settings (src/m365/settings.ts), parsed with the rest so a bad one is named like any other. */
  ...m365SettingsSchema.shape,
});

/** Settings a real tenant cannot run without; the Bicep template outputs each of them. */
export const TENANT_REQUIRED = ['PUBLIC_BASE_URL', 'M365_TENANT_ID', 'M365_CLIENT_ID', 'M365_CLIENT_SECRET', 'M365_BROWSER_CLIENT_ID', 'API_AUDIENCE', 'BOT_ID', 'BOT_PASSWORD', 'TEAMS_APP_ID', 'DATABASE_URL'] as const;

// Declared by the store (it may import nothing above the domain); settings are parsed here.
export type { StoreConfig } from './store/db';

export interface IdentityConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com/{tenant} */
  authority: string;
  /** Where a browser signs in; the authority itself except for the local simulator's plain-HTTP page. */
  signInAuthority: string;
  /** The browser's public-client registration (M365_BROWSER_CLIENT_ID), distinct from `clientId`, which holds the Graph permissions. */
  browserClientId: string;
  issuer: string;
  jwksUri: string;
  /**
   * Audiences the API accepts on bearer tokens: its own API only (the app id URI, v1 tokens, and
   * the bare client id, v2 tokens). Never the browser's client id (its ID tokens) nor Graph.
   */
  audiences: string[];
}

/**
 * The bot's identity and where the Bot Framework's endpoints are. In a tenant these are Azure
 * Bot Service's public-cloud defaults (botbuilder's own), so only the app id and password are
 * set; locally every endpoint is the simulator's, reached through exactly the same botbuilder code.
 */
export interface BotConfig {
  appId: string;
  password: string;
  /** Local only: the simulator's endpoints for botbuilder's ConfigurationBotFrameworkAuthentication. */
  endpoints?: {
    /** Entra authority the bot gets its Bot Framework token from (ToChannelFromBotLoginUrl). */
    loginUrl: string;
    /** OpenID metadata of the key the connector signs activities with (ToBotFromChannelOpenIdMetadataUrl). */
    openIdMetadataUrl: string;
  };
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  publicBaseUrl: string;
  logLevel: string;
  /** Processes serving requests (src/server.ts forks them); 1 without PostgreSQL. */
  webConcurrency: number;
  dataDir: string;
  store: StoreConfig;
  m365: {
    mode: 'simulator' | 'tenant';
    simulatorUrl?: string;
    graphBaseUrl: string;
    caCertFile?: string;
    settings: M365Settings;
    /** Where SharePoint's document previews (POST …/preview getUrl) come from: the tab's CSP frame-src. */
    previewFrameOrigins: string[];
  };
  identity: IdentityConfig;
  bot: BotConfig;
  /** The Teams app id (manifest `id`); empty in a tenant until TEAMS_APP_ID is set. */
  teamsAppId: string;
  seedDemoData: boolean;
  /** First-run set-up: UPNs (lower-case) who may run it besides Entra admin role holders. */
  setup: { adminUpns: string[] };
  /** Guests' digests: the sending mailbox given to firms that have none, or null. */
  mail: { sender: string | null };
  outboxPollMs: number;
  outboxLeaseSeconds: number;
  apiRateLimit: { perMinute: number; burst: number };
  /** Application Insights: on when a connection string is set. */
  telemetry: TelemetrySettings;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`CaseRoom cannot start: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Local identities used with the simulator; a real tenant never sees these values. */
export const SIMULATOR_TENANT_ID = '8f0c7a52-5c1e-4b7e-9d3a-3c9a2f1e7b10';
export const SIMULATOR_CLIENT_ID = 'c45e0f1a-7a0e-4d2b-9a57-1f3c5b7d9e21';
export const SIMULATOR_CLIENT_SECRET = 'local-simulator-secret';
/** The browser's public client in the simulated tenant (aad.browser.manifest.json's registration). */
export const SIMULATOR_BROWSER_CLIENT_ID = '0b9d4e7c-2f6a-4c1d-8e3b-5a7f9c1d3e52';
/** The local package's Teams app id and bot (env/.env.local): what the demo publishes in the simulator. */
export const SIMULATOR_TEAMS_APP_ID = '3a7c9e12-5b4d-4f6e-8a1c-0d2e4f6a8b10';
/** The bot's own Entra app in the simulated tenant (its Microsoft App ID, the manifest's `bots[0].botId`). */
export const SIMULATOR_BOT_ID = '6d1f3a2b-9c4e-4f7a-8b1d-2e5c7a9f0b34';
export const SIMULATOR_BOT_SECRET = 'local-simulator-bot-secret';

function botConfig(env: z.infer<typeof envSchema>, mode: 'simulator' | 'tenant', identity: IdentityConfig): BotConfig {
  if (mode === 'tenant') return { appId: env.BOT_ID ?? '', password: env.BOT_PASSWORD ?? '' };
  if (env.BOT_AUTH === 'off') return { appId: '', password: '' };
  // Locally the bot has its own app registration in the simulated tenant, as Azure Bot Service gives it one.
  // botbuilder reads the connector's OpenID metadata with its own HTTP client, which does not trust the
  // simulator's CA: use its plain-HTTP address (SIMULATOR_SIGN_IN_URL, which npm start and the harnesses set).
  const plainHttp = (env.SIMULATOR_SIGN_IN_URL ?? (env.SIMULATOR_URL as string)).replace(/\/$/, '');
  return {
    appId: env.BOT_ID ?? SIMULATOR_BOT_ID,
    password: env.BOT_PASSWORD ?? SIMULATOR_BOT_SECRET,
    endpoints: { loginUrl: identity.authority, openIdMetadataUrl: `${plainHttp}/botconnector/v1/.well-known/openidconfiguration` },
  };
}

/**
 * WEB_CONCURRENCY as loadConfig reads it, for what runs before the settings are loaded
 * (src/start-telemetry.ts); a value loadConfig would refuse counts as 1 here, and start-up then stops on it.
 */
export function webConcurrencyOf(source: NodeJS.ProcessEnv = process.env): number {
  const parsed = envSchema.shape.WEB_CONCURRENCY.safeParse(source.WEB_CONCURRENCY);
  return parsed.success ? parsed.data : 1;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const env = parsed.data;
  const mode = env.M365_MODE ?? (env.NODE_ENV === 'production' ? 'tenant' : 'simulator');

  if (mode === 'tenant') {
    const missing = TENANT_REQUIRED.filter((name) => !env[name]);
    if (missing.length > 0) throw new ConfigError([`missing required settings for a tenant: ${missing.join(', ')}`]);
  } else if (!env.SIMULATOR_URL) {
    throw new ConfigError(['SIMULATOR_URL is required when M365_MODE=simulator (npm start sets it)']);
  }

  if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) {
    throw new ConfigError([`WEB_CONCURRENCY=${env.WEB_CONCURRENCY} needs DATABASE_URL: the embedded PGlite store serves one process (set WEB_CONCURRENCY=1 or use PostgreSQL)`]);
  }

  const publicBaseUrl = env.PUBLIC_BASE_URL ?? `http://${env.HOST}:${env.PORT}`;
  const store: StoreConfig = env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, ...(env.DATABASE_MIGRATION_URL ? { migrationUrl: env.DATABASE_MIGRATION_URL } : {}) }
    : { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR, 'pglite') };

  let identity: IdentityConfig;
  let graphBaseUrl: string;
  if (mode === 'tenant') {
    const tenantId = env.M365_TENANT_ID as string;
    const clientId = env.M365_CLIENT_ID as string;
    const authority = `${env.M365_AUTHORITY_HOST.replace(/\/$/, '')}/${tenantId}`;
    identity = {
      tenantId,
      clientId,
      clientSecret: env.M365_CLIENT_SECRET as string,
      authority,
      signInAuthority: authority,
      browserClientId: env.M365_BROWSER_CLIENT_ID as string,
      issuer: `${authority}/v2.0`,
      jwksUri: `${authority}/discovery/v2.0/keys`,
      audiences: [env.API_AUDIENCE as string, clientId],
    };
    graphBaseUrl = env.GRAPH_BASE_URL;
  } else {
    const sim = (env.SIMULATOR_URL as string).replace(/\/$/, '');
    const tenantId = env.M365_TENANT_ID ?? SIMULATOR_TENANT_ID;
    const clientId = env.M365_CLIENT_ID ?? SIMULATOR_CLIENT_ID;
    const authority = `${sim}/${tenantId}`;
    identity = {
      tenantId,
      clientId,
      clientSecret: env.M365_CLIENT_SECRET ?? SIMULATOR_CLIENT_SECRET,
      authority,
      signInAuthority: `${(env.SIMULATOR_SIGN_IN_URL ?? sim).replace(/\/$/, '')}/${tenantId}`,
      browserClientId: env.M365_BROWSER_CLIENT_ID ?? SIMULATOR_BROWSER_CLIENT_ID,
      issuer: `${authority}/v2.0`,
      jwksUri: `${authority}/discovery/v2.0/keys`,
      audiences: [env.API_AUDIENCE ?? `api://localhost/${clientId}`, clientId],
    };
    graphBaseUrl = `${sim}/v1.0`;
  }

  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicBaseUrl,
    logLevel: env.LOG_LEVEL,
    webConcurrency: env.WEB_CONCURRENCY,
    dataDir: path.resolve(env.DATA_DIR),
    store,
    m365: { mode, simulatorUrl: env.SIMULATOR_URL, graphBaseUrl, caCertFile: env.M365_CA_CERT_FILE, settings: m365SettingsOf(env), previewFrameOrigins: previewFrameOriginsOf(env, mode) },
    identity,
    bot: botConfig(env, mode, identity),
    teamsAppId: env.TEAMS_APP_ID ?? (mode === 'simulator' ? SIMULATOR_TEAMS_APP_ID : ''),
    seedDemoData: env.SEED_DEMO_DATA ? env.SEED_DEMO_DATA === 'true' : mode === 'simulator',
    setup: { adminUpns: env.SETUP_ADMIN_UPNS },
    mail: { sender: env.MAIL_SENDER ? env.MAIL_SENDER.toLowerCase() : null },
    outboxPollMs: env.OUTBOX_POLL_MS,
    outboxLeaseSeconds: env.OUTBOX_LEASE_SECONDS,
    apiRateLimit: { perMinute: env.API_RATE_LIMIT_PER_MINUTE, burst: env.API_RATE_LIMIT_BURST },
    telemetry: { connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING || null },
  };
}

/**
 * A tenant's previews are pages of its SharePoint host (`https://{tenant}.sharepoint.com`; the
 * wildcard also covers `-my` hosts). The simulator serves them on its plain-HTTP origin, the one
 * the browser signs in on, because browsers do not trust its CA inside a frame.
 */
function previewFrameOriginsOf(env: z.infer<typeof envSchema>, mode: 'simulator' | 'tenant'): string[] {
  if (mode === 'tenant') return ['https://*.sharepoint.com'];
  return [new URL(env.SIMULATOR_SIGN_IN_URL ?? (env.SIMULATOR_URL as string)).origin];
}
