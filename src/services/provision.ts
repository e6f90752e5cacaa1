import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { errorOf, type GraphGateway, isGraphStatus, seg } from '../m365/graph';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { enqueue } from '../store/outbox';
import { Repo } from '../store/repo';
import { syncKey } from './events';
import type { CaseRecord, Firm, ItemRecord } from '../store/records';
import type { SharingService } from './sharing';
import { placeholderFile } from './placeholder-files';

/**
 * Firm and case set-up in Microsoft 365, and guest invitations.
 *
 * Every step finds what an earlier, interrupted run already created before creating it
 * (channel by name, folder by path, file by path), so `provision-case` can be retried at will.
 */

/** Teams allows 1,000 channels per team, deleted ones counted for 30 days: leave headroom. */
export const CHANNELS_PER_TEAM = 980;
/** A claim older than this belongs to a job that died mid-creation; another may take over. */
const TEAM_CLAIM_STALE_SECONDS = 600;
const INVALID_CHANNEL_CHARS = /[~#%&*{}+/\\:<>?|'",]/g;

/** A Teams channel name from a case: at most 50 characters, none of the characters Teams refuses. */
export function channelName(c: Pick<CaseRecord, 'number' | 'title'>): string {
  let name = `${c.number} ${c.title}`.replace(INVALID_CHANNEL_CHARS, ' ').replace(/\.{2,}/g, '.').replace(/\s+/g, ' ').trim();
  name = name.slice(0, 50).trim().replace(/^[_.]+/, '').replace(/\.+$/, '').trim();
  return name || c.number.replace(INVALID_CHANNEL_CHARS, '').slice(0, 50) || 'Case';
}

interface DriveItemJson {
  id: string;
  name?: string;
  parentReference?: { driveId?: string; id?: string };
}

export interface ProvisioningDeps {
  db: Db;
  graph: GraphGateway;
  logger: Logger;
  sharing: SharingService;
  publicBaseUrl: string;
  sleep?: (ms: number) => Promise<void>;
}

export class ProvisioningService {
  constructor(private readonly d: ProvisioningDeps) {}

  private sleep(ms: number): Promise<void> {
    return (this.d.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms);
  }

  async provisionCase(caseId: string): Promise<void> {
    try {
      await this.provisionCaseOnce(caseId);
    } catch (err) {
      throw asRetryable(err);
    }
  }

  private async provisionCaseOnce(caseId: string): Promise<void> {
    const m365 = new M365Repo(this.d.db);
    const repo = new Repo(this.d.db);
    let c = await m365.caseById(caseId);
    if (!c) return;
    const firm = (await repo.firm(c.firmId)) as Firm;
    if (c.provisioning !== 'ready' || !c.driveId || !c.folderItemId) {
      const team = await this.casesTeam(firm);
      const channel = await this.ensureChannel(team.teamId, c);
      const folder = await this.d.graph.get<DriveItemJson>(`/teams/${seg(team.teamId)}/channels/${seg(channel.id)}/filesFolder`);
      const driveId = folder.parentReference?.driveId;
      if (!driveId) throw new Error('filesFolder answered without parentReference.driveId');
      await repo.setCaseProvisioned(c.id, { teamId: team.teamId, channelId: channel.id, driveId, folderItemId: folder.id });
      this.d.logger.info({ caseId, teamId: team.teamId, channelId: channel.id }, 'case provisioned');
      c = (await m365.caseById(caseId)) as CaseRecord;
    }
    if (!(await m365.caseState(c.id)).seededAt) {
      await this.materializeItems(c);
      await this.d.db.transaction(async (tx) => {
        await new M365Repo(tx).markSeeded(caseId);
        // Grants given while the case had no folder (or its items no drive ids) could not be applied: apply them now.
        for (const contact of await new Repo(tx).linkedContacts(caseId)) {
          await enqueue(tx, { firmId: contact.firmId, kind: 'sync-guest-access', payload: { contactId: contact.id }, dedupeKey: syncKey(contact.id) });
        }
      });
    }
  }

  /**
   * The firm's cases team with room for one more channel, created when there is none. Cases are
   * provisioned in parallel (and by several instances), so creating a team needs the firm's
   * claim: the other jobs wait for the team instead of each creating one.
   */
  private async casesTeam(firm: Firm): Promise<{ teamId: string }> {
    const m365 = new M365Repo(this.d.db);
    const open = (await m365.casesTeams(firm.id)).find((t) => t.channelCount < CHANNELS_PER_TEAM);
    if (open) return open;
    const claimant = randomUUID();
    if (!(await m365.claimTeamCreation(firm.id, claimant, TEAM_CLAIM_STALE_SECONDS))) {
      throw new DomainError('unavailable', 'the firm\'s cases team is being created by another job', undefined, 2);
    }
    try {
      const teams = await m365.casesTeams(firm.id);
      // Another job may have finished creating it between our first look and the claim.
      const created = teams.find((t) => t.channelCount < CHANNELS_PER_TEAM);
      return created ?? (await this.createCasesTeam(firm, teams.length));
    } finally {
      await m365.releaseTeamCreation(firm.id, claimant);
    }
  }

  private async createCasesTeam(firm: Firm, existingTeams: number): Promise<{ teamId: string }> {
    const m365 = new M365Repo(this.d.db);
    const owner = (await new Repo(this.d.db).listStaff(firm.id))[0];
    if (!owner) throw new Error(`firm ${firm.id} has no staff member to own its cases team`);
    const displayName = existingTeams === 0 ? `${firm.name} Cases` : `${firm.name} Cases ${existingTeams + 1}`;
    const body = {
      'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName,
      description: 'Case channels managed by CaseRoom. Guests are never members: share through CaseRoom.',
      visibility: 'private',
      members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${owner.userId}')` }],
    };
    const response = await this.d.graph.raw({ method: 'POST', path: '/teams', body });
    if (response.status !== 202 && response.status !== 201) throw await errorOf(response);
    const where = response.headers.get('content-location') ?? response.headers.get('location') ?? '';
    const teamId = /teams\('([^']+)'\)/.exec(where)?.[1];
    if (!teamId) throw new Error(`POST /teams answered without the team's location (${where})`);
    await m365.insertCasesTeam({ teamId, firmId: firm.id, displayName, channelCount: 1 });
    // Team creation is asynchronous: GET /teams/{id} is 404 until it is ready.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.d.graph.get(`/teams/${seg(teamId)}?$select=id`);
        break;
      } catch (err) {
        if (!isGraphStatus(err, 404) || attempt >= 20) throw err;
        await this.sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
    this.d.logger.info({ firmId: firm.id, teamId, displayName }, 'cases team created');
    return { teamId };
  }

  private async ensureChannel(teamId: string, c: CaseRecord): Promise<{ id: string }> {
    const m365 = new M365Repo(this.d.db);
    const name = channelName(c);
    const channels = await this.d.graph.all<{ id: string; displayName: string }>(`/teams/${seg(teamId)}/channels?$select=id,displayName`);
    await m365.setChannelCount(teamId, channels.length);
    const existing = channels.find((ch) => ch.displayName.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    try {
      const created = await this.d.graph.call<{ id: string }>({
        method: 'POST',
        path: `/teams/${seg(teamId)}/channels`,
        body: { displayName: name, description: `${c.number}: ${c.title}`, membershipType: 'standard' },
      });
      await m365.setChannelCount(teamId, channels.length + 1);
      return created;
    } catch (err) {
      // The team filled up (deleted channels count too): mark it full, the retry opens a new team.
      if (isGraphStatus(err, 403)) await m365.setChannelCount(teamId, CHANNELS_PER_TEAM);
      throw err;
    }
  }

  /** Folders and documents recorded before the case had a folder get one, with placeholder content. */
  private async materializeItems(c: CaseRecord): Promise<void> {
    const repo = new Repo(this.d.db);
    const items = (await repo.itemsOfCase(c.id)).filter((i) => i.kind === 'folder' || i.kind === 'document');
    const byId = new Map(items.map((i) => [i.id, i]));
    const depth = (i: ItemRecord): number => (i.parentId && byId.get(i.parentId) ? 1 + depth(byId.get(i.parentId) as ItemRecord) : 0);
    const driveId = c.driveId as string;
    for (const item of [...items].sort((a, b) => depth(a) - depth(b))) {
      if (item.driveItemId) continue;
      const parent = item.parentId ? byId.get(item.parentId) : null;
      const parentDriveItemId = parent ? parent.driveItemId : c.folderItemId;
      if (!parentDriveItemId) continue;
      const base = `/drives/${seg(driveId)}/items/${seg(parentDriveItemId)}`;
      let created: DriveItemJson;
      if (item.kind === 'folder') {
        try {
          created = await this.d.graph.call<DriveItemJson>({ method: 'POST', path: `${base}/children`, body: { name: item.title, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' } });
        } catch (err) {
          if (!isGraphStatus(err, 409)) throw err;
          created = await this.d.graph.get<DriveItemJson>(`${base}:/${seg(item.title)}`);
        }
      } else {
        const file = placeholderFile(item.title, [item.title, `Case ${c.number}: ${c.title}`, 'Placeholder created by CaseRoom for the demo firm.']);
        // PUT replaces by default: a retry after a lost answer overwrites the same file.
        created = await this.d.graph.call<DriveItemJson>({ method: 'PUT', path: `${base}:/${seg(item.title)}:/content`, body: file.content, headers: { 'content-type': file.mimeType } });
        await repo.updateItem(c.firmId, item.id, { sizeBytes: file.content.length, mimeType: file.mimeType });
      }
      await repo.updateItem(c.firmId, item.id, { driveItemId: created.id });
      item.driveItemId = created.id;
    }
  }

  // ---------------------------------------------------------------- invitations

  /** B2B invitation for a contact whose portal access was switched on. Inviting again returns the same guest. */
  async inviteGuest(firmId: string, contactId: string): Promise<void> {
    const repo = new Repo(this.d.db);
    const contact = await repo.contact(firmId, contactId);
    if (!contact || !contact.portalAccess || contact.invitation === 'accepted') return;
    let result: { invitedUser?: { id?: string }; status?: string };
    try {
      result = await this.d.graph.call({
        method: 'POST',
        path: '/invitations',
        body: { invitedUserEmailAddress: contact.email, invitedUserDisplayName: contact.name, inviteRedirectUrl: `${this.d.publicBaseUrl.replace(/\/$/, '')}/tab/portal`, sendInvitationMessage: true },
        idempotent: true,
      });
    } catch (err) {
      throw asRetryable(err);
    }
    const guestUserId = result.invitedUser?.id;
    if (!guestUserId) throw new Error('POST /invitations answered without invitedUser.id');
    await this.d.sharing.markInvitationSent(firmId, contactId, guestUserId);
    if (result.status === 'Completed') await this.d.sharing.markInvitationAccepted(firmId, contactId, guestUserId);
    this.d.logger.info({ contactId, guestUserId, status: result.status }, 'guest invited');
  }

  /** Asks Entra about every pending guest (externalUserState); accepted ones get their pending grants applied. */
  async pollAcceptances(): Promise<number> {
    const pending = await new M365Repo(this.d.db).pendingInvitations();
    let accepted = 0;
    for (const contact of pending) {
      try {
        const user = await this.d.graph.get<{ externalUserState?: string | null }>(`/users/${seg(contact.guestUserId as string)}?$select=id,externalUserState`);
        if (user.externalUserState === 'Accepted') {
          await this.d.sharing.markInvitationAccepted(contact.firmId, contact.id, contact.guestUserId as string);
          accepted++;
        }
      } catch (err) {
        if (err instanceof GraphRequestError && err.isThrottled) break; // try the rest on the next tick
        this.d.logger.warn({ contactId: contact.id, err: err instanceof Error ? err.message : String(err) }, 'acceptance check failed');
      }
    }
    return accepted;
  }
}
