// Bundles the Teams tab (React + Fluent UI v9) into dist/tab/ with esbuild.
// Usage: node scripts/build-tab.mjs [--dev]   (the server runs it on start-up when dist/tab is missing or stale)
import { build } from 'esbuild';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'tab');
const dev = process.argv.includes('--dev');

const page = (title, script) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>html,body{margin:0;padding:0;min-height:100%}body{font-family:'Segoe UI','Segoe UI Web (West European)',-apple-system,BlinkMacSystemFont,Roboto,'Helvetica Neue',sans-serif}</style>
</head>
<body>
<div id="root"></div>
<script src="/tab/assets/${script}"></script>
</body>
</html>
`;

export async function buildTab() {
  const started = Date.now();
  await rm(path.join(out, 'assets'), { recursive: true, force: true });
  await mkdir(path.join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { main: path.join(root, 'tab', 'main.tsx') },
    outdir: path.join(out, 'assets'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'edge110', 'firefox110', 'safari16'],
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  await writeFile(path.join(out, 'index.html'), page('CaseRoom', 'main.js'));
  await writeFile(path.join(out, '.build-stamp'), new Date().toISOString());
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { ms: Date.now() - started, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildTab().then(
    ({ ms, bytes }) => console.log(`tab built into dist/tab in ${ms} ms (${Math.round(bytes / 1024)} KiB)`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
