import type { ArchiveProblem } from '../contract/enums';
import { visibleName } from '../contract/names';
import { checkItemName, checkRelativePath, checkUploadName, MAX_PATH_LENGTH } from './filenames';

/**
 * What to do with each entry of an uploaded zip, decided from its central directory alone,
 * before a byte is decompressed: store it, leave it out as operating-system clutter, or refuse it
 * with a reason. One refused entry refuses only itself; the whole archive is refused only when it
 * is too big to open safely (too many entries, too large expanded), and then nothing is written.
 * Pure, so every rule is tested without a zip (archive-plan.test.ts); src/services/archive.ts
 * reads the directory and decompresses what the plan keeps, enforcing the sizes again on the real bytes.
 */

export interface ArchiveLimits {
  /** Cap on the sum of every file's expanded size: what one archive may write to the spool disk and to SharePoint. */
  maxUncompressedBytes: number;
  /** Files (not counting folders and clutter) one archive may hold: each becomes a SharePoint upload and a document. */
  maxEntries: number;
  /**
   * Largest expanded/compressed ratio accepted for EVERY entry, however small. Office files,
   * PDFs and photos compress 1-10 times, plain text up to ~20; deflate tops out near 1,032, which
   * is where zip bombs sit. With no size floor, the whole archive can expand at most this many
   * times its own size: a 66 KiB zip writes at most 66 KiB × ratio (6.6 MiB at the default 100).
   */
  maxRatio: number;
}

/**
 * Central-directory records read at all, folders and clutter included, as a multiple of
 * `maxEntries`: a Mac archive carries a `__MACOSX/._name` twin and folder records beside each file,
 * so honest archives need some room, while a directory of a million records is refused unread.
 */
export const RAW_ENTRIES_PER_FILE = 4;

/** One central-directory record as the zip reader decoded it. */
export interface EntryRecord {
  name: string;
  encrypted: boolean;
  symlink: boolean;
  compressedSize: number;
  uncompressedSize: number;
}

/** A file to extract: its index among the archive's records and its checked path. */
export interface PlannedEntry {
  index: number;
  path: string;
  size: number;
}

export interface EntryNote {
  /** Path in the archive, invisible characters shown as <U+202E> (safe to display). */
  path: string;
  reason: string;
}
export interface EntryRefusal extends EntryNote {
  problem: ArchiveProblem;
}

export type ArchivePlan = { ok: true; entries: PlannedEntry[]; refused: EntryRefusal[]; skipped: EntryNote[] } | { ok: false; problem: ArchiveProblem; reason: string };

/** Files operating systems add on their own; nobody means to send them to a law firm. */
const JUNK_FILES = new Map<string, string>([
  ['.ds_store', 'macOS folder settings (.DS_Store)'],
  ['thumbs.db', 'Windows thumbnail cache (Thumbs.db)'],
  ['ehthumbs.db', 'Windows thumbnail cache (ehthumbs.db)'],
  ['desktop.ini', 'Windows folder settings (desktop.ini)'],
  ['icon\r', 'macOS custom folder icon'],
]);

/** Why `path` (forward or back slashes) is operating-system clutter, or null when it is a real file. */
export function osJunkReason(path: string): string | null {
  const segments = path.split(/[/\\]/).filter(Boolean);
  if (segments.some((s) => s.toLowerCase() === '__macosx')) return 'macOS resource data (__MACOSX)';
  const leaf = segments[segments.length - 1] ?? '';
  if (leaf.startsWith('._')) return 'macOS resource data (._ file)';
  return JUNK_FILES.get(leaf.toLowerCase()) ?? null;
}

const isDirectoryName = (name: string) => name.endsWith('/') || name.endsWith('\\');

/** Null when the path is safe to create under `folder`; else why not. */
function pathProblem(name: string, isFile: boolean, folder: string): { problem: ArchiveProblem; reason: string } | null {
  const relative = name.replace(/\\/g, '/');
  if (/(^|\/)\.\.(\/|$)/.test(relative) || relative.startsWith('/') || /^[a-zA-Z]:/.test(relative)) return { problem: 'zip_slip', reason: 'the path points outside the archive’s folder' };
  const segments = relative.split('/').filter(Boolean);
  if (!isFile) {
    for (const segment of segments) {
      const check = checkItemName(segment);
      if (!check.ok) return { problem: 'bad_name', reason: `${visibleName(segment)}: ${check.reason}` };
    }
    return null;
  }
  const check = checkRelativePath(relative);
  if (!check.ok) {
    const leaf = segments[segments.length - 1] ?? '';
    const blockedType = checkItemName(leaf).ok && !checkUploadName(leaf).ok;
    return { problem: blockedType ? 'blocked_type' : 'bad_name', reason: check.reason };
  }
  const full = [folder, segments.join('/')].filter(Boolean).join('/');
  if (full.length > MAX_PATH_LENGTH) return { problem: 'bad_name', reason: `with the destination folder the path is longer than ${MAX_PATH_LENGTH} characters` };
  return null;
}

/** The one file's problem, if any, from its record alone (duplicates are the plan's). */
function fileProblem(record: EntryRecord, folder: string, limits: ArchiveLimits): { problem: ArchiveProblem; reason: string } | null {
  const unsafePath = pathProblem(record.name, true, folder);
  if (unsafePath) return unsafePath;
  if (record.symlink) return { problem: 'symlink', reason: 'a symbolic link; links are not accepted in archives' };
  if (record.encrypted) return { problem: 'encrypted', reason: 'encrypted; upload an archive without a password' };
  if (record.uncompressedSize === 0) return { problem: 'empty', reason: 'the file is empty' };
  if (record.uncompressedSize > limits.maxRatio * record.compressedSize) {
    const times = record.compressedSize === 0 ? 'without limit' : `${Math.round(record.uncompressedSize / record.compressedSize)} times`;
    return { problem: 'ratio', reason: `expands ${times} (at most ${limits.maxRatio} accepted); this looks like a zip bomb` };
  }
  return null;
}

/**
 * The plan for an archive's records, in archive order. `folder` is where the archive's folders
 * are recreated (the upload's destination path), so the 400-character limit counts it.
 */
export function planArchive(records: Iterable<EntryRecord>, limits: ArchiveLimits, folder = ''): ArchivePlan {
  const entries: PlannedEntry[] = [];
  const refused: EntryRefusal[] = [];
  const skipped: EntryNote[] = [];
  const seen = new Set<string>();
  let files = 0;
  let declaredTotal = 0;
  let index = -1;
  for (const record of records) {
    index++;
    const shown = visibleName(record.name);
    const junk = osJunkReason(record.name);
    if (isDirectoryName(record.name)) {
      // Folders come from the files' paths; a folder record only matters when its path is unsafe.
      const dir = record.name.replace(/[/\\]+$/, '');
      const problem = junk || !dir ? null : pathProblem(dir, false, folder);
      if (problem) refused.push({ path: shown, ...problem });
      continue;
    }
    if (junk) {
      skipped.push({ path: shown, reason: junk });
      continue;
    }
    files++;
    declaredTotal += record.uncompressedSize;
    const problem = fileProblem(record, folder, limits);
    if (problem) {
      refused.push({ path: shown, ...problem });
      continue;
    }
    const path = record.name.replace(/\\/g, '/').split('/').filter(Boolean).join('/');
    const key = path.toLowerCase();
    if (seen.has(key)) {
      refused.push({ path: shown, problem: 'duplicate', reason: 'the same path appears twice in the archive (letter case aside); the first was kept' });
      continue;
    }
    seen.add(key);
    entries.push({ index, path, size: record.uncompressedSize });
  }
  if (files > limits.maxEntries) return { ok: false, problem: 'too_many_entries', reason: `the archive has ${files} entries; at most ${limits.maxEntries} are accepted` };
  // Every file's declared size counts, refused ones too: an archive that claims this much is refused whole, unread.
  if (declaredTotal > limits.maxUncompressedBytes) return { ok: false, problem: 'too_large', reason: `the archive expands to more than ${limits.maxUncompressedBytes} bytes` };
  return { ok: true, entries, refused, skipped };
}
