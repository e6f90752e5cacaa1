import type { Db } from '../store/db';
import type { ContactRecord, Firm } from '../store/records';

import type { StaffRole } from '../domain/setup';

/**
 * Who is acting. Resolved once per request by the HTTP layer from a validated token. A staff
 * member's `role` is what set-up made them (admin pages and actions check it at the HTTP layer).
 */
export type Actor =
  { kind: 'staff'; firmId: string; staffId: string; userId: string; name: string; role: StaffRole } | { kind: 'guest'; firmId: string; contactId: string; userId: string; name: string } | { kind: 'system'; firmId: string; name: string };

export type GuestActor = Extract<Actor, { kind: 'guest' }>;
export type StaffActor = Extract<Actor, { kind: 'staff' }>;

/**
 * The firm and contact rows authentication read for a guest's request, kept beside that request's
 * actor so the portal does not read the same two rows again (twice: the invitation gate, then the
 * read itself; 4 of the 9 queries of "my cases", bench/PROFILE.md). Only for a guest whose
 * invitation was accepted before the request: accepting it changes the contact after the read.
 * A WeakMap: the rows go with the request's actor object, never to another request.
 */
const guestRows = new WeakMap<GuestActor, { firm: Firm; contact: ContactRecord }>();

export function rememberGuestRows(actor: GuestActor, firm: Firm, contact: ContactRecord): void {
  if (contact.invitation === 'accepted' && contact.portalAccess) guestRows.set(actor, { firm, contact });
}

export const guestRowsOf = (actor: GuestActor): { firm: Firm; contact: ContactRecord } | undefined => guestRows.get(actor);

export const actorLabel = (actor: Actor): string => (actor.kind === 'staff' ? `staff:${actor.userId}` : actor.kind === 'guest' ? `guest:${actor.contactId}` : `system:${actor.name}`);

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface ServiceDeps {
  db: Db;
  clock: Clock;
}
