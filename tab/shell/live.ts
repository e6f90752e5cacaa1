import { useEffect, useRef } from 'react';
import { type ApiClient, LIVE_EVENTS, type LiveChange } from '../api';
import { useApis } from './hooks';

/**
 * Live pages: the server's change stream (GET /api/live for staff, /api/portal/live for guests)
 * says which case changed; the page refetches it through the ordinary API. The stream is read
 * with fetch, so the bearer token travels in the Authorization header as on every call. When
 * the stream cannot be had (a proxy that buffers it, the server restarting, too many tabs open)
 * the page is refreshed every 10 s instead, and the stream is tried again with backoff.
 */

export const POLL_MS = 10_000;
/** Without a byte for this long (heartbeats come every 25 s) the stream is taken for dead. */
const SILENCE_MS = 60_000;
/** Events this close together cause one refetch. */
const SETTLE_MS = 250;

/** Wait before reconnecting after `failures` failed attempts in a row: 1 s doubling to a minute, with jitter. */
export const reconnectDelayMs = (failures: number, retryAfterSeconds: number | null): number => Math.max(retryAfterSeconds ? retryAfterSeconds * 1000 : 0, Math.min(60_000, 1000 * 2 ** Math.min(failures, 6))) * (0.8 + Math.random() * 0.4);

interface ServerEvent {
  event: string;
  data: string;
}

/** Splits the text received so far into complete events; returns them and the unfinished rest. */
export function parseEvents(buffer: string): { events: ServerEvent[]; rest: string } {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const events = blocks.flatMap((block): ServerEvent[] => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    return data.length || event !== 'message' ? [{ event, data: data.join('\n') }] : [];
  });
  return { events, rest };
}

/**
 * Watches the stream at `path` until the returned function is called; `onChange` hears each
 * change, and a look-again ({ caseId: null }) after a reconnect (something may have been missed)
 * and on every poll while the stream is down.
 */
export function watchLive(client: ApiClient, path: string, onChange: (change: LiveChange) => void): () => void {
  let stopped = false;
  let failures = 0;
  let everConnected = false;
  let abort: AbortController | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let poll: ReturnType<typeof setInterval> | null = null;

  const startPolling = () => {
    poll ??= setInterval(() => onChange({ caseId: null }), POLL_MS);
  };
  const stopPolling = () => {
    if (poll) clearInterval(poll);
    poll = null;
  };

  const connect = async () => {
    retry = null;
    const controller = new AbortController();
    abort = controller;
    let silence = setTimeout(() => controller.abort(), SILENCE_MS);
    const heardSomething = () => {
      clearTimeout(silence);
      silence = setTimeout(() => controller.abort(), SILENCE_MS);
    };
    let retryAfter: number | null = null;
    let wasOpen = false;
    try {
      const res = await client.stream(path, controller.signal);
      if (!res.ok || !res.body) {
        retryAfter = Number(res.headers.get('Retry-After')) || null;
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        heardSomething();
        const parsed = parseEvents(buffer + value);
        buffer = parsed.rest;
        for (const e of parsed.events) {
          if (e.event === LIVE_EVENTS.ready) {
            wasOpen = true;
            failures = 0;
            stopPolling();
            if (everConnected) onChange({ caseId: null });
            everConnected = true;
          } else if (e.event === LIVE_EVENTS.change) {
            onChange(JSON.parse(e.data) as LiveChange);
          }
        }
      }
    } catch {
      // Network failure, abort or a body that is not an event stream: handled below like any end.
    } finally {
      clearTimeout(silence);
    }
    if (stopped) return;
    startPolling();
    if (!wasOpen) failures++;
    retry = setTimeout(() => void connect(), reconnectDelayMs(failures, retryAfter));
  };

  void connect();
  return () => {
    stopped = true;
    abort?.abort();
    if (retry) clearTimeout(retry);
    stopPolling();
  };
}

/**
 * Refetches (`reload`) when the stream says something the page shows may have changed: a
 * change `concerns` accepts, or a look-again. Bursts of events cause one refetch.
 */
export function useLiveReload(side: 'staff' | 'portal', concerns: (change: LiveChange) => boolean, reload: () => unknown): void {
  const { client } = useApis();
  const latest = useRef({ concerns, reload });
  latest.current = { concerns, reload };
  useEffect(() => {
    let settle: ReturnType<typeof setTimeout> | null = null;
    const stop = watchLive(client, side === 'staff' ? '/live' : '/portal/live', (change) => {
      if (change.caseId !== null && !latest.current.concerns(change)) return;
      settle ??= setTimeout(() => {
        settle = null;
        void latest.current.reload();
      }, SETTLE_MS);
    });
    return () => {
      stop();
      if (settle) clearTimeout(settle);
    };
  }, [client, side]);
}
