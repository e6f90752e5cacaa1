import { randomUUID } from 'node:crypto';
import type { PermissionKnowledge } from '../domain/model';
import { type Queryable, queryOne, writeInChunks } from './db';
import { type CaseRecord, type ContactRecord, type ItemRecord, toCase, toContact, toItem } from './records';
import { isoOrNull } from './timestamps';

/**
 * Queries over the Microsoft 365 gateway's own tables (migration 10) and the few cross-firm
 * reads its background jobs need. Product queries stay in Repo; this is the gateway's half.
 */

export type AppliedState = 'applying' | 'active' | 'revoking';

export interface AppliedPermission {
  firmId: string;
  contactId: string;
  guestUserId: string;
  driveId: string;
  driveItemId: string;
  role: 'read' | 'write';
  permissionId: string | null;
  state: AppliedState;
  expiresAt: string | null;
}

export interface CasesTeam {
  teamId: string;
  firmId: string;
  displayName: string;
  channelCount: number;
  uninstalledAt: string | null;
}

export interface SubscriptionRow {
  driveId: string;
  firmId: string;
  subscriptionId: string | null;
  clientState: string;
  expiresAt: string | null;
}

type Row = Record<string, unknown>;

const toApplied = (r: Row): AppliedPermission => ({
  firmId: r.firm_id as string,
  contactId: r.contact_id as string,
  guestUserId: r.guest_user_id as string,
  driveId: r.drive_id as string,
  driveItemId: r.drive_item_id as string,
  role: r.role as 'read' | 'write',
  permissionId: (r.permission_id as string | null) ?? null,
  state: r.state as AppliedState,
  expiresAt: isoOrNull(r.expires_at),
});

const toSubscription = (r: Row): SubscriptionRow => ({
  driveId: r.drive_id as string,
  firmId: r.firm_id as string,
  subscriptionId: (r.subscription_id as string | null) ?? null,
  clientState: r.client_state as string,
  expiresAt: isoOrNull(r.expires_at),
});

export class M365Repo {
  constructor(private readonly q: Queryable) {}

  // ---- cases teams ----
  /** The firm's cases teams, oldest first; `uninstalledAt` set for the ones CaseRoom was removed from. */
  async casesTeams(firmId: string): Promise<CasesTeam[]> {
    const rows = await this.q.query('SELECT * FROM cases_teams WHERE firm_id = $1 ORDER BY created_at, team_id', [firmId]);
    return rows.map((r) => ({ teamId: r.team_id as string, firmId: r.firm_id as string, displayName: r.display_name as string, channelCount: Number(r.channel_count), uninstalledAt: isoOrNull(r.uninstalled_at) }));
  }
  async casesTeam(teamId: string): Promise<CasesTeam | null> {
    const rows = await this.q.query('SELECT * FROM cases_teams WHERE team_id = $1', [teamId]);
    return rows[0]
      ? { teamId: rows[0].team_id as string, firmId: rows[0].firm_id as string, displayName: rows[0].display_name as string, channelCount: Number(rows[0].channel_count), uninstalledAt: isoOrNull(rows[0].uninstalled_at) }
      : null;
  }
  /** Records a team CaseRoom was installed in as one of the firm's cases teams (again in use if it had been uninstalled). */
  async adoptCasesTeam(t: { teamId: string; firmId: string; displayName: string }): Promise<boolean> {
    const rows = await this.q.query(
      `INSERT INTO cases_teams (team_id, firm_id, display_name, channel_count) VALUES ($1,$2,$3,0)
       ON CONFLICT (team_id) DO UPDATE SET uninstalled_at = NULL, display_name = EXCLUDED.display_name WHERE cases_teams.firm_id = EXCLUDED.firm_id
       RETURNING team_id`,
      [t.teamId, t.firmId, t.displayName],
    );
    return rows.length > 0;
  }
  async markCasesTeamUninstalled(teamId: string): Promise<void> {
    await this.q.query('UPDATE cases_teams SET uninstalled_at = now() WHERE team_id = $1 AND uninstalled_at IS NULL', [teamId]);
  }
  /** Cases of the firm that have no channel yet: those waiting for a cases team. */
  async casesWithoutChannel(firmId: string): Promise<string[]> {
    const rows = await this.q.query<{ id: string }>(`SELECT id FROM cases WHERE firm_id = $1 AND provisioning = 'pending' AND channel_id IS NULL ORDER BY created_at`, [firmId]);
    return rows.map((r) => r.id);
  }
  async setChannelCount(teamId: string, count: number): Promise<void> {
    await this.q.query('UPDATE cases_teams SET channel_count = greatest(channel_count, $2) WHERE team_id = $1', [teamId, count]);
  }

  // ---- cases and contacts across firms (background jobs) ----
  async caseById(caseId: string): Promise<CaseRecord | null> {
    return queryOne(this.q, 'SELECT * FROM cases WHERE id = $1', [caseId], toCase);
  }
  async provisionedCases(firmId: string): Promise<CaseRecord[]> {
    return (await this.q.query(`SELECT * FROM cases WHERE firm_id = $1 AND provisioning = 'ready' ORDER BY number`, [firmId])).map(toCase);
  }
  async casesOfDrive(driveId: string): Promise<CaseRecord[]> {
    return (await this.q.query(`SELECT * FROM cases WHERE drive_id = $1 AND provisioning = 'ready'`, [driveId])).map(toCase);
  }
  async drives(): Promise<Array<{ driveId: string; firmId: string }>> {
    const rows = await this.q.query<{ drive_id: string; firm_id: string }>(`SELECT DISTINCT drive_id, firm_id FROM cases WHERE provisioning = 'ready' AND drive_id IS NOT NULL`);
    return rows.map((r) => ({ driveId: r.drive_id, firmId: r.firm_id }));
  }
  async setCaseProvisioningFailed(caseId: string): Promise<void> {
    await this.q.query(`UPDATE cases SET provisioning = 'failed' WHERE id = $1 AND provisioning = 'pending'`, [caseId]);
  }
  /** Guests whose invitation was sent and is not yet redeemed: the acceptance poll asks Entra about each. */
  async pendingInvitations(limit = 500): Promise<ContactRecord[]> {
    const rows = await this.q.query(`SELECT * FROM contacts WHERE invitation_state = 'pending' AND guest_user_id IS NOT NULL AND portal_access ORDER BY invited_at NULLS FIRST LIMIT $1`, [limit]);
    return rows.map(toContact);
  }
  /** Contacts with a grant that expired in (after, upTo]: their SharePoint permissions must go. */
  async contactsWithGrantsExpiredBetween(after: string, upTo: string): Promise<Array<{ firmId: string; contactId: string }>> {
    // A closed case's read-only days ending is an expiry too: every guest linked to it is synced.
    const rows = await this.q.query<{ firm_id: string; contact_id: string }>(
      `SELECT DISTINCT firm_id, contact_id FROM grants WHERE expires_at > $1 AND expires_at <= $2
       UNION SELECT c.firm_id, l.contact_id FROM cases c JOIN case_links l ON l.case_id = c.id WHERE c.guest_read_until > $1 AND c.guest_read_until <= $2`,
      [after, upTo],
    );
    return rows.map((r) => ({ firmId: r.firm_id, contactId: r.contact_id }));
  }

  /** The earliest grant expiry (or end of a closed case's read-only days) after `after`, if any: when the expiry timer must fire next. */
  async nextGrantExpiry(after: string): Promise<string | null> {
    const rows = await this.q.query<{ next: unknown }>('SELECT least((SELECT min(expires_at) FROM grants WHERE expires_at > $1), (SELECT min(guest_read_until) FROM cases WHERE guest_read_until > $1)) AS next', [after]);
    return isoOrNull(rows[0]?.next);
  }

  // ---- applied permissions ----
  async appliedOfContact(contactId: string): Promise<AppliedPermission[]> {
    return (await this.q.query('SELECT * FROM m365_permissions WHERE contact_id = $1', [contactId])).map(toApplied);
  }
  async appliedOfFirm(firmId: string): Promise<AppliedPermission[]> {
    return (await this.q.query('SELECT * FROM m365_permissions WHERE firm_id = $1', [firmId])).map(toApplied);
  }
  /** Writes the intent (or the outcome) for one guest on one item. */
  async putApplied(p: AppliedPermission): Promise<void> {
    await this.putAppliedMany([p]);
  }
  /** The same for many, a few hundred rows a statement: a bulk share records thousands at once. */
  async putAppliedMany(rows: readonly AppliedPermission[]): Promise<void> {
    // One statement may not touch a row twice: the last word on a (guest, item) wins.
    const unique = [...new Map(rows.map((p) => [`${p.contactId}|${p.driveItemId}`, p])).values()];
    await writeInChunks(
      this.q,
      unique,
      (p) => [p.firmId, p.contactId, p.guestUserId, p.driveId, p.driveItemId, p.role, p.permissionId, p.state, p.expiresAt],
      (values) => `INSERT INTO m365_permissions (firm_id, contact_id, guest_user_id, drive_id, drive_item_id, role, permission_id, state, expires_at)
         VALUES ${values}
         ON CONFLICT (contact_id, drive_item_id) DO UPDATE SET guest_user_id = EXCLUDED.guest_user_id, drive_id = EXCLUDED.drive_id, role = EXCLUDED.role,
           permission_id = coalesce(EXCLUDED.permission_id, m365_permissions.permission_id), state = EXCLUDED.state, expires_at = EXCLUDED.expires_at, updated_at = now()`,
    );
  }
  async setAppliedState(contactId: string, driveItemId: string, state: AppliedState): Promise<void> {
    await this.q.query('UPDATE m365_permissions SET state = $3, updated_at = now() WHERE contact_id = $1 AND drive_item_id = $2', [contactId, driveItemId, state]);
  }
  /** Forgets every guest's record on these items (a staff-only item was sealed: nobody's permission is left there). */
  async deleteAppliedOnItems(driveItemIds: readonly string[]): Promise<void> {
    await this.q.query('DELETE FROM m365_permissions WHERE drive_item_id = ANY($1::text[])', [driveItemIds]);
  }
  async deleteApplied(contactId: string, driveItemId: string): Promise<void> {
    await this.q.query('DELETE FROM m365_permissions WHERE contact_id = $1 AND drive_item_id = $2', [contactId, driveItemId]);
  }

  // ---- items with unique permissions (CaseRoom broke their inheritance by sharing them) ----
  /**
   * Records that CaseRoom is about to share these drive items directly. Returns the ones that
   * were not recorded before: SharePoint is about to copy the case folder's permissions onto them.
   */
  async markUnique(rows: ReadonlyArray<{ firmId: string; caseId: string; driveId: string; driveItemId: string }>): Promise<Array<{ caseId: string; driveItemId: string }>> {
    // A few statements for a bulk share of thousands of documents, not one per document.
    const unique = [...new Map(rows.map((r) => [r.driveItemId, r])).values()];
    const inserted = await writeInChunks<(typeof unique)[number], { case_id: string; drive_item_id: string }>(
      this.q,
      unique,
      (r) => [r.driveItemId, r.firmId, r.caseId, r.driveId],
      (values) => `INSERT INTO m365_unique_items (drive_item_id, firm_id, case_id, drive_id) VALUES ${values} ON CONFLICT (drive_item_id) DO NOTHING RETURNING case_id, drive_item_id`,
    );
    return inserted.map((r) => ({ caseId: r.case_id, driveItemId: r.drive_item_id }));
  }
  /**
   * Contacts linked to a case who hold a grant reaching into it (case or client scope, or an item
   * grant there, e.g. on a folder): whom a folder permission of theirs may reach.
   */
  async grantedContactsOfCase(caseId: string): Promise<string[]> {
    const rows = await this.q.query<{ contact_id: string }>(
      `SELECT DISTINCT l.contact_id FROM case_links l JOIN cases c ON c.id = l.case_id
         JOIN grants g ON g.contact_id = l.contact_id AND (g.case_id = l.case_id OR g.client_id = c.client_id)
       WHERE l.case_id = $1`,
      [caseId],
    );
    return rows.map((r) => r.contact_id);
  }
  /** The folders of these cases (to tell which items lie below a shared folder). */
  async foldersOfCases(caseIds: readonly string[]): Promise<ItemRecord[]> {
    if (caseIds.length === 0) return [];
    return (await this.q.query(`SELECT * FROM items WHERE case_id = ANY($1::uuid[]) AND kind = 'folder'`, [caseIds])).map(toItem);
  }
  /** CaseRoom's items in these cases that hold unique permissions in SharePoint. */
  async uniqueItemsOfCases(caseIds: readonly string[]): Promise<ItemRecord[]> {
    if (caseIds.length === 0) return [];
    const rows = await this.q.query('SELECT i.* FROM m365_unique_items u JOIN items i ON i.drive_item_id = u.drive_item_id AND i.case_id = u.case_id WHERE u.case_id = ANY($1::uuid[])', [caseIds]);
    return rows.map(toItem);
  }

  /**
   * What CaseRoom's records say about these drive items' permissions, so that a permission list
   * (which SharePoint returns without `inheritedFrom`) can be read without asking Graph more:
   * which items CaseRoom gave unique permissions, which permission ids it recorded on each, and
   * each item's parent in SharePoint (a case folder's is its drive's root, null; an item's is its
   * folder, or the case folder at the top) for the items it knows.
   */
  async permissionKnowledge(driveItemIds: readonly string[]): Promise<PermissionKnowledge> {
    const knowledge: PermissionKnowledge = { unique: new Set(), recordedIds: new Map(), parentOf: new Map() };
    if (driveItemIds.length === 0) return knowledge;
    const ids = [...new Set(driveItemIds)];
    // One after another: inside a transaction the queries share one connection.
    const unique = await this.q.query<{ drive_item_id: string }>('SELECT drive_item_id FROM m365_unique_items WHERE drive_item_id = ANY($1::text[])', [ids]);
    const recorded = await this.q.query<{ drive_item_id: string; permission_id: string }>('SELECT drive_item_id, permission_id FROM m365_permissions WHERE drive_item_id = ANY($1::text[]) AND permission_id IS NOT NULL', [ids]);
    const caseFolders = await this.q.query<{ folder_item_id: string }>('SELECT folder_item_id FROM cases WHERE folder_item_id = ANY($1::text[])', [ids]);
    const items = await this.q.query<{ drive_item_id: string; parent_drive_item_id: string | null }>(
      `SELECT i.drive_item_id, coalesce(p.drive_item_id, c.folder_item_id) AS parent_drive_item_id
         FROM items i JOIN cases c ON c.id = i.case_id LEFT JOIN items p ON p.id = i.parent_id
       WHERE i.drive_item_id = ANY($1::text[])`,
      [ids],
    );
    for (const r of unique) knowledge.unique.add(r.drive_item_id);
    for (const r of recorded) knowledge.recordedIds.set(r.drive_item_id, new Set([...(knowledge.recordedIds.get(r.drive_item_id) ?? []), r.permission_id]));
    for (const r of caseFolders) knowledge.parentOf.set(r.folder_item_id, null);
    for (const r of items) if (r.parent_drive_item_id) knowledge.parentOf.set(r.drive_item_id, r.parent_drive_item_id);
    return knowledge;
  }

  // ---- subscriptions and delta ----
  async subscriptionOfDrive(driveId: string): Promise<SubscriptionRow | null> {
    return queryOne(this.q, 'SELECT * FROM m365_subscriptions WHERE drive_id = $1', [driveId], toSubscription);
  }
  async subscriptionById(subscriptionId: string): Promise<SubscriptionRow | null> {
    return queryOne(this.q, 'SELECT * FROM m365_subscriptions WHERE subscription_id = $1', [subscriptionId], toSubscription);
  }
  async subscriptions(): Promise<SubscriptionRow[]> {
    return (await this.q.query('SELECT * FROM m365_subscriptions ORDER BY drive_id')).map(toSubscription);
  }
  async putSubscription(s: SubscriptionRow): Promise<void> {
    await this.q.query(
      `INSERT INTO m365_subscriptions (drive_id, firm_id, subscription_id, client_state, expires_at) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (drive_id) DO UPDATE SET subscription_id = EXCLUDED.subscription_id, client_state = EXCLUDED.client_state, expires_at = EXCLUDED.expires_at, updated_at = now()`,
      [s.driveId, s.firmId, s.subscriptionId, s.clientState, s.expiresAt],
    );
  }
  async deltaLink(driveId: string): Promise<string | null> {
    const rows = await this.q.query<{ delta_link: string | null }>('SELECT delta_link FROM m365_delta WHERE drive_id = $1', [driveId]);
    return rows[0]?.delta_link ?? null;
  }
  async setDeltaLink(driveId: string, firmId: string, link: string | null): Promise<void> {
    await this.q.query(
      `INSERT INTO m365_delta (drive_id, firm_id, delta_link, synced_at) VALUES ($1,$2,$3,now())
       ON CONFLICT (drive_id) DO UPDATE SET delta_link = EXCLUDED.delta_link, synced_at = now()`,
      [driveId, firmId, link],
    );
  }

  // ---- upload claims ----
  async claimUpload(c: { firmId: string; driveId: string; userId: string; ttlSeconds: number }): Promise<string> {
    const id = randomUUID();
    await this.q.query(`INSERT INTO m365_upload_claims (id, firm_id, drive_id, user_id, expires_at) VALUES ($1,$2,$3,$4, now() + make_interval(secs => $5))`, [id, c.firmId, c.driveId, c.userId, c.ttlSeconds]);
    return id;
  }
  async releaseClaim(id: string): Promise<void> {
    await this.q.query('DELETE FROM m365_upload_claims WHERE id = $1', [id]);
  }
  /** True while CaseRoom is itself writing a guest's upload batch into a case folder of this drive. */
  async hasUploadInFlight(driveId: string): Promise<boolean> {
    return (await this.q.query(`SELECT 1 FROM upload_batches b JOIN cases c ON c.id = b.case_id WHERE b.state = 'pending' AND c.drive_id = $1 LIMIT 1`, [driveId])).length > 0;
  }
  async hasActiveClaim(driveId: string, userId: string): Promise<boolean> {
    await this.q.query('DELETE FROM m365_upload_claims WHERE expires_at < now()');
    return (await this.q.query('SELECT 1 FROM m365_upload_claims WHERE drive_id = $1 AND user_id = $2 AND expires_at >= now()', [driveId, userId])).length > 0;
  }

  // ---- per-case state and watermarks ----
  async caseState(caseId: string): Promise<{ seededAt: string | null; driftBaselinedAt: string | null }> {
    const rows = await this.q.query('SELECT * FROM m365_case_state WHERE case_id = $1', [caseId]);
    return { seededAt: isoOrNull(rows[0]?.seeded_at), driftBaselinedAt: isoOrNull(rows[0]?.drift_baselined_at) };
  }
  async markSeeded(caseId: string): Promise<void> {
    await this.q.query(`INSERT INTO m365_case_state (case_id, seeded_at) VALUES ($1, now()) ON CONFLICT (case_id) DO UPDATE SET seeded_at = now()`, [caseId]);
  }
  async markDriftChecked(caseId: string): Promise<void> {
    await this.q.query(
      `INSERT INTO m365_case_state (case_id, drift_baselined_at, last_drift_at) VALUES ($1, now(), now())
       ON CONFLICT (case_id) DO UPDATE SET drift_baselined_at = coalesce(m365_case_state.drift_baselined_at, now()), last_drift_at = now()`,
      [caseId],
    );
  }
  async getState(key: string): Promise<string | null> {
    const rows = await this.q.query<{ value: string }>('SELECT value FROM m365_state WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }
  async setState(key: string, value: string): Promise<void> {
    await this.q.query(`INSERT INTO m365_state (key, value) VALUES ($1,$2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [key, value]);
  }
}
