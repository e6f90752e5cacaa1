import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Services } from '../../services/core';
import { DomainError, notFound } from '../../domain/errors';
import { idParam } from '../../http/schemas';
import type { Actor } from '../../services/context';
import type { SharePointAccessView } from '../../services/sharepoint-access';
import type { UploadService } from '../../services/uploads';
import type { Db } from '../../store/db';
import { M365Repo } from '../../store/m365';
import { requestDriveDelta, requestSweep } from '../../services/job-requests';

/**
 * How long a drive's delta read may wait while CaseRoom's own upload batch writes into it: the
 * batch's end brings it forward (src/services/upload-batches.ts), so this bounds only how late a
 * change made by someone else during a long batch is seen.
 */
const OWN_WRITES_DELTA_DEFER_MS = 60_000;

/**
 * Graph change notifications. Not bearer-authenticated (Graph calls it); each notification
 * must carry the clientState we gave its subscription. The validation handshake echoes the
 * token as text/plain; notifications are answered 202 at once and the work (delta) queued.
 */
export function notificationRoute(d: { db: Db; logger: Logger }): Router {
  const r = Router();
  r.post('/', express.json({ limit: '1mb', type: () => true }), async (req, res, next) => {
    try {
      const token = req.query.validationToken;
      if (typeof token === 'string') {
        res.status(200).type('text/plain').send(token);
        return;
      }
      const value = (req.body as { value?: unknown })?.value;
      const notifications = Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
      const m365 = new M365Repo(d.db);
      let accepted = 0;
      for (const n of notifications) {
        const subscriptionId = typeof n.subscriptionId === 'string' ? n.subscriptionId : '';
        const sub = subscriptionId ? await m365.subscriptionById(subscriptionId) : null;
        const resourceDrive = typeof n.resource === 'string' ? /drives\/([^/]+)/i.exec(n.resource)?.[1] : undefined;
        // A subscription whose creation answer was lost is unknown by id but known by drive and secret.
        const row = sub ?? (resourceDrive ? await m365.subscriptionOfDrive(resourceDrive) : null);
        if (!row || !sameSecret(row.clientState, n.clientState)) {
          d.logger.warn({ subscriptionId }, 'graph notification with an unknown subscription or a wrong clientState: ignored');
          continue;
        }
        if (typeof n.lifecycleEvent === 'string' && n.lifecycleEvent !== 'missed') {
          await requestSweep(d.db, 'm365-subscriptions', row.firmId);
          continue;
        }
        // CaseRoom's own upload batch notifies once per file it writes, and every file is already
        // recorded by the upload: reading delta each time cost a resource unit per file (issue 12).
        // While one is in flight the read waits for it (bounded), so one pending read absorbs the burst.
        const deferUntil = (await m365.hasUploadInFlight(row.driveId)) ? new Date(Date.now() + OWN_WRITES_DELTA_DEFER_MS) : undefined;
        await requestDriveDelta(d.db, row.firmId, row.driveId, deferUntil);
        accepted++;
      }
      res.status(202).end();
      if (accepted) d.logger.debug({ accepted }, 'graph notifications queued');
    } catch (err) {
      next(err);
    }
  });
  return r;
}

function sameSecret(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

type Uploader = Extract<Actor, { kind: 'guest' | 'staff' }>;

const id = (req: Request, name: string): string => {
  const parsed = idParam.safeParse(req.params[name]);
  if (!parsed.success) throw notFound(name.replace(/Id$/, ''));
  return parsed.data;
};

const as =
  (kind: 'guest' | 'staff') =>
  (req: Request): Uploader => {
    const actor = req.actor;
    if (!actor || actor.kind !== kind) throw new DomainError('forbidden', kind === 'guest' ? 'this endpoint is for portal guests' : 'this endpoint is for firm staff');
    if (!req.bearer) throw new DomainError('unauthenticated', 'a bearer token is required');
    return actor;
  };

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** File routes: uploads stream into SharePoint and downloads stream out of it, with the caller's own token. */
export function fileRoutes(d: { db: Db; logger: Logger; uploads: UploadService; services: Services }): Array<{ path: string; router: Router; authenticated: true }> {
  const upload =
    (who: 'guest' | 'staff'): RequestHandler =>
    async (req, res, next) => {
      try {
        const actor = as(who)(req);
        const answer = await d.uploads.receive(req, actor, id(req, 'caseId'), req.bearer as string);
        // A guest's batch is created (201) with its status page; its files reach SharePoint in the background.
        if (answer.batch) res.setHeader('Location', `/api/portal/uploads/${answer.batch.id}`);
        res.status(201).json(answer);
      } catch (err) {
        // Stop reading a refused upload's body; the answer goes out and the connection is not reused.
        res.setHeader('Connection', 'close');
        req.unpipe();
        req.resume();
        next(err);
      }
    };
  const download =
    (who: 'guest' | 'staff'): RequestHandler =>
    async (req, res, next) => {
      try {
        const actor = as(who)(req);
        const { item, response } = await d.uploads.download(actor, id(req, 'caseId'), id(req, 'itemId'), req.bearer as string);
        res.status(200);
        res.setHeader('Content-Type', item.mimeType ?? response.headers.get('content-type') ?? 'application/octet-stream');
        const length = response.headers.get('content-length');
        if (length) res.setHeader('Content-Length', length);
        res.setHeader('Content-Disposition', contentDisposition(item.title));
        res.setHeader('Cache-Control', 'private, no-store');
        if (!response.body) {
          res.end();
          return;
        }
        // The web stream from fetch becomes a Node stream; pipeline applies backpressure end to end.
        await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), res);
      } catch (err) {
        next(err);
      }
    };
  const preview =
    (who: 'guest' | 'staff'): RequestHandler =>
    async (req, res, next) => {
      try {
        const actor = as(who)(req);
        res.setHeader('Cache-Control', 'private, no-store');
        res.status(200).json(await d.uploads.previewLink(actor, id(req, 'caseId'), id(req, 'itemId'), req.bearer as string));
      } catch (err) {
        next(err);
      }
    };
  const batchStatus: RequestHandler = async (req, res, next) => {
    try {
      const actor = as('guest')(req) as Extract<Actor, { kind: 'guest' }>;
      res.setHeader('Cache-Control', 'private, no-store');
      res.status(200).json(await d.uploads.batchStatus(actor, id(req, 'batchId')));
    } catch (err) {
      next(err);
    }
  };
  const router = (method: 'post' | 'get', handler: RequestHandler) => {
    const r = Router({ mergeParams: true });
    r[method]('/', handler);
    return r;
  };
  return [
    { path: '/api/portal/cases/:caseId/files', router: router('post', upload('guest')), authenticated: true },
    { path: '/api/portal/uploads/:batchId', router: router('get', batchStatus), authenticated: true },
    { path: '/api/portal/cases/:caseId/documents/:itemId/content', router: router('get', download('guest')), authenticated: true },
    { path: '/api/portal/cases/:caseId/documents/:itemId/preview', router: router('post', preview('guest')), authenticated: true },
    { path: '/api/cases/:caseId/files', router: router('post', upload('staff')), authenticated: true },
    { path: '/api/cases/:caseId/documents/:itemId/content', router: router('get', download('staff')), authenticated: true },
    { path: '/api/cases/:caseId/documents/:itemId/preview', router: router('post', preview('staff')), authenticated: true },
  ];
}

/**
 * The case Access page's routes (staff): what SharePoint holds beside what CaseRoom intends, and
 * Repair. They read SharePoint, so they live with the gateway; without this part the API answers
 * 503 on the same paths (src/http/routes.ts).
 */
export function accessRoutes(view: SharePointAccessView): Array<{ path: string; router: Router; authenticated: true }> {
  const staff = (req: Request) => as('staff')(req) as Extract<Actor, { kind: 'staff' }>;
  const sharepoint = Router({ mergeParams: true });
  sharepoint.get('/', async (req, res) => {
    res.status(200).json(await view.ofCase(staff(req), id(req, 'caseId')));
  });
  const repair = Router({ mergeParams: true });
  repair.post('/', async (req, res) => {
    res.status(202).json(await view.requestRepair(staff(req), id(req, 'caseId')));
  });
  return [
    { path: '/api/cases/:caseId/access/sharepoint', router: sharepoint, authenticated: true },
    { path: '/api/cases/:caseId/access/repair', router: repair, authenticated: true },
  ];
}
