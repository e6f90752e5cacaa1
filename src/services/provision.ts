import type { Logger } from 'pino';
import { caseTabEntityId } from '../m365/activity';
import { asRetryable, GraphRequestError } from '../m365/errors';
import { type GraphGateway, isGraphStatus, seg } from '../m365/graph';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import { requestGuestSync } from './job-requests';
import type { CaseRecord, Firm, ItemRecord } from '../store/records';
import type { SharingService } from './sharing';
import { CHANNELS_PER_TEAM, teamForNextCase } from './cases-teams';

/**
 * Firm and case set-up in Microsoft 365, and guest invitations.
 *
 * Every step finds what an earlier, interrupted run already created before creating it
 * (channel by name, folder by path, file by path), so `provision-case` can be retried at will.
 */

export { CHANNELS_PER_TEAM };
const INVALID_CHANNEL_CHARS = /[~#%&*{}+/\\:<>?|'",]/g;

/** A Teams channel name from a case: at most 50 characters, none of the characters Teams refuses. */
export function channelName(c: Pick<CaseRecord, 'number' | 'title'>): string {
  let name = `${c.number} ${c.title}`
    .replace(INVALID_CHANNEL_CHARS, ' ')
    .replace(/\.{2,}/g, '.')
    .replace(/\s+/g, ' ')
    .trim();
  name = name
    .slice(0, 50)
    .trim()
    .replace(/^[_.]+/, '')
    .replace(/\.+$/, '')
    .trim();
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
  /** The Teams app's catalog id: each case channel gets CaseRoom's case tab pinned ('' = do not pin). */
  teamsAppId: string;
  /**
   * Content for documents recorded before their case had a folder (the demo firm's seed): given
   * only when the demo is in use (config.seedDemoData). Without it such documents get no file.
   */
  placeholderFor?: (item: Pick<ItemRecord, 'title'>, c: Pick<CaseRecord, 'number' | 'title'>) => { content: Buffer; mimeType: string };
}

/** The firm has no cases team with room: the case waits (its job ends) until CaseRoom is installed in one. */
export class NoCasesTeamError extends Error {
  constructor(readonly firmId: string) {
    super(`firm ${firmId} has no cases team: CaseRoom must be installed in a team first`);
    this.name = 'NoCasesTeamError';
  }
}

export class ProvisioningService {
  constructor(private readonly d: ProvisioningDeps) {}

  /**
   * Sets up the case's channel, tab and folder. Returns 'waiting' (and does nothing) while the
   * firm has no cases team: the job ends instead of retrying, and adopting a team queues it again.
   */
  async provisionCase(caseId: string): Promise<'done' | 'waiting'> {
    try {
      await this.provisionCaseOnce(caseId);
      return 'done';
    } catch (err) {
      if (err instanceof NoCasesTeamError) {
        this.d.logger.info({ caseId, firmId: err.firmId }, 'case waits for a cases team');
        return 'waiting';
      }
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
      await this.ensureCaseTab(team.teamId, channel.id, c);
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
          await requestGuestSync(tx, contact.firmId, contact.id);
        }
      });
    }
  }

  /** The firm's oldest adopted cases team with room for one more channel. */
  private async casesTeam(firm: Firm): Promise<{ teamId: string }> {
    const team = teamForNextCase(await new M365Repo(this.d.db).casesTeams(firm.id));
    if (!team) throw new NoCasesTeamError(firm.id);
    return team;
  }

  /**
   * Pins CaseRoom's case tab in the case channel (RSC TeamsTab.Create.Group, granted where the
   * firm installed CaseRoom). Looks first, so a retry after a lost answer does not pin it twice.
   */
  private async ensureCaseTab(teamId: string, channelId: string, c: CaseRecord): Promise<void> {
    if (!this.d.teamsAppId) return;
    const tabsPath = `/teams/${seg(teamId)}/channels/${seg(channelId)}/tabs`;
    const entityId = caseTabEntityId(c.id);
    const tabs = await this.d.graph.all<{ configuration?: { entityId?: string | null } }>(tabsPath);
    if (tabs.some((tab) => tab.configuration?.entityId === entityId)) return;
    const url = `${this.d.publicBaseUrl.replace(/\/$/, '')}/tab/case?caseId=${encodeURIComponent(c.id)}`;
    await this.d.graph.call({
      method: 'POST',
      path: tabsPath,
      body: {
        displayName: 'CaseRoom',
        'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${this.d.teamsAppId}`,
        configuration: { entityId, contentUrl: url, websiteUrl: url, removeUrl: null },
      },
    });
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
      // The team filled up (deleted channels count too): mark it full; the retry uses another adopted team, or waits for one.
      if (isGraphStatus(err, 403)) await m365.setChannelCount(teamId, CHANNELS_PER_TEAM);
      throw err;
    }
  }

  /** Folders recorded before the case had a folder get one; so do documents, with placeholder content, when the demo supplies it. */
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
      } else if (this.d.placeholderFor) {
        const file = this.d.placeholderFor(item, c);
        // PUT replaces by default: a retry after a lost answer overwrites the same file.
        created = await this.d.graph.call<DriveItemJson>({ method: 'PUT', path: `${base}:/${seg(item.title)}:/content`, body: file.content, headers: { 'content-type': file.mimeType } });
        await repo.updateItem(c.firmId, item.id, { sizeBytes: file.content.length, mimeType: file.mimeType });
      } else {
        continue; // Outside the demo a document without bytes gets no made-up file.
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
