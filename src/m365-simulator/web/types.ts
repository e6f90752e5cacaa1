/**
 * The simulator's own request/response model. Handlers are plain async functions from a
 * SimRequest to a SimResponse so that one router can serve real sockets (HTTP and HTTPS)
 * and in-process `$batch` inner requests through exactly the same code path.
 */
import type { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HeaderMap = Record<string, string>;

/** Who is calling, once a bearer token was validated. */
export type Caller = { kind: 'app'; tenantId: string; appId: string; roles: string[] } | { kind: 'user'; tenantId: string; appId: string; userId: string; scopes: string[] };

export interface RequestBody {
  /** Parsed JSON body; throws a Graph 400 when the body is not JSON. Empty body → undefined. */
  json(): Promise<unknown>;
  /** Whole body in memory, refusing bodies over `limitBytes` with a Graph 413. */
  buffer(limitBytes: number): Promise<Buffer>;
  /** The raw stream, for uploads that must not be buffered (null for in-process requests). */
  stream(): Readable | null;
  /** Content-Length as declared by the client, when present. */
  declaredLength(): number | undefined;
}

export interface SimRequest {
  method: string;
  /** Path without query string, still percent-encoded (Graph path addressing needs the raw form). */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: HeaderMap;
  body: RequestBody;
  requestId: string;
  /** Origin the client used (scheme://host:port); links we hand out (nextLink, uploadUrl) use it. */
  origin: string;
  /** True for requests made from this machine (admin API is loopback only). */
  fromLoopback: boolean;
  /** Set by the Graph pipeline after token validation. */
  caller?: Caller;
  /** True when this request is one of the requests inside a `$batch`. */
  insideBatch: boolean;
  /** Filled by the router with the named groups of the matched route. */
  params: Record<string, string>;
  /** The underlying Node objects for real-socket requests (undefined inside `$batch`). */
  node?: { req: IncomingMessage; res: ServerResponse };
}

export type SimResponse =
  | { status: number; headers?: HeaderMap; json: unknown }
  | { status: number; headers?: HeaderMap; text: string; contentType?: string }
  | { status: number; headers?: HeaderMap; html: string }
  | { status: number; headers?: HeaderMap; file: { path: string; start: number; end: number }; contentType: string }
  | { status: number; headers?: HeaderMap; empty: true }
  /** Drop the TCP connection without answering (fault injection). */
  | { destroySocket: true }
  /** The handler already wrote to the Node response itself (plugins mounting their own app). */
  | { handledByNode: true };

export type RouteHandler = (req: SimRequest) => Promise<SimResponse>;
