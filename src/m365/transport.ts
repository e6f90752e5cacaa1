import fs from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

// One TLS context for every connection and every dispatcher (the Graph gateway's, the bot's):
// given as `ca`, the ~140 public roots were parsed again for each new connection (most of the CPU
// of a start against the simulator), and each context costs ~100 ms of a start to build.
const secureContexts = new Map<string, SecureContext>();

/** Keyed by the CA itself, not its file: a simulator started again on a new data directory has a new one. */
function secureContextTrusting(caCertFile: string): SecureContext {
  const ca = fs.readFileSync(caCertFile, 'utf8');
  let context = secureContexts.get(ca);
  if (!context) secureContexts.set(ca, (context = createSecureContext({ ca: [...rootCertificates, ca] })));
  return context;
}

/**
 * One connection pool for every call to Microsoft 365 (identity, Graph, upload URLs). When an
 * extra CA is configured (the local simulator's, generated at its first start) it is trusted in
 * addition to the public roots, never instead of them, so the same code runs against a tenant.
 */
export function createDispatcher(caCertFile: string | undefined): Dispatcher {
  const secureContext = caCertFile ? secureContextTrusting(caCertFile) : undefined;
  return new Agent({
    connect: secureContext ? { secureContext } : {},
    keepAliveTimeout: 10_000,
    // Uploads push 10 MiB fragments; give slow links time, but do not wait forever on a dead peer.
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
}

export type M365Fetch = (url: string, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

/** undici's fetch bound to our dispatcher: Node's global fetch may bundle another undici version. */
export function boundFetch(dispatcher: Dispatcher): M365Fetch {
  return (url, init) => undiciFetch(url, { ...init, dispatcher });
}
