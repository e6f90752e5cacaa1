import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MailboxCheck, SetupBody, SetupGroup, SetupStatus } from '../contract';
import { DomainError, invalid } from '../domain/errors';
import { adminsAfterSetup, type NamedAdmin, setupStateOf } from '../domain/setup';
import type { DirectoryPort } from '../m365/directory';
import type { Db } from '../store/db';
import { M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import { adoptCasesTeam, releaseCasesTeam } from './cases-teams';
import type { Clock } from './context';

export type { DirectoryPort } from '../m365/directory';

/** The person running set-up, as the HTTP layer resolved them (src/http/auth.ts authenticateSetup). */
export interface SetupCallerInfo {
  tenantId: string;
  userId: string;
  name: string;
  upn: string;
  authority: SetupStatus['authority'];
}

const directoryUnavailable = () => new DomainError('unavailable', 'Set-up needs Microsoft 365 to look up groups and people, and it cannot be reached from here.', undefined, 30);

/**
 * First-run set-up: creates the tenant's firm (or completes a firm that existed before set-up)
 * with its staff group, admins, cases teams, guest defaults and sending mailbox; an admin can
 * reopen and save it again. Every choice naming the directory is checked with Graph before saving.
 */
export class SetupService {
  constructor(private readonly deps: { db: Db; clock: Clock; logger: Logger; directory: DirectoryPort | null }) {}

  private get directory(): DirectoryPort {
    if (!this.deps.directory) throw directoryUnavailable();
    return this.deps.directory;
  }

  async status(caller: SetupCallerInfo): Promise<SetupStatus> {
    const repo = new Repo(this.deps.db);
    const firm = await repo.firmByTenant(caller.tenantId);
    const state = setupStateOf(firm);
    const adopted = firm ? (await new M365Repo(this.deps.db).casesTeams(firm.id)).filter((t) => !t.uninstalledAt) : [];
    const pending = await repo.pendingTeamInstallations(caller.tenantId);
    return {
      state: state.kind === 'set-up' ? 'set-up' : 'not-set-up',
      authority: caller.authority,
      firmName: firm?.name ?? '',
      staffGroup: firm?.staffGroupId ? { id: firm.staffGroupId, displayName: firm.staffGroupName ?? firm.staffGroupId, description: null } : null,
      admins: firm?.admins ?? [],
      guestDefaults: { sections: firm?.guestDefaultSections ?? null, expiryDays: firm?.guestDefaultExpiryDays ?? null },
      senderMailbox: firm?.senderMailbox ?? null,
      teams: [...adopted.map((t) => ({ teamId: t.teamId, displayName: t.displayName, chosen: true })), ...pending.map((t) => ({ teamId: t.teamId, displayName: t.displayName, chosen: false }))],
      completedAt: firm?.setupCompletedAt ?? null,
    };
  }

  async searchGroups(startsWith: string): Promise<SetupGroup[]> {
    return this.directory.searchSecurityGroups(startsWith);
  }

  async checkMailbox(address: string): Promise<MailboxCheck> {
    const user = await this.directory.user(address);
    if (!user || user.userType === 'Guest') throw invalid('address', `${address} is not a mailbox of your organisation`);
    return { address: (user.mail ?? user.userPrincipalName).toLowerCase(), displayName: user.displayName };
  }

  async save(caller: SetupCallerInfo, body: SetupBody): Promise<SetupStatus> {
    const directory = this.directory;
    const group = await directory.group(body.staffGroupId);
    if (!group) throw invalid('staffGroupId', 'that security group was not found in your organisation');
    const admins: NamedAdmin[] = [];
    for (const [index, upn] of body.adminUpns.entries()) {
      const user = await directory.user(upn);
      if (!user || user.userType === 'Guest') throw invalid(`adminUpns.${index}`, `${upn} is not a member of your organisation`);
      admins.push({ userId: user.id, name: user.displayName, upn: user.userPrincipalName.toLowerCase() });
    }
    if (body.senderMailbox) await this.checkMailbox(body.senderMailbox);
    const repo = new Repo(this.deps.db);
    const existing = await repo.firmByTenant(caller.tenantId);
    const offered = await this.status(caller);
    const unknownTeam = body.teamIds.find((id) => !offered.teams.some((t) => t.teamId.toLowerCase() === id.toLowerCase()));
    if (unknownTeam) throw invalid('teamIds', 'choose teams CaseRoom is installed in (install it in a team first, then reload this page)');

    const firmId = await this.deps.db.transaction(async (tx) => {
      const txRepo = new Repo(tx);
      const firm = existing ?? (await txRepo.insertFirm({ id: randomUUID(), tenantId: caller.tenantId, name: body.firmName }));
      await txRepo.saveSetup(firm.id, {
        name: body.firmName,
        staffGroupId: group.id,
        staffGroupName: group.displayName,
        admins: adminsAfterSetup(admins, { userId: caller.userId, name: caller.name, upn: caller.upn }),
        guestDefaultSections: body.guestDefaults.sections,
        guestDefaultExpiryDays: body.guestDefaults.expiryDays,
        senderMailbox: body.senderMailbox,
        completedBy: caller.userId,
      });
      await txRepo.appendAudit({
        firmId: firm.id,
        actor: `admin:${caller.userId}`,
        action: existing?.setupCompletedAt ? 'setup.changed' : 'setup.completed',
        target: `firm:${firm.id}`,
        reason: null,
        data: {
          by: caller.name,
          authority: caller.authority,
          staffGroup: { id: group.id, name: group.displayName },
          admins: admins.map((a) => a.upn),
          teamIds: body.teamIds,
          guestDefaults: body.guestDefaults,
          senderMailbox: body.senderMailbox,
        },
      });
      return firm.id;
    });
    await this.applyTeams(caller.tenantId, body.teamIds, offered.teams);
    this.deps.logger.info({ firmId, staffGroupId: group.id }, existing?.setupCompletedAt ? 'set-up saved again' : 'first-run set-up completed');
    return this.status(caller);
  }

  /** Chosen teams are adopted as cases teams; adopted ones left out take no new cases (their channels stay). */
  private async applyTeams(tenantId: string, chosenIds: readonly string[], offered: SetupStatus['teams']): Promise<void> {
    const chosen = new Set(chosenIds.map((id) => id.toLowerCase()));
    const repo = new Repo(this.deps.db);
    for (const team of offered) {
      const wanted = chosen.has(team.teamId.toLowerCase());
      if (wanted && !team.chosen) {
        await adoptCasesTeam(this.deps.db, this.deps.logger, { tenantId, teamId: team.teamId, displayName: team.displayName });
        await repo.removePendingTeamInstallation(team.teamId);
      } else if (!wanted && team.chosen) {
        await releaseCasesTeam(this.deps.db, this.deps.logger, team.teamId);
        await repo.addPendingTeamInstallation(tenantId, team.teamId, team.displayName);
      }
    }
  }
}
