import type { Db } from '../store/db';
import type { CaseRecord, ContactRecord, Firm } from '../store/records';

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

/**
 * What a staff request's earlier steps read, kept beside its actor like a guest's rows above:
 * the firm authentication read, and each case the walls guard (src/http/walls.ts) found in the
 * firm and outside any wall that hides it from this actor. A read-only service may take a case
 * from here instead of reading it and the firm's walls again (2 of the 12 queries of "staff case
 * items", bench/PROFILE.md): the guard made the same decision on the same rows moments before.
 * Where the guard did not run (the bot, jobs, tests calling services) nothing is here and the
 * service checks as it always has. Writes should read inside their transaction instead.
 */
const staffReads = new WeakMap<Actor, { firm: Firm; visibleCases: Map<string, CaseRecord> }>();

export function rememberStaffFirm(actor: StaffActor, firm: Firm): void {
  staffReads.set(actor, { firm, visibleCases: new Map() });
}

/** Only for a case the guard let through: found in the actor's firm, not hidden from them. */
export function rememberVisibleCase(actor: StaffActor, record: CaseRecord): void {
  staffReads.get(actor)?.visibleCases.set(record.id, record);
}

export const staffFirmOf = (actor: Actor): Firm | undefined => staffReads.get(actor)?.firm;
export const visibleCaseOf = (actor: Actor, caseId: string): CaseRecord | undefined => staffReads.get(actor)?.visibleCases.get(caseId);

export const actorLabel = (actor: Actor): string => (actor.kind === 'staff' ? `staff:${actor.userId}` : actor.kind === 'guest' ? `guest:${actor.contactId}` : `system:${actor.name}`);

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface ServiceDeps {
  db: Db;
  clock: Clock;
}
