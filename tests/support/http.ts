/**
 * A kept-alive connection the server closed while idle, just as the client sent a request on it
 * (the server's idle timer and the client's reuse race on a loaded machine). fetch reports it as
 * "fetch failed" caused by ECONNRESET, UND_ERR_SOCKET or "other side closed".
 */
export function isDroppedConnection(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const message = typeof cause?.message === 'string' ? cause.message : '';
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || /other side closed/i.test(message);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const DROPPED_CONNECTION_RETRIES = 3;

/**
 * fetch for test harnesses: a safe request (GET, HEAD, OPTIONS, or one the caller declares
 * idempotent) that hits a dropped kept-alive connection is sent again on a new one. Anything
 * else fails as it came: a POST may have been carried out before the connection dropped.
 */
export async function harnessFetch(url: string, init: RequestInit = {}, options: { idempotent?: boolean } = {}): Promise<Response> {
  const retryable = options.idempotent ?? SAFE_METHODS.has((init.method ?? 'GET').toUpperCase());
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (!retryable || attempt >= DROPPED_CONNECTION_RETRIES || !isDroppedConnection(err)) throw err;
    }
  }
}

/** One JSON call to the app as a client makes it: bearer token, JSON body, the answer parsed when it is JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export async function callApi(baseUrl: string, method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await harnessFetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await jsonOrText(res) };
}

/** The answer parsed when it is JSON, its text otherwise, null when empty. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export async function jsonOrText(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
