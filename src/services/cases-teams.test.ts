import { describe, expect, it } from '@jest/globals';
import { caseSetup, CHANNELS_PER_TEAM, teamForNextCase, teamsRoomNotice, WAITING_FOR_TEAM_MESSAGE } from './cases-teams';
import type { CasesTeam } from '../store/m365';

const team = (displayName: string, channelCount: number, uninstalledAt: string | null = null): CasesTeam => ({ teamId: displayName, firmId: 'firm', displayName, channelCount, uninstalledAt });

describe('which cases team takes the next case', () => {
  it('is the oldest adopted team with room; never one CaseRoom was removed from or a full one', () => {
    expect(teamForNextCase([])).toBeNull();
    expect(teamForNextCase([team('A', 10, '2026-01-01T00:00:00Z'), team('B', CHANNELS_PER_TEAM), team('C', 3), team('D', 0)])?.displayName).toBe('C');
    expect(teamForNextCase([team('A', 10, '2026-01-01T00:00:00Z')])).toBeNull();
  });
});

describe("what staff are told about a case and the firm's teams", () => {
  it('a pending case without any usable team waits for one, and says who can fix it', () => {
    expect(caseSetup('pending', [])).toEqual({ state: 'waiting-for-cases-team', message: WAITING_FOR_TEAM_MESSAGE });
    expect(caseSetup('pending', [team('A', 1, '2026-01-01T00:00:00Z')]).state).toBe('waiting-for-cases-team');
    expect(caseSetup('pending', [team('A', 1)]).state).toBe('setting-up');
    expect(caseSetup('ready', [])).toEqual({ state: 'ready', message: null });
    expect(caseSetup('failed', [team('A', 1)]).state).toBe('failed');
  });

  it("warns when the teams near Teams' channel limit, naming them, and not before", () => {
    expect(teamsRoomNotice([])).toBeNull();
    expect(teamsRoomNotice([team('Cases', 100)])).toBeNull();
    expect(teamsRoomNotice([team('Cases', CHANNELS_PER_TEAM - 12)])).toMatch(/^Room for 12 more case channels in Cases: ask your Teams admin to add CaseRoom to another team/);
    // Room in a second team counts.
    expect(teamsRoomNotice([team('Cases', CHANNELS_PER_TEAM - 12), team('Cases 2', 0)])).toBeNull();
    expect(teamsRoomNotice([team('Cases', CHANNELS_PER_TEAM)])).toMatch(/Every cases team is full/);
  });
});
