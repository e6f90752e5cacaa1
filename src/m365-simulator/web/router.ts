/**
 * A deliberately tiny router: routes are (method, regular expression) pairs tried in order.
 * We do not use Express here because `$batch` must run inner requests through the very same
 * handlers in-process, and because Graph path addressing (`root:/a/b.pdf:/content`) does not
 * fit path-template routers well.
 */
import type { RouteHandler, SimRequest, SimResponse } from './types';

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  /**
   * `pattern` is matched against the raw (percent-encoded) path. A string pattern is a path
   * template whose `{name}` segments match one path segment; a RegExp may use named groups.
   */
  add(method: string, pattern: string | RegExp, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), pattern: typeof pattern === 'string' ? templateToRegExp(pattern) : pattern, handler });
    return this;
  }

  /** Whether a route serves this method and path (without running it). */
  hasRoute(method: string, rawPath: string): boolean {
    return this.routes.some((route) => (route.method === method.toUpperCase() || route.method === '*') && route.pattern.test(rawPath));
  }

  /** Returns null when no route matches the path at all, so callers can fall through. */
  async dispatch(req: SimRequest): Promise<SimResponse | null> {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(req.rawPath);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== req.method && route.method !== '*') continue;
      req.params = decodeGroups(match.groups ?? {});
      return route.handler(req);
    }
    if (pathMatched) return { status: 405, json: { error: { code: 'Request_BadRequest', message: `The HTTP method '${req.method}' is not allowed for this resource.` } } };
    return null;
  }
}

function templateToRegExp(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${escaped}/?$`, 'i');
}

function decodeGroups(groups: Record<string, string | undefined>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(groups)) {
    if (value === undefined) continue;
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      decoded[name] = value;
    }
  }
  return decoded;
}
