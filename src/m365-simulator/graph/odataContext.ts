/**
 * `@odata.context` on JSON answers, as Graph sends it (OData v4 minimal metadata): the metadata
 * URL, then the entity set or navigation path the answer came from, with keys in parentheses;
 * `/$entity` for a single entity, bare for a collection; actions and functions name their return
 * type. Examples from Learn: `#users/$entity` (user-get), `#users` (user-list),
 * `#teams('{id}')/channels` (channel-list), `#drives('{id}')/items('{id}')/children`
 * (driveitem-list-children), `#Collection(permission)` (driveitem-invite),
 * `#microsoft.graph.uploadSession` (driveitem-createuploadsession), `#Collection(driveItem)`
 * (driveitem-delta).
 */

/** Segments naming one thing with no key (`/drives/{d}/root`, `/sites/root`, `/me`). */
const SINGLE = new Set(['root', 'drive', 'primarychannel', 'filesfolder', 'me', 'teamwork']);

/** Actions and functions, by their last segment: the context names the return type. */
const OPERATIONS: Record<string, string | null> = {
  invite: 'Collection(permission)',
  createuploadsession: 'microsoft.graph.uploadSession',
  delta: 'Collection(driveItem)',
  createlink: 'microsoft.graph.permission',
  preview: 'microsoft.graph.itemPreviewInfo',
  sendactivitynotification: null,
  $batch: null,
};

export function odataContextPath(method: string, graphPath: string, isCollection: boolean): string | null {
  // Items addressed by path are the drive's items (Graph answers `#drives('{id}')/root/$entity` or
  // `.../items/$entity` depending on the address; both name the same entity set).
  // Uploaded content answers with the item it wrote.
  const byId = graphPath
    .replace(/\/(root|items\/[^/:]+):\/[^:]*:?/i, '/items/{path}')
    .replace(/\/+$/, '')
    .replace(/\/content$/i, '');
  const segments = byId
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponentSafe(segment));
  if (segments.length === 0) return null;
  const last = segments[segments.length - 1].toLowerCase();
  if (last in OPERATIONS) return OPERATIONS[last];
  if (method === 'DELETE') return null;
  if (segments[0].toLowerCase() === 'me') segments.splice(0, 1, 'users', '{me}');
  if (segments[0].toLowerCase() === 'sites' && segments[1]?.toLowerCase() === 'root') segments.splice(1, 1, '{root}');
  const parts: string[] = [];
  let i = 0;
  while (i < segments.length) {
    const name = segments[i];
    const key = segments[i + 1];
    if (SINGLE.has(name.toLowerCase()) || key === undefined) {
      parts.push(name);
      i += 1;
    } else {
      parts.push(i + 2 >= segments.length && !isCollection ? name : `${name}('${key}')`);
      i += 2;
    }
  }
  const path = parts.join('/');
  return isCollection ? path : `${path}/$entity`;
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Adds `@odata.context` to a JSON object answer that lacks one (never to errors). */
export function withODataContext(origin: string, method: string, graphPath: string, json: unknown): unknown {
  if (!json || typeof json !== 'object' || Array.isArray(json) || '@odata.context' in json || 'error' in json) return json;
  const contextPath = odataContextPath(method, graphPath, Array.isArray((json as { value?: unknown }).value));
  if (!contextPath) return json;
  return { '@odata.context': `${origin}/v1.0/$metadata#${contextPath}`, ...json };
}
