/**
 * Copies the part of Microsoft's Graph permission reference (../shared/graph/permissions.json,
 * the data Graph Explorer uses) that covers the resources the simulator implements into
 * src/m365-simulator/graph/permission-reference.json. The simulator reads only that copy, so
 * `npm start` works on machines without ../shared. Run again when the reference is updated:
 *
 *   npx tsx scripts/vendor-graph-permissions.ts [path/to/permissions.json]
 *
 * tests/simulator/permission-reference.test.ts checks the copy still equals this trim of the
 * reference whenever the reference is present.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ReferencePathSet {
  schemeKeys: string[];
  methods: string[];
  paths: Record<string, string>;
}

export interface ReferencePermission {
  schemes?: Record<string, unknown>;
  pathSets?: ReferencePathSet[];
}

export interface PermissionReferenceFile {
  permissions: Record<string, ReferencePermission>;
}

export interface VendoredPermission {
  /** Which of DelegatedWork / DelegatedPersonal / Application exist for this permission. */
  schemes: string[];
  pathSets: ReferencePathSet[];
}

export interface VendoredReference {
  source: string;
  permissions: Record<string, VendoredPermission>;
}

export const DEFAULT_REFERENCE_PATH = path.resolve(__dirname, '..', '..', 'shared', 'graph', 'permissions.json');
export const VENDORED_PATH = path.resolve(__dirname, '..', 'src', 'm365-simulator', 'graph', 'permission-reference.json');

/**
 * Path templates of the resources the simulator serves (drives, sites, group drives, users, groups, checkMemberGroups,
 * invitations, subscriptions, teams, the user's teamwork, sending mail as a user). Workbook (Excel) paths under drive
 * items are not implemented and would triple the file.
 */
const IMPLEMENTED = [
  /^\/drives\//i,
  /^\/sites\/(root|\{[^}]+\})(\/drive|\/drives|$)/i,
  /^\/groups\/\{[^}]+\}\/drive/i,
  /^\/(me|users\/\{[^}]+\})$/i,
  /^\/users$/i,
  /^\/(users|directoryobjects)\/\{[^}]+\}\/checkmembergroups$/i,
  /^\/groups(\/\{[^}]+\})?$/i,
  /^\/users\/\{[^}]+\}\/teamwork\//i,
  /^\/users\/\{[^}]+\}\/sendmail$/i,
  /^\/invitations$/i,
  /^\/subscriptions/i,
  /^\/teams(\/|$)/i,
];
const NOT_IMPLEMENTED = /\/workbook(\/|$)/i;

export function isImplementedTemplate(template: string): boolean {
  return IMPLEMENTED.some((pattern) => pattern.test(template)) && !NOT_IMPLEMENTED.test(template);
}

/** The reference restricted to implemented templates; permissions left with no path drop out. */
export function trimPermissionReference(reference: PermissionReferenceFile): VendoredReference {
  const permissions: Record<string, VendoredPermission> = {};
  for (const name of Object.keys(reference.permissions).sort()) {
    const entry = reference.permissions[name];
    const pathSets: ReferencePathSet[] = [];
    for (const set of entry.pathSets ?? []) {
      const paths = Object.fromEntries(Object.entries(set.paths).filter(([template]) => isImplementedTemplate(template)));
      if (Object.keys(paths).length) pathSets.push({ schemeKeys: [...set.schemeKeys], methods: [...set.methods], paths });
    }
    if (pathSets.length) permissions[name] = { schemes: Object.keys(entry.schemes ?? {}), pathSets };
  }
  return { source: 'microsoft-graph-devx-content permissions.json (Graph Explorer), trimmed by scripts/vendor-graph-permissions.ts', permissions };
}

if (require.main === module) {
  const from = process.argv[2] ?? DEFAULT_REFERENCE_PATH;
  const reference = JSON.parse(readFileSync(from, 'utf8')) as PermissionReferenceFile;
  const trimmed = trimPermissionReference(reference);
  writeFileSync(VENDORED_PATH, `${JSON.stringify(trimmed)}\n`);
  console.log(`${Object.keys(trimmed.permissions).length} permissions written to ${path.relative(process.cwd(), VENDORED_PATH)}`);
}
