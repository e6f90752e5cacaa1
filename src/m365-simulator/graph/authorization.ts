/**
 * Graph authorises every call from its token before anything else happens: an app-only token by
 * its `roles`, a delegated token by its `scp`, and an app's resource-specific consent (RSC,
 * `*.Group` / `*.User`) only inside the team or for the user where the app is installed. Which
 * permissions a call accepts comes from Microsoft's permission reference (the data Graph
 * Explorer shows, vendored in permission-reference.json by scripts/vendor-graph-permissions.ts)
 * plus the few documented operations the reference lacks (AUTHORIZATION_EXCEPTIONS).
 *
 * https://learn.microsoft.com/graph/permissions-overview
 * https://learn.microsoft.com/microsoftteams/platform/graph-api/rsc/resource-specific-consent
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SimulatorData } from '../state/model';
import { findUser } from '../state/directory';
import { resourceSpecificPermissionsAt } from '../state/installations';
import type { Caller } from '../web/types';
import { GraphError } from '../web/errors';

export type PermissionScheme = 'Application' | 'DelegatedWork';

interface PathSet {
  schemeKeys: string[];
  methods: string[];
  paths: Record<string, string>;
}

export interface PermissionReference {
  permissions: Record<string, { schemes: string[]; pathSets: PathSet[] }>;
}

/** An operation Graph documents but the reference does not list, with the page that says so. */
export interface AuthorizationException {
  methods: string[];
  template: string;
  application: string[];
  delegated: string[];
  source: string;
}

/**
 * The ONE list of operations the simulator serves that Microsoft's permission reference misses
 * (or lists without the application scheme the Learn page documents).
 */
export const AUTHORIZATION_EXCEPTIONS: AuthorizationException[] = [
  // The simulator accepts subscriptions on drive roots only; for those Learn lists Files.ReadWrite.All
  // (delegated and application). Reading, renewing and deleting a subscription need what creating it needed.
  {
    methods: ['POST', 'GET'],
    template: '/subscriptions',
    application: ['Files.ReadWrite.All'],
    delegated: ['Files.ReadWrite', 'Files.ReadWrite.All'],
    source: 'https://learn.microsoft.com/graph/api/subscription-post-subscriptions (driveItem row)',
  },
  {
    methods: ['GET', 'PATCH', 'DELETE'],
    template: '/subscriptions/{id}',
    application: ['Files.ReadWrite.All'],
    delegated: ['Files.ReadWrite', 'Files.ReadWrite.All'],
    source: 'https://learn.microsoft.com/graph/api/subscription-update and subscription-delete ("same permissions as creating the subscription")',
  },
  // The reference gives createUploadSession the Application scheme only under Sites.ReadWrite.All;
  // the Learn page lists Files.ReadWrite.All for applications too.
  {
    methods: ['POST'],
    template: '/drives/{id}/items/{id}/createuploadsession',
    application: ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
    delegated: ['Files.ReadWrite', 'Files.ReadWrite.All', 'Sites.ReadWrite.All'],
    source: 'https://learn.microsoft.com/graph/api/driveitem-createuploadsession#permissions',
  },
  // The reference lists team operations for chats only; team-post tells the creator to poll the
  // operation with the token that created the team. Stricter reading: only what may create a team.
  {
    methods: ['GET'],
    template: '/teams/{id}/operations/{id}',
    application: ['Team.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    delegated: ['Team.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    source: 'https://learn.microsoft.com/graph/api/teamsasyncoperation-get and https://learn.microsoft.com/graph/api/team-post',
  },
];

/** `$batch` itself needs no permission: each inner request is authorised on its own. */
const UNAUTHORISED_TEMPLATES = new Set(['/$batch']);

interface IndexedTemplate {
  template: string;
  /** Per segment: a literal, or a pattern where the template has `{id}` (`{id}` alone, `{id}:`). */
  segments: Array<string | RegExp>;
  literalSegments: number;
  /** method → scheme → permissions */
  grants: Map<string, Map<string, Set<string>>>;
}

const normalizeTemplate = (template: string) => template.replace(/\{[^}]*\}/g, '{id}').replace(/\/+$/, '');
const WILDCARD = '{id}';
const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');

export class PermissionIndex {
  private readonly templates = new Map<string, IndexedTemplate>();
  /** The same templates by segment count: a lookup compares only paths of its own length. */
  private readonly byLength = new Map<number, IndexedTemplate[]>();

  constructor(reference: PermissionReference, exceptions: AuthorizationException[] = AUTHORIZATION_EXCEPTIONS) {
    for (const [permission, entry] of Object.entries(reference.permissions)) {
      for (const set of entry.pathSets) for (const template of Object.keys(set.paths)) this.grant(template, set.methods, set.schemeKeys, permission);
    }
    for (const exception of exceptions) {
      for (const permission of exception.application) this.grant(exception.template, exception.methods, ['Application'], permission);
      for (const permission of exception.delegated) this.grant(exception.template, exception.methods, ['DelegatedWork'], permission);
    }
  }

  private grant(rawTemplate: string, methods: string[], schemes: string[], permission: string): void {
    const template = normalizeTemplate(rawTemplate);
    const key = template.toLowerCase();
    let indexed = this.templates.get(key);
    if (!indexed) {
      const raw = key.split('/').slice(1);
      const segments = raw.map((segment) => (segment.includes(WILDCARD) ? new RegExp(`^${segment.split(WILDCARD).map(escapeRegExp).join('[^/]+')}$`) : segment));
      indexed = { template, segments, literalSegments: raw.filter((segment) => !segment.includes(WILDCARD)).length, grants: new Map() };
      this.templates.set(key, indexed);
      const sameLength = this.byLength.get(segments.length) ?? [];
      sameLength.push(indexed);
      this.byLength.set(segments.length, sameLength);
    }
    for (const method of methods) {
      const byScheme = indexed.grants.get(method.toUpperCase()) ?? new Map<string, Set<string>>();
      indexed.grants.set(method.toUpperCase(), byScheme);
      for (const scheme of schemes) {
        const names = byScheme.get(scheme) ?? new Set<string>();
        names.add(permission);
        byScheme.set(scheme, names);
      }
    }
  }

  /** The most specific template that lists `method` for one of the path's equivalent forms. */
  lookup(method: string, graphPath: string): { template: string; accepted: (scheme: PermissionScheme) => string[] } | null {
    for (const form of equivalentForms(graphPath)) {
      const segments = form.toLowerCase().split('/').slice(1);
      let best: IndexedTemplate | null = null;
      for (const candidate of this.byLength.get(segments.length) ?? []) {
        if (!candidate.grants.has(method)) continue;
        if (!candidate.segments.every((segment, i) => (typeof segment === 'string' ? segment === segments[i] : segment.test(segments[i])))) continue;
        if (!best || candidate.literalSegments > best.literalSegments) best = candidate;
      }
      if (best) {
        const byScheme = best.grants.get(method) as Map<string, Set<string>>;
        return { template: best.template, accepted: (scheme) => [...(byScheme.get(scheme) ?? [])].sort() };
      }
    }
    return null;
  }
}

/**
 * The request path as templates spell it, most literal first: ids stay as they are (a template's
 * `{id}` matches any segment), path-based addressing (`root:/a/b.pdf:/content`) becomes
 * `root:/{id}:/content`, then the same item addressed by id (`items/{id}/content`), then each of
 * those through `/drives/{id}` for a site's, group's or user's default drive. Graph resolves all
 * of these to the same item, and the reference lists most operations in one spelling only.
 * https://learn.microsoft.com/graph/onedrive-addressing-driveitems
 */
export function equivalentForms(graphPath: string): string[] {
  const trimmed = graphPath.replace(/\/+$/, '') || '/';
  const addressed = /^(.*?\/(?:root|items\/[^/:]+)):(\/[^:]*)?(:?)(.*)$/i.exec(trimmed);
  const asWritten = addressed ? `${addressed[1]}:/${WILDCARD}${addressed[3]}${addressed[4]}` : trimmed;
  const byId = addressed
    ? `${addressed[1].replace(/\/(?:root|items\/[^/]+)$/i, `/items/${WILDCARD}`)}${addressed[4]}`
    : trimmed.replace(/^(\/drives\/[^/]+|\/(?:sites|groups|users)\/[^/]+\/drive|\/me\/drive)\/root(?=\/|$)/i, `$1/items/${WILDCARD}`);
  const viaDrives = (form: string) => form.replace(/^\/(?:sites|groups|users)\/[^/]+\/drive(?=\/|$)|^\/me\/drive(?=\/|$)/i, `/drives/${WILDCARD}`);
  return [...new Set([asWritten, byId, viaDrives(asWritten), viaDrives(byId)])];
}

/** Names that are resource-specific consent: granted per installation, never tenant-wide in a token. */
export const isResourceSpecific = (permission: string) => /\.(Group|User|Chat)$/.test(permission);

export interface AuthorizationResult {
  template: string;
  scheme: PermissionScheme;
  /** Every permission of the caller's scheme the operation accepts (held or not). */
  accepted: string[];
  /** The permissions the caller holds (tenant-wide or RSC here) that the operation accepts. */
  grantedBy: string[];
  /** RSC permissions the app holds at this team or user, whether or not they were needed. */
  resourceSpecificHere: string[];
}

export type Workload = 'files' | 'directory' | 'teams' | 'subscriptions' | 'mail';

export function workloadOf(graphPath: string): Workload {
  if (/^\/(drives|sites|groups\/[^/]+\/drive|users\/[^/]+\/drive|me\/drive)(\/|$)/i.test(graphPath)) return 'files';
  if (/^\/(teams|users\/[^/]+\/teamwork)(\/|$)/i.test(graphPath)) return 'teams';
  if (/^\/subscriptions(\/|$)/i.test(graphPath)) return 'subscriptions';
  if (/^\/(users\/[^/]+|me)\/sendmail$/i.test(graphPath)) return 'mail';
  return 'directory';
}

/**
 * Graph's 403 differs per workload behind it:
 * - SharePoint/OneDrive: `accessDenied` "Access denied" (e.g. github.com/microsoftgraph/msgraph-sdk-android/issues/30,
 *   github.com/OneDrive/onedrive-api-docs/issues/1930).
 * - Entra directory (users, invitations): `Authorization_RequestDenied` "Insufficient privileges to complete the
 *   operation." (github.com/microsoftgraph/microsoft-graph-docs/issues/1072, github.com/BakkerJan/M365Portal/issues/1).
 * - Teams: `Forbidden` naming the permissions the API requires, the roles and the RSC permissions on the request
 *   (devopsaitoolkit.com/blog/teams-error-forbidden-missing-rsc-permission).
 * - Subscriptions: the stricter of the above for the subscribed resource (drive): `accessDenied`.
 * - Exchange (sendMail): `ErrorAccessDenied` "Access is denied. Check credentials and try again."
 *   (learn.microsoft.com/graph/api/user-sendmail; github.com/OfficeDev/O365-Win-Connect/issues/2).
 */
export function authorizationDenied(workload: Workload, details: { accepted: string[]; roles: string[]; resourceSpecific: string[] }): GraphError {
  switch (workload) {
    case 'directory':
      return new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    case 'mail':
      return new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    case 'teams':
      return new GraphError(
        403,
        'Forbidden',
        `Missing role permissions on the request. API requires one of '${details.accepted.join(', ')}'. Roles on the request '${details.roles.join(', ')}'. Resource specific consent permissions on the request '${details.resourceSpecific.join(', ')}'.`,
      );
    default:
      return new GraphError(403, 'accessDenied', 'Access denied');
  }
}

/** A refusal, with what the check saw (the pipeline records it, then answers with `error`). */
export class AuthorizationDenied extends Error {
  constructor(
    readonly error: GraphError,
    readonly result: AuthorizationResult,
  ) {
    super(error.message);
  }
}

/** The team or user a path is scoped to, where the app's RSC may apply. */
function installationTarget(data: SimulatorData, caller: Caller, graphPath: string): { teamId: string } | { userId: string } | null {
  const team = /^\/teams\/([^/]+)/i.exec(graphPath);
  if (team) return { teamId: safeDecode(team[1]) };
  const user = /^\/users\/([^/]+)/i.exec(graphPath);
  if (user) {
    const found = findUser(data, caller.tenantId, safeDecode(user[1]));
    return found ? { userId: found.id } : null;
  }
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class GraphAuthorizer {
  constructor(private readonly index: PermissionIndex) {}

  /**
   * Throws Graph's 403 unless the caller's permissions cover the call; returns what covered it,
   * 'open' for `$batch`, or 'unlisted' when no permission lists the operation at all (an unknown
   * segment, which Graph answers 400, or an implemented operation missing from the reference and
   * AUTHORIZATION_EXCEPTIONS, which the pipeline refuses: never kinder than Graph).
   */
  authorize(data: SimulatorData, caller: Caller, method: string, graphPath: string): AuthorizationResult | 'open' | 'unlisted' {
    if (UNAUTHORISED_TEMPLATES.has(graphPath.toLowerCase())) return 'open';
    const scheme: PermissionScheme = caller.kind === 'app' ? 'Application' : 'DelegatedWork';
    const tenantWide = (caller.kind === 'app' ? caller.roles : caller.scopes).filter((name) => !isResourceSpecific(name));
    const target = caller.kind === 'app' ? installationTarget(data, caller, graphPath) : null;
    const resourceSpecificHere = target ? resourceSpecificPermissionsAt(data, caller.appId, target) : [];
    const found = this.index.lookup(method.toUpperCase(), graphPath);
    if (!found) return 'unlisted';
    const accepted = found.accepted(scheme);
    const held = new Set([...tenantWide, ...resourceSpecificHere]);
    const grantedBy = accepted.filter((name) => held.has(name));
    const result = { template: found.template, scheme, accepted, grantedBy, resourceSpecificHere };
    if (grantedBy.length === 0) throw new AuthorizationDenied(authorizationDenied(workloadOf(graphPath), { accepted, roles: tenantWide, resourceSpecific: resourceSpecificHere }), result);
    return result;
  }
}

let shared: PermissionIndex | null = null;

/** The index over the vendored reference, built once per process (the file is 120 kB). */
export function vendoredPermissionIndex(): PermissionIndex {
  shared ??= new PermissionIndex(loadVendoredReference());
  return shared;
}

export function loadVendoredReference(): PermissionReference {
  return JSON.parse(readFileSync(path.join(__dirname, 'permission-reference.json'), 'utf8')) as PermissionReference;
}
