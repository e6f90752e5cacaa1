/**
 * `npm start` compiles node_modules' CommonJS with V8's code cache (scripts/code-cache.mjs). What a
 * user would notice if it went wrong: a package changed on disk (an upgrade, a patch) still running
 * its old code. npm unpacks every file with the same mtime and an edit can keep a file's size, so
 * the test changes a package that way and expects the new code to run.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../integration/harness';
import { ROOT } from './helpers';

const CODE_CACHE = path.join(ROOT, 'scripts', 'code-cache.mjs');

describe('npm start code cache', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await tmpDir('caseroom-code-cache-');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A fresh Node process, as `npm start` is: the hook on, the package required, the hook off (which stores the cache). */
  function runWithCache(cacheDir: string, packageMain: string): string {
    const program = [
      `import { createRequire } from 'node:module';`,
      `import { installCodeCache } from ${JSON.stringify(CODE_CACHE)};`,
      `const stop = installCodeCache(${JSON.stringify(cacheDir)});`,
      `const value = createRequire(import.meta.url)(${JSON.stringify(packageMain)}).greeting();`,
      `stop();`,
      `console.log(value);`,
    ].join('\n');
    return execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' }).trim();
  }

  it('runs a package changed on disk (same size, same mtime) as it now is, and reuses the cache for one that did not change', async () => {
    const cacheDir = path.join(dir, 'cache');
    const main = path.join(dir, 'node_modules', 'greeter', 'index.js');
    await fs.mkdir(path.dirname(main), { recursive: true });
    // The word is set by the module's top-level code, the part V8's cache holds compiled.
    const source = (word: string) => `'use strict';\nconst word = '${word}';\nexports.greeting = function greeting() { return 'hello ' + word; };\n`;
    await fs.writeFile(main, source('alpha'));
    const npmMtime = new Date('1985-10-26T08:15:00Z');
    await fs.utimes(main, npmMtime, npmMtime);

    expect(runWithCache(cacheDir, main)).toBe('hello alpha');
    const cacheFiles = await fs.readdir(cacheDir);
    expect(cacheFiles).toHaveLength(1);
    const cacheFile = path.join(cacheDir, cacheFiles[0]);
    const written = statSync(cacheFile).mtimeMs;

    // Unchanged: compiled from the cache, which therefore has nothing new to store.
    expect(runWithCache(cacheDir, main)).toBe('hello alpha');
    expect(statSync(cacheFile).mtimeMs).toBe(written);

    // Changed as an upgrade may change it: same length, same mtime.
    await fs.writeFile(main, source('omega'));
    await fs.utimes(main, npmMtime, npmMtime);
    expect(statSync(main).size).toBe(Buffer.byteLength(source('alpha')));
    expect(runWithCache(cacheDir, main)).toBe('hello omega');
    expect(runWithCache(cacheDir, main)).toBe('hello omega');
  });

  it('starts without a cache it cannot read, and runs the package', async () => {
    const cacheDir = path.join(dir, 'cache');
    await fs.mkdir(cacheDir, { recursive: true });
    const main = path.join(dir, 'node_modules', 'greeter', 'index.js');
    await fs.mkdir(path.dirname(main), { recursive: true });
    await fs.writeFile(main, `exports.greeting = () => 'hello';\n`);
    // The cache file of the Node running the test, filled with garbage.
    const ownName = execFileSync(process.execPath, ['--input-type=module', '-e', `import { codeCacheFile } from ${JSON.stringify(CODE_CACHE)}; console.log(codeCacheFile(''))`], {
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    }).trim();
    await fs.writeFile(path.join(cacheDir, ownName), 'not a cache');
    expect(runWithCache(cacheDir, main)).toBe('hello');
    expect(runWithCache(cacheDir, main)).toBe('hello');
  });
});
