#!/usr/bin/env node
// `npm start`'s entry: runs scripts/start.ts (simulator, app, demo firm) from plain JavaScript
// instead of through tsx. tsx transpiles on every start through a module-loader thread and keeps
// a parent process and an esbuild service beside the app: about 1–2 s of CPU and ~70 MB of
// resident memory (bench/PROFILE.md). Here esbuild transpiles the files start.ts reaches, once,
// into dist/start/ with the same layout as the sources (so `__dirname`-relative files and the
// project root are found as from src/), and later starts run that, rebuilt when a source changes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCodeCache } from './code-cache.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'scripts/start.ts';
const OUT = path.join(ROOT, 'dist', 'start');
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

if (!buildIsCurrent()) await build();
process.setSourceMapsEnabled(true);
// Beside the PGlite template (src/store/pglite-template.ts): both belong to the installed packages.
installCodeCache(path.join(ROOT, 'node_modules', '.cache', 'caseroom'));
createRequire(import.meta.url)(path.join(OUT, ENTRY.replace(/\.ts$/, '.js')));
