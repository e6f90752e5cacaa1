/** (e) The packaging script, run in-process: zip contents, filled manifest, failure on undefined variables. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { PACKAGE_FILES, UndefinedVariablesError, packageApp, parseArgs } from '../../scripts/package-app';
import { ROOT, readEnv } from './helpers';

// @microsoft/app-manifest requires strip-bom 5, an ES module Jest's CommonJS runtime cannot load.
jest.mock('strip-bom', () => ({ __esModule: true, default: (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s) }));

function zipEntries(zipPath: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('scripts/package-app.ts', () => {
  it('builds appPackage/build/appPackage.local.zip with exactly manifest.json, color.png, outline.png', async () => {
    const result = await packageApp({ env: 'local' });
    expect(result.zipPath).toBe(path.join(ROOT, 'appPackage/build/appPackage.local.zip'));
    const entries = await zipEntries(result.zipPath);
    expect([...entries.keys()].sort()).toEqual([...PACKAGE_FILES].sort());

    const manifestText = entries.get('manifest.json')?.toString('utf8') ?? '';
    expect(manifestText).not.toContain('${{');
    expect(manifestText).toBe(readFileSync(result.manifestPath, 'utf8'));
    expect((JSON.parse(manifestText) as { id: string }).id).toBe(readEnv('local').TEAMS_APP_ID);
    expect(entries.get('color.png')?.equals(readFileSync(path.join(ROOT, 'appPackage/color.png')))).toBe(true);
    expect(entries.get('outline.png')?.equals(readFileSync(path.join(ROOT, 'appPackage/outline.png')))).toBe(true);
  });

  describe('in a scratch copy of the project', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'caseroom-pkg-'));
      for (const f of ['manifest.json', 'color.png', 'outline.png']) cpSync(path.join(ROOT, 'appPackage', f), path.join(dir, 'appPackage', f));
      cpSync(path.join(ROOT, 'env/.env.local'), path.join(dir, 'env/.env.local'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('fails naming every undefined or empty variable', async () => {
      const env = readFileSync(path.join(dir, 'env/.env.local'), 'utf8')
        .replace(/^BOT_ID=.*$/m, 'BOT_ID=')
        .replace(/^TAB_DOMAIN=.*$/m, '');
      writeFileSync(path.join(dir, 'env/.env.local'), env);
      const run = packageApp({ env: 'local', rootDir: dir });
      await expect(run).rejects.toBeInstanceOf(UndefinedVariablesError);
      await expect(run).rejects.toThrow(/BOT_ID, TAB_DOMAIN|TAB_DOMAIN, BOT_ID/);
    });

    it('lets env/.env.<env>.user and explicit overrides win over env/.env.<env>', async () => {
      writeFileSync(path.join(dir, 'env/.env.local.user'), 'FIRM_NAME=From user file\n');
      const fromUser = await packageApp({ env: 'local', rootDir: dir });
      expect((fromUser.manifest.developer as { name: string }).name).toBe('From user file');
      const overridden = await packageApp({ env: 'local', rootDir: dir, overrides: { FIRM_NAME: 'From shell' } });
      expect((overridden.manifest.developer as { name: string }).name).toBe('From shell');
    });

    it('refuses a filled manifest that fails the schema', async () => {
      const env = readFileSync(path.join(dir, 'env/.env.local'), 'utf8').replace(/^BOT_ID=.*$/m, 'BOT_ID=not-a-guid');
      writeFileSync(path.join(dir, 'env/.env.local'), env);
      await expect(packageApp({ env: 'local', rootDir: dir })).rejects.toThrow(/fails schema validation[\s\S]*botId/);
    });

    it('reports a missing environment file', async () => {
      await expect(packageApp({ env: 'staging', rootDir: dir })).rejects.toThrow(/env\/\.env\.staging/);
    });
  });

  it('parses --env (default local) and rejects unknown arguments', () => {
    expect(parseArgs([])).toEqual({ env: 'local', icons: false });
    expect(parseArgs(['--env', 'dev'])).toEqual({ env: 'dev', icons: false });
    expect(parseArgs(['--env=dev', '--icons'])).toEqual({ env: 'dev', icons: true });
    expect(() => parseArgs(['--zip'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--env', '../x'])).toThrow(/invalid --env/);
  });
});
