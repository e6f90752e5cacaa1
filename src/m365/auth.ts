import { ConfidentialClientApplication, type INetworkModule, LogLevel, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { Logger } from 'pino';
import type { IdentityConfig } from '../config';
import { DomainError } from '../domain/errors';
import type { M365Fetch } from './transport';

/** Graph's resource, whatever host serves it: the simulator accepts the same audience. */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * MSAL's network calls through our fetch, so the simulator's CA is trusted for discovery and
 * token requests exactly as it is for Graph (MSAL's own client uses Node's https without it).
 */
export function msalNetworkClient(fetchImpl: M365Fetch): INetworkModule {
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> => {
    const response = await fetchImpl(url, {
      method,
      headers: options?.headers,
      body: method === 'POST' ? options?.body : undefined,
      signal: AbortSignal.timeout(timeoutMs ?? 30_000),
    });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    // MSAL parses the body itself from this object; a non-JSON body (an HTML error page) becomes {} and MSAL reports the status.
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    return { headers, body: body as T, status: response.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

export interface TokenSource {
  /** App-only token (client credentials). */
  appToken(): Promise<string>;
  /** Delegated token for the user whose API bearer token is `assertion` (on-behalf-of). */
  userToken(assertion: string): Promise<string>;
}

export function createTokenSource(identity: IdentityConfig, fetchImpl: M365Fetch, logger: Logger, options: { simulator: boolean }): TokenSource {
  const authorityHost = new URL(identity.authority).host;
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: identity.clientId,
      clientSecret: identity.clientSecret,
      authority: identity.authority,
      // A host MSAL does not know would trigger instance discovery at login.microsoftonline.com;
      // listing it as known makes MSAL read the authority's own OpenID metadata instead.
      ...(options.simulator ? { knownAuthorities: [authorityHost] } : {}),
    },
    system: {
      networkClient: msalNetworkClient(fetchImpl),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level <= LogLevel.Warning) logger.warn({ msal: message }, 'msal');
        },
      },
    },
  });
  const scopes = [GRAPH_DEFAULT_SCOPE];
  const failed = (what: string, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // invalid_grant on OBO means the caller's token is unusable for Graph (expired, wrong audience).
    if (/invalid_grant|AADSTS50013|AADSTS500133/.test(message)) return new DomainError('unauthenticated', `${what}: your sign-in cannot be used for SharePoint; sign in again`);
    return new DomainError('unavailable', `${what}: the identity service did not answer (${message.slice(0, 200)})`);
  };
  return {
    async appToken() {
      try {
        const result = await cca.acquireTokenByClientCredential({ scopes });
        if (!result?.accessToken) throw new Error('no access token in the response');
        return result.accessToken;
      } catch (err) {
        throw failed('app token', err);
      }
    },
    async userToken(assertion: string) {
      try {
        // MSAL caches OBO results keyed by the assertion, so repeated calls in one request are free.
        const result = await cca.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes });
        if (!result?.accessToken) throw new Error('no access token in the response');
        return result.accessToken;
      } catch (err) {
        throw failed('delegated token', err);
      }
    },
  };
}
