/**
 * (f) docs/deploy.md, step by step, matches the files it describes. Every code span of the guide
 * (and every command of its shell blocks) is classified by its shape and checked where the guide
 * says it lives: env/.env.dev keys, env/.env.dev.user secrets, Bicep parameters, outputs and app
 * settings (read by src/config.ts), Key Vault secrets, teamsapp.yml stages and steps (in the
 * guide's order), npm scripts, API routes and fields, files. The names come from the guide itself,
 * so a name added to it later is checked too; a span of no known shape fails until it gets a rule
 * or an entry in NOT_REPO_NAMES with a reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, bicepAppSettings, bicepOutputs, bicepParams, configKeys, findPlaceholders, readEnv, readJson, readLifecycle, readText, stepOutputs } from './helpers';

const GUIDE = 'docs/deploy.md';
const ENV = 'dev';
const STAGES = ['provision', 'deploy', 'publish'] as const;

/** Code spans that name nothing in this repository, each with why it is not checked. */
const NOT_REPO_NAMES: Record<string, string> = {
  atk: 'the Agents Toolkit CLI, installed globally by the guide',
  teamsapp: 'the older Teams Toolkit CLI',
  psql: "PostgreSQL's client, on the operator's machine",
  'az bicep upgrade': 'an Azure CLI command',
  'Connect-ExchangeOnline': 'an Exchange Online PowerShell cmdlet',
  '--interactive false': 'a flag of the toolkit CLI',
  '.user': 'the suffix of env/.env.<env>.user; the file itself is checked where the guide names it',
  OTEL_TRACES_SAMPLER: 'read by the Azure Monitor OpenTelemetry distro itself, not by src/config.ts',
  OTEL_TRACES_SAMPLER_ARG: 'read by the Azure Monitor OpenTelemetry distro itself, not by src/config.ts',
  'microsoft.fixed_percentage': 'a sampler name of the Azure Monitor OpenTelemetry distro',
};
/** Fenced blocks whose commands are Microsoft's, not the repository's: only their <VARIABLE> placeholders are checked. */
const FOREIGN_BLOCKS: Record<string, string> = { powershell: 'Exchange Online PowerShell cmdlets' };

// ------------------------------------------------------------------ what the repository holds

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

function repoFacts() {
  const bicep = readText('infra/azure.bicep');
  const lifecycle = readLifecycle('teamsapp.yml');
  const stages = Object.keys(lifecycle).filter((k) => (STAGES as readonly string[]).includes(k));
  const steps = STAGES.flatMap((stage) => (lifecycle[stage] ?? []).map((step) => ({ stage, step })));
  const settings = bicepAppSettings(bicep);
  // A Key Vault secret is used when an app setting's Key Vault reference names its resource.
  const keyVaultSecrets = new Map<string, boolean>();
  for (const m of bicep.matchAll(/^resource (\w+) 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = \{[\s\S]*?\n {2}name: '([^']+)'/gm)) {
    keyVaultSecrets.set(
      m[2],
      [...settings.values()].some((v) => v.includes(`\${${m[1]}.properties.secretUri}`)),
    );
  }
  const product = sourceFiles('src').filter((f) => !f.startsWith('src/m365-simulator/'));
  const routes = new Set<string>();
  for (const file of product.filter((f) => f.startsWith('src/http/'))) {
    for (const m of readText(file).matchAll(/\b(?:on|admin)\('(get|post|put|patch|delete)', '([^']+)'/g)) routes.add(`${m[1].toUpperCase()} /api${m[2].replace(/:\w+/g, '{}')}`);
  }
  const subnets = bicep.slice(bicep.indexOf('subnets: ['), bicep.indexOf('\n    ]', bicep.indexOf('subnets: [')));
  return {
    env: readEnv(ENV),
    subnets: new Set([...subnets.matchAll(/^ {8}name: '([^']+)'/gm)].map((m) => m[1])),
    stages,
    steps,
    written: new Set(steps.flatMap(({ step }) => stepOutputs(step))),
    placeholders: new Set(['teamsapp.yml', 'appPackage/manifest.json', 'aad.manifest.json', 'infra/azure.parameters.json'].flatMap((f) => findPlaceholders(readText(f)))),
    lifecycleText: readText('teamsapp.yml').replaceAll('${{TEAMSFX_ENV}}', ENV),
    params: new Map(bicepParams(bicep).map((p) => [p.name, p])),
    outputs: new Set(bicepOutputs(bicep).map((o) => o.name)),
    settings,
    configKeys: new Set(configKeys()),
    // String literals outside comments (descriptions hold apostrophes of their own, escaped).
    bicepStrings: new Set([...bicep.replace(/^\s*\/\/.*$/gm, '').matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1])),
    keyVaultSecrets,
    nodeMajor: /linuxFxVersion: 'NODE\|(\d+)-lts'/.exec(bicep)?.[1],
    scripts: readJson<{ scripts: Record<string, string> }>('package.json').scripts,
    routes,
    productSource: product.map(readText).join('\n'),
    allSource: sourceFiles('src').map(readText).join('\n'),
  };
}
type Facts = ReturnType<typeof repoFacts>;

function gitIgnored(rel: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', rel], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ what the guide says

/** A code span with the sentence around it (the sentence says where the name lives). */
interface Span {
  line: number;
  text: string;
  sentence: string;
  /** The words just before the span ("Bicep parameter `x`"). */
  before: string;
}
interface Command {
  line: number;
  lang: string;
  command: string;
  comment: string;
}
interface Guide {
  spans: Span[];
  commands: Command[];
  links: { line: number; target: string }[];
  prose: { line: number; text: string }[];
}

/** Splits the guide into prose blocks (paragraphs, list items) and fenced commands; keeps line numbers. */
function parseGuide(markdown: string): Guide {
  const guide: Guide = { spans: [], commands: [], links: [], prose: [] };
  let fence: string | null = null;
  let block: { line: number; text: string }[] = [];
  const flush = () => {
    if (block.length) readBlock(block, guide);
    block = [];
  };
  markdown.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const opening = /^\s*```(\w*)/.exec(raw);
    if (opening) {
      flush();
      fence = fence === null ? opening[1] || 'sh' : null;
      return;
    }
    if (fence !== null) {
      const text = raw.trim();
      const hash = text.startsWith('#') ? 0 : text.indexOf(' #');
      if (text) guide.commands.push({ line, lang: fence, command: (hash < 0 ? text : text.slice(0, hash)).trim(), comment: hash < 0 ? '' : text.slice(hash).replace(/^\s*#\s*/, '') });
      return;
    }
    if (!raw.trim() || /^\s*#/.test(raw) || /^\s*(- |\d+\. )/.test(raw)) flush();
    if (raw.trim()) block.push({ line, text: raw.trim() });
  });
  flush();
  return guide;
}

function readBlock(lines: { line: number; text: string }[], guide: Guide): void {
  const starts: number[] = [];
  let text = '';
  for (const l of lines) {
    starts.push(text.length);
    text += `${l.text} `;
  }
  const lineAt = (offset: number) => lines[starts.filter((s) => s <= offset).length - 1].line;
  // Sentences end at ". " or "; " outside code spans (env/.env.dev has dots of its own); "Edit X: set Y" is one.
  const masked = text.replace(/`[^`]+`/g, (s) => 'x'.repeat(s.length));
  const ends = [...masked.matchAll(/[.;]\s/g)].map((m) => (m.index as number) + 1);
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    const at = m.index as number;
    const from = Math.max(0, ...ends.filter((e) => e <= at));
    const to = Math.min(text.length, ...ends.filter((e) => e > at));
    guide.spans.push({ line: lineAt(at), text: m[1], sentence: text.slice(from, to), before: text.slice(Math.max(from, at - 40), at) });
  }
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^https?:/.test(m[1])) guide.links.push({ line: lineAt(m.index as number), target: m[1] });
  lines.forEach((l) => guide.prose.push(l));
}

// ------------------------------------------------------------------ the checker

/** Problems of the guide against the repository, one string each, naming the guide's line. */
function checkGuide(markdown: string, facts: Facts): { problems: string[]; checked: number } {
  const guide = parseGuide(markdown);
  const problems: string[] = [];
  let checked = 0;
  const fail = (line: number, name: string, what: string): void => {
    problems.push(`${GUIDE}:${line}: \`${name}\` ${what}`);
  };
  const stepUses = facts.steps.map(({ step }) => step.uses);
  const operatorWrites = new Map<string, string>();
  const stepMentions: { line: number; uses: string }[] = [];
  const stageMentions: { line: number; stage: string }[] = [];

  // Commands first: the guide's own `echo NAME=... > file` lines are what it says the operator writes.
  for (const c of guide.commands) {
    checked++;
    const placeholders = [...c.command.matchAll(/<([A-Z][A-Z0-9_]+)>/g)].map((m) => m[1]);
    placeholders.forEach((name) => checkGeneratedId(c.line, name));
    if (c.lang in FOREIGN_BLOCKS) continue;
    const stage = /^atk (\w+)/.exec(c.command)?.[1];
    const echo = /^echo "([A-Z][A-Z0-9_]*)=.*"\s*>>?\s*(\S+)$/.exec(c.command);
    const azure = /^(\w+=\$\()?az (ad app credential (reset|list|delete)|keyvault secret set|rest --method post|webapp restart) /.test(c.command);
    if (stage && (STAGES as readonly string[]).includes(stage)) {
      checkStage(c.line, stage);
      checkNpmCommands(c, stage);
    } else if (/^atk auth login (azure|m365)$/.test(c.command) || /^npm install -g @[\w-]+\/[\w-]+$/.test(c.command)) {
      // Signing in to the toolkit, installing it: nothing of this repository.
    } else if (azure) {
      // The Azure CLI on the operator's machine; a Key Vault secret it writes must be one an app setting reads.
      const secret = /^az keyvault secret set .*--name (\S+)/.exec(c.command)?.[1];
      if (secret && !facts.keyVaultSecrets.get(secret)) fail(c.line, secret, 'is not a Key Vault secret an app setting of infra/azure.bicep references');
    } else if (echo) {
      operatorWrites.set(echo[1], echo[2]);
      if (!gitIgnored(echo[2])) fail(c.line, echo[2], 'receives a secret but is not git-ignored');
      if (!facts.placeholders.has(echo[1])) fail(c.line, echo[1], 'is written by the guide but no ${{...}} placeholder in teamsapp.yml or the files it renders reads it');
    } else fail(c.line, c.command, 'is a command of no known kind (add a rule to tests/packaging/deploy-guide.test.ts)');
  }

  for (const s of guide.spans) {
    checked++;
    checkSpan(s);
  }
  for (const l of guide.links) {
    checked++;
    if (!existsSync(path.resolve(ROOT, path.dirname(GUIDE), l.target))) fail(l.line, l.target, `is linked but ${path.join(path.dirname(GUIDE), l.target)} does not exist`);
  }
  for (const p of guide.prose) {
    for (const m of p.text.matchAll(/Node\.js (\d+)/g)) {
      checked++;
      if (m[1] !== facts.nodeMajor) fail(p.line, m[0], `but infra/azure.bicep runs App Service on Node ${facts.nodeMajor} (linuxFxVersion)`);
    }
  }
  checkOrder(stageMentions, facts.stages, 'stage', (m) => m.stage);
  checkOrder(stepMentions, stepUses, 'step', (m) => m.uses);
  return { problems, checked };

  function checkOrder<T extends { line: number }>(mentions: T[], order: string[], kind: string, name: (m: T) => string): void {
    // First mentions must follow teamsapp.yml's order (a name may recur later, e.g. under "Updating").
    const seen = new Set<string>();
    let at = 0;
    for (const m of mentions) {
      if (seen.has(name(m))) continue;
      seen.add(name(m));
      const next = order.indexOf(name(m), at);
      if (next < 0) fail(m.line, name(m), `is described after ${order[at - 1] ?? 'the start'}, but teamsapp.yml runs this ${kind} earlier`);
      else at = next + 1;
    }
  }

  function checkStage(line: number, stage: string): void {
    if (!facts.stages.includes(stage)) fail(line, `atk ${stage}`, `runs a stage teamsapp.yml does not have`);
    else stageMentions.push({ line, stage });
  }

  /** `atk deploy  # npm ci, npm run build, ...`: each npm command is a step of that stage, in that order. */
  function checkNpmCommands(c: Command, stage: string): void {
    const npm = facts.steps.filter((s) => s.stage === stage && s.step.uses === 'cli/runNpmCommand').map((s) => String(s.step.with?.args ?? '').split(' --')[0]);
    let at = 0;
    for (const m of c.comment.matchAll(/\bnpm (ci|run [\w:-]+)/g)) {
      const script = /^run (.+)$/.exec(m[1])?.[1];
      if (script && !(script in facts.scripts)) fail(c.line, `npm ${m[1]}`, 'names a script package.json does not have');
      const next = npm.indexOf(m[1].trim(), at);
      if (next < 0) fail(c.line, `npm ${m[1]}`, `is not a cli/runNpmCommand step of ${stage} in teamsapp.yml, after the ones named before it`);
      else at = next + 1;
    }
  }

  /** A <VARIABLE> to copy from env/.env.dev: a key there that a provisioning step fills in. */
  function checkGeneratedId(line: number, name: string): void {
    if (!(name in facts.env)) fail(line, name, `is not a key of env/.env.${ENV}`);
    else if (!facts.written.has(name)) fail(line, name, 'is not written by any teamsapp.yml step');
  }

  function checkPath(rel: string): boolean {
    const clean = rel.replace(/^\.\//, '').replace(/\/$/, '');
    if (existsSync(path.join(ROOT, clean))) return true;
    // Generated: git-ignored, and made by a lifecycle step or by the guide's own commands.
    if (gitIgnored(clean) && (facts.lifecycleText.includes(`./${clean}`) || [...operatorWrites.values()].includes(clean))) return true;
    return false;
  }

  function checkUpper(s: Span): void {
    const { text: name, line } = s;
    const sentence = s.sentence.toLowerCase();
    const inEnv = name in facts.env;
    if (sentence.includes('app setting')) {
      if (!facts.settings.has(name)) fail(line, name, 'is not an app setting of the Web App in infra/azure.bicep');
      if (!facts.configKeys.has(name)) fail(line, name, 'is not read by src/config.ts');
    } else if (/\boutputs?\b/.test(sentence) && sentence.includes('bicep')) {
      if (!facts.outputs.has(name)) fail(line, name, 'is not an output of infra/azure.bicep');
      if (sentence.includes(`env/.env.${ENV}`) && !inEnv) fail(line, name, `is not a key of env/.env.${ENV}`);
    } else if (name.startsWith('SECRET_') || sentence.includes(`env/.env.${ENV}.user`)) {
      if (/toolkit (adds|writes)/.test(sentence) && !facts.written.has(name)) fail(line, name, `is not written by any teamsapp.yml step (writeToEnvironmentFile)`);
      else if (!facts.written.has(name) && !operatorWrites.has(name)) fail(line, name, 'is neither written by a teamsapp.yml step nor by a command of the guide');
      if (facts.env[name]) fail(line, name, `has a value in the committed env/.env.${ENV}`);
      if (!facts.placeholders.has(name)) fail(line, name, 'is read by no ${{...}} placeholder of teamsapp.yml or the files it renders');
    } else if (sentence.includes(`env/.env.${ENV}`)) {
      if (!inEnv) fail(line, name, `is not a key of env/.env.${ENV}`);
      else if (!facts.placeholders.has(name) && !facts.written.has(name)) fail(line, name, `is a key of env/.env.${ENV} that no step writes and no placeholder reads`);
    } else if (!inEnv && !facts.outputs.has(name) && !facts.settings.has(name) && !facts.written.has(name) && !facts.placeholders.has(name)) {
      fail(line, name, `is not in env/.env.${ENV}, a Bicep output or app setting, or a teamsapp.yml variable`);
    }
  }

  function checkLower(s: Span): void {
    const { text: name, line } = s;
    const json = /`?([\w./-]+\.json)`?/.exec(s.sentence)?.[1];
    if (json && !json.includes('azure.parameters') && existsSync(path.join(ROOT, json))) {
      if (!(name in readJson(json))) fail(line, name, `is not a key of ${json}`);
    } else if (/\bsubnet\b/i.test(s.sentence)) {
      if (!facts.subnets.has(name)) fail(line, name, 'is not a subnet of the VNet in infra/azure.bicep');
    } else if (/key vault/i.test(s.sentence)) {
      if (!facts.keyVaultSecrets.has(name)) fail(line, name, 'is not a Key Vault secret in infra/azure.bicep');
      else if (!facts.keyVaultSecrets.get(name)) fail(line, name, 'is a Key Vault secret no app setting references');
    } else if (!facts.bicepStrings.has(name)) fail(line, name, 'is not a name or default in infra/azure.bicep');
  }

  function checkCamel(s: Span): void {
    const { text: name, line } = s;
    const param = facts.params.get(name);
    if (param) {
      // "Backups are kept 35 days (`postgresBackupRetentionDays`)": the number is the parameter's default.
      const days = /\b(\d+) days\b/.exec(s.sentence)?.[1];
      if (days && /^\d+$/.test(param.defaultValue ?? '') && days !== param.defaultValue) fail(line, name, `defaults to ${param.defaultValue} in infra/azure.bicep, not the ${days} days the guide says`);
      return;
    }
    if (/parameter\s*$/i.test(s.before)) fail(line, name, 'is not a parameter of infra/azure.bicep');
    else if (!new RegExp(`\\b${name}\\b`).test(facts.productSource)) fail(line, name, 'is neither a Bicep parameter nor a field of the API (src/)');
  }

  function checkSpan(s: Span): void {
    const { text, line } = s;
    if (text in NOT_REPO_NAMES) return;
    const placeholders = [...text.matchAll(/<([A-Z][A-Z0-9_]+)>/g)].map((m) => m[1]);
    if (placeholders.length) return placeholders.forEach((name) => checkGeneratedId(line, name)); // the rest is Microsoft's URL or CLI
    const route = /^(GET|POST|PUT|PATCH|DELETE) (\/\S+)$/.exec(text);
    if (route) {
      if (!facts.routes.has(`${route[1]} ${route[2].replace(/\{[^}]+\}/g, '{}')}`)) fail(line, text, 'is not a route of src/http/');
      return;
    }
    const script = /^npm run ([\w:-]+)/.exec(text);
    if (script) {
      if (!(script[1] in facts.scripts)) fail(line, text, 'names a script package.json does not have');
      return;
    }
    if (/^npm install -g @[\w-]+\/[\w-]+$/.test(text)) return; // installs a CLI on the operator's machine
    const stage = /^atk (\w+)( --env \w+)?$/.exec(text);
    if (stage) return checkStage(line, stage[1]);
    if (/^(\{.*\}|"\w+":.*)$/.test(text)) return checkJsonFragment(s);
    const assignment = /^([a-z][A-Za-z0-9]*)=(\w+)$/.exec(text);
    if (assignment) {
      const param = facts.params.get(assignment[1]);
      if (!param) fail(line, assignment[1], 'is not a parameter of infra/azure.bicep');
      else if (param.allowed.length && !param.allowed.includes(assignment[2])) fail(line, text, `is not an allowed value (${param.allowed.join(', ')})`);
      return;
    }
    const field = /^([a-z][A-Za-z0-9]*): \S+$/.exec(text);
    if (field) return checkCamel({ ...s, text: field[1] });
    if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(text)) return checkUpper(s);
    if (/^[^\s@]+@[^\s@]+\.[a-z]+$/.test(text)) return; // an example mailbox: the firm's own
    if (/[/]|^\.|\.(ya?ml|json|md|bicep|ts|mjs|zip)$/.test(text)) {
      if (checkPath(text)) return;
      if (/^[a-z][A-Za-z]*\/[a-z][A-Za-z]*$/.test(text)) {
        if (stepUses.includes(text)) stepMentions.push({ line, uses: text });
        else fail(line, text, 'is neither a file of the repository nor a step of teamsapp.yml');
      } else fail(line, text, 'is not a file of the repository, nor a git-ignored file a teamsapp.yml step or the guide makes');
      return;
    }
    if (/^[a-z]+(\.[a-z]+)+$/.test(text)) {
      if (!facts.productSource.includes(`'${text}'`)) fail(line, text, 'is not an audit action or string of src/');
      return;
    }
    if (/^[A-Z][a-z]+(\.[A-Z][A-Za-z]*)+$/.test(text)) {
      if (!readText('aad.manifest.json').includes(`"${text}"`)) fail(line, text, 'is not a permission of aad.manifest.json');
      return;
    }
    if (/^[A-Z][a-z]+([A-Z][a-z]+)+$/.test(text)) {
      if (!new RegExp(`\\b${text}\\b`).test(facts.allSource)) fail(line, text, 'is not a code src/ (or the simulator, answering as Microsoft 365) knows');
      return;
    }
    if (/^[a-z][a-z0-9]*[A-Z]\w*$/.test(text)) return checkCamel(s);
    if (/^[a-z][a-z0-9_-]*$/.test(text)) return checkLower(s);
    fail(line, text, 'is a code span of no known shape (add a rule, or an entry in NOT_REPO_NAMES with a reason)');
  }

  /** `"mailSender": { "value": ... }` for infra/azure.parameters.json, or a request body such as `{ "optOut": true }`. */
  function checkJsonFragment(s: Span): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(s.text.startsWith('{') ? s.text : `{${s.text}}`) as Record<string, unknown>;
    } catch {
      return fail(s.line, s.text, 'is not valid JSON');
    }
    for (const key of Object.keys(parsed)) {
      if (s.sentence.includes('azure.parameters.json')) {
        if (!facts.params.has(key)) fail(s.line, key, 'is not a parameter of infra/azure.bicep');
      } else checkCamel({ ...s, text: key });
    }
  }
}

// ------------------------------------------------------------------ tests

describe('docs/deploy.md matches teamsapp.yml, infra/azure.bicep and the app', () => {
  const facts = repoFacts();
  const guide = readText(GUIDE);

  it('every name the guide mentions exists where the guide says', () => {
    const { problems, checked } = checkGuide(guide, facts);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(60); // the guide was read, not skipped
  });

  it('the parser finds the guide’s names with their lines', () => {
    const spans = parseGuide(guide).spans;
    const lineOf = (name: string) => spans.find((s) => s.text === name)?.line;
    expect(lineOf('FIRM_NAME')).toBe(guide.split('\n').findIndex((l) => l.includes('`FIRM_NAME`')) + 1);
    expect(spans.map((s) => s.text)).toEqual(expect.arrayContaining(['arm/deploy', 'aadApp/update', 'KEY_VAULT_NAME', 'postgresBackupRetentionDays', 'MAIL_SENDER']));
  });

  // The checker on doctored copies of the guide: each change must be reported, at its line, saying what is missing where.
  it.each([
    ['an env/.env.dev key', '`FIRM_NAME`', '`FIRM_TITLE`', '`FIRM_TITLE` is not a key of env/.env.dev'],
    ['a Bicep output', '`KEY_VAULT_NAME`', '`KEY_VAULT_URI`', '`KEY_VAULT_URI` is not an output of infra/azure.bicep'],
    ['an app setting', '`MAIL_SENDER` app setting', '`MAIL_FROM` app setting', '`MAIL_FROM` is not an app setting of the Web App in infra/azure.bicep'],
    ['a toolkit-written secret', '`SECRET_BOT_PASSWORD`', '`SECRET_BOT_KEY`', '`SECRET_BOT_KEY` is not written by any teamsapp.yml step'],
    ['a Bicep parameter', 'Bicep parameter `mailSender`', 'Bicep parameter `mailFrom`', '`mailFrom` is not a parameter of infra/azure.bicep'],
    ['an allowed parameter value', '`postgresHighAvailability=ZoneRedundant`', '`postgresHighAvailability=MultiZone`', 'is not an allowed value'],
    ['a subnet', '`postgres` subnet', '`database` subnet', '`database` is not a subnet of the VNet in infra/azure.bicep'],
    ['a parameter default', 'kept 35 days', 'kept 30 days', 'defaults to 35 in infra/azure.bicep, not the 30 days the guide says', '`postgresBackupRetentionDays`'],
    ['a secret the operator writes', 'SECRET_POSTGRES_APP_PASSWORD=$(', 'SECRET_POSTGRES_USER_PASSWORD=$(', '`SECRET_POSTGRES_USER_PASSWORD` is written by the guide but no'],
    ['the npm steps of atk deploy', 'npm ci, npm run build, npm run artifact', 'npm ci, npm run artifact, npm run build', '`npm run build` is not a cli/runNpmCommand step of deploy'],
    ['a Key Vault secret', '`bot-password`', '`bot-secret`', '`bot-secret` is not a Key Vault secret in infra/azure.bicep'],
    ['a Key Vault secret a rotation writes', '--name bot-password --value', '--name bot-secret --value', '`bot-secret` is not a Key Vault secret an app setting of infra/azure.bicep references'],
    ['an app setting a secret is read from', '`BOT_PASSWORD` app setting', '`BOT_SECRET` app setting', '`BOT_SECRET` is not an app setting of the Web App in infra/azure.bicep'],
    ['the telemetry app setting', '`APPLICATIONINSIGHTS_CONNECTION_STRING` app setting', '`APPINSIGHTS_CONNECTION_STRING` app setting', '`APPINSIGHTS_CONNECTION_STRING` is not an app setting of the Web App in infra/azure.bicep'],
    ['the migration app setting', '`DATABASE_MIGRATION_URL` app setting', '`DATABASE_OWNER_URL` app setting', '`DATABASE_OWNER_URL` is not an app setting of the Web App in infra/azure.bicep'],
    ['the app role parameter', 'Bicep parameter\n`postgresAppLogin`', 'Bicep parameter\n`postgresAppUser`', '`postgresAppUser` is not a parameter of infra/azure.bicep', '`postgresAppLogin`'],
    ['an npm script', 'npm run artifact', 'npm run bundle', '`npm run bundle` names a script package.json does not have'],
    ['a file', '`infra/azure.parameters.json` before', '`infra/parameters.json` before', '`infra/parameters.json` is not a file of the repository'],
    ['a step', '`aadApp/update` (', '`aadApp/patch` (', '`aadApp/patch` is neither a file of the repository nor a step of teamsapp.yml'],
    ['the step order', '`teamsApp/create` (', '`aadApp/update` (', '`arm/deploy` is described after aadApp/update, but teamsapp.yml runs this step earlier', '`arm/deploy` ('],
    ['an id to copy', '--id <AAD_APP_CLIENT_ID>', '--id <AAD_APP_ID>', '`AAD_APP_ID` is not a key of env/.env.dev'],
    ['a route', '`PUT /api/firm/mail`', '`PUT /api/firm/mailbox`', 'is not a route of src/http/'],
    ['the Node version', 'Node.js 22', 'Node.js 18', 'runs App Service on Node 22'],
    ['a span of unknown shape', '`FIRM_NAME`', '`Firm Name!`', 'is a code span of no known shape'],
  ])('reports a wrong %s', (_what, from, to, expected, reportedAt = from) => {
    const at = guide.indexOf(from);
    expect(at).toBeGreaterThanOrEqual(0);
    const line = guide.slice(0, guide.indexOf(reportedAt)).split('\n').length;
    const { problems } = checkGuide(guide.slice(0, at) + to + guide.slice(at + from.length), facts);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^docs/deploy\\.md:${line}: .*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]));
  });
});
