/**
 * Graph's error envelope: {"error":{"code","message","innerError":{"request-id","date"}}}.
 * Handlers throw GraphError; the pipeline renders it with the request's id so a client's
 * logs look exactly like they would against graph.microsoft.com.
 */
import type { HeaderMap, SimResponse } from './types';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: HeaderMap = {},
    /** Some services put a second, more specific code inside innerError (e.g. delta resync). */
    readonly innerCode?: string,
  ) {
    super(message);
  }
}

/** Graph's innerError.date has no fractional seconds and no zone designator. */
export function graphErrorDate(now = new Date()): string {
  return now.toISOString().slice(0, 19);
}

export function renderGraphError(error: GraphError, requestId: string): SimResponse {
  const innerError: Record<string, string> = { 'request-id': requestId, 'client-request-id': requestId, date: graphErrorDate() };
  if (error.innerCode) innerError.code = error.innerCode;
  return {
    status: error.status,
    headers: { ...error.headers, 'request-id': requestId },
    json: { error: { code: error.code, message: error.message, innerError } },
  };
}

export const notFound = (message = 'The resource could not be found.') => new GraphError(404, 'itemNotFound', message);
export const invalidRequest = (message: string) => new GraphError(400, 'invalidRequest', message);
export const accessDenied = (message = 'Access denied') => new GraphError(403, 'accessDenied', message);
