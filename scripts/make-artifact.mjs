#!/usr/bin/env node
// Assembles what App Service runs into build/deploy/ (teamsapp.yml's zipDeploy artifactFolder):
// the compiled server (dist/src, dist/bot), the prebuilt tab bundle (dist/tab), package.json and
// the lock file, and the production dependencies only. Never the sources, tests, .git, env/*.user,
// .data or the local Microsoft 365 simulator. Run `npm run build` first.
// Usage: node scripts/make-artifact.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'build', 'deploy'));

const required = ['dist/src/server.js', 'dist/tab/index.html', 'dist/tab/assets/main.js'];
const missing = required.filter((file) => !existsSync(path.join(root, file)));
if (missing.length > 0) {
  console.error(`Build output missing (${missing.join(', ')}): run \`npm run build\` first.`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const part of ['dist/src', 'dist/bot', 'dist/tab']) {
  cpSync(path.join(root, part), path.join(out, part), {
    recursive: true,
    // The simulator and source maps of it never ship, even if an older build left them in dist/.
    filter: (source) => !source.includes(`${path.sep}m365-simulator`),
  });
}
for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(root, file), path.join(out, file));

// The same lock file, production half only; packages come from npm's cache when they are there.
// No install scripts: none of the runtime dependencies needs one.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`Deployable artifact in ${path.relative(root, out) || out}`);
