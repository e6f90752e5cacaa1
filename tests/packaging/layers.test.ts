import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The layer rules in eslint.config.mjs, tried on a scratch copy of the tree's lower layers with
 * imports planted in it: an import up the layers fails lint with the message naming what the
 * layer may import; an import the plan allows passes (docs/ARCHITECTURE.md, "Layers").
 */

const ROOT = path.resolve(__dirname, '../..');
let scratch: string;

async function copyTree(relative: string): Promise<void> {
  await fs.cp(path.join(ROOT, relative), path.join(scratch, relative), { recursive: true });
}

async function plant(relative: string, source: string): Promise<string> {
  const file = path.join(scratch, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, source);
  return file;
}

/** Every no-restricted-imports message ESLint reports for these files, keyed by file. */
async function layerErrors(files: string[]): Promise<Record<string, string[]>> {
  const eslint = new ESLint({ cwd: scratch });
  const results = await eslint.lintFiles(files);
  return Object.fromEntries(results.map((r) => [path.relative(scratch, r.filePath), r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)]));
}

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'caseroom-layers-'));
  await fs.copyFile(path.join(ROOT, 'eslint.config.mjs'), path.join(scratch, 'eslint.config.mjs'));
  await fs.copyFile(path.join(ROOT, 'package.json'), path.join(scratch, 'package.json'));
  // The config's plugins resolve from the scratch folder as they do from the project.
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  for (const layer of ['src/domain', 'src/store', 'src/m365', 'bot']) await copyTree(layer);
});

afterAll(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

test('the copied layers pass lint as they are', async () => {
  const errors = await layerErrors(['src/domain', 'src/store', 'src/m365', 'bot']);
  expect(Object.values(errors).flat()).toEqual([]);
});

test('the store importing a service fails lint, naming what the store may import', async () => {
  const file = await plant('src/store/planted-upward.ts', "import { Reconciler } from '../services/reconciler';\nexport const planted = Reconciler;\n");
  const errors = await layerErrors([file]);
  expect(errors['src/store/planted-upward.ts']).toEqual([expect.stringContaining('src/store may import only src/domain and src/contract')]);
});

test('the domain importing the store fails lint, naming what the domain may import', async () => {
  const file = await plant('src/domain/planted-upward.ts', "import { Repo } from '../store/repo';\nexport const planted = Repo;\n");
  const errors = await layerErrors([file]);
  expect(errors['src/domain/planted-upward.ts']).toEqual([expect.stringContaining('src/domain may import only src/contract')]);
});

test('the Graph gateway importing the store, and the bot importing the wiring, fail lint', async () => {
  const gateway = await plant('src/m365/planted-upward.ts', "import { M365Repo } from '../store/m365';\nexport const planted = M365Repo;\n");
  const bot = await plant('bot/planted-upward.ts', "import { botPart } from '../src/parts/bot';\nexport const planted = botPart;\n");
  const errors = await layerErrors([gateway, bot]);
  expect(errors['src/m365/planted-upward.ts']).toEqual([expect.stringContaining('src/m365 (the Graph gateway) may import only src/domain, src/contract and src/config.ts')]);
  expect(errors['bot/planted-upward.ts']).toEqual([expect.stringContaining('bot/ may import only src/services, src/m365, src/domain, src/contract, src/store and src/config.ts')]);
});

test('imports the plan allows pass: the store using the domain, the contract and its own files', async () => {
  const file = await plant(
    'src/store/planted-allowed.ts',
    "import { DomainError } from '../domain/errors';\nimport type { ShareRequest } from '../contract/shares';\nimport { M365Repo } from './m365';\nexport const planted: [unknown, ShareRequest | null, unknown] = [DomainError, null, M365Repo];\n",
  );
  const errors = await layerErrors([file]);
  expect(errors['src/store/planted-allowed.ts']).toEqual([]);
});

test('telemetry is cross-cutting: the store and the gateway may use it, the domain may not, and it imports nothing of the product', async () => {
  const store = await plant('src/store/planted-telemetry.ts', "import { traceQuery } from '../telemetry';\nexport const planted = traceQuery;\n");
  const gateway = await plant('src/m365/planted-telemetry.ts', "import { recordEvent } from '../telemetry';\nexport const planted = recordEvent;\n");
  const domain = await plant('src/domain/planted-telemetry.ts', "import { recordEvent } from '../telemetry';\nexport const planted = recordEvent;\n");
  const telemetry = await plant('src/telemetry.ts', "import { Repo } from './store/repo';\nexport const planted = Repo;\n");
  const errors = await layerErrors([store, gateway, domain, telemetry]);
  expect(errors['src/store/planted-telemetry.ts']).toEqual([]);
  expect(errors['src/m365/planted-telemetry.ts']).toEqual([]);
  expect(errors['src/domain/planted-telemetry.ts']).toEqual([expect.stringContaining('src/domain may import only src/contract')]);
  expect(errors['src/telemetry.ts']).toEqual([expect.stringContaining('src/telemetry.ts imports no product module')]);
});
