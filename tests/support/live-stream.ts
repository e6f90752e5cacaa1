import { liveChange, type LiveChange } from '../../src/contract';

/**
 * A live stream read as the tab reads it: fetch with the bearer token, the text/event-stream
 * body parsed into events. Every `change` event's data is parsed with the contract's strict
 * schema, so a stream that said more than a case id would fail the test.
 */
export interface LiveReader {
  status: number;
  /** The answer's body when the stream was refused (JSON error), else null. */
  refusal: unknown;
  headers: Headers;
  changes: LiveChange[];
  /** Heartbeat comments received. */
  heartbeats: number;
  /** Everything received, as text. */
  raw: string;
  /** Resolves when the server ended the stream (or it failed); `how` says which. */
  ended: Promise<{ how: 'ended' | 'failed'; error?: unknown }>;
  /** True once the stream has ended. */
  done: boolean;
  /** Resolves with the first change the predicate accepts (among all so far and to come), or rejects after `timeoutMs`. */
  waitFor(predicate: (c: LiveChange) => boolean, what: string, timeoutMs?: number): Promise<LiveChange>;
  /** Resolves when something has been received that the predicate accepts. */
  waitUntil(predicate: (r: LiveReader) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openLive(url: string, token: string | null): Promise<LiveReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  const reader: LiveReader = {
    status: res.status,
    refusal: null,
    headers: res.headers,
    changes: [],
    heartbeats: 0,
    raw: '',
    ended: Promise.resolve({ how: 'ended' }),
    done: false,
    waitUntil(predicate, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(reader)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms; the stream said: ${reader.raw.slice(0, 2000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async waitFor(predicate, what, timeoutMs) {
      await reader.waitUntil((r) => r.changes.some(predicate), what, timeoutMs);
      return reader.changes.find(predicate) as LiveChange;
    },
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    reader.refusal = text ? JSON.parse(text) : null;
    return reader;
  }
  const body = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  reader.ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await body.read();
        if (done) return { how: 'ended' as const };
        reader.raw += value;
        buffer += value;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (block.startsWith(':')) reader.heartbeats++;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'change' && data !== undefined) reader.changes.push(liveChange.parse(JSON.parse(data)));
        }
        notify();
      }
    } catch (error) {
      return { how: 'failed' as const, error };
    } finally {
      reader.done = true;
      notify();
    }
  })();
  return reader;
}
