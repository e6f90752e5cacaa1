#!/usr/bin/env node
// postinstall: makes the pre-initialised PGlite data directory (src/store/pglite-template.ts) so
// the first `npm start` and the tests skip initdb. Never fails an install: without tsx (a
// production install) or a writable node_modules, the first start makes it, or runs initdb.
try {
  const { require: tsxRequire } = await import('tsx/cjs/api');
  const { ensurePgliteTemplate, pgliteTemplateDir } = tsxRequire('../src/store/pglite-template.ts', import.meta.url);
  const started = Date.now();
  let why = 'unknown';
  const dir = await ensurePgliteTemplate(pgliteTemplateDir(), (err) => (why = err instanceof Error ? err.message : String(err)));
  console.log(dir ? `PGlite template ready in ${dir} (${Date.now() - started} ms)` : `PGlite template not made (${why}): the first start runs initdb`);
} catch (err) {
  console.log(`PGlite template not made (${err instanceof Error ? err.message : String(err)}): the first start makes it`);
}
