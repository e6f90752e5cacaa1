import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from './config';
import type { Clock } from './services/context';
import type { CaseworkService } from './services/casework';
import type { JobHandler } from './services/outbox-worker';
import type { PortalService } from './services/portal';
import type { SharingService } from './services/sharing';
import type { Db } from './store/db';

export interface Services {
  sharing: SharingService;
  casework: CaseworkService;
  portal: PortalService;
}

/** What every part built at start-up may use. `part(name)` returns a part built before this one. */
export interface PartContext {
  db: Db;
  services: Services;
  logger: Logger;
  config: AppConfig;
  clock: Clock;
  part<T extends AppPart>(name: string): T;
}

/**
 * A piece of the server that plugs into the composition root: Microsoft 365, the bot, the tab.
 * It contributes outbox handlers (each job kind handled by exactly one part) and routes.
 */
export interface AppPart {
  name: string;
  handlers: Partial<Record<string, JobHandler>>;
  routes: Array<{ path: string; router: Router | RequestHandler; authenticated?: boolean }>;
  health?(): Promise<Record<string, unknown>>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export type PartFactory = (ctx: PartContext) => AppPart | Promise<AppPart>;
