import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pgliteDb } from './db';
import { MIGRATIONS, migrate } from './migrations';

/**
 * A closed, initialised PGlite data directory, made once per PGlite version and copied into an
 * empty DATA_DIR: copying it takes well under a second where initdb takes 4–30 s (more on a busy
 * machine), so a first `npm start` and each test file skip initdb. It is made by `npm ci`
 * (postinstall: scripts/pglite-template.mjs) or, failing that, by the first open that needs it.
 *
 * It holds CaseRoom's schema as the migrations in this checkout make it, and is named after them
 * and the PGlite version: change either and a new one is made (migrate() on a copy of an older
 * one would also be right, only slower). Data never goes in it.
 */

/** Files initdb leaves in a finished data directory; a template without it is incomplete. */
const MARKER = 'PG_VERSION';

/** PGlite's package directory (its exports hide package.json from require.resolve). */
function pglitePackageDir(): string {
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const pgliteVersion = (): string => (JSON.parse(fs.readFileSync(path.join(pglitePackageDir(), 'package.json'), 'utf8')) as { version: string }).version;

const schemaHash = (): string => createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 12);

/**
 * Where the template lives: under PGLITE_TEMPLATE_DIR, else beside the installed packages
 * (node_modules/.cache/caseroom), one directory per PGlite version and schema.
 */
export function pgliteTemplateDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.PGLITE_TEMPLATE_DIR ? path.resolve(env.PGLITE_TEMPLATE_DIR) : path.join(pglitePackageDir(), '..', '..', '.cache', 'caseroom');
  return path.join(root, `pglite-${pgliteVersion()}-${schemaHash()}`);
}

export const hasDatabase = (dataDir: string): boolean => fs.existsSync(path.join(dataDir, MARKER));

/**
 * The template's directory, made now if missing (initdb into a private directory, closed, then
 * renamed into place, so a concurrent maker or a crash never leaves a half-made template).
 * Null when it cannot be made (a read-only install): the caller then runs initdb as before, and
 * `onUnavailable` hears why.
 */
export async function ensurePgliteTemplate(dir: string = pgliteTemplateDir(), onUnavailable?: (err: unknown) => void): Promise<string | null> {
  if (hasDatabase(dir)) return dir;
  const building = `${dir}.building-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(building, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = new PGlite(building);
    await migrate(pgliteDb(pg));
    // The same cluster as a tarball, for in-memory stores (tests): PGlite loads one without initdb.
    fs.writeFileSync(`${building}.tar`, new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer()));
    await pg.close();
    try {
      // The tarball first: a directory in place promises its tarball beside it.
      fs.renameSync(`${building}.tar`, tarballOf(dir));
      fs.renameSync(building, dir);
    } catch (err) {
      // Another process finished first: theirs is as good as ours.
      if (!hasDatabase(dir)) throw err;
    }
    removeOlderTemplates(dir);
    return dir;
  } catch (err) {
    onUnavailable?.(err);
    return null;
  } finally {
    try {
      fs.rmSync(building, { recursive: true, force: true });
      fs.rmSync(`${building}.tar`, { force: true });
    } catch {
      // Nothing was made where nothing can be made.
    }
  }
}

const tarballOf = (dir: string): string => `${dir}.tar`;

/** How long a template nobody copies stays (checkouts sharing node_modules may each need their own schema's). */
const UNUSED_TEMPLATE_MS = 7 * 86_400_000;

/** Templates of other PGlite versions or schemas unused for a week: each is ~40 MB and its tarball as much again. */
function removeOlderTemplates(current: string): void {
  const parent = path.dirname(current);
  for (const name of fs.readdirSync(parent)) {
    const full = path.join(parent, name);
    if (!name.startsWith('pglite-') || full.startsWith(current) || name.includes('.building-')) continue;
    if (Date.now() - fs.statSync(full).mtimeMs > UNUSED_TEMPLATE_MS) fs.rmSync(full, { recursive: true, force: true });
  }
}

/** Marks a template used now, so removeOlderTemplates keeps it. */
function touch(dir: string): void {
  const now = new Date();
  fs.utimesSync(dir, now, now);
}

/**
 * The template as a tarball for an in-memory PGlite (`loadDataDir`), made if missing; null when
 * it cannot be had, and the caller runs initdb.
 */
export async function pgliteTemplateTarball(): Promise<Blob | null> {
  const dir = await ensurePgliteTemplate();
  if (!dir || !fs.existsSync(tarballOf(dir))) return null;
  touch(dir);
  return new Blob([new Uint8Array(fs.readFileSync(tarballOf(dir)))]);
}

/**
 * ~1,200 files, 0.4–1 s of CPU: copied synchronously on a thread of its own, so the main thread is
 * free meanwhile (`npm start` makes the simulator's keys and tenant). fs.promises.cp would free it
 * too, but costs about three times the CPU.
 */
function copyTreeOffThread(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`require('node:fs').cpSync(process.argv[2], process.argv[3], { recursive: true })`, { eval: true, argv: [from, to] });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`copying the PGlite template stopped with exit code ${code}`))));
  });
}

/**
 * Fills an empty data directory from the template. Returns whether it did; a directory that
 * already holds a database, or holds anything at all, is left alone (initdb will say what is wrong).
 */
export async function seedFromTemplate(dataDir: string, onUnavailable?: (err: unknown) => void): Promise<boolean> {
  if (hasDatabase(dataDir) || (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0)) return false;
  const template = await ensurePgliteTemplate(pgliteTemplateDir(), onUnavailable);
  if (!template) return false;
  touch(template);
  // Copied beside it and renamed into place: a copy cut short never looks like a database.
  const copying = `${dataDir}.copying-${process.pid}`;
  fs.rmSync(copying, { recursive: true, force: true });
  await copyTreeOffThread(template, copying);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.renameSync(copying, dataDir);
  return true;
}
