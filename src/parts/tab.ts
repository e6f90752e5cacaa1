import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';
import { type AppPart, definePart, type PartContext } from '../app-part';
import type { AppConfig } from '../config';
import type { TabSettings } from '../contract';
import { projectRoot } from '../project-root';

/**
 * Serves the Teams tab (React + Fluent UI): one bundle built by scripts/build-tab.mjs into
 * dist/tab, and one HTML page for every entry (/tab/portal, /tab/case, /tab/config, /tab/firm).
 * A fresh clone has no bundle, so the part builds it on start-up (and rebuilds when tab/
 * sources are newer than the bundle); requests wait for the build instead of failing.
 */

export interface TabPartOptions {
  /** Where the bundle lives; default dist/tab under the project root. */
  distDir?: string;
  /** Skip building (tests that serve a prepared bundle). */
  build?: boolean;
}

/**
 * Public settings only: the browser needs to know where to sign in and which scope to ask for.
 * The endpoints are Entra's paths under the authority (the simulator serves the same ones); the
 * local simulator's sign-in pages are on its plain-HTTP address, since browsers do not trust its
 * certificate, while the authority and issuer stay its HTTPS ones.
 */
export function tabSettings(config: AppConfig): TabSettings {
  const authority = config.identity.authority.replace(/\/$/, '');
  const signInBase = config.identity.signInAuthority.replace(/\/$/, '');
  return {
    appName: 'CaseRoom',
    mode: config.m365.mode,
    tenantId: config.identity.tenantId,
    signIn: {
      clientId: config.identity.browserClientId,
      authority,
      knownAuthorities: [new URL(authority).host],
      endpoints: {
        issuer: config.identity.issuer,
        authorization_endpoint: `${signInBase}/oauth2/v2.0/authorize`,
        token_endpoint: `${signInBase}/oauth2/v2.0/token`,
        end_session_endpoint: `${signInBase}/oauth2/v2.0/logout`,
        jwks_uri: config.identity.jwksUri,
      },
    },
    scope: `${config.identity.audiences[0]}/access_as_user`,
  };
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await fs.stat(full)).mtimeMs);
  }
  return newest;
}

/** True when there is no bundle, or the tab sources changed after it was built. */
export async function bundleIsStale(root: string, distDir: string): Promise<boolean> {
  const stamp = path.join(distDir, '.build-stamp');
  if (!existsSync(stamp) || !existsSync(path.join(distDir, 'assets', 'main.js'))) return true;
  const sources = path.join(root, 'tab');
  if (!existsSync(sources)) return false;
  const built = (await fs.stat(stamp)).mtimeMs;
  const newest = Math.max(await newestMtime(sources), (await fs.stat(path.join(root, 'scripts', 'build-tab.mjs')).catch(() => ({ mtimeMs: 0 }))).mtimeMs);
  return newest > built;
}

function runBuild(root: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'scripts', 'build-tab.mjs')], { cwd: root, timeout: 180_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`building the tab failed: ${stderr || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** The tab part: it needs no other part. */
export function tabPart(options: TabPartOptions = {}) {
  return definePart({ name: 'tab', build: (ctx) => buildTabPart(ctx, options) });
}

function buildTabPart(ctx: PartContext, options: TabPartOptions): AppPart {
  const root = projectRoot();
  const distDir = options.distDir ?? path.join(root, 'dist', 'tab');
  const logger = ctx.logger.child({ part: 'tab' });
  const settings = tabSettings(ctx.config);
  let ready: Promise<void> | null = null;

  const ensureBuilt = (): Promise<void> => {
    ready ??= (async () => {
      if (options.build === false || !(await bundleIsStale(root, distDir))) return;
      const started = Date.now();
      logger.info('building the tab bundle (first start or changed sources)…');
      const out = await runBuild(root);
      logger.info({ ms: Date.now() - started, out }, 'tab bundle built');
    })().catch((err: unknown) => {
      ready = null; // let the next request try again
      throw err;
    });
    return ready;
  };

  const sendPage = async (res: Response, file: string) => {
    try {
      await ensureBuilt();
    } catch (err) {
      logger.error({ err }, 'tab bundle unavailable');
      res.status(503).type('text/plain').send('CaseRoom is still preparing its pages and could not finish. Check the server log, then reload.');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(distDir, file));
  };

  const router = Router();
  router.get('/settings.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.json(settings);
  });
  router.use('/assets', async (_req, _res, next) => {
    try {
      await ensureBuilt();
      next();
    } catch (err) {
      next(err);
    }
  });
  router.use('/assets', express.static(path.join(distDir, 'assets'), { maxAge: 0, index: false }));
  for (const entry of ['/portal', '/portal/*rest', '/case', '/config', '/firm', '/firm/*rest']) {
    router.get(entry, (_req, res) => void sendPage(res, 'index.html'));
  }
  router.get('/', (_req, res) => res.redirect(302, '/tab/portal'));

  return {
    name: 'tab',
    handlers: {},
    routes: [{ path: '/tab', router }],
    async start() {
      // Build before the first visitor arrives; failures are reported on the pages, not fatal.
      ensureBuilt().catch((err: unknown) => logger.error({ err }, 'tab bundle build failed'));
    },
    async health() {
      return { bundle: existsSync(path.join(distDir, 'assets', 'main.js')) ? 'built' : 'building' };
    },
  };
}
