/**
 * Compares what CaseRoom declares (aad.manifest.json, the Teams manifest's RSC list) with the
 * Graph calls it was seen making, as the simulator's permission check recorded them. Two ways to
 * fail, each naming the permission or call:
 * - a call no declared permission covers (CaseRoom needs more than it asks for);
 * - a declared permission no call needs: for each declared P, some call must be covered by P and
 *   by no other declared permission of its kind, or removing P would leave every call covered.
 * Pure: the data comes in, the verdict goes out.
 */

export interface ObservedCall {
  method: string;
  /** The permission reference's template, or null when none matched. */
  template: string | null;
  tokenKind: 'app' | 'delegated';
  /** Every permission of the token's scheme the operation accepts. */
  accepted: string[];
}

export interface DeclaredPermissionSet {
  applicationRoles: string[];
  delegatedScopes: string[];
  /** Teams resource-specific consent (`*.Group`, `*.User`): app-only, where the app is installed. */
  resourceSpecific: string[];
}

/** Scopes that sign a user in (OpenID Connect) and grant no Graph call: never expected in a call's coverage. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'offline_access', 'email'];

export interface PermissionUseVerdict {
  /** Calls (method + template) no declared permission covers. */
  uncovered: string[];
  /** Declared permissions ("Application: X", "Delegated: X", "RSC: X") no call needs. */
  unneeded: string[];
  /** For each declared permission, one call only it covers (its justification), when there is one. */
  neededBy: Record<string, string>;
}

const callName = (call: ObservedCall) => `${call.method} ${call.template ?? '(no template)'} [${call.tokenKind}]`;

export function comparePermissionUse(declared: DeclaredPermissionSet, calls: ObservedCall[]): PermissionUseVerdict {
  const appSide = [...declared.applicationRoles.map((name) => ({ label: `Application: ${name}`, name })), ...declared.resourceSpecific.map((name) => ({ label: `RSC: ${name}`, name }))];
  const delegatedSide = declared.delegatedScopes.filter((name) => !SIGN_IN_SCOPES.includes(name)).map((name) => ({ label: `Delegated: ${name}`, name }));
  const uncovered = new Set<string>();
  const neededBy: Record<string, string> = {};
  for (const call of calls) {
    const side = call.tokenKind === 'app' ? appSide : delegatedSide;
    const covering = side.filter((permission) => call.accepted.includes(permission.name));
    if (covering.length === 0) uncovered.add(callName(call));
    if (covering.length === 1) neededBy[covering[0].label] ??= callName(call);
  }
  const unneeded = [...appSide, ...delegatedSide].map((permission) => permission.label).filter((label) => !(label in neededBy));
  return { uncovered: [...uncovered].sort(), unneeded: unneeded.sort(), neededBy };
}
