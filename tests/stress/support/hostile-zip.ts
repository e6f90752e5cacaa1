import { ZipFile } from 'yazl';

/**
 * Zips for the upload sweep and the bench. `zip` builds a well-formed archive with yazl; the
 * patchers then rewrite bytes yazl refuses to write (names that escape the folder, headers
 * that lie about sizes, flags), in both the local headers and the central directory.
 */
export interface ZipEntry {
  name: string;
  content: Buffer;
  compress?: boolean;
  /** Unix mode (e.g. 0o120777 for a symbolic link). */
  mode?: number;
}

export function zip(entries: readonly ZipEntry[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new ZipFile();
    for (const e of entries) z.addBuffer(e.content, e.name, { compress: e.compress ?? true, ...(e.mode ? { mode: e.mode } : {}) });
    z.end();
    const chunks: Buffer[] = [];
    z.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

/** A well-formed zip of text files, path → text (the browser tests' uploads). */
export const textZip = (files: Record<string, string>): Promise<Buffer> => zip(Object.entries(files).map(([name, text]) => ({ name, content: Buffer.from(text) })));

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;

interface Header {
  kind: 'local' | 'central';
  offset: number;
  name: string;
}

/** Every local and central header with its name (archives made by `zip`: no zip64, no comments). */
function headers(buf: Buffer): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 46 <= buf.length; i++) {
    const sig = buf.readUInt32LE(i);
    if (sig === LOCAL) {
      const len = buf.readUInt16LE(i + 26);
      out.push({ kind: 'local', offset: i, name: buf.subarray(i + 30, i + 30 + len).toString('latin1') });
      i += 29 + len + buf.readUInt16LE(i + 28) + buf.readUInt32LE(i + 18);
    } else if (sig === CENTRAL) {
      const len = buf.readUInt16LE(i + 28);
      out.push({ kind: 'central', offset: i, name: buf.subarray(i + 46, i + 46 + len).toString('latin1') });
      i += 45 + len + buf.readUInt16LE(i + 30) + buf.readUInt16LE(i + 32);
    }
  }
  return out;
}

function entryHeaders(buf: Buffer, name: string): Header[] {
  const found = headers(buf).filter((h) => h.name === name);
  if (found.length !== 2) throw new Error(`${name}: expected a local and a central header, found ${found.length}`);
  return found;
}

/** A zip whose entry names are written as given, byte for byte (yazl refuses `..`, absolute and drive-letter paths). */
export async function zipWithRawNames(entries: ReadonlyArray<{ name: string; content: Buffer }>): Promise<Buffer> {
  const placeholders = entries.map((e, i) => {
    if (e.name.length < 4) throw new Error('raw names need at least 4 characters');
    return `p${i}`.padEnd(e.name.length, 'q');
  });
  const buf = await zip(entries.map((e, i) => ({ name: placeholders[i], content: e.content })));
  entries.forEach((e, i) => {
    for (const h of entryHeaders(buf, placeholders[i])) buf.write(e.name, h.offset + (h.kind === 'local' ? 30 : 46), 'latin1');
  });
  return buf;
}

/** Rewrites the uncompressed size an entry declares (local header and central directory), keeping its real data. */
export function lieAboutSize(buf: Buffer, name: string, declaredUncompressed: number): Buffer {
  const out = Buffer.from(buf);
  for (const h of entryHeaders(out, name)) out.writeUInt32LE(declaredUncompressed, h.offset + (h.kind === 'local' ? 22 : 24));
  return out;
}

/** Sets general-purpose flag bits on an entry (bit 0: encrypted). */
export function setFlag(buf: Buffer, name: string, bits: number): Buffer {
  const out = Buffer.from(buf);
  for (const h of entryHeaders(out, name)) {
    const at = h.offset + (h.kind === 'local' ? 6 : 8);
    out.writeUInt16LE(out.readUInt16LE(at) | bits, at);
  }
  return out;
}
