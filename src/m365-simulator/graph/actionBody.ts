/**
 * Graph (OData) rejects unknown parameters in action bodies; the simulator does the same so a
 * misspelt parameter in the product's request fails loudly here instead of silently in production.
 */
import { GraphError } from '../web/errors';

export function requireActionBody(body: unknown, actionName: string, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new GraphError(400, 'BadRequest', `The request body for '${actionName}' must be a JSON object.`);
  for (const key of Object.keys(body)) {
    if (key.startsWith('@odata.') || key.startsWith('@microsoft.graph.')) continue;
    if (!allowed.includes(key)) throw new GraphError(400, 'BadRequest', `The parameter '${key}' in the request payload is not a valid parameter for the operation '${actionName}'.`);
  }
  return body as Record<string, unknown>;
}
