import { describe, expect, it } from '@jest/globals';
import { type ArchiveLimits, type EntryRecord, osJunkReason, planArchive } from './archive-plan';

const LIMITS: ArchiveLimits = { maxUncompressedBytes: 10_000_000, maxEntries: 10, maxRatio: 100 };
const file = (name: string, over: Partial<EntryRecord> = {}): EntryRecord => ({ name, encrypted: false, symlink: false, compressedSize: 100, uncompressedSize: 200, ...over });
const ok = (plan: ReturnType<typeof planArchive>) => {
  if (!plan.ok) throw new Error(`refused whole: ${plan.reason}`);
  return plan;
};

describe('osJunkReason', () => {
  it.each(['__MACOSX/._scan.pdf', '__MACOSX/Records/._a.pdf', 'Records/__MACOSX/x', '._scan.pdf', 'Records/.DS_Store', 'Thumbs.db', 'a/THUMBS.DB', 'desktop.ini', 'a\\Desktop.ini', 'Icon\r'])('%j is clutter', (path) => {
    expect(osJunkReason(path)).not.toBeNull();
  });
  it.each(['scan.pdf', 'Records/_real.pdf', '.hidden-but-real.txt', 'macosx/notes.txt', 'thumbs.db.pdf'])('%j is a real file', (path) => {
    expect(osJunkReason(path)).toBeNull();
  });
});

describe('planArchive', () => {
  it('keeps the good files, leaves clutter out and refuses each bad entry with its own reason', () => {
    const plan = ok(
      planArchive(
        [
          file('Records/'),
          file('Records/intake.pdf'),
          file('__MACOSX/'),
          file('__MACOSX/Records/._intake.pdf'),
          file('Records/.DS_Store'),
          file('Records/run.exe'),
          file('../evil.txt'),
          file('invoice\u202Efdp.html'),
          file('secret.pdf', { encrypted: true }),
          file('link.txt', { symlink: true }),
          file('empty.pdf', { uncompressedSize: 0 }),
          file('records/INTAKE.pdf'),
          file('notes.txt'),
        ],
        LIMITS,
      ),
    );
    expect(plan.entries).toEqual([
      { index: 1, path: 'Records/intake.pdf', size: 200 },
      { index: 12, path: 'notes.txt', size: 200 },
    ]);
    expect(plan.skipped.map((s) => s.path)).toEqual(['__MACOSX/Records/._intake.pdf', 'Records/.DS_Store']);
    expect(plan.refused.map((r) => [r.path, r.problem])).toEqual([
      ['Records/run.exe', 'blocked_type'],
      ['../evil.txt', 'zip_slip'],
      ['invoice<U+202E>fdp.html', 'bad_name'],
      ['secret.pdf', 'encrypted'],
      ['link.txt', 'symlink'],
      ['empty.pdf', 'empty'],
      ['records/INTAKE.pdf', 'duplicate'],
    ]);
    expect(plan.refused.find((r) => r.problem === 'bad_name')?.reason).toMatch(/right-to-left override \(U\+202E\)/);
  });

  it('applies the ratio limit to every entry, however small', () => {
    const plan = ok(
      planArchive(
        [
          file('tiny-bomb.txt', { compressedSize: 10, uncompressedSize: 1001 }),
          file('at-the-limit.txt', { compressedSize: 10, uncompressedSize: 1000 }),
          file('no-data.txt', { compressedSize: 0, uncompressedSize: 1 }),
          file('stored.pdf', { compressedSize: 5000, uncompressedSize: 5000 }),
        ],
        LIMITS,
      ),
    );
    expect(plan.refused.map((r) => [r.path, r.problem])).toEqual([
      ['tiny-bomb.txt', 'ratio'],
      ['no-data.txt', 'ratio'],
    ]);
    expect(plan.refused[0].reason).toMatch(/expands 100 times \(at most 100 accepted\); this looks like a zip bomb/);
    expect(plan.entries.map((e) => e.path)).toEqual(['at-the-limit.txt', 'stored.pdf']);
  });

  it('bounds what an archive can write to ratio × its compressed bytes', () => {
    // 1,000 entries of 1 MiB of zeros, ~1 KiB each compressed: the many-entry bomb.
    const bomb = Array.from({ length: 1000 }, (_, i) => file(`f${i}.bin`, { compressedSize: 1040, uncompressedSize: 1024 * 1024 }));
    const plan = planArchive(bomb, { ...LIMITS, maxEntries: 2000, maxUncompressedBytes: 2 * 1024 ** 3 });
    expect(ok(plan).entries).toEqual([]);
    expect(ok(plan).refused).toHaveLength(1000);
  });

  it('refuses the whole archive when it holds too many files or claims to expand past the cap; clutter and folders do not count', () => {
    const many = Array.from({ length: 11 }, (_, i) => file(`f${i}.pdf`));
    expect(planArchive(many, LIMITS)).toEqual({ ok: false, problem: 'too_many_entries', reason: 'the archive has 11 entries; at most 10 are accepted' });
    const withClutter = [...many.slice(0, 10), ...many.map((f) => file(`__MACOSX/._${f.name}`)), file('dir/')];
    expect(ok(planArchive(withClutter, LIMITS)).entries).toHaveLength(10);
    const huge = [file('a.pdf', { compressedSize: 6_000_000, uncompressedSize: 6_000_000 }), file('b.pdf', { compressedSize: 4_000_001, uncompressedSize: 4_000_001 })];
    expect(planArchive(huge, LIMITS)).toMatchObject({ ok: false, problem: 'too_large' });
  });

  it('counts the destination folder in the 400-character path limit, and refuses unsafe folder records', () => {
    const plan = ok(planArchive([file(`${'d'.repeat(150)}/scan.pdf`), file('../outside/'), file('CON/')], LIMITS, 'x'.repeat(250)));
    expect(plan.refused.map((r) => [r.path.slice(0, 10), r.problem])).toEqual([
      ['dddddddddd', 'bad_name'],
      ['../outside', 'zip_slip'],
      ['CON/', 'bad_name'],
    ]);
  });
});
