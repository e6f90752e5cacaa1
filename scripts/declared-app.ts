/**
 * What CaseRoom declares it needs from Microsoft 365, read from the files a tenant admin consents
 * to: `aad.manifest.json` (Graph application roles and delegated scopes) and
 * `appPackage/manifest.json` (resource-specific consent, activity types). The local simulator's
 * app registration is made from exactly this, never from a list of its own, so removing a
 * declared permission changes what the simulator allows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/project-root';

const root = projectRoot(__dirname);

interface AadManifest {
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: 'Scope' | 'Role' }> }>;
  replyUrlsWithType?: Array<{ url: string; type: 'Web' | 'Spa' | 'InstalledClient' }>;
  oauth2AllowImplicitFlow?: boolean;
  oauth2AllowIdTokenImplicitFlow?: boolean;
}

/** The browser's public-client registration (teamsapp.yml's second aadApp/update). */
export const BROWSER_AAD_MANIFEST = 'aad.browser.manifest.json';
/** How the manifests name the tab's address (a Bicep output); locally the app's own base URL. */
export const TAB_ENDPOINT_PLACEHOLDER = '${{TAB_ENDPOINT}}';

interface TeamsManifest {
  authorization?: { permissions?: { resourceSpecific?: Array<{ name: string; type: string }> } };
  activities?: { activityTypes?: Array<{ type: string }> };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

export interface DeclaredGraphPermissions {
  /** Application permissions (token `roles` of app-only calls). */
  applicationRoles: string[];
  /** Delegated permissions (token `scp` of calls on behalf of a user). */
  delegatedScopes: string[];
}

export function declaredGraphPermissions(manifestFile = 'aad.manifest.json'): DeclaredGraphPermissions {
  const graph = readJson<AadManifest>(manifestFile).requiredResourceAccess.filter((entry) => entry.resourceAppId === 'Microsoft Graph');
  const access = graph.flatMap((entry) => entry.resourceAccess);
  return {
    applicationRoles: access.filter((a) => a.type === 'Role').map((a) => a.id),
    delegatedScopes: access.filter((a) => a.type === 'Scope').map((a) => a.id),
  };
}

export interface DeclaredTeamsApp {
  resourceSpecificPermissions: string[];
  activityTypes: string[];
}

export function declaredTeamsApp(): DeclaredTeamsApp {
  const manifest = readJson<TeamsManifest>('appPackage/manifest.json');
  return {
    resourceSpecificPermissions: (manifest.authorization?.permissions?.resourceSpecific ?? []).map((p) => p.name),
    activityTypes: (manifest.activities?.activityTypes ?? []).map((a) => a.type),
  };
}

/**
 * The app registration a tenant admin makes from `aad.manifest.json`: exactly the declared Graph
 * application roles and delegated scopes (the OpenID Connect scopes included; they grant no Graph call).
 */
export function declaredAppRegistration(declared: DeclaredGraphPermissions = declaredGraphPermissions()): { graphAppRoles: string[]; graphDelegatedScopes: string[] } {
  return { graphAppRoles: [...declared.applicationRoles], graphDelegatedScopes: [...declared.delegatedScopes] };
}

export interface DeclaredBrowserApp {
  /** `spa` redirect URIs, with TAB_ENDPOINT_PLACEHOLDER where the tab's address goes. */
  spaRedirectUris: string[];
  graphDelegatedScopes: string[];
  implicitGrant: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean };
}

/** The browser's registration as `aad.browser.manifest.json` declares it. */
export function declaredBrowserApp(): DeclaredBrowserApp {
  const manifest = readJson<AadManifest>(BROWSER_AAD_MANIFEST);
  return {
    spaRedirectUris: (manifest.replyUrlsWithType ?? []).filter((reply) => reply.type === 'Spa').map((reply) => reply.url),
    graphDelegatedScopes: declaredGraphPermissions(BROWSER_AAD_MANIFEST).delegatedScopes,
    implicitGrant: { enableAccessTokenIssuance: manifest.oauth2AllowImplicitFlow === true, enableIdTokenIssuance: manifest.oauth2AllowIdTokenImplicitFlow === true },
  };
}
