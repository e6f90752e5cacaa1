/**
 * JSON batching (learn.microsoft.com/graph/json-batching): at most 20 requests, `dependsOn`
 * ordering (a failed dependency gives 424), and every inner request runs through the same
 * pipeline as a socket request (auth inherited from the batch, throttling, faults), so one inner
 * request can come back 429 with Retry-After while the others succeed.
 */
import { promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { SimContext } from '../context';
import { GraphError } from '../web/errors';
import type { Router } from '../web/router';
import type { HeaderMap, RequestBody, SimRequest, SimResponse } from '../web/types';
import { requireCaller } from './drives';

export const MAX_BATCH_REQUESTS = 20;

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

function inMemoryBody(body: unknown): RequestBody {
  const serialized = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  return {
    json: async () => (typeof body === 'string' ? JSON.parse(body) : body),
    buffer: async () => serialized ?? Buffer.alloc(0),
    stream: () => null,
    declaredLength: () => serialized?.length,
  };
}

async function toBatchResponse(id: string, response: SimResponse): Promise<Record<string, unknown>> {
  if (!('status' in response)) return { id, status: 503, headers: { 'retry-after': '1' }, body: { error: { code: 'serviceNotAvailable', message: 'The service is temporarily unavailable.' } } };
  const headers: HeaderMap = { ...response.headers };
  let body: unknown;
  if ('json' in response) {
    headers['content-type'] = 'application/json';
    body = response.json;
  } else if ('text' in response) {
    headers['content-type'] = response.contentType ?? 'text/plain';
    body = response.text;
  } else if ('file' in response) {
    headers['content-type'] = response.contentType;
    const handle = await fs.open(response.file.path, 'r');
    try {
      const buffer = Buffer.alloc(response.file.end - response.file.start + 1);
      await handle.read(buffer, 0, buffer.length, response.file.start);
      body = buffer.toString('base64');
    } finally {
      await handle.close();
    }
  } else if ('html' in response) {
    headers['content-type'] = 'text/html';
    body = response.html;
  }
  return body === undefined ? { id, status: response.status, headers } : { id, status: response.status, headers, body };
}

export function registerBatchRoute(router: Router, ctx: SimContext, run: (req: SimRequest) => Promise<SimResponse>): void {
  router.add('POST', '/v1.0/$batch', async (outer) => {
    const caller = requireCaller(outer);
    const body = (await outer.body.json()) as { requests?: unknown } | undefined;
    if (!body || !Array.isArray(body.requests)) throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
    const requests = body.requests as InnerRequest[];
    if (requests.length > MAX_BATCH_REQUESTS) throw new GraphError(400, 'BadRequest', `The number of batch requests exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
    const ids = new Set<string>();
    for (const request of requests) {
      if (!request || typeof request.id !== 'string' || typeof request.method !== 'string' || typeof request.url !== 'string') throw new GraphError(400, 'BadRequest', 'Each batch request needs an id, a method and a url.');
      if (ids.has(request.id)) throw new GraphError(400, 'BadRequest', `Batch request id '${request.id}' is duplicated.`);
      ids.add(request.id);
    }
    for (const request of requests) for (const dependency of request.dependsOn ?? []) if (!ids.has(dependency)) throw new GraphError(400, 'BadRequest', `Batch request '${request.id}' depends on unknown request '${dependency}'.`);
    ctx.stats.forApp(caller.appId).batchRequests += 1;

    const results = new Map<string, Record<string, unknown>>();
    const execute = async (request: InnerRequest, chain: Set<string>): Promise<Record<string, unknown>> => {
      const done = results.get(request.id);
      if (done) return done;
      if (chain.has(request.id)) throw new GraphError(400, 'BadRequest', 'The dependsOn chain of the batch contains a cycle.');
      const dependencies = (request.dependsOn ?? []).map((id) => requests.find((candidate) => candidate.id === id) as InnerRequest);
      for (const dependency of dependencies) await execute(dependency, new Set([...chain, request.id]));
      let result: Record<string, unknown>;
      if (dependencies.some((dependency) => Number(results.get(dependency.id)?.status) >= 400)) {
        result = { id: request.id, status: 424, body: { error: { code: 'FailedDependency', message: 'The request could not be processed because a request it depends on failed.' } } };
      } else {
        const url = new URL(request.url.replace(/^\/?(v1\.0\/)?/, '/v1.0/'), 'http://inner.invalid');
        const headers: HeaderMap = {};
        for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = String(value);
        headers.authorization = outer.headers.authorization ?? '';
        const inner: SimRequest = {
          method: request.method.toUpperCase(),
          rawPath: url.pathname,
          query: url.searchParams,
          headers,
          body: inMemoryBody(request.body),
          requestId: randomUUID(),
          origin: outer.origin,
          fromLoopback: outer.fromLoopback,
          insideBatch: true,
          params: {},
        };
        result = await toBatchResponse(request.id, await run(inner));
      }
      results.set(request.id, result);
      return result;
    };
    for (const request of requests) await execute(request, new Set());
    return { status: 200, json: { responses: requests.map((request) => results.get(request.id)) } };
  });
}
