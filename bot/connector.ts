import { ConfidentialClientApplication } from '@azure/msal-node';
import { type Activity, CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationParameters, type ConversationReference, type TurnContext } from 'botbuilder';
import { AppCredentials, MsalServiceClientCredentialsFactory, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { AppConfig } from '../src/config';
import { msalNetworkClient } from '../src/m365/auth';
import { boundFetch, createDispatcher } from '../src/m365/transport';

/**
 * The bot's outbound side, narrowed to what CaseRoom does in a channel: open a thread, reply in
 * one, update a card in place. Implemented with botbuilder's CloudAdapter (the same calls in
 * production and against the simulator); tests and the delivery code see only this interface.
 */
export interface ChannelTarget {
  serviceUrl: string;
  tenantId: string;
  /** Bot Framework team id (the General channel's thread id) when known. */
  teamThreadId: string | null;
  channelId: string;
}

export interface ThreadTarget {
  serviceUrl: string;
  tenantId: string;
  /** `{channelId};messageid={rootId}` */
  conversationId: string;
}

export type OutgoingActivity = Partial<Activity> & { type: 'message' };

export interface ChannelConnector {
  startThread(target: ChannelTarget, activity: OutgoingActivity): Promise<{ conversationId: string; activityId: string }>;
  reply(target: ThreadTarget, activity: OutgoingActivity): Promise<{ activityId: string }>;
  update(target: ThreadTarget, activityId: string, activity: OutgoingActivity): Promise<void>;
}

/** A failure from the connector, classified once so callers decide on retries without parsing errors. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
  get throttled(): boolean {
    return this.status === 429;
  }
  /** 429, 5xx and network failures may succeed later; 4xx (bad request, not found) will not. */
  get transient(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

function headerOf(err: unknown, name: string): string | null {
  const headers = (err as { response?: { headers?: unknown } }).response?.headers;
  if (!headers) return null;
  const withGet = headers as { get?: (n: string) => string | undefined };
  if (typeof withGet.get === 'function') return withGet.get(name) ?? null;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

export function classifyConnectorError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { statusCode?: unknown; status?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : null;
  const retryAfter = headerOf(err, 'retry-after');
  const seconds = retryAfter === null ? null : Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : Math.max(0, (Date.parse(retryAfter) - Date.now()) / 1000);
  return new ConnectorError(typeof e.message === 'string' ? e.message : String(err), status, seconds);
}

/** A Teams channel thread's conversation id: the channel id and the thread's root message id. */
export const threadConversationId = (channelId: string, rootId: string): string => `${channelId};messageid=${rootId}`;

/** Teams thread conversation ids end in `;messageid={rootId}`; the create call's activity id is that root. */
export const rootIdOf = (conversationId: string): string | null => /;messageid=([^;]+)/.exec(conversationId)?.[1] ?? null;

const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/**
 * Longest one connector call may take, its client's own retries included. The connector answers
 * in well under a second; without a bound, a request to a peer that accepted the connection and
 * died (or a half-open connection) hangs the delivery job for minutes, holding its outbox lease.
 */
export const CONNECTOR_TIMEOUT_MS = 20_000;

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/**
 * Gives every operation of a botbuilder ConnectorClient an abort signal that fires at the
 * deadline (the socket is destroyed, the call fails with AbortError). The signal covers the
 * client's own retries too. Aborting, not merely giving up waiting, matters: a request left
 * running could still post the card after the outbox has retried it. (The client's
 * `requestPolicyFactories` option cannot carry this: botbuilder's connector factory replaces it.)
 */
export function withDeadline(client: ConnectorClient, timeoutMs: number): ConnectorClient {
  const send = client.sendOperationRequest.bind(client);
  client.sendOperationRequest = ((args: Parameters<typeof send>[0], spec: Parameters<typeof send>[1], callback?: Parameters<typeof send>[2]) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const own = args.options?.abortSignal as AbortSignal | undefined;
    return send({ ...args, options: { ...args.options, abortSignal: own ? AbortSignal.any([own, deadline]) : deadline } }, spec, callback);
  }) as typeof client.sendOperationRequest;
  return client;
}

/** The adapter's authentication, handing out connector clients whose calls are bounded in time. */
class BoundedAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    settings: ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0],
    credentialsFactory: ServiceClientCredentialsFactory | undefined,
    private readonly timeoutMs: number,
  ) {
    super(settings, credentialsFactory);
  }
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const inner = super.createConnectorFactory(claimsIdentity);
    const timeoutMs = this.timeoutMs;
    return { create: async (serviceUrl: string, audience?: string) => withDeadline(await inner.create(serviceUrl, audience), timeoutMs) };
  }
}

/**
 * Locally, botbuilder's own authentication pointed at the simulator: the bot gets its Bot
 * Framework token from the simulated tenant's authority and checks the connector's tokens against
 * the connector's OpenID metadata. MSAL is handed in (botbuilder's Msal factory) only so that its
 * calls trust the simulator's CA, as the Graph client's do.
 */
function simulatorAuthentication(config: AppConfig, endpoints: NonNullable<AppConfig['bot']['endpoints']>, timeoutMs: number): BoundedAuthentication {
  const { appId, password } = config.bot;
  const authority = new URL(endpoints.loginUrl);
  const msal = new ConfidentialClientApplication({
    auth: { clientId: appId, clientSecret: password, authority: endpoints.loginUrl, knownAuthorities: [authority.host] },
    system: { networkClient: msalNetworkClient(boundFetch(createDispatcher(config.m365.caCertFile))) },
  });
  const settings = {
    MicrosoftAppId: appId,
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: config.identity.tenantId,
    ToChannelFromBotLoginUrl: endpoints.loginUrl,
    ToChannelFromBotOAuthScope: BOT_FRAMEWORK_AUDIENCE,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_AUDIENCE,
    ToBotFromChannelOpenIdMetadataUrl: endpoints.openIdMetadataUrl,
    ValidateAuthority: false,
  };
  // botframework-connector bundles MSAL 2; ours is newer with the same acquireTokenByClientCredential, the only call it makes.
  const clientApplication = msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];
  return new BoundedAuthentication(settings, new FreshFirstTokenFactory(appId, clientApplication), timeoutMs);
}

/**
 * botbuilder caches Bot Framework tokens process-wide by app id. A local simulator can be
 * replaced (tests start several in one process; a new DATA_DIR means a new signing key) and its
 * connector refuses a token an earlier one issued, so this adapter's first token is fetched anew;
 * botbuilder's cache serves the rest.
 */
class FreshFirstTokenFactory extends MsalServiceClientCredentialsFactory {
  private refreshed = false;
  override async createCredentials(...args: Parameters<MsalServiceClientCredentialsFactory['createCredentials']>): ReturnType<MsalServiceClientCredentialsFactory['createCredentials']> {
    const credentials = await super.createCredentials(...args);
    if (credentials instanceof AppCredentials) {
      const getToken = credentials.getToken.bind(credentials);
      credentials.getToken = async (forceRefresh?: boolean) => {
        const token = await getToken(forceRefresh === true || !this.refreshed);
        this.refreshed = true;
        return token;
      };
    }
    return credentials;
  }
}

/**
 * How botbuilder signs in as the bot in a tenant: the Azure Bot is SingleTenant (infra/azure.bicep),
 * so tokens come from the firm's tenant, the one CaseRoom's own app lives in.
 */
export function tenantBotSettings(config: AppConfig): { MicrosoftAppId: string; MicrosoftAppPassword: string; MicrosoftAppType: 'SingleTenant'; MicrosoftAppTenantId: string } {
  return { MicrosoftAppId: config.bot.appId, MicrosoftAppPassword: config.bot.password, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: config.identity.tenantId };
}

export function createAdapter(config: AppConfig, options: { timeoutMs?: number } = {}): CloudAdapter {
  const timeoutMs = options.timeoutMs ?? CONNECTOR_TIMEOUT_MS;
  const { appId, endpoints } = config.bot;
  if (endpoints) return new CloudAdapter(simulatorAuthentication(config, endpoints, timeoutMs));
  // Local with BOT_AUTH=off (Agents Playground): no app id, so botbuilder neither checks nor sends tokens.
  if (!appId) return new CloudAdapter(new BoundedAuthentication({}, undefined, timeoutMs));
  // A tenant: Azure Bot Service's public-cloud endpoints, botbuilder's defaults.
  return new CloudAdapter(new BoundedAuthentication(tenantBotSettings(config), undefined, timeoutMs));
}

export function botbuilderConnector(adapter: CloudAdapter, appId: string): ChannelConnector {
  const reference = (t: ThreadTarget): Partial<ConversationReference> => ({
    channelId: 'msteams',
    serviceUrl: t.serviceUrl,
    conversation: { id: t.conversationId, isGroup: true, conversationType: 'channel', tenantId: t.tenantId, name: '' },
  });
  const inThread = async <T>(t: ThreadTarget, work: (context: TurnContext) => Promise<T>): Promise<T> => {
    let result: T | undefined;
    await adapter.continueConversationAsync(appId, reference(t), async (context) => {
      result = await work(context);
    });
    return result as T;
  };
  const wrap = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw classifyConnectorError(err);
    }
  };
  return {
    startThread: (target, activity) =>
      wrap(async () => {
        const parameters: ConversationParameters = {
          isGroup: true,
          channelData: { channel: { id: target.channelId }, tenant: { id: target.tenantId }, ...(target.teamThreadId ? { team: { id: target.teamThreadId } } : {}) },
          activity: activity as Activity,
          tenantId: target.tenantId,
          bot: { id: appId, name: 'CaseRoom' },
          members: [],
        };
        let conversationId = '';
        await adapter.createConversationAsync(appId, 'msteams', target.serviceUrl, BOT_FRAMEWORK_AUDIENCE, parameters, async (context) => {
          conversationId = context.activity.conversation.id;
        });
        const activityId = rootIdOf(conversationId);
        if (!activityId) throw new ConnectorError(`the connector answered with a conversation id without a message id: ${conversationId}`, null, null);
        return { conversationId, activityId };
      }),
    reply: (target, activity) =>
      wrap(() =>
        inThread(target, async (context) => {
          const sent = await context.sendActivity(activity);
          if (!sent?.id) throw new ConnectorError('the connector did not return an activity id', null, null);
          return { activityId: sent.id };
        }),
      ),
    update: (target, activityId, activity) =>
      wrap(() =>
        inThread(target, async (context) => {
          await context.updateActivity({ ...activity, id: activityId, conversation: { id: target.conversationId, isGroup: true, conversationType: 'channel', name: '' } });
        }),
      ),
  };
}
