/**
 * Ethical walls: a case restricted to named staff. Pure rules, no I/O; the store keeps the
 * walls (case_walls) and src/services/walls.ts applies these rules to every staff lookup.
 *
 * The strict reading: outside a wall a case does not exist, for every staff member, admins
 * included. Guests are not affected (their access is the sharing model's three locks).
 */

/** The staff ids a case is restricted to; an empty list means no wall (everyone on the staff). */
export type Wall = ReadonlySet<string> | readonly string[];

const members = (wall: Wall): ReadonlySet<string> => (wall instanceof Set ? wall : new Set(wall as readonly string[]));

/** Whether a staff member may see a case with this wall (none, or one naming them). */
export function canSeeCase(wall: Wall | null | undefined, staffId: string): boolean {
  if (!wall) return true;
  const inside = members(wall);
  return inside.size === 0 || inside.has(staffId);
}

/** The case ids, of those walled in a firm, that a staff member may not see. */
export function hiddenCaseIds(walls: ReadonlyMap<string, Wall>, staffId: string): Set<string> {
  const hidden = new Set<string>();
  for (const [caseId, wall] of walls) if (!canSeeCase(wall, staffId)) hidden.add(caseId);
  return hidden;
}

/** Keeps what a staff member may see of anything that names its case. */
export function visibleTo<T>(items: readonly T[], hidden: ReadonlySet<string>, caseIdOf: (item: T) => string | null | undefined): T[] {
  if (hidden.size === 0) return [...items];
  return items.filter((item) => {
    const caseId = caseIdOf(item);
    return !caseId || !hidden.has(caseId);
  });
}

export type WallChangeRefusal = { field: 'staffIds'; message: string };

/**
 * Who may set, change or remove a case's wall, and whether the new wall is acceptable.
 * `current` empty: anyone on the staff may put one up. Otherwise only someone inside it.
 * The new wall must name the setter (nobody locks themselves out by accident) and only the
 * firm's staff. Returns `hidden` when the actor may not see the case at all (answer 404).
 */
export function checkWallChange(input: {
  current: Wall;
  actorStaffId: string;
  next: readonly string[] | null;
  firmStaffIds: ReadonlySet<string>;
}): { ok: true; next: string[] } | { ok: false; hidden: true } | { ok: false; hidden: false; refusal: WallChangeRefusal } {
  if (!canSeeCase(input.current, input.actorStaffId)) return { ok: false, hidden: true };
  if (input.next === null) return { ok: true, next: [] };
  const next = [...new Set(input.next)];
  if (next.length === 0) return { ok: false, hidden: false, refusal: { field: 'staffIds', message: 'name at least one staff member, or remove the restriction instead' } };
  const strangers = next.filter((id) => !input.firmStaffIds.has(id));
  if (strangers.length > 0) return { ok: false, hidden: false, refusal: { field: 'staffIds', message: `not on this firm's staff: ${strangers.join(', ')}` } };
  if (!next.includes(input.actorStaffId)) return { ok: false, hidden: false, refusal: { field: 'staffIds', message: 'include yourself: a restriction you are not inside would lock you out of the case' } };
  return { ok: true, next: next.sort() };
}

/** The keys under which audit data names a case or one of its things. */
const ID_KEYS = new Set(['caseId', 'itemId', 'threadId', 'grantId']);

/**
 * Audit data as a staff member behind a wall may read it: every part that names a hidden case or
 * a thing of one (an id string, or an object whose caseId/itemId/threadId/grantId is one) is left
 * out, wherever it stands: a client-scope grant's gained and lost lists, an itemIds list spanning
 * cases, a moved grant's former scope. `trimmed` says whether anything was, since the entry's hash
 * covers the data as written and no longer recomputes from what is shown.
 */
export function withoutHiddenSubjects(data: unknown, hiddenIds: ReadonlySet<string>): { data: unknown; trimmed: boolean } {
  let trimmed = false;
  const names = (value: unknown): boolean => {
    if (typeof value === 'string') return hiddenIds.has(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    return Object.entries(value).some(([key, v]) => ID_KEYS.has(key) && typeof v === 'string' && hiddenIds.has(v));
  };
  const keep = (value: unknown): boolean => {
    if (!names(value)) return true;
    trimmed = true;
    return false;
  };
  const trim = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.filter(keep).map(trim);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).flatMap(([key, v]) => (keep(v) ? [[key, trim(v)]] : [])));
  };
  if (hiddenIds.size === 0) return { data, trimmed: false };
  return { data: trim(data), trimmed };
}
