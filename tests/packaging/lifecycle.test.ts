/**
 * (b) Every ${{VAR}} in appPackage/manifest.json, aad.manifest.json, infra/azure.parameters.json
 * and teamsapp*.yml is known at the step that needs it.
 *
 * The model replays each lifecycle file in order (provision, then deploy, then publish):
 *  - known at the start: the non-empty keys of env/.env.<env>, plus the toolkit's built-ins
 *    (it prompts for an empty AZURE_SUBSCRIPTION_ID / AZURE_RESOURCE_GROUP_NAME), plus the
 *    secrets the operator puts in env/.env.<env>.user before provisioning (docs/deploy.md);
 *  - each step then adds what it writes: its `writeToEnvironmentFile` names, the outputs the
 *    toolkit writes implicitly (teamsApp/create -> TEAMS_APP_TENANT_ID, aadApp/update ->
 *    AAD_APP_ACCESS_AS_USER_PERMISSION_ID), and for arm/deploy every `output` of the Bicep file;
 *  - a step needs the placeholders in its own `with:` plus those in the files it renders
 *    (manifestPath of the Teams/Entra manifests, the ARM parameters file).
 */
import { execFileSync } from 'node:child_process';
import { ROOT, Step, bicepParams, definedKeys, findPlaceholders, readEnv, readJson, readLifecycle, readText, stepOutputs } from './helpers';

const TOOLKIT_BUILT_INS = ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME'];
/** Secrets the operator supplies in env/.env.<env>.user (documented in docs/deploy.md). */
const OPERATOR_SECRETS: Record<'local' | 'dev', string[]> = { local: [], dev: ['SECRET_POSTGRES_ADMIN_PASSWORD', 'SECRET_POSTGRES_APP_PASSWORD'] };
/** Values a step generates for itself when empty (aadApp/update: the access_as_user scope id). */
const SELF_GENERATED: Record<string, string[]> = { 'aadApp/update': ['AAD_APP_ACCESS_AS_USER_PERMISSION_ID'] };

function renderedFiles(step: Step): string[] {
  const w = step.with ?? {};
  const files: string[] = [];
  if (['teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'aadApp/update'].includes(step.uses)) files.push(String(w.manifestPath));
  if (step.uses === 'arm/deploy') {
    for (const t of (w.templates as { path: string; parameters?: string }[]) ?? []) if (t.parameters) files.push(t.parameters);
  }
  return files;
}

interface Gap {
  step: string;
  source: string;
  missing: string[];
}

function replay(file: string, env: 'local' | 'dev'): { gaps: Gap[]; known: Set<string>; used: Set<string> } {
  const lifecycle = readLifecycle(file);
  const known = new Set([...definedKeys(readEnv(env)), ...TOOLKIT_BUILT_INS, ...OPERATOR_SECRETS[env]]);
  const used = new Set<string>();
  const gaps: Gap[] = [];
  const stages = [lifecycle.provision ?? [], lifecycle.deploy ?? [], lifecycle.publish ?? []];
  stages.flat().forEach((step, i) => {
    (SELF_GENERATED[step.uses] ?? []).forEach((n) => known.add(n));
    const sources: [string, string][] = [[`${file} step ${i + 1}`, JSON.stringify(step.with ?? {})]];
    for (const rel of renderedFiles(step)) sources.push([rel, readText(rel)]);
    for (const [source, text] of sources) {
      const names = findPlaceholders(text);
      names.forEach((n) => used.add(n));
      const missing = names.filter((n) => !known.has(n));
      if (missing.length) gaps.push({ step: `${step.uses} (#${i + 1})`, source, missing });
    }
    stepOutputs(step).forEach((n) => known.add(n));
  });
  return { gaps, known, used };
}

describe('lifecycle variables', () => {
  it('teamsapp.yml (dev): every placeholder is defined or produced by an earlier step', () => {
    expect(replay('teamsapp.yml', 'dev').gaps).toEqual([]);
  });

  it('teamsapp.local.yml (local): every placeholder is defined in env/.env.local', () => {
    expect(replay('teamsapp.local.yml', 'local').gaps).toEqual([]);
  });

  it('the lifecycle files render every manifest they ship (nothing is checked by accident only)', () => {
    const { used } = replay('teamsapp.yml', 'dev');
    for (const rel of ['appPackage/manifest.json', 'aad.manifest.json', 'infra/azure.parameters.json']) {
      for (const name of findPlaceholders(readText(rel))) expect(used).toContain(name);
    }
  });

  it('npm run package --env local needs nothing beyond env/.env.local', () => {
    const local = definedKeys(readEnv('local'));
    expect(findPlaceholders(readText('appPackage/manifest.json')).filter((n) => !local.has(n))).toEqual([]);
  });

  it('aadApp/update runs after arm/deploy (aad.manifest.json needs TAB_DOMAIN from Bicep)', () => {
    const uses = (readLifecycle('teamsapp.yml').provision ?? []).map((s) => s.uses);
    expect(uses.indexOf('aadApp/update')).toBeGreaterThan(uses.indexOf('arm/deploy'));
    expect(uses).toEqual(expect.arrayContaining(['teamsApp/create', 'aadApp/create', 'arm/deploy', 'aadApp/update', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update']));
  });

  it('commits no secret: SECRET_* keys are empty or absent in env files, and *.user files are git-ignored', () => {
    for (const env of ['local', 'dev'] as const) {
      const secrets = Object.entries(readEnv(env)).filter(([k, v]) => k.startsWith('SECRET_') && v !== '');
      expect(secrets).toEqual([]);
    }
    const ignored = execFileSync('git', ['check-ignore', 'env/.env.dev.user', 'env/.env.local.user'], { cwd: ROOT, encoding: 'utf8' });
    expect(ignored.trim().split('\n')).toHaveLength(2);
  });

  it('secrets reach Azure only through @secure() Bicep parameters, and operator secrets are documented', () => {
    const secure = new Set(
      bicepParams(readText('infra/azure.bicep'))
        .filter((p) => p.secure)
        .map((p) => p.name),
    );
    const parameters = readJson<{ parameters: Record<string, { value: unknown }> }>('infra/azure.parameters.json').parameters;
    for (const [name, { value }] of Object.entries(parameters)) {
      if (findPlaceholders(JSON.stringify(value)).some((v) => v.startsWith('SECRET_'))) expect([name, secure.has(name)]).toEqual([name, true]);
    }
    for (const name of OPERATOR_SECRETS.dev) expect(readText('docs/deploy.md')).toContain(name);
  });
});
