import { unsafeNameProblem, visibleName } from '../contract/names';

/**
 * What SharePoint and OneDrive accept as a file or folder name, checked before any byte is
 * stored, so a hostile name is refused with a reason instead of failing half-way.
 * Source: "Restrictions and limitations in OneDrive and SharePoint" (invalid characters,
 * invalid names, 400-character decoded path limit).
 */
const ILLEGAL_CHARS = /["*:<>?/\\|]/;
// Control characters are matched by code point rather than in a regex class, which lint rightly flags as usually a mistake.
const hasControlCharacter = (name: string) => [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
const RESERVED = new Set(['.lock', 'con', 'prn', 'aux', 'nul', 'desktop.ini', '_vti_', ...Array.from({ length: 10 }, (_, i) => `com${i}`), ...Array.from({ length: 10 }, (_, i) => `lpt${i}`)]);
export const MAX_PATH_LENGTH = 400;
export const MAX_NAME_LENGTH = 255;

/** Executables and scripts a client portal has no reason to accept. */
const BLOCKED_EXTENSIONS = new Set(['exe', 'bat', 'cmd', 'com', 'msi', 'scr', 'ps1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'jar', 'dll', 'sh', 'app', 'hta', 'cpl', 'lnk', 'reg', 'pif']);

export type NameProblem = { ok: true } | { ok: false; reason: string };

export function checkItemName(name: string): NameProblem {
  if (name.length === 0 || name.trim().length === 0) return { ok: false, reason: 'the name is empty' };
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: `the name is longer than ${MAX_NAME_LENGTH} characters` };
  if (name !== name.trim()) return { ok: false, reason: 'the name starts or ends with a space' };
  if (ILLEGAL_CHARS.test(name) || hasControlCharacter(name)) return { ok: false, reason: 'the name contains a character SharePoint does not allow (" * : < > ? / \\ | or a control character)' };
  // Bidi controls and zero-width characters: refused, not removed (src/contract/names.ts says why).
  const unsafe = unsafeNameProblem(name);
  if (unsafe) return { ok: false, reason: unsafe };
  if (name.endsWith('.')) return { ok: false, reason: 'the name ends with a dot' };
  if (name.startsWith('~$')) return { ok: false, reason: 'names starting with ~$ are reserved' };
  const stem = name.toLowerCase().split('.')[0];
  if (RESERVED.has(name.toLowerCase()) || RESERVED.has(stem) || name.toLowerCase().includes('_vti_')) return { ok: false, reason: `"${name}" is a reserved name` };
  return { ok: true };
}

export function checkUploadName(name: string): NameProblem {
  const basic = checkItemName(name);
  if (!basic.ok) return basic;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (BLOCKED_EXTENSIONS.has(ext)) return { ok: false, reason: `.${ext} files are not accepted` };
  return { ok: true };
}

/** A relative path from a zip or a folder upload: every segment must be a valid name, no way out. */
export function checkRelativePath(path: string): NameProblem {
  if (path.length > MAX_PATH_LENGTH) return { ok: false, reason: `the path is longer than ${MAX_PATH_LENGTH} characters` };
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) return { ok: false, reason: 'absolute paths are not allowed' };
  const segments = path.split(/[/\\]/).filter((s) => s.length > 0);
  if (segments.length === 0) return { ok: false, reason: 'the path is empty' };
  for (const segment of segments) {
    if (segment === '..' || segment === '.') return { ok: false, reason: 'the path leaves its folder (..)' };
    const check = checkItemName(segment);
    if (!check.ok) return { ok: false, reason: `${visibleName(segment)}: ${check.reason}` };
  }
  return checkUploadName(segments[segments.length - 1]);
}
