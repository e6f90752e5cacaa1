import { createHash } from 'node:crypto';
import { guestAccess, type CaseAccess } from '../../../src/domain/access';
import { type CaseRef, type Contact, type Grant, type ItemKind, type ItemRef, type Section, SECTIONS } from '../../../src/domain/model';
import type { Db } from '../../../src/store/db';

/**
 * A firm of any size, written straight into the store with a handful of `INSERT … SELECT
 * generate_series` statements (seconds for 500k grants), and the same firm as a model in memory,
 * so a test can ask the domain's `guestAccess` what each guest must see and compare it with what
 * the API answers. Ids are derived from (seed, kind, index) by the same formula in SQL and here.
 * Used by tests/stress/load.test.ts and bench P2.
 *
 * Layout: case i belongs to client i % clients. Item k of a case repeats a 20-slot pattern:
 * 0 folder, 1-9 documents (2, 4, 6 inside the folder), 10-11 notes, 12 a staff-only memo,
 * 13-15 events, 16-19 invoices. Guests come in five groups, in this order:
 * item-scope, case-scope, client-scope, pending (invitation not accepted), portal switched off.
 */
export interface FirmShape {
  seed: string;
  clients: number;
  /** A multiple of `clients`. */
  cases: number;
  itemsPerCase: number;
  itemGuests: number;
  /** Cases linked to each item-scope guest, and items granted in each. */
  itemGuestCases: number;
  itemGrantsPerCase: number;
  caseGuests: number;
  caseGuestCases: number;
  clientGuests: number;
  clientGuestClients: number;
  pendingGuests: number;
  portalOffGuests: number;
  /** Every n-th item grant has already expired (0: none). */
  expiredEvery: number;
  /** Every n-th case/client guest may upload (0: none). */
  uploadEvery: number;
}

export type GuestGroup = 'item' | 'case' | 'client' | 'pending' | 'portalOff';

export interface GeneratedFirm {
  shape: FirmShape;
  firmId: string;
  counts: { clients: number; cases: number; items: number; contacts: number; links: number; grants: number; threads: number };
}

const PATTERN = 20;
const VIEWS: Section[][] = [[...SECTIONS], ['documents', 'notes', 'messages'], ['status', 'team', 'budget', 'messages'], ['events', 'invoices', 'documents']];
const EXPIRED = '2000-01-01T00:00:00.000Z';
const FUTURE = '2999-01-01T00:00:00.000Z';

/** A v4-shaped uuid from md5(key): the same in SQL (`uidSql`) and here. */
export function uid(key: string): string {
  const hex = createHash('md5').update(key).digest('hex').split('');
  hex[12] = '4';
  hex[16] = '8';
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const uidSql = (keyExpr: string) => `overlay(overlay(md5(${keyExpr}) placing '4' from 13) placing '8' from 17)::uuid`;

export function itemKind(k: number): ItemKind {
  const s = k % PATTERN;
  if (s === 0) return 'folder';
  if (s <= 9) return 'document';
  if (s <= 12) return 'note';
  if (s <= 15) return 'event';
  return 'invoice';
}
const itemKindSql = (k: string) => `CASE WHEN ${k} % ${PATTERN} = 0 THEN 'folder' WHEN ${k} % ${PATTERN} <= 9 THEN 'document' WHEN ${k} % ${PATTERN} <= 12 THEN 'note' WHEN ${k} % ${PATTERN} <= 15 THEN 'event' ELSE 'invoice' END`;
const inFolder = (k: number) => [2, 4, 6].includes(k % PATTERN);
const staffOnly = (k: number) => k % PATTERN === 12;

export const ids = (seed: string) => ({
  client: (k: number) => uid(`${seed}:client:${k}`),
  case: (i: number) => uid(`${seed}:case:${i}`),
  item: (i: number, k: number) => uid(`${seed}:item:${i}:${k}`),
  thread: (i: number) => uid(`${seed}:thread:${i}`),
  contact: (g: number) => uid(`${seed}:contact:${g}`),
  user: (g: number) => uid(`${seed}:user:${g}`),
});

function checkShape(s: FirmShape): void {
  if (!/^[a-z0-9]+$/.test(s.seed)) throw new Error('seed: lowercase letters and digits only');
  if (s.cases % s.clients !== 0) throw new Error('cases must be a multiple of clients');
  if (s.itemGrantsPerCase > s.itemsPerCase || s.itemGuestCases > s.cases || s.caseGuestCases > s.cases || s.clientGuestClients > s.clients) throw new Error('shape asks for more distinct targets than exist');
  if (gcd(ITEM_STEP, s.itemsPerCase) !== 1) throw new Error(`itemsPerCase must not be a multiple of ${ITEM_STEP}`);
}
const ITEM_STEP = 7;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Index ranges of the guest groups. */
export function guestGroups(s: FirmShape): Record<GuestGroup, { from: number; count: number }> {
  let from = 0;
  const next = (count: number) => {
    const range = { from, count };
    from += count;
    return range;
  };
  return { item: next(s.itemGuests), case: next(s.caseGuests), client: next(s.clientGuests), pending: next(s.pendingGuests), portalOff: next(s.portalOffGuests) };
}
export const totalGuests = (s: FirmShape) => s.itemGuests + s.caseGuests + s.clientGuests + s.pendingGuests + s.portalOffGuests;

export function groupOf(s: FirmShape, g: number): GuestGroup {
  const groups = guestGroups(s);
  for (const name of Object.keys(groups) as GuestGroup[]) if (g >= groups[name].from && g < groups[name].from + groups[name].count) return name;
  throw new Error(`no guest ${g}`);
}

/** Writes the firm's clients, cases, items, threads, guests, links and grants. The firm row and `staffId` must exist. */
export async function generateFirm(db: Db, firmId: string, staffId: string, shape: FirmShape): Promise<GeneratedFirm> {
  checkShape(shape);
  if (!/^[0-9a-f-]{36}$/.test(firmId) || !/^[0-9a-f-]{36}$/.test(staffId)) throw new Error('firmId and staffId must be uuids');
  const F = `'${firmId}'::uuid`;
  const s = shape;
  const seed = `'${s.seed}`;
  const g = guestGroups(s);
  const casesPerClient = s.cases / s.clients;
  const q = (sql: string) => db.query(sql);
  await q(`INSERT INTO clients (id, firm_id, name) SELECT ${uidSql(`${seed}:client:' || k`)}, ${F}, 'Client ' || k FROM generate_series(0, ${s.clients - 1}) k`);
  await q(`INSERT INTO cases (id, firm_id, client_id, number, title, status, assigned_staff_id, budget_cents, provisioning)
    SELECT ${uidSql(`${seed}:case:' || i`)}, ${F}, ${uidSql(`${seed}:client:' || (i % ${s.clients})`)}, 'G-' || i, 'Generated case ' || i,
           (ARRAY['open','on_hold','closed'])[1 + i % 3], '${staffId}'::uuid, 5000000, 'ready'
    FROM generate_series(0, ${s.cases - 1}) i`);
  // Items in slices of cases keeps PGlite's memory flat.
  const slice = Math.max(1, Math.floor(20_000 / s.itemsPerCase));
  for (let from = 0; from < s.cases; from += slice) {
    const to = Math.min(s.cases, from + slice) - 1;
    await q(`INSERT INTO items (id, firm_id, case_id, kind, parent_id, title, staff_only, size_bytes, mime_type, body, starts_at, amount_cents, due_on, invoice_number, invoice_status, created_by)
      SELECT ${uidSql(`${seed}:item:' || i || ':' || k`)}, ${F}, ${uidSql(`${seed}:case:' || i`)}, ${itemKindSql('k')},
             CASE WHEN k % ${PATTERN} IN (2, 4, 6) THEN ${uidSql(`${seed}:item:' || i || ':' || (k - k % ${PATTERN})`)} END,
             'Item ' || i || '-' || k, k % ${PATTERN} = 12,
             CASE WHEN ${itemKindSql('k')} = 'document' THEN 1000 + k END, CASE WHEN ${itemKindSql('k')} = 'document' THEN 'application/pdf' END,
             CASE WHEN ${itemKindSql('k')} = 'note' THEN 'Note body ' || k END,
             CASE WHEN ${itemKindSql('k')} = 'event' THEN timestamptz '2030-01-01' + k * interval '1 day' END,
             CASE WHEN ${itemKindSql('k')} = 'invoice' THEN 10000 + k END, CASE WHEN ${itemKindSql('k')} = 'invoice' THEN date '2030-02-01' END,
             CASE WHEN ${itemKindSql('k')} = 'invoice' THEN 'INV-' || i || '-' || k END, CASE WHEN ${itemKindSql('k')} = 'invoice' THEN 'sent' END,
             'generator'
      FROM generate_series(${from}, ${to}) i, generate_series(0, ${s.itemsPerCase - 1}) k`);
  }
  await q(`INSERT INTO message_threads (id, firm_id, case_id, subject) SELECT ${uidSql(`${seed}:thread:' || i`)}, ${F}, ${uidSql(`${seed}:case:' || i`)}, 'Updates on case ' || i FROM generate_series(0, ${s.cases - 1}) i`);
  await q(`INSERT INTO contacts (id, firm_id, email, name, kind, portal_access, invitation_state, guest_user_id, invited_at, accepted_at)
    SELECT ${uidSql(`${seed}:contact:' || n`)}, ${F}, '${s.seed}-g' || n || '@guests.example', 'Guest ' || n, 'client',
           n < ${g.portalOff.from}, CASE WHEN n >= ${g.pending.from} AND n < ${g.portalOff.from} THEN 'pending' ELSE 'accepted' END,
           ${uidSql(`${seed}:user:' || n`)}::text, now(), CASE WHEN n >= ${g.pending.from} AND n < ${g.portalOff.from} THEN NULL ELSE now() END
    FROM generate_series(0, ${totalGuests(s) - 1}) n`);

  // Links. Item guests: cases (a*L + j) % C. Case-like guests (case, pending, portal off): (b*L + j + C/2) % C. Client guests: every case of their clients.
  const contactSql = (n: string) => uidSql(`${seed}:contact:' || ${n}`);
  const caseSql = (i: string) => uidSql(`${seed}:case:' || ${i}`);
  const caseLike = `(n >= ${g.case.from} AND n < ${g.client.from}) OR n >= ${g.pending.from}`;
  await q(`INSERT INTO case_links (case_id, contact_id, firm_id, linked_by)
    SELECT ${caseSql(`((n - ${g.item.from}) * ${s.itemGuestCases} + j) % ${s.cases}`)}, ${contactSql('n')}, ${F}, 'generator'
    FROM generate_series(${g.item.from}, ${g.item.from + g.item.count - 1}) n, generate_series(0, ${s.itemGuestCases - 1}) j
    UNION ALL
    SELECT ${caseSql(`(n * ${s.caseGuestCases} + j + ${Math.floor(s.cases / 2)}) % ${s.cases}`)}, ${contactSql('n')}, ${F}, 'generator'
    FROM generate_series(0, ${totalGuests(s) - 1}) n, generate_series(0, ${s.caseGuestCases - 1}) j WHERE ${caseLike}
    UNION ALL
    SELECT ${caseSql(`((n - ${g.client.from}) * ${s.clientGuestClients} + j) % ${s.clients} + t * ${s.clients}`)}, ${contactSql('n')}, ${F}, 'generator'
    FROM generate_series(${g.client.from}, ${g.client.from + g.client.count - 1}) n, generate_series(0, ${s.clientGuestClients - 1}) j, generate_series(0, ${casesPerClient - 1}) t`);

  // Item grants, in slices of guests.
  const guestSlice = Math.max(1, Math.floor(50_000 / (s.itemGuestCases * s.itemGrantsPerCase)));
  for (let from = g.item.from; from < g.item.from + g.item.count; from += guestSlice) {
    const to = Math.min(g.item.from + g.item.count, from + guestSlice) - 1;
    const caseIdx = `((n - ${g.item.from}) * ${s.itemGuestCases} + j) % ${s.cases}`;
    const itemIdx = `((n - ${g.item.from}) + m * ${ITEM_STEP}) % ${s.itemsPerCase}`;
    await q(`INSERT INTO grants (id, firm_id, contact_id, scope_kind, case_id, item_id, rights, expires_at, created_by)
      SELECT ${uidSql(`${seed}:grant:item:' || n || ':' || j || ':' || m`)}, ${F}, ${contactSql('n')}, 'item', ${caseSql(caseIdx)},
             ${uidSql(`${seed}:item:' || (${caseIdx}) || ':' || (${itemIdx})`)}, 'read',
             ${s.expiredEvery > 0 ? `CASE WHEN (n + j + m) % ${s.expiredEvery} = 0 THEN timestamptz '${EXPIRED}' WHEN (n + j + m) % ${s.expiredEvery} = 1 THEN timestamptz '${FUTURE}' END` : 'NULL'}, 'generator'
      FROM generate_series(${from}, ${to}) n, generate_series(0, ${s.itemGuestCases - 1}) j, generate_series(0, ${s.itemGrantsPerCase - 1}) m`);
  }
  // Case grants (case, pending and portal-off guests), client grants; each with a view.
  const viewSql = (n: string) => `CASE (${n}) % ${VIEWS.length} ${VIEWS.map((v, i) => `WHEN ${i} THEN ARRAY[${v.map((x) => `'${x}'`).join(',')}]::text[]`).join(' ')} END`;
  const rightsSql = (n: string) => (s.uploadEvery > 0 ? `CASE WHEN (${n}) % ${s.uploadEvery} = 0 THEN 'upload' ELSE 'read' END` : `'read'`);
  await q(`INSERT INTO grants (id, firm_id, contact_id, scope_kind, case_id, rights, created_by)
    SELECT ${uidSql(`${seed}:grant:case:' || n || ':' || j`)}, ${F}, ${contactSql('n')}, 'case', ${caseSql(`(n * ${s.caseGuestCases} + j + ${Math.floor(s.cases / 2)}) % ${s.cases}`)}, ${rightsSql('n')}, 'generator'
    FROM generate_series(0, ${totalGuests(s) - 1}) n, generate_series(0, ${s.caseGuestCases - 1}) j WHERE ${caseLike}`);
  await q(`INSERT INTO grants (id, firm_id, contact_id, scope_kind, client_id, rights, created_by)
    SELECT ${uidSql(`${seed}:grant:client:' || n || ':' || j`)}, ${F}, ${contactSql('n')}, 'client', ${uidSql(`${seed}:client:' || (((n - ${g.client.from}) * ${s.clientGuestClients} + j) % ${s.clients})`)}, ${rightsSql('n')}, 'generator'
    FROM generate_series(${g.client.from}, ${g.client.from + g.client.count - 1}) n, generate_series(0, ${s.clientGuestClients - 1}) j`);
  await q(`INSERT INTO grant_views (grant_id, sections, thread_ids)
    SELECT gr.id, v.sections, CASE WHEN 'messages' = ANY(v.sections) AND gr.scope_kind = 'case' THEN ARRAY[${uidSql(`${seed}:thread:' || c.number_index`)}] ELSE '{}'::uuid[] END
    FROM grants gr
    JOIN contacts ct ON ct.id = gr.contact_id
    CROSS JOIN LATERAL (SELECT substring(ct.email FROM '-g([0-9]+)@')::int AS n) guest
    CROSS JOIN LATERAL (SELECT ${viewSql('guest.n')} AS sections) v
    LEFT JOIN LATERAL (SELECT substring(cs.number FROM 3)::int AS number_index FROM cases cs WHERE cs.id = gr.case_id) c ON true
    WHERE gr.firm_id = ${F} AND gr.scope_kind <> 'item'`);

  const counts = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM clients WHERE firm_id = $1) AS clients, (SELECT count(*)::int FROM cases WHERE firm_id = $1) AS cases,
            (SELECT count(*)::int FROM items WHERE firm_id = $1) AS items, (SELECT count(*)::int FROM contacts WHERE firm_id = $1) AS contacts,
            (SELECT count(*)::int FROM case_links WHERE firm_id = $1) AS links, (SELECT count(*)::int FROM grants WHERE firm_id = $1) AS grants,
            (SELECT count(*)::int FROM message_threads WHERE firm_id = $1) AS threads`,
    [firmId],
  );
  await db.exec('ANALYZE');
  return { shape: s, firmId, counts: counts[0] as GeneratedFirm['counts'] };
}

// ---- the same firm, in memory, for the domain to judge ----

export interface GuestModel {
  index: number;
  group: GuestGroup;
  contactId: string;
  userId: string;
  contact: Contact;
  grants: Grant[];
  linkedCaseIds: Set<string>;
}

export function guestModel(firmId: string, s: FirmShape, n: number): GuestModel {
  const id = ids(s.seed);
  const g = guestGroups(s);
  const group = groupOf(s, n);
  const contactId = id.contact(n);
  const contact: Contact = { id: contactId, firmId, portalAccess: group !== 'portalOff', invitation: group === 'pending' ? 'pending' : 'accepted' };
  const grants: Grant[] = [];
  const linked = new Set<string>();
  const view = VIEWS[n % VIEWS.length];
  const rights = s.uploadEvery > 0 && n % s.uploadEvery === 0 ? 'upload' : 'read';
  if (group === 'item') {
    const a = n - g.item.from;
    for (let j = 0; j < s.itemGuestCases; j++) {
      const ci = (a * s.itemGuestCases + j) % s.cases;
      linked.add(id.case(ci));
      for (let m = 0; m < s.itemGrantsPerCase; m++) {
        const k = (a + m * ITEM_STEP) % s.itemsPerCase;
        const phase = s.expiredEvery > 0 ? (n + j + m) % s.expiredEvery : -1;
        grants.push({ id: uid(`${s.seed}:grant:item:${n}:${j}:${m}`), contactId, scope: { kind: 'item', caseId: id.case(ci), itemId: id.item(ci, k) }, rights: 'read', expiresAt: phase === 0 ? EXPIRED : phase === 1 ? FUTURE : null });
      }
    }
  } else if (group === 'client') {
    const c = n - g.client.from;
    for (let j = 0; j < s.clientGuestClients; j++) {
      const client = (c * s.clientGuestClients + j) % s.clients;
      for (let t = 0; t < s.cases / s.clients; t++) linked.add(id.case(client + t * s.clients));
      grants.push({ id: uid(`${s.seed}:grant:client:${n}:${j}`), contactId, scope: { kind: 'client', clientId: id.client(client), view, threadIds: [] }, rights, expiresAt: null });
    }
  } else {
    for (let j = 0; j < s.caseGuestCases; j++) {
      const ci = (n * s.caseGuestCases + j + Math.floor(s.cases / 2)) % s.cases;
      linked.add(id.case(ci));
      grants.push({ id: uid(`${s.seed}:grant:case:${n}:${j}`), contactId, scope: { kind: 'case', caseId: id.case(ci), view, threadIds: view.includes('messages') ? [id.thread(ci)] : [] }, rights, expiresAt: null });
    }
  }
  return { index: n, group, contactId, userId: id.user(n), contact, grants, linkedCaseIds: linked };
}

/** The generated items of case i, as the domain sees them. */
export function generatedItems(s: FirmShape, i: number): ItemRef[] {
  const id = ids(s.seed);
  return Array.from({ length: s.itemsPerCase }, (_, k) => ({ id: id.item(i, k), caseId: id.case(i), kind: itemKind(k), parentId: inFolder(k) ? id.item(i, k - (k % PATTERN)) : null, staffOnly: staffOnly(k) }));
}

/** What the domain says this guest may see of the generated firm (extra items, e.g. uploads, can be passed in). */
export function expectedAccess(firmId: string, s: FirmShape, guest: GuestModel, now: Date, extraItems: readonly ItemRef[] = []): Map<string, CaseAccess> {
  const id = ids(s.seed);
  const cases: CaseRef[] = [];
  const items: ItemRef[] = [...extraItems];
  for (const caseId of guest.linkedCaseIds) {
    const i = caseIndexByIdCache(s, caseId);
    cases.push({ id: caseId, firmId, clientId: id.client(i % s.clients) });
    items.push(...generatedItems(s, i));
  }
  return guestAccess(guest.contact, guest.grants, guest.linkedCaseIds, cases, items, { disabledSections: [] }, now);
}

const caseIndexCache = new Map<string, Map<string, number>>();
function caseIndexByIdCache(s: FirmShape, caseId: string): number {
  let map = caseIndexCache.get(`${s.seed}:${s.cases}`);
  if (!map) {
    const id = ids(s.seed);
    map = new Map(Array.from({ length: s.cases }, (_, i) => [id.case(i), i] as const));
    caseIndexCache.set(`${s.seed}:${s.cases}`, map);
  }
  const i = map.get(caseId);
  if (i === undefined) throw new Error(`case ${caseId} is not generated`);
  return i;
}
