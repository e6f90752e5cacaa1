/**
 * The bot is one identity in three places, and they must agree or Teams cannot reach it:
 * teamsapp.yml makes its Entra app (single-tenant, with a service principal), infra/azure.bicep
 * registers the Azure Bot as SingleTenant in that tenant, and the app signs in with the same app
 * id and tenant. A single-tenant bot whose app lacks a service principal gets AADSTS7000229.
 * https://learn.microsoft.com/microsoftteams/platform/teams-sdk/teams/app-authentication/troubleshooting
 */
import { tenantBotSettings } from '../../bot/connector';
import { loadConfig } from '../../src/config';
import { bicepAppSettings, readJson, readLifecycle, readText } from './helpers';

const bicep = readText('infra/azure.bicep');
const parameters = readJson<{ parameters: Record<string, { value: string }> }>('infra/azure.parameters.json').parameters;
const provision = readLifecycle('teamsapp.yml').provision ?? [];

/** The Bicep parameter the parameters file fills from a lifecycle variable (`${{NAME}}`). */
const paramFilledFrom = (variable: string): string | undefined => Object.entries(parameters).find(([, p]) => p.value === `\${{${variable}}}`)?.[0];

/** A property of the Azure Bot resource, as written in Bicep. */
function botProperty(name: string): string | undefined {
  const resource = /resource \w+ 'Microsoft\.BotService\/botServices@[^']+' = \{([\s\S]*?)\n\}/.exec(bicep)?.[1] ?? '';
  return new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'm').exec(resource)?.[1];
}

describe('the bot identity agrees across teamsapp.yml, Bicep and the app', () => {
  const botStep = provision.find((s) => Object.values(s.writeToEnvironmentFile ?? {}).includes('BOT_ID'));

  it('teamsapp.yml makes the bot a single-tenant Entra app with a service principal and a secret', () => {
    expect(botStep?.uses).toBe('aadApp/create');
    expect(botStep?.with).toMatchObject({ signInAudience: 'AzureADMyOrg', generateServicePrincipal: true, generateClientSecret: true });
    expect(botStep?.writeToEnvironmentFile).toMatchObject({ clientId: 'BOT_ID', clientSecret: 'SECRET_BOT_PASSWORD' });
  });

  it("the bot's app lives in the tenant of CaseRoom's own app (made in the same provision run)", () => {
    const ownApp = provision.find((s) => s.writeToEnvironmentFile?.clientId === 'AAD_APP_CLIENT_ID');
    expect(ownApp?.uses).toBe('aadApp/create');
    expect(ownApp?.with).toMatchObject({ signInAudience: 'AzureADMyOrg', generateServicePrincipal: true });
    expect(ownApp?.writeToEnvironmentFile?.tenantId).toBe('AAD_APP_TENANT_ID');
  });

  it('Bicep registers the Azure Bot as SingleTenant with that app id and tenant', () => {
    const appIdParam = paramFilledFrom('BOT_ID');
    const tenantParam = paramFilledFrom('AAD_APP_TENANT_ID');
    expect(appIdParam).toBeDefined();
    expect(tenantParam).toBeDefined();
    expect(botProperty('msaAppType')).toBe("'SingleTenant'");
    expect(botProperty('msaAppId')).toBe(appIdParam);
    expect(botProperty('msaAppTenantId')).toBe(tenantParam);
  });

  it('the app signs in as that bot, SingleTenant, in that tenant', () => {
    const settings = bicepAppSettings(bicep);
    expect(settings.get('BOT_ID')).toBe(paramFilledFrom('BOT_ID'));
    expect(settings.get('M365_TENANT_ID')).toBe(paramFilledFrom('AAD_APP_TENANT_ID'));
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const botId = '00001111-aaaa-2222-bbbb-3333cccc4444';
    const config = loadConfig({
      M365_MODE: 'tenant',
      PUBLIC_BASE_URL: 'https://caseroom.example',
      M365_TENANT_ID: tenantId,
      M365_CLIENT_ID: 'client',
      M365_CLIENT_SECRET: 'secret',
      M365_BROWSER_CLIENT_ID: 'browser-client',
      API_AUDIENCE: 'api://caseroom.example/client',
      BOT_ID: botId,
      BOT_PASSWORD: 'bot-secret',
      TEAMS_APP_ID: 'teams-app',
      DATABASE_URL: 'postgresql://app:pw@db.example:5432/caseroom',
    });
    expect(tenantBotSettings(config)).toEqual({ MicrosoftAppId: botId, MicrosoftAppPassword: 'bot-secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: tenantId });
  });
});
