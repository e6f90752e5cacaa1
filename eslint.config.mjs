// Layers are enforced here, not by convention: the domain stays pure, the tab never
// reaches into the server, and no product module can import the Microsoft 365 simulator.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const simulator = { group: ['**/m365-simulator', '**/m365-simulator/**'], message: 'Product code never imports the simulator; only scripts/ and tests/ wire it in.' };
const io = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'http', 'node:http', 'https', 'node:https', 'net', 'node:net', 'child_process', 'node:child_process', 'pg', '@electric-sql/pglite', 'express', '@microsoft/microsoft-graph-client', '@azure/msal-node', 'botbuilder', 'pino'];

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
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: io.map((name) => ({ name, message: 'The domain is pure: no I/O.' })), patterns: [{ group: ['../store/**', '../http/**', '../services/**', '../m365/**', '../store', '../http', '../services', '../m365'], message: 'The domain depends on nothing else in the server.' }, simulator] }] },
  },
  {
    files: ['src/**/*.ts', 'bot/**/*.ts'],
    ignores: ['src/m365-simulator/**', 'src/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [simulator] }] },
  },
  {
    files: ['tab/**/*.ts', 'tab/**/*.tsx'],
    // The API contract is the one part of src/ the tab shares: the server's own request and answer types.
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/**', '../src/*', '../../src/*', '!**/src/contract', '!**/src/contract/**', '**/bot/**', 'express', 'pg', '@electric-sql/pglite', 'botbuilder'], message: 'The tab is a browser bundle: it may import only src/contract (the API contract) and npm UI libraries, and talks to the server over HTTP.' }] }] },
  },
  {
    files: ['src/m365-simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../domain/**', '../store/**', '../services/**', '../http/**', '../m365/**', '../config', '../../bot/**'], message: 'The simulator stands alone, like the real service it models.' }] }] },
  },
);
