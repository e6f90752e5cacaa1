import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { ArchiveProblem } from '../contract/enums';
import { type ArchiveLimits, type EntryRecord, type EntryRefusal, planArchive, type PlannedEntry, RAW_ENTRIES_PER_FILE } from '../domain/archive-plan';
import { DomainError } from '../domain/errors';

export type { ArchiveLimits } from '../domain/archive-plan';

/**
 * Reading uploaded .zip archives safely. The central directory is read first and planned
 * (src/domain/archive-plan.ts: clutter left out, each entry kept or refused with its reason, the
 * archive refused whole when it holds too many files or expands past the cap), then only the kept
 * entries are decompressed to a spool directory, each cut off at its declared size while it
 * streams: a lying header cannot write more than the plan allowed, so what reaches the disk is
 * bounded by min(total cap, ratio × archive size). Archives inside the archive are kept as files,
 * never expanded.
 */

const STATUS_CODE: Record<ArchiveProblem, 'validation_failed' | 'payload_too_large' | 'unsupported_media_type'> = {
  corrupt: 'validation_failed',
  zip_slip: 'validation_failed',
  bad_name: 'validation_failed',
  duplicate: 'validation_failed',
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

export interface ExtractedEntry extends PlannedEntry {
  /** Spool file holding the entry's bytes. */
  file: string;
}

/** Extensions of archives that stay packed (no nested expansion). */
export const ARCHIVE_EXTENSIONS = new Set(['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'cab', 'iso']);

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings false: we decode and check names ourselves (archive-plan), so a zip-slip
    // name is refused with our message instead of a parser error.
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new ArchiveError('corrupt', `the archive cannot be read: ${err?.message ?? 'unknown error'}`));
      else resolve(zip);
    });
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An entry's name from its raw bytes (we decode ourselves: decodeStrings false). yauzl's own
 * decoder reads the UTF-8 flag (bit 11), the Info-ZIP Unicode Path field (0x7075, written by
 * 7-Zip and Info-ZIP beside a CP437 name) and otherwise CP437 (old Windows Explorer). One case
 * comes first: an unflagged name whose bytes are valid UTF-8 beyond ASCII is UTF-8 (macOS
 * writes them so), since CP437 text almost never forms valid multi-byte UTF-8.
 */
export function decodeEntryName(raw: Buffer, generalPurposeBitFlag: number, extraFields: ReadonlyArray<{ id: number; data: Buffer }>): string {
  const flagged = (generalPurposeBitFlag & 0x800) !== 0;
  const unicodeField = extraFields.some((f) => f.id === 0x7075);
  if (!flagged && !unicodeField && raw.some((byte) => byte >= 0x80)) {
    try {
      return strictUtf8.decode(raw);
    } catch {
      // Not UTF-8: CP437 below.
    }
  }
  // strictFileNames true: backslashes are kept for the plan to judge (a `..\\` path is zip slip).
  return yauzl.getFileNameLowLevel(generalPurposeBitFlag, raw, extraFields as Array<{ id: number; data: Buffer }>, true);
}

const entryName = (entry: yauzl.Entry): string => decodeEntryName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag, entry.extraFields);

const isSymlink = (entry: yauzl.Entry) => ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;

function recordOf(entry: yauzl.Entry): EntryRecord {
  return { name: entryName(entry), encrypted: (entry.generalPurposeBitFlag & 0x1) !== 0, symlink: isSymlink(entry), compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize };
}

const corrupt = (err: unknown) => (err instanceof ArchiveError ? err : new ArchiveError('corrupt', `the archive is damaged: ${err instanceof Error ? err.message : String(err)}`));

/** Reads the central directory (bounded) and plans it; throws when the archive is refused whole. */
export async function inspectZip(file: string, limits: ArchiveLimits, folder = ''): Promise<Extract<ReturnType<typeof planArchive>, { ok: true }>> {
  const zip = await openZip(file);
  try {
    const rawCap = limits.maxEntries * RAW_ENTRIES_PER_FILE;
    if (zip.entryCount > rawCap) throw new ArchiveError('too_many_entries', `the archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
    const records: EntryRecord[] = [];
    try {
      for await (const entry of zip.eachEntry()) records.push(recordOf(entry));
    } catch (err) {
      throw corrupt(err);
    }
    const plan = planArchive(records, limits, folder);
    if (!plan.ok) throw new ArchiveError(plan.problem, plan.reason);
    return plan;
  } finally {
    zip.close();
  }
}

/**
 * Decompresses the planned entries into `dir`, one at a time, each metered while it streams:
 * past its declared size it is cut off, its spool file removed and the entry refused (the rest go
 * on). The total is metered too, against the cap, in case a plan and an archive ever disagree.
 */
export async function extractZip(file: string, wanted: readonly PlannedEntry[], dir: string, limits: ArchiveLimits): Promise<{ extracted: ExtractedEntry[]; refused: EntryRefusal[] }> {
  const byIndex = new Map(wanted.map((e) => [e.index, e]));
  const zip = await openZip(file);
  const extracted: ExtractedEntry[] = [];
  const refused: EntryRefusal[] = [];
  let total = 0;
  let index = -1;
  try {
    for await (const entry of zip.eachEntry()) {
      const target = byIndex.get(++index);
      if (!target) continue;
      const spool = path.join(dir, `entry-${index}`);
      let written = 0;
      const overflow = () => new ArchiveError('corrupt', 'the file expands beyond the size its header declares; the archive looks tampered with');
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          written += chunk.length;
          total += chunk.length;
          if (total > limits.maxUncompressedBytes) cb(new ArchiveError('too_large', `the archive expands to more than ${limits.maxUncompressedBytes} bytes`));
          else if (written > target.size) cb(overflow());
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(await zip.openReadStreamPromise(entry), meter, createWriteStream(spool));
        if (written !== target.size) throw new ArchiveError('corrupt', `the file has ${written} bytes, not the ${target.size} its header says`);
        extracted.push({ ...target, file: spool });
      } catch (err) {
        await fs.rm(spool, { force: true });
        // yauzl's own size check (validateEntrySizes) may stop the stream first: the same finding, in our words.
        const refusal = err instanceof Error && /^too many bytes in the stream/.test(err.message) ? overflow() : corrupt(err);
        if (refusal.problem === 'too_large') throw refusal;
        refused.push({ path: target.path, problem: refusal.problem, reason: refusal.message.replace(/^the archive is damaged/, 'the file cannot be decompressed') });
      }
    }
  } catch (err) {
    throw corrupt(err);
  } finally {
    zip.close();
  }
  return { extracted, refused };
}

export async function removeQuietly(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true }).catch(() => undefined);
}
