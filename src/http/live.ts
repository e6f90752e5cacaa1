import type { Request, RequestHandler, Response } from 'express';
import { LIVE_EVENTS, type LiveChange } from '../contract';
import type { GuestActor, StaffActor } from '../services/context';
import type { LiveChanges, LiveSink } from '../services/live';

/**
 * GET /api/live (staff) and GET /api/portal/live (guests): a text/event-stream of LiveChange
 * events. Authentication, the per-user rate limit and refusals (401, 403, 429 with Retry-After)
 * happen before the first byte, through the API's own middleware and error mapping; the token
 * comes in the Authorization header like every call (the tab reads the stream with fetch), never
 * in the URL.
 */

/** A client too slow to read this much is dropped; it reconnects and refetches. */
const MAX_UNREAD_BYTES = 64 * 1024;

function sseSink(req: Request, res: Response): LiveSink {
  const write = (text: string) => {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_UNREAD_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  return {
    change: (change: LiveChange) => write(`event: ${LIVE_EVENTS.change}\ndata: ${JSON.stringify(change)}\n\n`),
    heartbeat: () => write(': keep-alive\n\n'),
    end(serverStopping) {
      if (res.writableEnded || res.destroyed) return;
      // A stopping server waits for every connection to close: this one must not stay open idle.
      if (serverStopping) res.once('finish', () => req.socket.end());
      res.end();
    },
  };
}

export function liveStream(live: LiveChanges): RequestHandler {
  return (req, res) => {
    const viewer = req.actor as StaffActor | GuestActor;
    const sink = sseSink(req, res);
    const tokenExpiresAtMs = typeof req.token?.exp === 'number' ? req.token.exp * 1000 : Date.now();
    // Throws (429, 503) before anything is written: the error handler answers as for any call.
    const detach = live.open(viewer, sink, tokenExpiresAtMs);
    res.on('close', detach);
    // A client that left while it was being authenticated will send no 'close' any more.
    if (req.socket.destroyed) {
      detach();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // Reverse proxies (nginx, App Service's front end) must pass events on as they come.
      'X-Accel-Buffering': 'no',
    });
    res.write(`event: ${LIVE_EVENTS.ready}\ndata: {}\n\n`);
  };
}
