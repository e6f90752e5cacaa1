#!/usr/bin/env node
// `npm start`'s entry: runs scripts/start.ts (simulator, app, demo firm) from plain JavaScript
// instead of through tsx. tsx transpiles on every start through a module-loader thread and keeps
// a parent process and an esbuild service beside the app: about 1–2 s of CPU and ~70 MB of
// resident memory (bench/PROFILE.md). scripts/start-build.mjs transpiles into dist/start/ (at
// install, or here when a source changed since).
import { createRequire } from 'node:module';
import path from 'node:path';
import { installCodeCache } from './code-cache.mjs';
import { ENTRY, OUT, ROOT, ensureStartBuild } from './start-build.mjs';

await ensureStartBuild();
process.setSourceMapsEnabled(true);
// Beside the PGlite template (src/store/pglite-template.ts): both belong to the installed packages.
installCodeCache(path.join(ROOT, 'node_modules', '.cache', 'caseroom'));
createRequire(import.meta.url)(path.join(OUT, ENTRY.replace(/\.ts$/, '.js')));
