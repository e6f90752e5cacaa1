import type { Logger } from 'pino';
import type { CaseSetup, Provisioning } from '../contract';
import type { Db } from '../store/db';
import { type CasesTeam, M365Repo } from '../store/m365';
import { Repo } from '../store/repo';
import { requestCaseProvisioning } from './job-requests';

/**
 * The firm's cases teams. CaseRoom never creates a team (that needs `Team.Create`, which it does
 * not ask for): the firm's Teams admin creates one and installs CaseRoom in it, and CaseRoom
 * adopts every team of the firm's tenant it is installed in. Case channels go into the oldest
 * adopted team with room; uninstalling CaseRoom from a team stops new cases going there.
 */

/** Teams allows 1,000 channels per team, deleted ones counted for 30 days: leave headroom. */
export const CHANNELS_PER_TEAM = 980;
/** Below this many free channels across its teams, staff are told to have CaseRoom added to another team. */
export const LOW_ROOM_CHANNELS = 50;

export const WAITING_FOR_TEAM_MESSAGE = 'Waiting for a cases team: ask your Teams admin to add CaseRoom to a team.';

const hasRoom = (t: CasesTeam): boolean => !t.uninstalledAt && t.channelCount < CHANNELS_PER_TEAM;

/** The team the next case channel goes into, or null while the firm has none with room. */
export function teamForNextCase(teams: CasesTeam[]): CasesTeam | null {
  return teams.find(hasRoom) ?? null;
}

/** What staff see about a case's channel and folder (pure: the case's provisioning and the firm's teams). */
export function caseSetup(provisioning: Provisioning, teams: CasesTeam[]): CaseSetup {
  if (provisioning === 'ready') return { state: 'ready', message: null };
  if (provisioning === 'failed') return { state: 'failed', message: 'Setting up the case channel failed; CaseRoom has logged why.' };
  if (!teamForNextCase(teams)) return { state: 'waiting-for-cases-team', message: WAITING_FOR_TEAM_MESSAGE };
  return { state: 'setting-up', message: 'Setting up the case channel and folder…' };
}

/** Room left for case channels in the firm's teams, and what to tell staff when it runs low (null: plenty). */
export function teamsRoomNotice(teams: CasesTeam[]): string | null {
  const open = teams.filter(hasRoom);
  if (open.length === 0) return teams.length === 0 ? null : 'Every cases team is full or has had CaseRoom removed: ask your Teams admin to add CaseRoom to another team.';
  const left = open.reduce((sum, t) => sum + (CHANNELS_PER_TEAM - t.channelCount), 0);
  if (left >= LOW_ROOM_CHANNELS) return null;
  return `Room for ${left} more case channel${left === 1 ? '' : 's'} in ${open.map((t) => t.displayName).join(', ')}: ask your Teams admin to add CaseRoom to another team before it fills (Teams allows 1,000 channels per team).`;
}

export interface TeamInstallation {
  tenantId: string;
  teamId: string;
  displayName: string;
}

/**
 * CaseRoom was installed in a team: if the tenant is a firm's, the team becomes one of its cases
 * teams, and cases that waited for one are queued for set-up. Returns the firm id, or null when
 * the tenant has no firm yet (the team is then offered to first-run set-up).
 */
export async function adoptCasesTeam(db: Db, logger: Logger, installation: TeamInstallation): Promise<string | null> {
  const repo = new Repo(db);
  const firm = await repo.firmByTenant(installation.tenantId);
  if (!firm) {
    // Set-up offers it: the admin picks which of the teams CaseRoom is in hold cases.
    await repo.addPendingTeamInstallation(installation.tenantId, installation.teamId, installation.displayName);
    logger.info({ tenantId: installation.tenantId, teamId: installation.teamId }, 'CaseRoom installed in a team before set-up: offered to set-up');
    return null;
  }
  const adopted = await db.transaction(async (tx) => {
    const m365 = new M365Repo(tx);
    if (!(await m365.adoptCasesTeam({ teamId: installation.teamId, firmId: firm.id, displayName: installation.displayName }))) return 0;
    const waiting = await m365.casesWithoutChannel(firm.id);
    for (const caseId of waiting) await requestCaseProvisioning(tx, firm.id, caseId);
    return waiting.length + 1;
  });
  if (adopted === 0) {
    logger.warn({ teamId: installation.teamId }, 'team already belongs to another firm: not adopted');
    return null;
  }
  logger.info({ firmId: firm.id, teamId: installation.teamId, queuedCases: adopted - 1 }, 'cases team adopted');
  return firm.id;
}

/** CaseRoom was removed from a team: no new case goes there (its case channels stay, as Teams keeps them). */
export async function releaseCasesTeam(db: Db, logger: Logger, teamId: string): Promise<void> {
  await new M365Repo(db).markCasesTeamUninstalled(teamId);
  logger.info({ teamId }, 'cases team released: CaseRoom was removed from it');
}
