import { describe, expect, it } from '@jest/globals';
import { comparePermissionUse, type DeclaredPermissionSet, type ObservedCall } from '../../scripts/permission-use';

const declared: DeclaredPermissionSet = {
  applicationRoles: ['Files.ReadWrite.All', 'User.Invite.All'],
  delegatedScopes: ['openid', 'profile', 'offline_access', 'Files.ReadWrite.All'],
  resourceSpecific: ['Channel.Create.Group'],
};
const invite: ObservedCall = { method: 'POST', template: '/drives/{id}/items/{id}/invite', tokenKind: 'app', accepted: ['Files.ReadWrite.All', 'Sites.ReadWrite.All'] };
const invitation: ObservedCall = { method: 'POST', template: '/invitations', tokenKind: 'app', accepted: ['Directory.ReadWrite.All', 'User.Invite.All', 'User.ReadWrite.All'] };
const channel: ObservedCall = { method: 'POST', template: '/teams/{id}/channels', tokenKind: 'app', accepted: ['Channel.Create', 'Channel.Create.Group'] };
const guestRead: ObservedCall = { method: 'GET', template: '/drives/{id}/items/{id}/content', tokenKind: 'delegated', accepted: ['Files.Read', 'Files.Read.All', 'Files.ReadWrite.All'] };

describe('comparePermissionUse', () => {
  it('passes when every call is covered and every declared permission is the only cover of some call', () => {
    const verdict = comparePermissionUse(declared, [invite, invitation, channel, guestRead]);
    expect(verdict).toMatchObject({ uncovered: [], unneeded: [] });
    expect(verdict.neededBy['RSC: Channel.Create.Group']).toBe('POST /teams/{id}/channels [app]');
  });

  it('names a call no declared permission covers', () => {
    const createTeam: ObservedCall = { method: 'POST', template: '/teams', tokenKind: 'app', accepted: ['Team.Create', 'Group.ReadWrite.All'] };
    expect(comparePermissionUse(declared, [invite, invitation, channel, guestRead, createTeam]).uncovered).toEqual(['POST /teams [app]']);
  });

  it('names a declared permission no call needs, and one whose every call another permission also covers', () => {
    expect(comparePermissionUse(declared, [invite, channel, guestRead]).unneeded).toEqual(['Application: User.Invite.All']);
    const overlapping = { ...declared, applicationRoles: [...declared.applicationRoles, 'Sites.ReadWrite.All'] };
    expect(comparePermissionUse(overlapping, [invite, invitation, channel, guestRead]).unneeded).toEqual(['Application: Files.ReadWrite.All', 'Application: Sites.ReadWrite.All']);
  });

  it('keeps application and delegated apart: an app role does not cover a delegated call', () => {
    const appOnly = { ...declared, delegatedScopes: ['openid'] };
    expect(comparePermissionUse(appOnly, [invite, invitation, channel, guestRead]).uncovered).toEqual(['GET /drives/{id}/items/{id}/content [delegated]']);
  });

  it('treats a refused call without any template as uncovered', () => {
    expect(comparePermissionUse(declared, [invite, invitation, channel, guestRead, { method: 'GET', template: null, tokenKind: 'app', accepted: [] }]).uncovered).toEqual(['GET (no template) [app]']);
  });
});
