import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from './config';
import type { Clock } from './services/context';
import type { Services } from './services/core';
import type { JobHandlers } from './services/outbox-worker';
import type { Db } from './store/db';
import type { DirectoryPort } from './m365/directory';

export type { Services };

/** What every part built at start-up may use; other parts come only as declared dependencies. */
export interface PartContext {
  db: Db;
  services: Services;
  logger: Logger;
  config: AppConfig;
  clock: Clock;
}

/**
 * A piece of the server that plugs into the composition root: Microsoft 365, the bot, the tab.
 * It contributes outbox handlers (each job kind handled by exactly one part) and routes.
 */
export interface AppPart {
  name: string;
  handlers: JobHandlers;
  routes: Array<{ path: string; router: Router | RequestHandler; authenticated?: boolean }>;
  health?(): Promise<Record<string, unknown>>;
  /** The tenant's directory (staff-group membership, set-up's look-ups): the Microsoft 365 part provides it. */
  directory?: DirectoryPort;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * A dependency on the part built under `name`. `T` is what the depending part uses of it (its
 * own view, so a test's stand-in need only provide that); `optional` ones may be absent.
 */
export interface PartDependency<T extends AppPart = AppPart> {
  readonly name: string;
  readonly optional: boolean;
  /** Carries `T` for the compiler; never set. */
  readonly part?: T;
}

/** A part this one cannot be built without. */
export const requiresPart = <T extends AppPart>(name: string): PartDependency<T> & { optional: false } => ({ name, optional: false });
/** A part this one uses when the composition has it (some tests leave it out). */
export const usesPartIfPresent = <T extends AppPart>(name: string): PartDependency<T> & { optional: true } => ({ name, optional: true });

export type PartDependencies = Record<string, PartDependency>;

/** The built parts a factory receives, one per declared dependency. */
export type BuiltDependencies<D extends PartDependencies> = {
  [K in keyof D]: D[K]['optional'] extends false ? NonNullable<D[K]['part']> : D[K]['part'];
};

/**
 * How a part is built: its name, the parts it needs (each built before it; the composition root
 * checks the order once, before building any), and the build itself, given those parts typed.
 */
export interface PartFactory<D extends PartDependencies = PartDependencies, P extends AppPart = AppPart> {
  readonly name: string;
  readonly needs: D;
  build(ctx: PartContext, parts: BuiltDependencies<D>): P | Promise<P>;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a part with no dependencies declares none
export function definePart<P extends AppPart, D extends PartDependencies = {}>(factory: { name: string; needs?: D; build(ctx: PartContext, parts: BuiltDependencies<D>): P | Promise<P> }): PartFactory<D, P> {
  return { name: factory.name, needs: factory.needs ?? ({} as D), build: factory.build };
}
