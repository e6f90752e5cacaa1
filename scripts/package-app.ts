/**
 * Builds the Teams app package for one environment.
 *
 *   npm run package                 -> env "local"
 *   npm run package -- --env dev    -> env "dev"
 *   npm run package -- --icons      -> also regenerate appPackage/color.png and outline.png
 *
 * Steps: load env/.env.<env> (+ env/.env.<env>.user when present; the shell environment
 * overrides both, as in Teams Toolkit), fill every ${{VAR}} in appPackage/manifest.json
 * (an undefined or empty variable is an error that names the variable), validate the
 * filled manifest offline against the schema bundled in @microsoft/app-manifest, then write
 * appPackage/build/manifest.<env>.json and appPackage/build/appPackage.<env>.zip with
 * manifest.json, color.png and outline.png at the root.
 *
 * The PNG encoder/decoder below is self-contained (node:zlib only) so the icons can be
 * regenerated and checked without an image library.
 */
import { promises as fs, createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AppManifest } from '@microsoft/app-manifest';
import yazl from 'yazl';

export const ROOT_DIR = path.resolve(__dirname, '..');
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;

// ---------------------------------------------------------------------------------------------
// Environment files and placeholders
// ---------------------------------------------------------------------------------------------

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Parses a dotenv file the way Teams Toolkit writes them: KEY=VALUE, # comments, optional quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    else {
      const hash = value.indexOf(' #');
      if (hash >= 0) value = value.slice(0, hash).trim();
    }
    out[key] = value;
  }
  return out;
}

/** Loads env/.env.<env> and, when present, env/.env.<env>.user (which wins). */
export function loadEnvFiles(env: string, rootDir: string = ROOT_DIR): Record<string, string> {
  const base = path.join(rootDir, 'env', `.env.${env}`);
  if (!existsSync(base)) throw new Error(`No environment file ${path.relative(rootDir, base)} for --env ${env}`);
  const vars = parseDotenv(readFileSync(base, 'utf8'));
  const user = `${base}.user`;
  if (existsSync(user)) Object.assign(vars, parseDotenv(readFileSync(user, 'utf8')));
  return vars;
}

/** Every distinct ${{VAR}} name in a text, in order of first appearance. */
export function findPlaceholders(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1]);
  return [...names];
}

export class UndefinedVariablesError extends Error {
  constructor(
    public readonly variables: string[],
    source: string,
  ) {
    super(`${source}: undefined or empty variable(s): ${variables.join(', ')}`);
    this.name = 'UndefinedVariablesError';
  }
}

/**
 * Replaces ${{VAR}} with its value. Values are JSON-string-escaped when `jsonString` is set,
 * because every placeholder in our manifests sits inside a JSON string literal.
 */
export function fillPlaceholders(text: string, vars: Record<string, string | undefined>, source: string, jsonString = true): string {
  const missing = findPlaceholders(text).filter((name) => !vars[name]);
  if (missing.length > 0) throw new UndefinedVariablesError(missing, source);
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = vars[name] as string;
    return jsonString ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/** Offline validation against the schema bundled in @microsoft/app-manifest ($schema picks the version). */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  // Loaded on demand: the package pulls in an ES-module dependency that only validation needs.
  const { AppManifestUtils } = await import('@microsoft/app-manifest');
  // The package's AppManifest type is a union of generated interfaces; the object came from JSON.
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest);
}

// ---------------------------------------------------------------------------------------------
// Packaging
// ---------------------------------------------------------------------------------------------

export interface PackageOptions {
  env: string;
  rootDir?: string;
  /** Values that override the env files (the CLI passes process.env). */
  overrides?: Record<string, string | undefined>;
}

export interface PackageResult {
  env: string;
  manifest: Record<string, unknown>;
  manifestPath: string;
  zipPath: string;
}

export async function packageApp(options: PackageOptions): Promise<PackageResult> {
  const rootDir = options.rootDir ?? ROOT_DIR;
  const appDir = path.join(rootDir, 'appPackage');
  const vars: Record<string, string | undefined> = { ...loadEnvFiles(options.env, rootDir) };
  for (const [k, v] of Object.entries(options.overrides ?? {})) if (v) vars[k] = v;

  const template = await fs.readFile(path.join(appDir, 'manifest.json'), 'utf8');
  const filled = fillPlaceholders(template, vars, `appPackage/manifest.json (env ${options.env})`);
  const manifest = JSON.parse(filled) as Record<string, unknown>;

  const errors = await validateManifest(manifest);
  if (errors.length > 0) {
    throw new Error(`appPackage/manifest.json (env ${options.env}) fails schema validation:\n  ${errors.join('\n  ')}`);
  }

  const buildDir = path.join(appDir, 'build');
  await fs.mkdir(buildDir, { recursive: true });
  const manifestPath = path.join(buildDir, `manifest.${options.env}.json`);
  const zipPath = path.join(buildDir, `appPackage.${options.env}.zip`);
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  await fs.writeFile(manifestPath, manifestText);

  const icons = manifest.icons as { color: string; outline: string };
  const zip = new yazl.ZipFile();
  const mtime = new Date('2020-01-01T00:00:00Z'); // stable bytes for identical inputs
  zip.addBuffer(Buffer.from(manifestText), 'manifest.json', { mtime });
  zip.addBuffer(await fs.readFile(path.join(appDir, icons.color)), 'color.png', { mtime });
  zip.addBuffer(await fs.readFile(path.join(appDir, icons.outline)), 'outline.png', { mtime });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(zipPath);
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
  return { env: options.env, manifest, manifestPath, zipPath };
}

// ---------------------------------------------------------------------------------------------
// PNG (RGBA, 8 bit) encoder / decoder
// ---------------------------------------------------------------------------------------------

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(img: RgbaImage): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    Buffer.from(img.data.buffer, img.data.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export interface PngInfo extends RgbaImage {
  bitDepth: number;
  colorType: number;
}

/** Decodes 8-bit RGBA or RGB, non-interlaced PNGs (what we generate; enough for the tests). */
export function decodePng(buf: Buffer): PngInfo {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const len = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const body = buf.subarray(offset + 8, offset + 8 + len);
    if (buf.readUInt32BE(offset + 8 + len) !== crc32(buf.subarray(offset + 4, offset + 8 + len))) {
      throw new Error(`bad CRC in ${type} chunk`);
    }
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 6 && colorType !== 2) || interlace !== 0) {
    throw new Error(`unsupported PNG (bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace})`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = (cur + pred) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = pixels[i * channels];
    data[i * 4 + 1] = pixels[i * channels + 1];
    data[i * 4 + 2] = pixels[i * channels + 2];
    data[i * 4 + 3] = channels === 4 ? pixels[i * channels + 3] : 255;
  }
  return { width, height, bitDepth, colorType, data };
}

// ---------------------------------------------------------------------------------------------
// Icons: a briefcase mark (rounded body, handle, lid seam, clasp)
// ---------------------------------------------------------------------------------------------

type Rgb = readonly [number, number, number];
export const ACCENT_COLOR = '#1B4F72';
const ACCENT: Rgb = [0x1b, 0x4f, 0x72];
const WHITE: Rgb = [255, 255, 255];

function inRoundRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** True where the briefcase mark is solid; coordinates are in the unit square. */
export function briefcaseMark(x: number, y: number): boolean {
  const body = inRoundRect(x, y, 0.1, 0.3, 0.9, 0.84, 0.08);
  const handle = inRoundRect(x, y, 0.34, 0.14, 0.66, 0.34, 0.06) && !inRoundRect(x, y, 0.42, 0.21, 0.58, 0.36, 0.02);
  const seam = y >= 0.5 && y <= 0.56;
  const clasp = inRoundRect(x, y, 0.43, 0.45, 0.57, 0.62, 0.025);
  return handle || (body && (!seam || clasp));
}

function render(size: number, paint: (inside: boolean) => readonly [number, number, number, number], samples = 4): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [cr, cg, cb, ca] = paint(briefcaseMark((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size));
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const n = samples * samples;
      data[i + 3] = Math.round(a / n);
      if (a > 0) {
        data[i] = Math.round(r / a);
        data[i + 1] = Math.round(g / a);
        data[i + 2] = Math.round(b / a);
      }
    }
  }
  return { width: size, height: size, data };
}

/** color.png: 192x192, full-bleed accent background with a white mark in the centre. */
export function renderColorIcon(): RgbaImage {
  return renderInset(192, 0.2); // the mark fills the inner 60 %
}

function renderInset(size: number, margin: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const u = ((px + (sx + 0.5) / samples) / size - margin) / (1 - 2 * margin);
          const v = ((py + (sy + 0.5) / samples) / size - margin) / (1 - 2 * margin);
          if (u >= 0 && u <= 1 && v >= 0 && v <= 1 && briefcaseMark(u, v)) cover++;
        }
      }
      const t = cover / (samples * samples);
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(ACCENT[c] * (1 - t) + WHITE[c] * t);
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** outline.png: 32x32, white mark on a fully transparent background. */
export function renderOutlineIcon(): RgbaImage {
  return render(32, (inside) => (inside ? [WHITE[0], WHITE[1], WHITE[2], 255] : [0, 0, 0, 0]));
}

export async function writeIcons(appDir: string = path.join(ROOT_DIR, 'appPackage')): Promise<void> {
  await fs.writeFile(path.join(appDir, 'color.png'), encodePng(renderColorIcon()));
  await fs.writeFile(path.join(appDir, 'outline.png'), encodePng(renderOutlineIcon()));
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

export function parseArgs(argv: string[]): { env: string; icons: boolean } {
  let env = 'local';
  let icons = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--env') env = argv[++i] ?? '';
    else if (arg.startsWith('--env=')) env = arg.slice('--env='.length);
    else if (arg === '--icons') icons = true;
    else throw new Error(`unknown argument ${arg} (usage: package-app [--env local|dev] [--icons])`);
  }
  if (!/^[a-z0-9-]+$/i.test(env)) throw new Error(`invalid --env "${env}"`);
  return { env, icons };
}

async function main(): Promise<void> {
  const { env, icons } = parseArgs(process.argv.slice(2));
  if (icons) await writeIcons();
  const result = await packageApp({ env, overrides: process.env });
  console.log(`manifest valid; wrote ${path.relative(ROOT_DIR, result.manifestPath)} and ${path.relative(ROOT_DIR, result.zipPath)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
