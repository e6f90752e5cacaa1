import { describe, expect, it } from '@jest/globals';
import { createLinks } from './links';

const teamsAppId = '3a7c9e12-5b4d-4f6e-8a1c-0d2e4f6a8b10';
const links = createLinks({ publicBaseUrl: 'https://caseroom.example/', teamsAppId });
const provisioned = { id: 'c-1', number: 'PI-1', title: 'Smith v. Metro', channelId: '19:abc@thread.tacv2' };

/** https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application#deep-link-to-a-tab */
describe('card buttons open CaseRoom inside Teams', () => {
  it("opens the case's channel tab through a Teams deep link, with the web page as fallback", () => {
    const link = new URL(links.caseTab(provisioned));
    expect(`${link.origin}${link.pathname}`).toBe(`https://teams.microsoft.com/l/entity/${teamsAppId}/case%3Ac-1`);
    expect(link.searchParams.get('webUrl')).toBe('https://caseroom.example/tab/case?caseId=c-1');
    expect(link.searchParams.get('label')).toBe('PI-1 Smith v. Metro');
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ channelId: '19:abc@thread.tacv2' });
  });

  it('names the item for the tab to open, in the deep link and in its fallback', () => {
    const link = new URL(links.item(provisioned, 'i-9'));
    expect(JSON.parse(link.searchParams.get('context') as string)).toEqual({ subEntityId: 'item:i-9', channelId: '19:abc@thread.tacv2' });
    expect(link.searchParams.get('webUrl')).toBe('https://caseroom.example/tab/case?caseId=c-1&itemId=i-9');
  });

  it('uses the web page while the case has no channel (and so no tab) yet', () => {
    expect(links.caseTab({ ...provisioned, channelId: null })).toBe('https://caseroom.example/tab/case?caseId=c-1');
  });

  it("gives guests the portal's case page, which the activity feed turns into a deep link", () => {
    expect(links.portal('c-1')).toBe('https://caseroom.example/tab/portal/cases/c-1');
  });
});
