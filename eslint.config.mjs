// Layers are enforced here, not by convention: every server layer imports only the layers below it
// that docs/ARCHITECTURE.md ("Layers") allows, the tab never reaches into the server, and no
// product module can import the Microsoft 365 simulator. The error message names what the layer MAY import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const simulator = { group: ['**/m365-simulator', '**/m365-simulator/**'], message: 'Product code never imports the simulator; only scripts/ and tests/ wire it in.' };
const io = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'net',
  'node:net',
  'child_process',
  'node:child_process',
  'pg',
  '@electric-sql/pglite',
  'express',
  '@microsoft/microsoft-graph-client',
  '@azure/msal-node',
  'botbuilder',
  'pino',
];

/**
 * What a layer may be imported as. `src` ones are folders (or, for `config` and the composition
 * root, files) under src/; the others are top-level folders.
 */
const targets = {
  contract: { src: ['contract'], label: 'src/contract' },
  domain: { src: ['domain'], label: 'src/domain' },
  store: { src: ['store'], label: 'src/store' },
  m365: { src: ['m365'], label: 'src/m365' },
  services: { src: ['services'], label: 'src/services' },
  http: { src: ['http'], label: 'src/http' },
  parts: { src: ['parts'], label: 'src/parts' },
  demo: { src: ['demo'], label: 'src/demo' },
  config: { src: ['config'], label: 'src/config.ts' },
  root: { src: ['app', 'server', 'app-part', 'start-telemetry'], label: 'the composition root' },
  telemetry: { src: ['telemetry'], label: 'src/telemetry.ts' },
  bot: { top: ['bot'], label: 'bot/' },
  tab: { top: ['tab'], label: 'tab/' },
};

/**
 * The server's layers, lowest first, and what each may import (besides its own files and npm
 * packages). A layer's files are matched depth by depth, so a relative import resolves exactly:
 * `../store` from src/services/ is the store, `./m365` from src/store/ is the store's own file.
 */
const layers = [
  { dir: 'src/contract', top: false, may: [], allowed: 'zod', onlyNpm: ['zod'] },
  { dir: 'src/domain', top: false, may: ['contract'], paths: io.map((name) => ({ name, message: 'The domain is pure: no I/O.' })) },
  { dir: 'src/store', top: false, may: ['domain', 'contract'] },
  { dir: 'src/m365', top: false, may: ['domain', 'contract', 'config'], name: 'src/m365 (the Graph gateway)' },
  { dir: 'src/services', top: false, may: ['domain', 'contract', 'store', 'm365', 'config'] },
  { dir: 'src/http', top: false, may: ['services', 'domain', 'contract', 'store', 'config'] },
  { dir: 'bot', name: 'bot/', top: true, may: ['services', 'm365', 'domain', 'contract', 'store', 'config'] },
  // The demo firm and its placeholder files: built from the services like any use case, used only by the wiring.
  { dir: 'src/demo', top: false, may: ['services', 'domain', 'contract', 'store', 'config'] },
  { dir: 'src/parts', top: false, may: ['contract', 'domain', 'store', 'm365', 'services', 'http', 'config', 'root', 'bot', 'demo'], allowed: 'everything in the server except the simulator (it is the wiring)' },
  { dir: 'src/m365-simulator', top: false, may: [], message: 'src/m365-simulator may import nothing of the product: it stands alone, like the real service it models.', simulator: true },
];
const DEPTHS = [1, 2, 3, 4, 5];
/**
 * Cross-cutting modules every layer with I/O may use besides what its row lists (telemetry: spans
 * for requests, Graph calls, statements and sharing events). Pure layers and the simulator may not.
 */
const CROSS_CUTTING = ['telemetry'];
const PURE = ['src/contract', 'src/domain', 'src/m365-simulator'];

const listed = (names) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

function layerBlocks(layer) {
  const message = layer.message ?? `${layer.name ?? layer.dir} may import only ${layer.allowed ?? listed(layer.may.map((t) => targets[t].label))}.`;
  const forbidden = Object.keys(targets).filter((t) => !layer.may.includes(t) && `src/${t}` !== layer.dir && t !== layer.dir && !(CROSS_CUTTING.includes(t) && !PURE.includes(layer.dir)));
  return DEPTHS.map((depth) => {
    const up = '../'.repeat(depth);
    const toSrc = layer.top ? `${up}src/` : up;
    const toTop = layer.top ? up : `${up}../`;
    const group = forbidden.flatMap((t) => [...(targets[t].src ?? []).map((name) => `${toSrc}${name}`), ...(targets[t].top ?? []).map((name) => `${toTop}${name}`)]).flatMap((p) => [p, `${p}/**`]);
    const patterns = [{ group, message }];
    // Its own package list: anything but these and its own files is refused.
    if (layer.onlyNpm) patterns.push({ regex: `^(?!\\.|(${layer.onlyNpm.join('|')})(/|$))`, message });
    if (!layer.simulator) patterns.push(simulator);
    return {
      files: [`${layer.dir}/${'*/'.repeat(depth - 1)}*.ts`],
      rules: { 'no-restricted-imports': ['error', { ...(layer.paths ? { paths: layer.paths } : {}), patterns }] },
    };
  });
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'appPackage/build/**', 'test-artifacts/**', '.data/**', 'devTools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The composition root (src/app.ts, src/server.ts, src/app-part.ts, src/config.ts) may import every server layer.
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [simulator] }] },
  },
  ...layers.flatMap(layerBlocks),
  {
    // Every layer with I/O imports it, so it imports nothing of the product (npm packages only).
    files: ['src/telemetry.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.', message: 'src/telemetry.ts imports no product module: every layer uses it.' }] }] },
  },
  {
    files: ['tab/**/*.ts', 'tab/**/*.tsx'],
    // The API contract is the one part of src/ the tab shares: the server's own request and answer types.
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/**', '../src/*', '../../src/*', '!**/src/contract', '!**/src/contract/**', '**/bot/**', 'express', 'pg', '@electric-sql/pglite', 'botbuilder'],
              message: 'The tab is a browser bundle: it may import only src/contract (the API contract) and npm UI libraries, and talks to the server over HTTP.',
            },
          ],
        },
      ],
    },
  },
);
