/** (a) The Teams manifest, filled with env/.env.local, passes the bundled official schema; broken copies fail. */
// @microsoft/app-manifest requires strip-bom 5, an ES module Jest's CommonJS runtime cannot load
// (plain Node 20.19+ can, so `npm run package` needs no shim).
jest.mock('strip-bom', () => ({ __esModule: true, default: (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s) }));

import { existsSync } from 'node:fs';
import path from 'node:path';
import { GUEST_ACTIVITY_TYPES, STAFF_ACTIVITY_TYPES } from '../../bot/activity-feed';
import { fillPlaceholders, validateManifest } from '../../scripts/package-app';
import { ROOT, readEnv, readText } from './helpers';

type Json = Record<string, unknown>;

function filledManifest(): Json {
  return JSON.parse(fillPlaceholders(readText('appPackage/manifest.json'), readEnv('local'), 'manifest.json')) as Json;
}

interface Manifest {
  $schema: string;
  manifestVersion: string;
  staticTabs: { entityId: string; contentUrl?: string; scopes: string[] }[];
  configurableTabs: { configurationUrl: string; scopes: string[] }[];
  bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
  webApplicationInfo: { id: string; resource: string };
  authorization: { permissions: { resourceSpecific: { name: string; type: string }[] } };
  activities: { activityTypes: { type: string; templateText: string }[] };
  validDomains: string[];
}

describe('appPackage/manifest.json', () => {
  it('uses a manifest version whose schema ships in @microsoft/app-manifest (not 1.18)', () => {
    const m = filledManifest() as unknown as Manifest;
    expect(m.manifestVersion).not.toBe('1.18');
    expect(m.$schema).toBe(`https://developer.microsoft.com/en-us/json-schemas/teams/v${m.manifestVersion}/MicrosoftTeams.schema.json`);
    const bundled = path.join(ROOT, 'node_modules/@microsoft/app-manifest/build/json-schemas/teams', `v${m.manifestVersion}`, 'MicrosoftTeams.schema.json');
    expect(existsSync(bundled)).toBe(true);
  });

  it('filled with env/.env.local passes offline schema validation', async () => {
    expect(await validateManifest(filledManifest())).toEqual([]);
  });

  it.each<[string, (m: Json) => void]>([
    ['without the required id', (m) => delete m.id],
    ['with a bot id that is not a GUID', (m) => ((m.bots as Json[])[0].botId = 'not-a-guid')],
    ['with an unknown top-level property', (m) => (m.colour = 'red')],
    ['with a command list in an unknown scope', (m) => (((m.bots as Json[])[0].commandLists as Json[])[0].scopes = ['channel'])],
    ['with an activity templateText over 128 characters', (m) => (((m.activities as Json).activityTypes as Json[])[0].templateText = 'x'.repeat(129))],
  ])('a copy %s fails validation', async (_label, breakIt) => {
    const broken = filledManifest();
    breakIt(broken);
    expect((await validateManifest(broken)).length).toBeGreaterThan(0);
  });

  it('declares the portal, the staff case tab, the bot, SSO, RSC and activity types CaseRoom needs', () => {
    const env = readEnv('local');
    const m = filledManifest() as unknown as Manifest;
    const portal = m.staticTabs.find((t) => t.entityId === 'portal');
    expect(portal).toMatchObject({ contentUrl: `${env.TAB_ENDPOINT}/tab/portal`, scopes: ['personal'] });
    expect(m.configurableTabs).toEqual([expect.objectContaining({ configurationUrl: `${env.TAB_ENDPOINT}/tab/config`, scopes: ['team'] })]);

    const bot = m.bots[0];
    expect(bot.botId).toBe(env.BOT_ID);
    expect([...bot.scopes].sort()).toEqual(['personal', 'team']);
    // Only what the bot answers in each scope (bot/handlers.ts, bot/commands/personal.ts): sharing needs a case channel.
    const titles = (scope: string) => bot.commandLists.find((l) => l.scopes.includes(scope))?.commands.map((c) => c.title);
    expect(titles('team')).toEqual(['who has access', 'status', 'share', 'help']);
    expect(titles('personal')).toEqual(['who has access', 'status', 'help']);

    expect(m.webApplicationInfo).toEqual({ id: env.AAD_APP_CLIENT_ID, resource: `api://${env.TAB_DOMAIN}/${env.AAD_APP_CLIENT_ID}` });
    expect(m.validDomains).toContain(env.TAB_DOMAIN);

    const rsc = m.authorization.permissions.resourceSpecific;
    expect(rsc.every((p) => p.type === 'Application')).toBe(true);
    expect(rsc.map((p) => p.name).sort()).toEqual(['Channel.Create.Group', 'ChannelMessage.Read.Group', 'ChannelSettings.Read.Group', 'TeamsActivity.Send.User', 'TeamsTab.Create.Group', 'TeamsTab.Read.Group'].sort());

    // The bot sends exactly these types with exactly these template parameters; Teams rejects any other.
    const activity = Object.fromEntries(m.activities.activityTypes.map((a) => [a.type, a.templateText]));
    expect(activity).toEqual(Object.fromEntries(Object.entries({ ...GUEST_ACTIVITY_TYPES, ...STAFF_ACTIVITY_TYPES }).map(([type, t]) => [type, t.templateText])));
  });

  it('keeps every tenant-specific value a ${{VAR}} placeholder', () => {
    const raw = JSON.parse(readText('appPackage/manifest.json')) as Manifest & { id: string; developer: Record<string, string> };
    expect(raw.id).toBe('${{TEAMS_APP_ID}}');
    expect(raw.bots[0].botId).toBe('${{BOT_ID}}');
    expect(raw.webApplicationInfo).toEqual({ id: '${{AAD_APP_CLIENT_ID}}', resource: 'api://${{TAB_DOMAIN}}/${{AAD_APP_CLIENT_ID}}' });
    for (const value of Object.values(raw.developer)) expect(value).toMatch(/^\$\{\{[A-Z_]+\}\}$/);
    const urls = JSON.stringify(raw).match(/https?:\/\/[^"]*/g) ?? [];
    // Only schema URLs are literal; every app URL starts from a placeholder.
    expect(urls.filter((u) => !u.startsWith('https://developer.microsoft.com/'))).toEqual([]);
  });
});
