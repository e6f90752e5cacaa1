/**
 * Authentication between the simulated Bot Connector and the bot, both ways, as Azure Bot
 * Service does it:
 *
 * - bot → connector: every call carries `Authorization: Bearer` with a client-credentials token
 *   the bot got from Entra (here: the simulator's token endpoint) for its own app id, audience
 *   `https://api.botframework.com`. Anything else is a 401 with the body the Bot Connector answers
 *   (`{"message":"Authorization has been denied for this request."}`, the ASP.NET Web API refusal
 *   the service returns before reaching any conversation code).
 *   https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#bot-to-connector
 * - connector → bot: every activity carries a JWT signed by the Bot Framework's own key (not
 *   Entra's), issuer `https://api.botframework.com`, audience = the bot's app id, a `serviceurl`
 *   claim equal to the activity's serviceUrl, the key published in OpenID metadata with the
 *   channel ids it endorses. botbuilder checks all of that (ToBotFromChannelOpenIdMetadataUrl,
 *   ToBotFromChannelTokenIssuer), so the local bot validates exactly as in production.
 *   https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#connector-to-bot
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import { BOT_FRAMEWORK_RESOURCE, type TokenClaims } from '../identity/tokens';

/** What botbuilder's ToBotFromChannelTokenIssuer is in the public cloud. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** The path (under the connector's base) of its OpenID metadata: botbuilder's ToBotFromChannelOpenIdMetadataUrl. */
export const OPENID_METADATA_PATH = '/v1/.well-known/openidconfiguration';
export const KEYS_PATH = '/v1/.well-known/keys';
/** The channels a key may sign for (botbuilder refuses a token whose key does not endorse the activity's channel). */
const ENDORSEMENTS = ['msteams'];

export interface StoredChannelKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * One key per process unless the snapshot has one: botbuilder caches a metadata URL's keys for
 * hours and looks again at most hourly, so a bot that outlives one simulator (a test starting
 * the next on a port the previous one used) must still find the key it cached.
 */
let processKey: Promise<StoredChannelKey> | null = null;

async function newKey(): Promise<StoredChannelKey> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateJwk: await exportJWK(pair.privateKey), publicJwk: { ...(await exportJWK(pair.publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

export class ChannelAuth {
  private constructor(
    readonly key: StoredChannelKey,
    private readonly privateKey: KeyLike | Uint8Array,
  ) {}

  static async load(stored: StoredChannelKey | undefined): Promise<ChannelAuth> {
    const key = stored ?? (await (processKey ??= newKey()));
    return new ChannelAuth(key, await importJWK(key.privateJwk, 'RS256'));
  }

  metadata(base: string): Record<string, unknown> {
    return {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${base}/v1/auth`,
      jwks_uri: `${base}${KEYS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  }

  keys(): { keys: JWK[] } {
    return { keys: [{ ...this.key.publicJwk, endorsements: ENDORSEMENTS } as JWK] };
  }

  /** The token the connector sends the bot with an activity. */
  tokenForBot(botAppId: string, serviceUrl: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: serviceUrl })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.key.kid })
      .setIssuer(BOT_FRAMEWORK_ISSUER)
      .setAudience(botAppId)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 3600)
      .sign(this.privateKey);
  }
}

export type BotCallerCheck = { ok: true } | { ok: false; reason: string };

/** Whether a verified Entra token is the bot's own client-credentials token for the Bot Connector. */
export function checkBotToken(claims: TokenClaims, botAppId: string): BotCallerCheck {
  if (claims.aud !== BOT_FRAMEWORK_RESOURCE) return { ok: false, reason: `audience ${String(claims.aud)} is not ${BOT_FRAMEWORK_RESOURCE}` };
  const appId = (claims.appid ?? claims.azp ?? '').toLowerCase();
  if (!botAppId || appId !== botAppId.toLowerCase()) return { ok: false, reason: `app ${appId} is not the bot ${botAppId}` };
  if (claims.idtyp !== 'app') return { ok: false, reason: 'a user token cannot call the Bot Connector' };
  return { ok: true };
}
