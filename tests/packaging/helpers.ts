/** Shared readers for the packaging tests: env files, YAML lifecycle files, Bicep text. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findPlaceholders, parseDotenv } from '../../scripts/package-app';

export const ROOT = path.resolve(__dirname, '..', '..');

export function readText(rel: string): string {
  return readFileSync(path.join(ROOT, rel), 'utf8');
}

export function readJson<T = Record<string, unknown>>(rel: string): T {
  return JSON.parse(readText(rel)) as T;
}

export function readEnv(name: 'local' | 'dev'): Record<string, string> {
  return parseDotenv(readText(`env/.env.${name}`));
}

/** Keys with a non-empty value. */
export function definedKeys(env: Record<string, string>): Set<string> {
  return new Set(
    Object.entries(env)
      .filter(([, v]) => v !== '')
      .map(([k]) => k),
  );
}

export { findPlaceholders };

// ------------------------------------------------------------------ teamsapp*.yml

export interface Step {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

export interface Lifecycle {
  version: string;
  environmentFolderPath?: string;
  provision?: Step[];
  deploy?: Step[];
  publish?: Step[];
}

export function readLifecycle(rel: string): Lifecycle {
  return parseYaml(readText(rel)) as Lifecycle;
}

/** The variables the toolkit writes without a `writeToEnvironmentFile` entry for them. */
const IMPLICIT_OUTPUTS: Record<string, string[]> = {
  'teamsApp/create': ['TEAMS_APP_TENANT_ID'],
  'aadApp/update': ['AAD_APP_ACCESS_AS_USER_PERMISSION_ID'],
};

/** What a step writes to env/.env.<env> (SECRET_* ones to env/.env.<env>.user): arm/deploy writes every Bicep output. */
export function stepOutputs(step: Step): string[] {
  const out = [...Object.values(step.writeToEnvironmentFile ?? {}), ...(IMPLICIT_OUTPUTS[step.uses] ?? [])];
  if (step.uses === 'arm/deploy') {
    for (const t of (step.with?.templates as { path: string }[]) ?? []) out.push(...bicepOutputs(readText(t.path)).map((o) => o.name));
  }
  return out;
}

// ------------------------------------------------------------------ Bicep

export interface BicepOutput {
  name: string;
  type: string;
  expression: string;
}

export function bicepOutputs(bicep: string): BicepOutput[] {
  return [...bicep.matchAll(/^output\s+([A-Za-z_][A-Za-z0-9_]*)\s+(\w+)\s*=\s*(.+?)\s*$/gm)].map((m) => ({
    name: m[1],
    type: m[2],
    expression: m[3],
  }));
}

export interface BicepParam {
  name: string;
  secure: boolean;
  hasDefault: boolean;
  /** The values of an `@allowed([...])` decorator; empty when any value is allowed. */
  allowed: string[];
  /** The default as written in Bicep (`35`, `'B1'`, `resourceGroup().location`). */
  defaultValue?: string;
}

export function bicepParams(bicep: string): BicepParam[] {
  const lines = bicep.split(/\r?\n/);
  const params: BicepParam[] = [];
  lines.forEach((line, i) => {
    const m = /^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+\w+(?:\s*=\s*(.*))?$/.exec(line.trim());
    if (!m) return;
    let secure = false;
    let allowed: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j].trim().startsWith('@'); j--) {
      const decorator = lines[j].trim();
      if (decorator.startsWith('@secure()')) secure = true;
      if (decorator.startsWith('@allowed(')) allowed = [...decorator.matchAll(/'([^']*)'/g)].map((a) => a[1]);
    }
    params.push({ name: m[1], secure, hasDefault: m[2] !== undefined, allowed, ...(m[2] !== undefined ? { defaultValue: m[2] } : {}) });
  });
  return params;
}

/** The `appSettings: [ ... ]` entries of the Web App, one `{ name: '...', value: ... }` per line. */
export function bicepAppSettings(bicep: string): Map<string, string> {
  const start = bicep.indexOf('appSettings: [');
  if (start < 0) throw new Error('no appSettings block in infra/azure.bicep');
  const end = bicep.indexOf('\n      ]', start);
  const block = bicep.slice(start, end);
  const settings = new Map<string, string>();
  for (const m of block.matchAll(/\{\s*name:\s*'([^']+)',\s*value:\s*(.+?)\s*\}\s*$/gm)) settings.set(m[1], m[2]);
  return settings;
}

/** Names declared in the zod envSchema of src/config.ts (the settings the server reads). */
export function configKeys(): string[] {
  const src = readText('src/config.ts');
  const start = src.indexOf('const envSchema = z.object({');
  const end = src.indexOf('});', start);
  if (start < 0 || end < 0) throw new Error('envSchema not found in src/config.ts');
  return [...src.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
}
