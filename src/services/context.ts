import type { Db } from '../store/db';

import type { StaffRole } from '../domain/setup';

/**
 * Who is acting. Resolved once per request by the HTTP layer from a validated token. A staff
 * member's `role` is what set-up made them (admin pages and actions check it at the HTTP layer).
 */
export type Actor =
  { kind: 'staff'; firmId: string; staffId: string; userId: string; name: string; role: StaffRole } | { kind: 'guest'; firmId: string; contactId: string; userId: string; name: string } | { kind: 'system'; firmId: string; name: string };

export type GuestActor = Extract<Actor, { kind: 'guest' }>;
export type StaffActor = Extract<Actor, { kind: 'staff' }>;

export const actorLabel = (actor: Actor): string => (actor.kind === 'staff' ? `staff:${actor.userId}` : actor.kind === 'guest' ? `guest:${actor.contactId}` : `system:${actor.name}`);

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface ServiceDeps {
  db: Db;
  clock: Clock;
}
