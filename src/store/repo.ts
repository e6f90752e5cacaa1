import { randomUUID } from 'node:crypto';
import { type AuditContent, type ChainedAuditEntry, GENESIS_HASH, hashAuditEntry } from '../domain/audit-chain';
import type { GrantScope, ItemRef, Rights, Section } from '../domain/model';
import type { NotificationEvent, PartyRole } from '../contract/enums';
import type { NotificationPreference } from '../contract/firm';
import type { NamedAdmin, StaffRole } from '../domain/setup';
import { announceChange, type StoreChange } from './changes';
import { hiddenCaseIds } from '../domain/walls';
import { WallsRepo } from './walls';
import { type Queryable, queryOne, writeInChunks } from './db';
import {
  type CaseRecord,
  type Client,
  type ContactRecord,
  type Firm,
  type GrantRecord,
  type ItemRecord,
  type LedgerEntry,
  type Message,
  type MessageThread,
  type Staff,
  toCase,
  toClient,
  toContact,
  toFirm,
  toGrant,
  toItem,
  toLedgerEntry,
  toMessage,
  toStaff,
  toThread,
} from './records';

/**
 * Every query the services use, each scoped by firm: an id from another firm matches no row,
 * so it is reported exactly like an id that does not exist.
 */
/** What first-run set-up writes on the firm. */
export interface FirmSetupRecord {
  name: string;
  staffGroupId: string;
  staffGroupName: string;
  admins: NamedAdmin[];
  guestDefaultSections: Section[] | null;
  guestDefaultExpiryDays: number | null;
  senderMailbox: string | null;
  completedBy: string;
}

export class Repo {
  constructor(private readonly q: Queryable) {}

  /** Tells live pages, at commit, that something they may show changed (store/changes.ts). */
  private changed(change: StoreChange): Promise<void> {
    return announceChange(this.q, change);
  }

  /** The firm's rows of a table with these ids (none asked, no query). */
  private async firmRowsByIds<T>(table: 'cases' | 'contacts' | 'items', firmId: string, ids: readonly string[], map: (row: Record<string, unknown>) => T, orderBy: '' | 'ORDER BY number' = ''): Promise<T[]> {
    if (ids.length === 0) return [];
    return (await this.q.query(`SELECT * FROM ${table} WHERE firm_id = $1 AND id = ANY($2::uuid[]) ${orderBy}`, [firmId, ids])).map(map);
  }

  // ---- firms and staff ----
  async firmByTenant(tenantId: string): Promise<Firm | null> {
    return queryOne(this.q, 'SELECT * FROM firms WHERE tenant_id = $1', [tenantId], toFirm);
  }
  async firm(firmId: string): Promise<Firm | null> {
    return queryOne(this.q, 'SELECT * FROM firms WHERE id = $1', [firmId], toFirm);
  }
  async allFirms(): Promise<Firm[]> {
    return (await this.q.query('SELECT * FROM firms ORDER BY created_at')).map(toFirm);
  }
  async insertFirm(f: { id?: string; tenantId: string; name: string }): Promise<Firm> {
    const rows = await this.q.query('INSERT INTO firms (id, tenant_id, name) VALUES ($1, $2, $3) RETURNING *', [f.id ?? randomUUID(), f.tenantId, f.name]);
    return toFirm(rows[0]);
  }
  async setDisabledSections(firmId: string, sections: Section[]): Promise<void> {
    await this.q.query('UPDATE firms SET disabled_sections = $2 WHERE id = $1', [firmId, sections]);
    await this.changed({ firmId });
  }
  async setExpiryReminderDays(firmId: string, days: number[]): Promise<void> {
    await this.q.query('UPDATE firms SET expiry_reminder_days = $2::integer[] WHERE id = $1', [firmId, days]);
  }
  async setDomainPolicy(firmId: string, blocked: readonly string[], warned: readonly string[]): Promise<void> {
    await this.q.query('UPDATE firms SET blocked_domains = $2, warned_domains = $3 WHERE id = $1', [firmId, blocked, warned]);
  }
  async setFirmCurrency(firmId: string, currency: string): Promise<void> {
    await this.q.query('UPDATE firms SET currency = $2 WHERE id = $1', [firmId, currency]);
  }
  async staffByUser(firmId: string, userId: string): Promise<Staff | null> {
    return queryOne(this.q, 'SELECT * FROM staff WHERE firm_id = $1 AND user_id = $2', [firmId, userId], toStaff);
  }
  /**
   * The staff row of a user, and whether a contact of the firm also has that user as its guest
   * account (authentication treats such a user as the guest, as it always has): one round trip.
   */
  /**
   * Who is calling, in one round trip (every API request asks): the firm of the token's tenant, the
   * contact whose guest account is the token's user, and (for a member token) the user's staff row.
   * The rows of the caller come through to_jsonb, their timestamps rewritten by the mappers.
   */
  async caller(tenantId: string, userId: string, asGuest: boolean): Promise<{ firm: Firm; contact: ContactRecord | null; staff: Staff | null } | null> {
    const sql = `SELECT f.*,
        (SELECT to_jsonb(c) FROM contacts c WHERE c.firm_id = f.id AND c.guest_user_id = $2) AS caller_contact,
        CASE WHEN $3::boolean THEN NULL ELSE (SELECT to_jsonb(s) FROM staff s WHERE s.firm_id = f.id AND s.user_id = $2) END AS caller_staff
      FROM firms f WHERE f.tenant_id = $1`;
    return queryOne(this.q, sql, [tenantId, userId, asGuest], (row) => ({
      firm: toFirm(row),
      contact: row.caller_contact ? toContact(row.caller_contact as Record<string, unknown>) : null,
      staff: row.caller_staff ? toStaff(row.caller_staff as Record<string, unknown>) : null,
    }));
  }
  async staff(firmId: string, staffId: string): Promise<Staff | null> {
    return queryOne(this.q, 'SELECT * FROM staff WHERE firm_id = $1 AND id = $2', [firmId, staffId], toStaff);
  }
  async listStaff(firmId: string): Promise<Staff[]> {
    return (await this.q.query('SELECT * FROM staff WHERE firm_id = $1 ORDER BY name', [firmId])).map(toStaff);
  }
  /** Inserts a staff member, or returns the existing one with that user id (first sign-ins can race). Role: plain staff unless given. */
  async insertStaff(s: Omit<Staff, 'id' | 'role'> & { id?: string; role?: StaffRole }): Promise<Staff> {
    const rows = await this.q.query(
      `INSERT INTO staff (id, firm_id, user_id, name, email, phone, title, role) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (firm_id, user_id) DO UPDATE SET user_id = EXCLUDED.user_id RETURNING *`,
      [s.id ?? randomUUID(), s.firmId, s.userId, s.name, s.email, s.phone, s.title, s.role ?? 'staff'],
    );
    return toStaff(rows[0]);
  }
  /** The role follows set-up's admins (and the token's Entra roles) at each sign-in; written only when it changed. */
  async setStaffRole(firmId: string, staffId: string, role: StaffRole): Promise<void> {
    await this.q.query('UPDATE staff SET role = $3 WHERE firm_id = $1 AND id = $2 AND role <> $3', [firmId, staffId, role]);
  }
  /** Records a completed (or re-done) first-run set-up on the firm. */
  async saveSetup(firmId: string, setup: FirmSetupRecord): Promise<void> {
    await this.q.query(
      `UPDATE firms SET name = $2, staff_group_id = $3, staff_group_name = $4, admins = $5::jsonb, guest_default_sections = $6, guest_default_expiry_days = $7,
         sender_mailbox = $8, setup_completed_at = coalesce(setup_completed_at, now()), setup_completed_by = coalesce(setup_completed_by, $9) WHERE id = $1`,
      [firmId, setup.name, setup.staffGroupId, setup.staffGroupName, JSON.stringify(setup.admins), setup.guestDefaultSections, setup.guestDefaultExpiryDays, setup.senderMailbox, setup.completedBy],
    );
    await this.changed({ firmId });
  }
  /** Teams CaseRoom was installed in while its tenant had no set-up firm. */
  async pendingTeamInstallations(tenantId: string): Promise<Array<{ teamId: string; displayName: string }>> {
    return (await this.q.query<{ team_id: string; display_name: string }>('SELECT team_id, display_name FROM pending_team_installations WHERE tenant_id = $1 ORDER BY installed_at', [tenantId])).map((r) => ({
      teamId: r.team_id,
      displayName: r.display_name,
    }));
  }
  async addPendingTeamInstallation(tenantId: string, teamId: string, displayName: string): Promise<void> {
    await this.q.query('INSERT INTO pending_team_installations (team_id, tenant_id, display_name) VALUES ($1, $2, $3) ON CONFLICT (team_id) DO UPDATE SET display_name = EXCLUDED.display_name', [teamId, tenantId, displayName]);
  }
  async removePendingTeamInstallation(teamId: string): Promise<void> {
    await this.q.query('DELETE FROM pending_team_installations WHERE team_id = $1', [teamId]);
  }

  // ---- clients and cases ----
  async listClients(firmId: string): Promise<Client[]> {
    return (await this.q.query('SELECT * FROM clients WHERE firm_id = $1 ORDER BY name', [firmId])).map(toClient);
  }
  async client(firmId: string, clientId: string): Promise<Client | null> {
    return queryOne(this.q, 'SELECT * FROM clients WHERE firm_id = $1 AND id = $2', [firmId, clientId], toClient);
  }
  async insertClient(firmId: string, name: string, id: string = randomUUID()): Promise<Client> {
    const rows = await this.q.query('INSERT INTO clients (id, firm_id, name) VALUES ($1,$2,$3) RETURNING *', [id, firmId, name]);
    return toClient(rows[0]);
  }
  /** One page of listCases (number order), leaving out `excluding` (the cases a wall hides from the reader) in the query so a page is full. */
  async casePage(firmId: string, page: { clientId?: string; after?: string; limit: number; excluding: readonly string[] }): Promise<CaseRecord[]> {
    const rows = await this.q.query(
      `SELECT * FROM cases WHERE firm_id = $1 AND ($2::uuid IS NULL OR client_id = $2) AND ($3::text IS NULL OR number > $3) AND NOT (id = ANY($4::uuid[]))
       ORDER BY number LIMIT $5`,
      [firmId, page.clientId ?? null, page.after ?? null, [...page.excluding], page.limit],
    );
    return rows.map(toCase);
  }
  async listCases(firmId: string, clientId?: string): Promise<CaseRecord[]> {
    const rows = clientId ? await this.q.query('SELECT * FROM cases WHERE firm_id = $1 AND client_id = $2 ORDER BY number', [firmId, clientId]) : await this.q.query('SELECT * FROM cases WHERE firm_id = $1 ORDER BY number', [firmId]);
    return rows.map(toCase);
  }
  /**
   * The cases a staff member is walled off (ethical walls, src/domain/walls.ts); empty for
   * guests and the system. src/services/walls.ts `hiddenCasesFor` is the same rule for callers
   * without a Repo.
   */
  async hiddenCasesFor(actor: { kind: string; firmId: string; staffId?: string }): Promise<Set<string>> {
    if (actor.kind !== 'staff' || !actor.staffId) return new Set();
    return hiddenCaseIds(await new WallsRepo(this.q).wallsOfFirm(actor.firmId), actor.staffId);
  }
  async case(firmId: string, caseId: string): Promise<CaseRecord | null> {
    return queryOne(this.q, 'SELECT * FROM cases WHERE firm_id = $1 AND id = $2', [firmId, caseId], toCase);
  }
  /**
   * One case as a guest's page reads it, in one round trip: the case, whether the contact is linked
   * to it, and its assigned staff member (the page's team card).
   */
  async caseForGuest(firmId: string, caseId: string, contactId: string): Promise<{ record: CaseRecord; linked: boolean; assignedStaff: Staff | null } | null> {
    const sql = `SELECT c.*,
        EXISTS (SELECT 1 FROM case_links l WHERE l.case_id = c.id AND l.contact_id = $3) AS guest_linked,
        (SELECT to_jsonb(s) FROM staff s WHERE s.firm_id = c.firm_id AND s.id = c.assigned_staff_id) AS assigned_staff
      FROM cases c WHERE c.firm_id = $1 AND c.id = $2`;
    return queryOne(this.q, sql, [firmId, caseId, contactId], (row) => ({
      record: toCase(row),
      linked: row.guest_linked === true,
      assignedStaff: row.assigned_staff ? toStaff(row.assigned_staff as Record<string, unknown>) : null,
    }));
  }
  /** The firm's cases the contact is linked to, in number order. */
  async linkedCases(firmId: string, contactId: string): Promise<CaseRecord[]> {
    return (await this.q.query('SELECT c.* FROM cases c JOIN case_links l ON l.case_id = c.id WHERE l.contact_id = $2 AND c.firm_id = $1 ORDER BY c.number', [firmId, contactId])).map(toCase);
  }
  async casesByIds(firmId: string, ids: readonly string[]): Promise<CaseRecord[]> {
    return this.firmRowsByIds('cases', firmId, ids, toCase, 'ORDER BY number');
  }
  async caseByChannel(channelId: string): Promise<CaseRecord | null> {
    return queryOne(this.q, 'SELECT * FROM cases WHERE channel_id = $1', [channelId], toCase);
  }
  async insertCase(c: { id?: string; firmId: string; clientId: string; number: string; title: string; status?: string; statusNote?: string | null; assignedStaffId: string | null; budgetCents: number | null }): Promise<CaseRecord> {
    const rows = await this.q.query(
      `INSERT INTO cases (id, firm_id, client_id, number, title, status, status_note, assigned_staff_id, budget_cents)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
      [c.id ?? randomUUID(), c.firmId, c.clientId, c.number, c.title, c.status ?? 'open', c.statusNote ?? null, c.assignedStaffId, c.budgetCents],
    );
    const created = toCase(rows[0]);
    await this.changed({ firmId: created.firmId, caseId: created.id });
    return created;
  }
  async updateCase(firmId: string, caseId: string, patch: Partial<Pick<CaseRecord, 'title' | 'status' | 'statusNote' | 'assignedStaffId' | 'budgetCents'>>): Promise<CaseRecord | null> {
    const columns: Record<string, string> = { title: 'title', status: 'status', statusNote: 'status_note', assignedStaffId: 'assigned_staff_id', budgetCents: 'budget_cents' };
    const sets: string[] = [];
    const values: unknown[] = [firmId, caseId];
    for (const [key, column] of Object.entries(columns)) {
      if (key in patch) {
        values.push((patch as Record<string, unknown>)[key]);
        sets.push(`${column} = $${values.length}`);
      }
    }
    if (sets.length === 0) return this.case(firmId, caseId);
    const rows = await this.q.query(`UPDATE cases SET ${sets.join(', ')} WHERE firm_id = $1 AND id = $2 RETURNING *`, values);
    if (rows[0]) await this.changed({ firmId, caseId });
    return rows[0] ? toCase(rows[0]) : null;
  }
  async setCaseProvisioned(caseId: string, m365: { teamId: string; channelId: string; driveId: string; folderItemId: string }): Promise<void> {
    const rows = await this.q.query<{ firm_id: string }>(`UPDATE cases SET team_id = $2, channel_id = $3, drive_id = $4, folder_item_id = $5, provisioning = 'ready' WHERE id = $1 RETURNING firm_id`, [
      caseId,
      m365.teamId,
      m365.channelId,
      m365.driveId,
      m365.folderItemId,
    ]);
    if (rows[0]) await this.changed({ firmId: rows[0].firm_id, caseId, staffOnly: true });
  }

  // ---- contacts and links ----
  async listContacts(firmId: string): Promise<ContactRecord[]> {
    return (await this.q.query('SELECT * FROM contacts WHERE firm_id = $1 ORDER BY name', [firmId])).map(toContact);
  }
  async contact(firmId: string, contactId: string): Promise<ContactRecord | null> {
    return queryOne(this.q, 'SELECT * FROM contacts WHERE firm_id = $1 AND id = $2', [firmId, contactId], toContact);
  }
  async contactForUpdate(firmId: string, contactId: string): Promise<ContactRecord | null> {
    return queryOne(this.q, 'SELECT * FROM contacts WHERE firm_id = $1 AND id = $2 FOR UPDATE', [firmId, contactId], toContact);
  }
  async contactsByIds(firmId: string, ids: readonly string[]): Promise<ContactRecord[]> {
    return this.firmRowsByIds('contacts', firmId, ids, toContact);
  }
  async contactByGuestUser(firmId: string, guestUserId: string): Promise<ContactRecord | null> {
    return queryOne(this.q, 'SELECT * FROM contacts WHERE firm_id = $1 AND guest_user_id = $2', [firmId, guestUserId], toContact);
  }
  async contactByEmail(firmId: string, email: string): Promise<ContactRecord | null> {
    return queryOne(this.q, 'SELECT * FROM contacts WHERE firm_id = $1 AND lower(email) = lower($2)', [firmId, email], toContact);
  }
  async insertContact(c: { id?: string; firmId: string; clientId: string | null; email: string; name: string; kind: string; phone: string | null }): Promise<ContactRecord> {
    const rows = await this.q.query('INSERT INTO contacts (id, firm_id, client_id, email, name, kind, phone) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *', [c.id ?? randomUUID(), c.firmId, c.clientId, c.email, c.name, c.kind, c.phone]);
    return toContact(rows[0]);
  }
  async updateContact(firmId: string, contactId: string, patch: { name?: string; kind?: string; phone?: string | null; clientId?: string | null; language?: string | null }): Promise<ContactRecord | null> {
    const rows = await this.q.query(
      `UPDATE contacts SET name = coalesce($3, name), kind = coalesce($4, kind),
         phone = CASE WHEN $5::boolean THEN $6 ELSE phone END,
         client_id = CASE WHEN $7::boolean THEN $8::uuid ELSE client_id END,
         language = CASE WHEN $9::boolean THEN $10 ELSE language END
       WHERE firm_id = $1 AND id = $2 RETURNING *`,
      [firmId, contactId, patch.name ?? null, patch.kind ?? null, 'phone' in patch, patch.phone ?? null, 'clientId' in patch, patch.clientId ?? null, 'language' in patch, patch.language ?? null],
    );
    if (rows[0]) await this.changed({ firmId, contactId });
    return rows[0] ? toContact(rows[0]) : null;
  }
  /** The locale the guest's portal reports; written only when it changed. */
  async setPortalLocale(contactId: string, locale: string): Promise<void> {
    await this.q.query('UPDATE contacts SET portal_locale = $2 WHERE id = $1 AND portal_locale IS DISTINCT FROM $2', [contactId, locale]);
  }
  async setPortalAccess(contactId: string, enabled: boolean): Promise<void> {
    const rows = await this.q.query<{ firm_id: string }>('UPDATE contacts SET portal_access = $2 WHERE id = $1 RETURNING firm_id', [contactId, enabled]);
    if (rows[0]) await this.changed({ firmId: rows[0].firm_id, contactId });
  }
  async setInvitation(contactId: string, state: 'none' | 'pending' | 'accepted', guestUserId: string | null): Promise<ContactRecord> {
    const rows = await this.q.query(
      `UPDATE contacts SET invitation_state = $2, guest_user_id = coalesce($3, guest_user_id),
         invited_at = CASE WHEN $2 = 'pending' THEN now() ELSE invited_at END,
         accepted_at = CASE WHEN $2 = 'accepted' THEN coalesce(accepted_at, now()) ELSE accepted_at END
       WHERE id = $1 RETURNING *`,
      [contactId, state, guestUserId],
    );
    const contact = toContact(rows[0]);
    await this.changed({ firmId: contact.firmId, contactId });
    return contact;
  }
  async linkedCaseIds(contactId: string): Promise<string[]> {
    return (await this.q.query<{ case_id: string }>('SELECT case_id FROM case_links WHERE contact_id = $1', [contactId])).map((r) => r.case_id);
  }
  async linkedContacts(caseId: string): Promise<ContactRecord[]> {
    return (await this.q.query('SELECT c.* FROM contacts c JOIN case_links l ON l.contact_id = c.id WHERE l.case_id = $1 ORDER BY c.name', [caseId])).map(toContact);
  }
  /** Contacts linked to any of these cases of the firm. */
  async contactsLinkedToCases(firmId: string, caseIds: readonly string[]): Promise<Set<string>> {
    if (caseIds.length === 0) return new Set();
    const rows = await this.q.query<{ contact_id: string }>('SELECT DISTINCT contact_id FROM case_links WHERE firm_id = $1 AND case_id = ANY($2::uuid[])', [firmId, caseIds]);
    return new Set(rows.map((r) => r.contact_id));
  }
  async isLinked(caseId: string, contactId: string): Promise<boolean> {
    return (await this.q.query('SELECT 1 FROM case_links WHERE case_id = $1 AND contact_id = $2', [caseId, contactId])).length > 0;
  }
  /** Links in the role given, or else the contact's kind (every contact kind is also a role). */
  async link(firmId: string, caseId: string, contactId: string, by: string, role: PartyRole | null = null): Promise<boolean> {
    const rows = await this.q.query('INSERT INTO case_links (firm_id, case_id, contact_id, linked_by, role) SELECT $1, $2, $3, $4, coalesce($5, c.kind) FROM contacts c WHERE c.id = $3 ON CONFLICT DO NOTHING RETURNING case_id', [
      firmId,
      caseId,
      contactId,
      by,
      role,
    ]);
    if (rows.length) await this.changed({ firmId, caseId, contactId });
    return rows.length > 0;
  }
  /** The contact's role in each of these cases they are linked to. */
  async partyRoles(contactId: string, caseIds: readonly string[]): Promise<Array<{ caseId: string; role: PartyRole }>> {
    if (caseIds.length === 0) return [];
    return (await this.q.query<{ case_id: string; role: PartyRole }>('SELECT case_id, role FROM case_links WHERE contact_id = $1 AND case_id = ANY($2::uuid[])', [contactId, caseIds])).map((r) => ({ caseId: r.case_id, role: r.role }));
  }
  /** Every linked contact's role in the case, by contact id. */
  async rolesInCase(caseId: string): Promise<Map<string, PartyRole>> {
    return new Map((await this.q.query<{ contact_id: string; role: PartyRole }>('SELECT contact_id, role FROM case_links WHERE case_id = $1', [caseId])).map((r) => [r.contact_id, r.role]));
  }
  /** The role before the change, or null when the contact is not linked to the case. */
  async setPartyRole(caseId: string, contactId: string, role: PartyRole): Promise<PartyRole | null> {
    const rows = await this.q.query<{ before: PartyRole; firm_id: string }>(
      'UPDATE case_links l SET role = $3 FROM case_links old WHERE l.case_id = $1 AND l.contact_id = $2 AND old.case_id = l.case_id AND old.contact_id = l.contact_id RETURNING old.role AS before, l.firm_id',
      [caseId, contactId, role],
    );
    // A party's role is staff business: the parties panel refreshes, guests need not hear.
    if (rows[0]) await this.changed({ firmId: rows[0].firm_id, caseId, staffOnly: true });
    return rows[0]?.before ?? null;
  }
  async unlink(caseId: string, contactId: string): Promise<boolean> {
    const rows = await this.q.query<{ firm_id: string }>('DELETE FROM case_links WHERE case_id = $1 AND contact_id = $2 RETURNING firm_id', [caseId, contactId]);
    if (rows[0]) await this.changed({ firmId: rows[0].firm_id, caseId, contactId });
    return rows.length > 0;
  }

  // ---- items ----
  async itemsOfCase(caseId: string): Promise<ItemRecord[]> {
    return (await this.q.query('SELECT * FROM items WHERE case_id = $1 ORDER BY kind, title, created_at', [caseId])).map(toItem);
  }
  async itemsOfCases(caseIds: readonly string[]): Promise<ItemRecord[]> {
    if (caseIds.length === 0) return [];
    return (await this.q.query('SELECT * FROM items WHERE case_id = ANY($1::uuid[])', [caseIds])).map(toItem);
  }
  async item(firmId: string, itemId: string): Promise<ItemRecord | null> {
    return queryOne(this.q, 'SELECT * FROM items WHERE firm_id = $1 AND id = $2', [firmId, itemId], toItem);
  }
  async itemsByIds(firmId: string, ids: readonly string[]): Promise<ItemRecord[]> {
    return this.firmRowsByIds('items', firmId, ids, toItem);
  }
  /**
   * The items named and every folder above them, as the access rules see them (ItemRef): staff-only
   * and privileged reach down from a folder, so the rules need the chain. Only the columns the rules
   * read: a guest with hundreds of item shares opens "My cases" on every visit. One statement per
   * level not already loaded (a recursive CTE let the planner hash-join the whole items table).
   */
  async itemRefsWithFolderChains(firmId: string, ids: readonly string[]): Promise<ItemRef[]> {
    const found = new Map<string, ItemRef>();
    let wanted = [...new Set(ids)];
    for (let depth = 0; wanted.length > 0 && depth < 1000; depth++) {
      const rows = await this.q.query<{ id: string; case_id: string; kind: ItemRef['kind']; parent_id: string | null; staff_only: boolean; privileged: boolean }>(
        'SELECT id, case_id, kind, parent_id, staff_only, privileged FROM items WHERE firm_id = $1 AND id = ANY($2::uuid[])',
        [firmId, wanted],
      );
      for (const r of rows) found.set(r.id, { id: r.id, caseId: r.case_id, kind: r.kind, parentId: r.parent_id, staffOnly: r.staff_only, privileged: r.privileged });
      wanted = [...new Set(rows.flatMap((i) => (i.parent_id !== null && !found.has(i.parent_id) ? [i.parent_id] : [])))];
    }
    return [...found.values()];
  }
  async itemByDriveItem(firmId: string, driveItemId: string): Promise<ItemRecord | null> {
    return queryOne(this.q, 'SELECT * FROM items WHERE firm_id = $1 AND drive_item_id = $2', [firmId, driveItemId], toItem);
  }
  /** The firm's items recorded for these drive items, by drive item id (a page of a drive's delta at once). */
  async itemsByDriveItems(firmId: string, driveItemIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    if (driveItemIds.length === 0) return new Map();
    const rows = await this.q.query('SELECT * FROM items WHERE firm_id = $1 AND drive_item_id = ANY($2::text[])', [firmId, driveItemIds]);
    return new Map(rows.map(toItem).map((i) => [i.driveItemId as string, i]));
  }
  async insertItem(i: Partial<ItemRecord> & Pick<ItemRecord, 'firmId' | 'caseId' | 'kind' | 'title' | 'createdBy'>): Promise<ItemRecord> {
    const rows = await this.q.query(
      `INSERT INTO items (id, firm_id, case_id, kind, parent_id, title, staff_only, drive_item_id, size_bytes, mime_type, body,
         starts_at, ends_at, location, amount_cents, due_on, invoice_number, invoice_status, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING *`,
      [
        i.id ?? randomUUID(),
        i.firmId,
        i.caseId,
        i.kind,
        i.parentId ?? null,
        i.title,
        i.staffOnly ?? false,
        i.driveItemId ?? null,
        i.sizeBytes ?? null,
        i.mimeType ?? null,
        i.body ?? null,
        i.startsAt ?? null,
        i.endsAt ?? null,
        i.location ?? null,
        i.amountCents ?? null,
        i.dueOn ?? null,
        i.invoiceNumber ?? null,
        i.invoiceStatus ?? null,
        i.createdBy,
      ],
    );
    const item = toItem(rows[0]);
    await this.changed({ firmId: item.firmId, caseId: item.caseId, ...(item.staffOnly ? { staffOnly: true } : {}) });
    return item;
  }
  async updateItem(
    firmId: string,
    itemId: string,
    patch: Partial<Pick<ItemRecord, 'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amountCents' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus' | 'parentId' | 'driveItemId' | 'sizeBytes' | 'mimeType' | 'staffOnly' | 'privileged'>>,
  ): Promise<ItemRecord | null> {
    const columns: Record<string, string> = {
      title: 'title',
      body: 'body',
      startsAt: 'starts_at',
      endsAt: 'ends_at',
      location: 'location',
      amountCents: 'amount_cents',
      dueOn: 'due_on',
      invoiceNumber: 'invoice_number',
      invoiceStatus: 'invoice_status',
      parentId: 'parent_id',
      driveItemId: 'drive_item_id',
      sizeBytes: 'size_bytes',
      mimeType: 'mime_type',
      staffOnly: 'staff_only',
      privileged: 'privileged',
    };
    const sets: string[] = ['updated_at = now()'];
    const values: unknown[] = [firmId, itemId];
    for (const [key, column] of Object.entries(columns)) {
      if (key in patch) {
        values.push((patch as Record<string, unknown>)[key]);
        sets.push(`${column} = $${values.length}`);
      }
    }
    const rows = await this.q.query(`UPDATE items SET ${sets.join(', ')} WHERE firm_id = $1 AND id = $2 RETURNING *`, values);
    const item = rows[0] ? toItem(rows[0]) : null;
    // Staff-only before and after only when the patch left the flag alone.
    if (item) await this.changed({ firmId, caseId: item.caseId, ...(item.staffOnly && !('staffOnly' in patch) ? { staffOnly: true } : {}) });
    return item;
  }
  async deleteItem(firmId: string, itemId: string): Promise<boolean> {
    const rows = await this.q.query<{ case_id: string; staff_only: boolean }>('DELETE FROM items WHERE firm_id = $1 AND id = $2 RETURNING case_id, staff_only', [firmId, itemId]);
    if (rows[0]) await this.changed({ firmId, caseId: rows[0].case_id, ...(rows[0].staff_only ? { staffOnly: true } : {}) });
    return rows.length > 0;
  }

  // ---- ledger ----
  async ledger(caseId: string): Promise<LedgerEntry[]> {
    return (await this.q.query('SELECT * FROM ledger_entries WHERE case_id = $1 ORDER BY occurred_on, created_at', [caseId])).map(toLedgerEntry);
  }
  async insertLedgerEntry(e: Omit<LedgerEntry, 'id' | 'createdAt'> & { firmId: string }): Promise<LedgerEntry> {
    const rows = await this.q.query(
      `INSERT INTO ledger_entries (id, firm_id, case_id, kind, amount_cents, description, occurred_on, invoice_item_id, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
      [randomUUID(), e.firmId, e.caseId, e.kind, e.amountCents, e.description, e.occurredOn, e.invoiceItemId, e.createdBy],
    );
    await this.changed({ firmId: e.firmId, caseId: e.caseId });
    return toLedgerEntry(rows[0]);
  }

  // ---- grants ----
  private static readonly GRANT_SELECT = 'SELECT g.*, v.sections, v.thread_ids FROM grants g LEFT JOIN grant_views v ON v.grant_id = g.id';

  async grantsOfContact(contactId: string): Promise<GrantRecord[]> {
    return (await this.q.query(`${Repo.GRANT_SELECT} WHERE g.contact_id = $1 ORDER BY g.created_at`, [contactId])).map(toGrant);
  }
  /** Several contacts' grants that can reach one case (a staff case page: its linked guests), not their grants elsewhere. */
  async grantsOfContactsOnCase(contactIds: readonly string[], caseRecord: CaseRecord): Promise<GrantRecord[]> {
    if (contactIds.length === 0) return [];
    return (await this.q.query(`${Repo.GRANT_SELECT} WHERE g.contact_id = ANY($1::uuid[]) AND (g.case_id = $2 OR g.client_id = $3) ORDER BY g.created_at`, [contactIds, caseRecord.id, caseRecord.clientId])).map(toGrant);
  }
  /** One contact's grants that can reach one case: item and case grants on it, client grants on its client. */
  async grantsOfContactOnCase(contactId: string, caseRecord: CaseRecord): Promise<GrantRecord[]> {
    return (await this.q.query(`${Repo.GRANT_SELECT} WHERE g.contact_id = $1 AND (g.case_id = $2 OR g.client_id = $3) ORDER BY g.created_at`, [contactId, caseRecord.id, caseRecord.clientId])).map(toGrant);
  }
  /** Grants that can reach a case: item and case grants on it, client grants on its client. */
  async grantsTouchingCase(caseRecord: CaseRecord): Promise<GrantRecord[]> {
    return (await this.q.query(`${Repo.GRANT_SELECT} WHERE g.case_id = $1 OR g.client_id = $2 ORDER BY g.created_at`, [caseRecord.id, caseRecord.clientId])).map(toGrant);
  }
  async grant(firmId: string, grantId: string): Promise<GrantRecord | null> {
    return queryOne(this.q, `${Repo.GRANT_SELECT} WHERE g.firm_id = $1 AND g.id = $2`, [firmId, grantId], toGrant);
  }
  async grantsOfFirm(firmId: string): Promise<GrantRecord[]> {
    return (await this.q.query(`${Repo.GRANT_SELECT} WHERE g.firm_id = $1 ORDER BY g.created_at`, [firmId])).map(toGrant);
  }
  /** Inserts or, for the same contact and target, replaces rights, expiry and view. */
  /** `privilegeConfirmed`: staff confirmed this item share of a privileged item (false unless said; a re-share that does not say clears it). */
  async upsertGrant(g: { firmId: string; contactId: string; scope: GrantScope; rights: Rights; expiresAt: string | null; createdBy: string; privilegeConfirmed?: boolean }): Promise<GrantRecord> {
    const s = g.scope;
    const caseId = s.kind === 'client' ? null : s.caseId;
    const itemId = s.kind === 'item' ? s.itemId : null;
    const clientId = s.kind === 'client' ? s.clientId : null;
    const target = s.kind === 'item' ? "(contact_id, item_id) WHERE scope_kind = 'item'" : s.kind === 'case' ? "(contact_id, case_id) WHERE scope_kind = 'case'" : "(contact_id, client_id) WHERE scope_kind = 'client'";
    const rows = await this.q.query<{ id: string }>(
      `INSERT INTO grants (id, firm_id, contact_id, scope_kind, case_id, item_id, client_id, rights, expires_at, created_by, privilege_confirmed)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT ${target} DO UPDATE SET rights = EXCLUDED.rights, expires_at = EXCLUDED.expires_at, privilege_confirmed = EXCLUDED.privilege_confirmed
       RETURNING id`,
      [randomUUID(), g.firmId, g.contactId, s.kind, caseId, itemId, clientId, g.rights, g.expiresAt, g.createdBy, s.kind === 'item' && g.privilegeConfirmed === true],
    );
    const id = rows[0].id;
    if (s.kind !== 'item') {
      await this.q.query(
        `INSERT INTO grant_views (grant_id, sections, thread_ids) VALUES ($1, $2, $3::uuid[])
         ON CONFLICT (grant_id) DO UPDATE SET sections = EXCLUDED.sections, thread_ids = EXCLUDED.thread_ids`,
        [id, s.view, s.threadIds],
      );
    }
    await this.changed({ firmId: g.firmId, contactId: g.contactId, ...(s.kind === 'client' ? { clientId: s.clientId } : { caseId: s.caseId }) });
    return (await this.grant(g.firmId, id)) as GrantRecord;
  }
  /** Read grants on many items for one contact (a bulk share), a few hundred rows a statement; returns how many were written. */
  async upsertItemGrants(g: { firmId: string; contactId: string; items: ReadonlyArray<{ caseId: string; itemId: string; privilegeConfirmed?: boolean }>; expiresAt: string | null; createdBy: string }): Promise<number> {
    const rows = await writeInChunks(
      this.q,
      g.items,
      (i) => [randomUUID(), g.firmId, g.contactId, i.caseId, i.itemId, g.expiresAt, g.createdBy, 'item', null, 'read', i.privilegeConfirmed === true],
      (values) => `INSERT INTO grants (id, firm_id, contact_id, case_id, item_id, expires_at, created_by, scope_kind, client_id, rights, privilege_confirmed)
         VALUES ${values}
         ON CONFLICT (contact_id, item_id) WHERE scope_kind = 'item' DO UPDATE SET rights = EXCLUDED.rights, expires_at = EXCLUDED.expires_at, privilege_confirmed = EXCLUDED.privilege_confirmed
         RETURNING id`,
    );
    for (const caseId of new Set(g.items.map((i) => i.caseId))) await this.changed({ firmId: g.firmId, contactId: g.contactId, caseId });
    return rows.length;
  }
  async deleteGrant(grantId: string): Promise<boolean> {
    return (await this.deleteGrantsWhere('id = $1', [grantId])) > 0;
  }
  async deleteGrantsOfContact(contactId: string): Promise<number> {
    return this.deleteGrantsWhere('contact_id = $1', [contactId]);
  }
  /** Item and case grants of a contact on one case (client grants stay: the missing link closes them). */
  async deleteGrantsOnCase(contactId: string, caseId: string): Promise<number> {
    return this.deleteGrantsWhere('contact_id = $1 AND case_id = $2', [contactId, caseId]);
  }
  /** Deletes grants and announces each case, client and contact whose access that changed. */
  private async deleteGrantsWhere(condition: string, params: unknown[]): Promise<number> {
    const rows = await this.q.query<{ firm_id: string; contact_id: string; case_id: string | null; client_id: string | null }>(`DELETE FROM grants WHERE ${condition} RETURNING firm_id, contact_id, case_id, client_id`, params);
    const announced = new Set<string>();
    for (const r of rows) {
      const change: StoreChange = { firmId: r.firm_id, contactId: r.contact_id, ...(r.case_id ? { caseId: r.case_id } : {}), ...(r.client_id ? { clientId: r.client_id } : {}) };
      const key = JSON.stringify(change);
      if (announced.has(key)) continue;
      announced.add(key);
      await this.changed(change);
    }
    return rows.length;
  }

  // ---- threads and messages ----
  async threadsOfCase(caseId: string): Promise<MessageThread[]> {
    return (await this.q.query('SELECT * FROM message_threads WHERE case_id = $1 ORDER BY created_at', [caseId])).map(toThread);
  }
  async thread(firmId: string, threadId: string): Promise<MessageThread | null> {
    return queryOne(this.q, 'SELECT * FROM message_threads WHERE firm_id = $1 AND id = $2', [firmId, threadId], toThread);
  }
  async threadByConversation(conversationId: string): Promise<MessageThread | null> {
    return queryOne(this.q, 'SELECT * FROM message_threads WHERE channel_conversation_id = $1', [conversationId], toThread);
  }
  async insertThread(t: { firmId: string; caseId: string; subject: string; startedByContactId: string | null }): Promise<MessageThread> {
    const rows = await this.q.query('INSERT INTO message_threads (id, firm_id, case_id, subject, started_by_contact_id) VALUES ($1,$2,$3,$4,$5) RETURNING *', [randomUUID(), t.firmId, t.caseId, t.subject, t.startedByContactId]);
    await this.changed({ firmId: t.firmId, caseId: t.caseId });
    return toThread(rows[0]);
  }
  async setThreadConversation(threadId: string, conversationId: string): Promise<void> {
    await this.q.query('UPDATE message_threads SET channel_conversation_id = $2 WHERE id = $1', [threadId, conversationId]);
  }
  async messages(threadId: string): Promise<Message[]> {
    return (await this.q.query('SELECT * FROM messages WHERE thread_id = $1 ORDER BY created_at, id', [threadId])).map(toMessage);
  }
  /** The messages of several threads in one round trip, each thread's in order (absent: none). */
  /**
   * The case's threads a guest may read (those she started, and `chosenIds` shared with her), each
   * with its messages in order, in one round trip.
   */
  async guestThreadsWithMessages(caseId: string, contactId: string, chosenIds: readonly string[]): Promise<Array<{ thread: MessageThread; messages: Message[] }>> {
    const sql = `SELECT t.*,
        (SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id), '[]'::jsonb) FROM messages m WHERE m.thread_id = t.id) AS thread_messages
      FROM message_threads t WHERE t.case_id = $1 AND (t.started_by_contact_id = $2 OR t.id = ANY($3::uuid[])) ORDER BY t.created_at`;
    return (await this.q.query(sql, [caseId, contactId, [...chosenIds]])).map((row) => ({ thread: toThread(row), messages: (row.thread_messages as Array<Record<string, unknown>>).map(toMessage) }));
  }
  async insertMessage(m: Omit<Message, 'id' | 'createdAt'> & { firmId: string }): Promise<Message> {
    const rows = await this.q.query('INSERT INTO messages (id, firm_id, thread_id, author_kind, author_id, author_name, body, screen) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *', [
      randomUUID(),
      m.firmId,
      m.threadId,
      m.authorKind,
      m.authorId,
      m.authorName,
      m.body,
      m.screen,
    ]);
    const thread = await this.thread(m.firmId, m.threadId);
    if (thread) await this.changed({ firmId: m.firmId, caseId: thread.caseId });
    return toMessage(rows[0]);
  }

  // ---- notification preferences ----
  async notificationPreferences(staffId: string): Promise<NotificationPreference[]> {
    const rows = await this.q.query<{ case_id: string | null; event: NotificationEvent; enabled: boolean | null; mention: boolean | null; feed: boolean | null }>(
      'SELECT case_id, event, enabled, mention, feed FROM notification_preferences WHERE staff_id = $1 ORDER BY event, case_id NULLS FIRST',
      [staffId],
    );
    return rows.map((r) => ({ caseId: r.case_id, event: r.event, enabled: r.enabled, mention: r.mention, feed: r.feed }));
  }
  /** Sets what is given (undefined keeps the stored value): the channel switches (`enabled` with `mention`) and the feed one apart. */
  async setNotificationPreference(p: { firmId: string; staffId: string; caseId: string | null; event: string; enabled?: boolean; mention?: boolean; feed?: boolean | null }): Promise<void> {
    const setsChannel = p.enabled !== undefined;
    const setsFeed = p.feed !== undefined;
    await this.q.query(
      `INSERT INTO notification_preferences (id, firm_id, staff_id, case_id, event, enabled, mention, feed) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (staff_id, event, coalesce(case_id, '00000000-0000-0000-0000-000000000000'::uuid)) DO UPDATE SET
         enabled = CASE WHEN $9 THEN EXCLUDED.enabled ELSE notification_preferences.enabled END,
         mention = CASE WHEN $9 THEN EXCLUDED.mention ELSE notification_preferences.mention END,
         feed = CASE WHEN $10 THEN EXCLUDED.feed ELSE notification_preferences.feed END`,
      [randomUUID(), p.firmId, p.staffId, p.caseId, p.event, setsChannel ? p.enabled : null, setsChannel ? (p.mention ?? false) : null, setsFeed ? p.feed : null, setsChannel, setsFeed],
    );
  }

  // ---- audit ----
  /**
   * Appends to the firm's chain. Locks the firm row so concurrent appends queue up instead of
   * forking the chain; NO KEY UPDATE, because inserting rows that reference the firm takes a
   * KEY SHARE lock on it, which FOR UPDATE would conflict with (deadlock under concurrent writes).
   */
  async appendAudit(e: Omit<AuditContent, 'seq' | 'at'> & { at?: string }): Promise<ChainedAuditEntry> {
    await this.q.query('SELECT id FROM firms WHERE id = $1 FOR NO KEY UPDATE', [e.firmId]);
    const head = await this.q.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log WHERE firm_id = $1 ORDER BY seq DESC LIMIT 1', [e.firmId]);
    const prevHash = head[0]?.hash ?? GENESIS_HASH;
    const content: AuditContent = {
      firmId: e.firmId,
      seq: (head[0]?.seq ?? 0) + 1,
      at: e.at ?? new Date().toISOString(),
      actor: e.actor,
      action: e.action,
      target: e.target,
      reason: e.reason,
      // Round-trip through JSON so what we hash is exactly what jsonb will give back.
      data: JSON.parse(JSON.stringify(e.data ?? {})),
    };
    const hash = hashAuditEntry(prevHash, content);
    await this.q.query('INSERT INTO audit_log (firm_id, seq, at, actor, action, target, reason, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [
      content.firmId,
      content.seq,
      content.at,
      content.actor,
      content.action,
      content.target,
      content.reason,
      JSON.stringify(content.data),
      prevHash,
      hash,
    ]);
    return { ...content, prevHash, hash };
  }
  /** Newest first, filtered; `person` comes from the caller's resolution of a person. */
  async auditSearch(firmId: string, f: AuditSearch): Promise<ChainedAuditEntry[]> {
    const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const rows = await this.q.query<Record<string, unknown>>(
      `SELECT * FROM audit_log WHERE firm_id = $1
         AND ($2::int IS NULL OR seq < $2) AND ($3::int IS NULL OR seq > $3)
         AND ($4::text IS NULL OR target = 'case:' || $4 OR data->>'caseId' = $4 OR data->'scope'->>'caseId' = $4)
         AND ($5::text[] IS NULL OR actor = ANY($5) OR target = ANY($6::text[]) OR data->>'contactId' = ANY($7::text[]))
         AND ($8::text IS NULL OR action = $8 OR left(action, length($8) + 1) = $8 || '.')
         AND ($9::text IS NULL OR at >= $9) AND ($10::text IS NULL OR at < $10)
         AND ($12::text IS NULL OR target LIKE $12 || '%')
         AND ($13::text[] IS NULL OR NOT (target = ANY($13) OR (target LIKE 'case:%' AND string_to_array(substr(target, 6), ',') && $14::text[])
           OR coalesce(data->>'caseId', '') = ANY($14::text[]) OR coalesce(data->'scope'->>'caseId', '') = ANY($14::text[])
           OR 'item:' || coalesce(data->>'itemId', '') = ANY($13) OR 'thread:' || coalesce(data->>'threadId', '') = ANY($13) OR 'grant:' || coalesce(data->>'grantId', '') = ANY($13)))
       ORDER BY seq DESC LIMIT $11`,
      [
        firmId,
        f.beforeSeq ?? null,
        f.afterSeq ?? null,
        f.caseId ?? null,
        f.person ? f.person.actors : null,
        f.person ? f.person.targets : null,
        f.person ? f.person.contactIds : null,
        f.action ?? null,
        f.from ?? null,
        f.to ? nextDay(f.to) : null,
        f.limit ?? 1_000_000,
        f.target ?? null,
        f.hidden ? f.hidden.targets : null,
        f.hidden ? f.hidden.caseIds : null,
      ],
    );
    return rows.map(toChainedAudit);
  }
  async auditEntries(firmId: string, opts: { afterSeq?: number; limit?: number; target?: string } = {}): Promise<ChainedAuditEntry[]> {
    const rows = await this.q.query<Record<string, unknown>>(`SELECT * FROM audit_log WHERE firm_id = $1 AND seq > $2 AND ($4::text IS NULL OR target LIKE $4 || '%') ORDER BY seq LIMIT $3`, [
      firmId,
      opts.afterSeq ?? 0,
      opts.limit ?? 1_000_000,
      opts.target ?? null,
    ]);
    return rows.map(toChainedAudit);
  }
}

export interface AuditSearch {
  beforeSeq?: number;
  afterSeq?: number;
  limit?: number;
  caseId?: string;
  /** A person as the log names them: actor labels, targets naming them, and contact ids in data. */
  person?: { actors: string[]; targets: string[]; contactIds: string[] };
  action?: string;
  from?: string;
  to?: string;
  target?: string;
  /** Entries about cases the reader is walled off (src/services/walls.ts hiddenAuditSubjects): left out. */
  hidden?: { targets: string[]; caseIds: string[] };
}

const toChainedAudit = (r: Record<string, unknown>): ChainedAuditEntry => ({
  firmId: r.firm_id as string,
  seq: Number(r.seq),
  at: r.at as string,
  actor: r.actor as string,
  action: r.action as string,
  target: r.target as string,
  reason: (r.reason as string | null) ?? null,
  data: r.data,
  prevHash: r.prev_hash as string,
  hash: r.hash as string,
});
