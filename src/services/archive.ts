import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { DomainError } from '../domain/errors';
import { checkItemName, checkRelativePath, checkUploadName } from '../domain/filenames';

/**
 * Reading uploaded .zip archives safely. Everything is checked from the central directory
 * before a byte is decompressed (entry count, declared sizes, compression ratio, names, zip
 * slip, encryption, blocked types), then entries are decompressed to a spool directory with the
 * sizes enforced again on the real bytes (a lying header cannot inflate past the limits). Only
 * when the whole archive passed is anything stored, so a refused archive leaves nothing behind.
 * Archives inside the archive are kept as files, never expanded.
 */

export type ArchiveProblem = 'corrupt' | 'zip_slip' | 'bad_name' | 'empty' | 'too_many_entries' | 'too_large' | 'ratio' | 'encrypted' | 'blocked_type' | 'symlink';

const STATUS_CODE: Record<ArchiveProblem, 'validation_failed' | 'payload_too_large' | 'unsupported_media_type'> = {
  corrupt: 'validation_failed',
  zip_slip: 'validation_failed',
  bad_name: 'validation_failed',
  empty: 'validation_failed',
  symlink: 'validation_failed',
  too_many_entries: 'payload_too_large',
  too_large: 'payload_too_large',
  ratio: 'payload_too_large',
  encrypted: 'unsupported_media_type',
  blocked_type: 'unsupported_media_type',
};

/** A refused archive: 400 (malformed, unsafe paths), 413 (too big, bomb), 415 (encrypted, blocked types). */
export class ArchiveError extends DomainError {
  constructor(
    readonly problem: ArchiveProblem,
    message: string,
  ) {
    super(STATUS_CODE[problem], message, 'file');
    this.name = 'ArchiveError';
  }
}

export interface ArchiveLimits {
  maxUncompressedBytes: number;
  maxEntries: number;
  /** Largest uncompressed/compressed ratio accepted for an entry (zip bombs reach thousands). */
  maxRatio: number;
}

export interface ArchiveEntry {
  /** Relative path with forward slashes, checked. */
  path: string;
  size: number;
}

export interface ExtractedEntry extends ArchiveEntry {
  /** Spool file holding the entry's bytes. */
  file: string;
}

/** Extensions of archives that stay packed (no nested expansion). */
export const ARCHIVE_EXTENSIONS = new Set(['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'cab', 'iso']);
/** Ratio checks start above this size: tiny text files compress very well without being bombs. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings false: we decode and check names ourselves (checkRelativePath), so a
    // zip-slip name is refused with our message instead of a parser error.
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new ArchiveError('corrupt', `the archive cannot be read: ${err?.message ?? 'unknown error'}`));
      else resolve(zip);
    });
  });
}

function entryName(entry: yauzl.Entry): string {
  // With decodeStrings false yauzl hands the raw bytes; bit 11 says UTF-8, otherwise CP437 (close enough as latin1 for checks).
  const raw = entry.fileName as unknown as Buffer;
  return raw.toString(entry.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1');
}

const isDirectory = (name: string) => name.endsWith('/') || name.endsWith('\\');
const isSymlink = (entry: yauzl.Entry) => ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;

/** Checks the whole central directory; returns the files to extract (directories and empty files dropped). */
export async function inspectZip(file: string, limits: ArchiveLimits): Promise<ArchiveEntry[]> {
  const zip = await openZip(file);
  try {
    if (zip.entryCount > limits.maxEntries) throw new ArchiveError('too_many_entries', `the archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
    const entries: ArchiveEntry[] = [];
    const seen = new Set<string>();
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        const name = entryName(entry);
        if (entry.generalPurposeBitFlag & 0x1) throw new ArchiveError('encrypted', `${name} is encrypted; upload an archive without a password`);
        if (isSymlink(entry)) throw new ArchiveError('symlink', `${name} is a symbolic link; links are not accepted in archives`);
        if (isDirectory(name)) {
          const dir = name.replace(/[/\\]+$/, '');
          if (dir) checkPath(dir, false);
          continue;
        }
        const relative = checkPath(name, true);
        total += entry.uncompressedSize;
        if (total > limits.maxUncompressedBytes) throw new ArchiveError('too_large', `the archive expands to more than ${limits.maxUncompressedBytes} bytes`);
        if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
          throw new ArchiveError('ratio', `${relative} expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times; this looks like a zip bomb`);
        }
        const key = relative.toLowerCase();
        if (seen.has(key)) throw new ArchiveError('bad_name', `${relative} appears twice in the archive`);
        seen.add(key);
        if (entry.uncompressedSize > 0) entries.push({ path: relative, size: entry.uncompressedSize });
      }
    } catch (err) {
      if (err instanceof ArchiveError) throw err;
      throw new ArchiveError('corrupt', `the archive is damaged: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (entries.length === 0) throw new ArchiveError('empty', 'the archive contains no files');
    return entries;
  } finally {
    zip.close();
  }
}

function checkPath(name: string, isFile: boolean): string {
  const relative = name.replace(/\\/g, '/');
  if (/(^|\/)\.\.(\/|$)/.test(relative) || relative.startsWith('/') || /^[a-zA-Z]:/.test(relative)) {
    throw new ArchiveError('zip_slip', `${name} points outside the archive's folder`);
  }
  if (isFile) {
    const check = checkRelativePath(relative);
    if (!check.ok) {
      const leaf = relative.split('/').pop() as string;
      const blockedType = checkItemName(leaf).ok && !checkUploadName(leaf).ok;
      throw new ArchiveError(blockedType ? 'blocked_type' : 'bad_name', `${name}: ${check.reason}`);
    }
  } else {
    for (const segment of relative.split('/').filter(Boolean)) {
      const check = checkItemName(segment);
      if (!check.ok) throw new ArchiveError('bad_name', `${name}: ${check.reason}`);
    }
  }
  return relative.split('/').filter(Boolean).join('/');
}

/** Decompresses the inspected entries into `dir`, counting real bytes against the declared sizes and the total limit. */
export async function extractZip(file: string, wanted: readonly ArchiveEntry[], dir: string, limits: ArchiveLimits): Promise<ExtractedEntry[]> {
  const byPath = new Map(wanted.map((e) => [e.path.toLowerCase(), e]));
  const zip = await openZip(file);
  const out: ExtractedEntry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entryName(entry);
      if (isDirectory(name)) continue;
      const target = byPath.get(name.replace(/\\/g, '/').split('/').filter(Boolean).join('/').toLowerCase());
      if (!target) continue;
      const spool = path.join(dir, `entry-${out.length}`);
      let written = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          written += chunk.length;
          total += chunk.length;
          if (written > target.size || total > limits.maxUncompressedBytes) cb(new ArchiveError('too_large', `${target.path} expands beyond its declared size`));
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(await zip.openReadStreamPromise(entry), meter, createWriteStream(spool));
      } catch (err) {
        if (err instanceof ArchiveError) throw err;
        throw new ArchiveError('corrupt', `${target.path} cannot be decompressed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (written !== target.size) throw new ArchiveError('corrupt', `${target.path} has ${written} bytes, not the ${target.size} its header says`);
      out.push({ ...target, file: spool });
    }
  } finally {
    zip.close();
  }
  return out;
}

export async function removeQuietly(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true }).catch(() => undefined);
}
