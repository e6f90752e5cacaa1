// A V8 code cache for the CommonJS packages `npm start` loads (scripts/start.mjs installs it).
// Compiling node_modules' JavaScript is ~0.25 s of CPU of every start (~1,300 files, ~10 MB:
// botbuilder, the @azure packages, express, undici…); V8 can skip most of it given the code it
// made last time. Node 22 does this itself (module.enableCompileCache); Node 20 has no such switch,
// so this hooks the CommonJS loader's compile step for files under node_modules.
//
// Correctness first: an entry is used only for the exact text it was made from (a SHA-256 of the
// file's contents, not its size and mtime: npm gives every file it unpacks the same mtime, and an
// upgrade can leave a file's size unchanged). V8 checks its own version and flags and rejects data
// made by another build (then the file is compiled as usual and its entry dropped). Anything
// unexpected (an unreadable cache, a file that is not CommonJS as written) falls back to Node's own
// loader. The cache file is per Node version and architecture, written beside the PGlite template.
//
// Only node_modules: CaseRoom's own transpiled files (dist/start) stay on Node's path, which reads
// their source maps so stack traces name the TypeScript lines. Packages compiled here do not get
// their own source maps read (start.mjs enables source maps for dist/start's sake): a stack frame
// inside a package shows the package's JavaScript, as it does without source maps.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const WRAPPER_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];
const IN_NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** The cache file in `cacheDir` for this Node (V8's data is only good for the V8 that made it). */
export const codeCacheFile = (cacheDir) => path.join(cacheDir, `v8-code-cache-${process.version}-${process.arch}.bin`);

const contentHash = (content) => createHash('sha256').update(content).digest('base64');

function readEntries(file) {
  try {
    const entries = v8.deserialize(fs.readFileSync(file));
    return entries instanceof Map ? entries : new Map();
  } catch {
    return new Map(); // none yet, or unreadable: start without
  }
}

/** `require` for code the hook compiled, as Node's loader makes it (lib/internal/modules/helpers.js, makeRequireFunction). */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/**
 * Compiles CommonJS files under node_modules with the cached code from `cacheDir` until `stop()`
 * (or `activeMs`, or the process's exit), then stores what it compiled afresh. Returns `stop`.
 */
export function installCodeCache(cacheDir, { activeMs = 10_000 } = {}) {
  const file = codeCacheFile(cacheDir);
  let stored = readEntries(file);
  /** Entries made (or, null, found stale) by this process; stored when the hook comes off. */
  const changes = new Map();
  const nodeCompile = Module.prototype._compile;

  const compileWithCodeCache = function (content, filename, format) {
    if (format === 'module' || !filename.includes(IN_NODE_MODULES)) return nodeCompile.call(this, content, filename, format);
    const hash = contentHash(content);
    const entry = stored.get(filename);
    // A file is compiled once per process: its entry's buffer can go as soon as it is used.
    stored.delete(filename);
    const cachedData = entry?.hash === hash ? entry.data : undefined;
    let compiled;
    try {
      compiled = vm.compileFunction(content, WRAPPER_PARAMETERS, { filename, cachedData, produceCachedData: !cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    } catch {
      // Not CommonJS as written (an ES module Node detects, a syntax error Node reports in its own words).
      return nodeCompile.call(this, content, filename, format);
    }
    if (cachedData && compiled.cachedDataRejected) changes.set(filename, null);
    else if (!cachedData && compiled.cachedDataProduced) changes.set(filename, { hash, data: compiled.cachedData });
    return Reflect.apply(compiled, this.exports, [this.exports, requireFor(this), this, filename, path.dirname(filename)]);
  };
  Module.prototype._compile = compileWithCodeCache;

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    process.off('exit', stop);
    if (Module.prototype._compile === compileWithCodeCache) Module.prototype._compile = nodeCompile;
    if (changes.size > 0) save(file, changes);
    // Their buffers (~5 MB) are not needed once start-up has loaded its packages.
    stored = new Map();
    changes.clear();
  };
  // Start-up's packages load in its first seconds; later loads (rare) compile as usual.
  const timer = setTimeout(stop, activeMs);
  timer.unref();
  process.on('exit', stop);
  return stop;
}

/** Merged with what is on disk now (the entries used this run included), written aside and renamed: concurrent starts never leave half a file. */
function save(file, changes) {
  try {
    const entries = readEntries(file);
    for (const [filename, entry] of changes) {
      if (entry) entries.set(filename, entry);
      else entries.delete(filename);
    }
    // Packages removed since: their entries would only take room.
    for (const filename of entries.keys()) if (!fs.existsSync(filename)) entries.delete(filename);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const writing = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(writing, v8.serialize(entries));
    fs.renameSync(writing, file);
  } catch {
    // A read-only install: every start compiles as without the cache.
  }
}
