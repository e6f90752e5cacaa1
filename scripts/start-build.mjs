// The build `npm start` runs from (scripts/start.mjs): esbuild transpiles the files
// scripts/start.ts reaches, once, into dist/start/ with the same layout as the sources (so
// `__dirname`-relative files and the project root are found as from src/); it is made again when a
// source changes. Run on its own (postinstall, the bench's P5) it builds ahead so that the first
// start after an install or a pull only starts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = 'scripts/start.ts';
export const OUT = path.join(ROOT, 'dist', 'start');
const STAMP = path.join(OUT, 'stamp.json');
/** Files read beside a module through `__dirname` rather than imported (src/m365-simulator/graph/authorization.ts). */
const DATA_FILE = /\.(json|mjs)$/;

/** What the build depends on: every source it transpiled (path, size, mtime), the tsconfig and esbuild's version. */
function fingerprint(sources, esbuildVersion) {
  const hash = createHash('sha256').update(esbuildVersion);
  for (const file of [...sources, 'tsconfig.json']) {
    const stat = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${stat ? `${stat.size}:${stat.mtimeMs}` : 'missing'}\n`);
  }
  return hash.digest('hex');
}

function esbuildVersion() {
  return JSON.parse(fs.readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
}

/** True when dist/start holds a build of the current sources (a few hundred stat calls, no esbuild). */
function buildIsCurrent() {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    return stamp.fingerprint === fingerprint(stamp.sources, esbuildVersion());
  } catch {
    return false;
  }
}

async function build() {
  const started = Date.now();
  const esbuild = await import('esbuild');
  // Which files the entry reaches: a bundle's metafile, not written; packages stay external.
  const probe = await esbuild.build({ absWorkingDir: ROOT, entryPoints: [ENTRY], bundle: true, packages: 'external', platform: 'node', format: 'cjs', write: false, metafile: true, outdir: OUT, logLevel: 'silent' });
  const sources = Object.keys(probe.metafile.inputs).filter((file) => file.endsWith('.ts'));
  // Built aside, then renamed into place: a concurrent start or a crash never runs half a build.
  const building = `${OUT}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  // Module by module, the layout kept (outbase: the root); linked source maps for stack traces.
  await esbuild.build({ absWorkingDir: ROOT, entryPoints: sources, outdir: building, outbase: ROOT, bundle: false, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
  // esbuild's service process would otherwise stay beside the app (~100 MB resident).
  await esbuild.stop();
  for (const dir of new Set(sources.map((file) => path.dirname(file)))) {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (entry.isFile() && DATA_FILE.test(entry.name)) fs.copyFileSync(path.join(ROOT, dir, entry.name), path.join(building, dir, entry.name));
    }
  }
  fs.writeFileSync(path.join(building, 'stamp.json'), JSON.stringify({ fingerprint: fingerprint(sources, esbuildVersion()), sources }));
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.renameSync(building, OUT);
  console.log(`Compiled ${sources.length} modules for npm start in ${Date.now() - started} ms (dist/start; rebuilt when a source changes).`);
}

/** Builds dist/start unless it holds the current sources (build() says so on stdout, which the bench's P5 reads). */
export async function ensureStartBuild() {
  if (!buildIsCurrent()) await build();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureStartBuild();
  } catch (err) {
    // Never fails an install (postinstall): `npm start` builds on its first run instead.
    console.log(`dist/start not built (${err instanceof Error ? err.message : String(err)}): the first npm start builds it`);
  }
}
