/** B2B invitations, users, teams, channels, members and activity notifications. */
import { startFixture, waitFor, type Fixture } from './helpers';

const FIXTURE_TEAMS_APP_ID = 'f1e2d3c4-0000-4000-8000-0000000000f1';
const TEAMS_LINK = `https://teams.microsoft.com/l/entity/${FIXTURE_TEAMS_APP_ID}/portal`;

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

describe('invitations and users', () => {
  test('POST /invitations creates a guest pending acceptance and returns invitedUser and inviteRedeemUrl (learn.microsoft.com/graph/api/invitation-post)', async () => {
    const response = await f.graph<{ id: string; status: string; invitedUser: { id: string }; inviteRedeemUrl: string; invitedUserType: string }>('POST', '/invitations', {
      body: { invitedUserEmailAddress: 'carol@client.example', invitedUserDisplayName: 'Carol Client', inviteRedirectUrl: 'http://localhost:3000/portal', sendInvitationMessage: false },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ status: 'PendingAcceptance', invitedUserType: 'Guest' });
    const user = await f.graph<Record<string, unknown>>('GET', `/users/${response.json.invitedUser.id}?$select=id,userType,externalUserState,mail,userPrincipalName`);
    expect(user.json).toMatchObject({ userType: 'Guest', externalUserState: 'PendingAcceptance', mail: 'carol@client.example' });
    expect(String(user.json.userPrincipalName)).toMatch(/^carol_client\.example#EXT#@contoso\.onmicrosoft\.com$/i);
    // The guest redeems the invitation (admin stand-in for clicking the e-mail link).
    await f.sim.admin.acceptInvitation(response.json.id);
    const accepted = await f.graph<Record<string, unknown>>('GET', `/users?$filter=mail eq 'carol@client.example'&$select=id,externalUserState`);
    expect(accepted.json.value).toEqual([expect.objectContaining({ externalUserState: 'Accepted' })]);
    // Inviting again returns the same user.
    const again = await f.graph<{ invitedUser: { id: string }; status: string }>('POST', '/invitations', { body: { invitedUserEmailAddress: 'carol@client.example', inviteRedirectUrl: 'http://localhost:3000/portal' } });
    expect(again.json.invitedUser.id).toBe(response.json.invitedUser.id);
    expect(again.json.status).toBe('Completed');
  });

  test('the redeem URL accepts the invitation and redirects to inviteRedirectUrl', async () => {
    const invitation = await f.graph<{ inviteRedeemUrl: string; invitedUser: { id: string } }>('POST', '/invitations', { body: { invitedUserEmailAddress: 'dan@client.example', inviteRedirectUrl: 'http://localhost:3000/welcome' } });
    const response = await fetch(invitation.json.inviteRedeemUrl, { redirect: 'manual' });
    expect(response.headers.get('location')).toBe('http://localhost:3000/welcome');
    const user = await f.graph<{ externalUserState: string }>('GET', `/users/${invitation.json.invitedUser.id}?$select=externalUserState`);
    expect(user.json.externalUserState).toBe('Accepted');
  });

  test('GET /users/{id} returns the default property set; externalUserState only when $select-ed (learn.microsoft.com/graph/api/user-get)', async () => {
    const user = await f.graph<Record<string, unknown>>('GET', `/users/${f.pendingGuest.id}`);
    expect(user.json).toHaveProperty('displayName');
    expect(user.json).not.toHaveProperty('externalUserState');
    const unknown = await f.graph('GET', '/users/00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
  });
});

describe('teams and channels', () => {
  let teamId: string;
  beforeAll(async () => {
    const response = await f.graph('POST', '/teams', {
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        displayName: 'Cases',
        description: 'Case channels',
        members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${f.staff.id}')` }],
      },
    });
    expect(response.status).toBe(202);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/teams\('[^']+'\)\/operations\('[^']+'\)$/);
    teamId = /teams\('([^']+)'\)/.exec(location)![1];
    await waitFor(async () => (await f.graph<{ status: string }>('GET', location)).json.status === 'succeeded');
  });

  test('POST /teams is asynchronous: 202 + Location of a teamsAsyncOperation, then the team exists (learn.microsoft.com/graph/api/team-post)', async () => {
    const team = await f.graph<{ id: string; displayName: string }>('GET', `/teams/${teamId}`);
    expect(team.json).toMatchObject({ id: teamId, displayName: 'Cases' });
  });

  test('app-only team creation needs an owner (learn.microsoft.com/graph/api/team-post)', async () => {
    const response = await f.graph('POST', '/teams', { body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: 'No owner' } });
    expect(response.status).toBe(400);
  });

  test("a channel's filesFolder is a folder named after it in the team's own drive (learn.microsoft.com/graph/api/channel-get-filesfolder)", async () => {
    const channel = await f.graph<{ id: string; membershipType: string }>('POST', `/teams/${teamId}/channels`, { body: { displayName: '2024-001 Smith v Jones', description: 'Case', membershipType: 'standard' } });
    expect(channel.status).toBe(201);
    const folder = await f.graph<{ name: string; folder: object; parentReference: { driveId: string } }>('GET', `/teams/${teamId}/channels/${encodeURIComponent(channel.json.id)}/filesFolder`);
    expect(folder.json.name).toBe('2024-001 Smith v Jones');
    expect(folder.json.folder).toBeDefined();
    expect(folder.json.parentReference.driveId).not.toBe(f.rootDriveId);
    const teamDrive = await f.graph<{ id: string }>('GET', `/groups/${teamId}/drive`);
    expect(teamDrive.json.id).toBe(folder.json.parentReference.driveId);
    const duplicate = await f.graph('POST', `/teams/${teamId}/channels`, { body: { displayName: '2024-001 smith v jones' } });
    expect(duplicate.status).toBe(400);
  });

  test('the channel limit counts channels deleted in the last 30 days: 403 Forbidden when full (learn.microsoft.com/microsoftteams/limits-specifications-teams)', async () => {
    const channels = await f.graph<{ value: unknown[] }>('GET', `/teams/${teamId}/channels`);
    await f.sim.admin.setKnobs({ maxChannelsPerTeam: channels.json.value.length + 1 });
    const extra = await f.graph<{ id: string }>('POST', `/teams/${teamId}/channels`, { body: { displayName: 'Last one' } });
    expect(extra.status).toBe(201);
    expect((await f.graph('DELETE', `/teams/${teamId}/channels/${encodeURIComponent(extra.json.id)}`)).status).toBe(204);
    const full = await f.graph('POST', `/teams/${teamId}/channels`, { body: { displayName: 'One too many' } });
    expect(full.status).toBe(403);
    expect(full.json).toMatchObject({ error: { code: 'Forbidden', message: 'This team has exceeded the Max allowed channels' } });
    await f.sim.admin.setKnobs({ maxChannelsPerTeam: 1000 });
  });

  test("team members; standard channels list the team's members and refuse their own (learn.microsoft.com/graph/api/channel-post-members)", async () => {
    const second = await f.sim.admin.createUser(f.tenantId, { displayName: 'Lee Gu', mail: 'lee@contoso.onmicrosoft.com' });
    const added = await f.graph<{ roles: string[]; userId: string }>('POST', `/teams/${teamId}/members`, {
      body: { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: [], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${second.id}')` },
    });
    expect(added.status).toBe(201);
    const general = await f.graph<{ id: string }>('GET', `/teams/${teamId}/primaryChannel`);
    const members = await f.graph<{ value: Array<{ userId: string }> }>('GET', `/teams/${teamId}/channels/${encodeURIComponent(general.json.id)}/members`);
    expect(members.json.value.map((member) => member.userId).sort()).toEqual([f.staff.id, second.id].sort());
    const refused = await f.graph('POST', `/teams/${teamId}/channels/${encodeURIComponent(general.json.id)}/members`, { body: { roles: [], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${second.id}')` } });
    expect(refused.status).toBe(400);
  });

  test('sendActivityNotification (team and user) answers 204 and is recorded where the app is installed; unknown parameters are refused (learn.microsoft.com/graph/api/team-sendactivitynotification)', async () => {
    await f.sim.admin.publishTeamsApp(f.tenantId, { id: FIXTURE_TEAMS_APP_ID, clientId: f.clientId, activityTypes: ['documentShared'] });
    await f.sim.admin.installAppInTeam(teamId, FIXTURE_TEAMS_APP_ID, f.staff.id);
    await f.sim.admin.installAppForUser(f.acceptedGuest.id, FIXTURE_TEAMS_APP_ID);
    const teamNotice = await f.graph('POST', `/teams/${teamId}/sendActivityNotification`, {
      body: {
        topic: { source: 'entityUrl', value: `https://graph.microsoft.com/v1.0/teams/${teamId}` },
        activityType: 'documentShared',
        previewText: { content: 'A document was shared' },
        recipient: { '@odata.type': 'microsoft.graph.aadUserNotificationRecipient', userId: f.staff.id },
        templateParameters: [{ name: 'case', value: '2024-001' }],
      },
    });
    expect(teamNotice.status).toBe(204);
    const userNotice = await f.graph('POST', `/users/${f.acceptedGuest.id}/teamwork/sendActivityNotification`, {
      body: { topic: { source: 'text', value: 'Your portal', webUrl: TEAMS_LINK }, activityType: 'documentShared', previewText: { content: 'New document' } },
    });
    expect(userNotice.status).toBe(204);
    const misspelt = await f.graph('POST', `/users/${f.acceptedGuest.id}/teamwork/sendActivityNotification`, {
      body: { topic: { source: 'text', value: 'x', webUrl: TEAMS_LINK }, activityType: 'documentShared', previewTxt: { content: 'typo' } },
    });
    expect(misspelt.status).toBe(400);
    const recorded = await f.sim.admin.activityNotifications();
    expect(recorded.value.map((entry) => entry.recipientUserId)).toEqual(expect.arrayContaining([f.staff.id, f.acceptedGuest.id]));
  });

  describe('activity feed requirements (learn.microsoft.com/graph/teams-send-activityfeednotifications#requirements-for-using-the-activity-feed-notification-apis)', () => {
    const notify = (userId: string, body: Record<string, unknown>) =>
      f.graph<{ error: { code: string; message: string } }>('POST', `/users/${userId}/teamwork/sendActivityNotification`, {
        body: { topic: { source: 'text', value: 'Your portal', webUrl: TEAMS_LINK }, activityType: 'documentShared', previewText: { content: 'New' }, ...body },
      });

    test("a text topic's webUrl must be a Teams link, not the app's own web address (learn.microsoft.com/graph/api/resources/teamworkactivitytopic)", async () => {
      const response = await notify(f.acceptedGuest.id, { topic: { source: 'text', value: 'Your portal', webUrl: 'https://caseroom.example/portal' } });
      expect([response.status, response.json.error.code]).toEqual([400, 'BadRequest']);
    });

    test('the activity type must be declared in the installed manifest; systemDefault needs no declaration (learn.microsoft.com/graph/teams-send-activityfeednotifications#example-8-send-a-notification-to-a-user-using-the-systemdefault-activity-type)', async () => {
      const undeclared = await notify(f.acceptedGuest.id, { activityType: 'somethingElse' });
      expect([undeclared.status, undeclared.json.error.code]).toEqual([400, 'BadRequest']);
      expect((await notify(f.acceptedGuest.id, { activityType: 'systemDefault', templateParameters: [{ name: 'systemDefaultText', value: 'Hello' }] })).status).toBe(204);
    });

    test('the recipient must have the app: a guest who never installed it is refused with 403 (learn.microsoft.com/graph/api/userteamwork-sendactivitynotification)', async () => {
      const response = await notify(f.pendingGuest.id, {});
      expect([response.status, response.json.error.code]).toEqual([403, 'Forbidden']);
    });
  });

  test('guests cannot read teams (403)', async () => {
    const guestToken = await f.tokenFor(f.acceptedGuest.id);
    expect((await f.graph('GET', `/teams/${teamId}`, { token: guestToken })).status).toBe(403);
  });
});
