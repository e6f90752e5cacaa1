import type { Queryable } from './db';

/**
 * When each guest first opened an item or read a staff message through the portal (migration
 * 63): firms use it as proof of delivery. Only the first open per guest is kept here; the latest
 * (migration 76) serves the portal's "New" marker alone.
 */
export interface SeenRecord {
  contactId: string;
  caseId: string;
  /** The case's client, so a client grant's reach can be counted. */
  clientId: string;
  itemId: string | null;
  messageId: string | null;
  seenAt: string;
}

export interface FirstOpens {
  firmId: string;
  contactId: string;
  caseId: string;
  itemIds: readonly string[];
  messageIds: readonly string[];
  at: string;
}

/**
 * Stores the opens that are first ones and returns just those. A repeat, or a concurrent
 * request for the same open, meets the unique index and inserts nothing, so it is never
 * audited twice.
 */
export async function recordFirstOpens(q: Queryable, o: FirstOpens): Promise<{ itemIds: string[]; messageIds: string[] }> {
  const itemIds = [...new Set(o.itemIds)];
  const messageIds = [...new Set(o.messageIds)];
  if (itemIds.length === 0 && messageIds.length === 0) return { itemIds: [], messageIds: [] };
  const rows = await q.query<{ item_id: string | null; message_id: string | null }>(
    `INSERT INTO guest_seen (firm_id, contact_id, case_id, item_id, message_id, seen_at)
     SELECT $1, $2, $3, opened.item_id, opened.message_id, $6
       FROM (SELECT unnest($4::uuid[]) AS item_id, NULL::uuid AS message_id UNION ALL SELECT NULL::uuid, unnest($5::uuid[])) AS opened
     ON CONFLICT DO NOTHING
     RETURNING item_id, message_id`,
    [o.firmId, o.contactId, o.caseId, itemIds, messageIds, o.at],
  );
  // Every open, first or not, moves the latest one on (migration 76): what the portal's "New" marker reads.
  if (itemIds.length > 0) await q.query('UPDATE guest_seen SET last_seen_at = now() WHERE contact_id = $1 AND item_id = ANY($2::uuid[])', [o.contactId, itemIds]);
  return { itemIds: rows.flatMap((r) => (r.item_id ? [r.item_id] : [])), messageIds: rows.flatMap((r) => (r.message_id ? [r.message_id] : [])) };
}

/**
 * Moves the latest open on for the items already opened before (the "New" marker) and says
 * whether any of these opens is a first one, in one statement outside any transaction: a page
 * opened again, with nothing new, costs this round trip alone. A first open still goes through
 * recordFirstOpens, in the transaction that audits it.
 */
export async function touchRepeatOpens(q: Queryable, o: Pick<FirstOpens, 'contactId' | 'itemIds' | 'messageIds'>): Promise<{ anyFirst: boolean }> {
  const itemIds = [...new Set(o.itemIds)];
  const messageIds = [...new Set(o.messageIds)];
  if (itemIds.length === 0 && messageIds.length === 0) return { anyFirst: false };
  const rows = await q.query<{ first_opens: number | string }>(
    `WITH touched AS (UPDATE guest_seen SET last_seen_at = now() WHERE contact_id = $1 AND item_id = ANY($2::uuid[]) RETURNING item_id),
          stored AS (SELECT item_id, message_id FROM guest_seen WHERE contact_id = $1 AND (item_id = ANY($2::uuid[]) OR message_id = ANY($3::uuid[])))
     SELECT (SELECT count(*) FROM unnest($2::uuid[]) AS w(id) WHERE w.id NOT IN (SELECT item_id FROM stored WHERE item_id IS NOT NULL))
          + (SELECT count(*) FROM unnest($3::uuid[]) AS w(id) WHERE w.id NOT IN (SELECT message_id FROM stored WHERE message_id IS NOT NULL)) AS first_opens`,
    [o.contactId, itemIds, messageIds],
  );
  return { anyFirst: Number(rows[0]?.first_opens ?? 0) > 0 };
}

/** When one guest last opened each item of a case (item id → when): the portal's "New" marker. */
export async function lastOpensInCase(q: Queryable, firmId: string, contactId: string, caseId: string): Promise<Map<string, string>> {
  const rows = await q.query<{ item_id: string; last: string | Date }>('SELECT item_id, coalesce(last_seen_at, seen_at) AS last FROM guest_seen WHERE firm_id = $1 AND contact_id = $2 AND case_id = $3 AND item_id IS NOT NULL', [
    firmId,
    contactId,
    caseId,
  ]);
  return new Map(rows.map((r) => [r.item_id, new Date(r.last).toISOString()]));
}

const SEEN_COLUMNS = 's.contact_id, s.case_id, c.client_id, s.item_id, s.message_id, s.seen_at';

const toSeen = (r: Record<string, unknown>): SeenRecord => ({
  contactId: String(r.contact_id),
  caseId: String(r.case_id),
  clientId: String(r.client_id),
  itemId: (r.item_id as string | null) ?? null,
  messageId: (r.message_id as string | null) ?? null,
  seenAt: new Date(r.seen_at as string | Date).toISOString(),
});

/** Every first open in one case (staff's items panel and threads). */
export async function seenInCase(q: Queryable, firmId: string, caseId: string): Promise<SeenRecord[]> {
  return (await q.query(`SELECT ${SEEN_COLUMNS} FROM guest_seen s JOIN cases c ON c.id = s.case_id WHERE s.firm_id = $1 AND s.case_id = $2 ORDER BY s.seen_at`, [firmId, caseId])).map(toSeen);
}

/** Every first open of these guests, in any case of the firm (who has access). */
export async function seenByContacts(q: Queryable, firmId: string, contactIds: readonly string[]): Promise<SeenRecord[]> {
  if (contactIds.length === 0) return [];
  return (await q.query(`SELECT ${SEEN_COLUMNS} FROM guest_seen s JOIN cases c ON c.id = s.case_id WHERE s.firm_id = $1 AND s.contact_id = ANY($2::uuid[]) ORDER BY s.seen_at`, [firmId, [...new Set(contactIds)]])).map(toSeen);
}
