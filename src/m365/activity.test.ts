import { describe, expect, it } from '@jest/globals';
import { portalNoticeLink, teamsTabDeepLink } from './activity';

/** https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application#deep-link-to-a-tab */
describe('activity notices open the personal app through a Teams deep link', () => {
  const appId = '3a7c9e12-5b4d-4f6e-8a1c-0d2e4f6a8b10';

  it('names the app and tab, keeps the web address as fallback and the case as subEntityId', () => {
    const link = new URL(portalNoticeLink(appId, 'https://caseroom.example/tab/portal?caseId=c-1', 'PI-1 Smith'));
    expect(`${link.origin}${link.pathname}`).toBe(`https://teams.microsoft.com/l/entity/${appId}/portal`);
    expect(link.searchParams.get('webUrl')).toBe('https://caseroom.example/tab/portal?caseId=c-1');
    expect(link.searchParams.get('label')).toBe('PI-1 Smith');
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ subEntityId: 'c-1' });
  });

  it("finds the case in the portal's case page address too", () => {
    const link = new URL(portalNoticeLink(appId, 'https://caseroom.example/tab/portal/cases/c-2', 'PI-2'));
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ subEntityId: 'c-2' });
  });

  it('passes a Teams link through unchanged and omits the context without a case', () => {
    const teams = `https://teams.microsoft.com/l/entity/${appId}/portal`;
    expect(portalNoticeLink(appId, teams, 'x')).toBe(teams);
    expect(new URL(teamsTabDeepLink({ teamsAppId: appId, entityId: 'portal', webUrl: 'https://caseroom.example/tab/portal', label: 'CaseRoom' })).searchParams.has('context')).toBe(false);
  });
});
