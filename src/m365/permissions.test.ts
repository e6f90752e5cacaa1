import { describe, expect, it } from '@jest/globals';
import { classifyPermissions, directUserPermissions, type GraphPermission } from './permissions';
import type { PermissionKnowledge } from '../domain/model';

/**
 * Which listed permissions CaseRoom treats as an item's own, now that SharePoint lists them
 * without `inheritedFrom` (learn.microsoft.com/graph/api/resources/permission): an inherited
 * permission CaseRoom took for the item's own would be deleted there (refused) or reported as drift.
 */
const user = (id: string, userId: string, roles = ['read']): GraphPermission => ({ id, roles, grantedToV2: { user: { id: userId } } });
const group = (id: string, name: string, roles: string[]): GraphPermission => ({ id, roles, grantedToV2: { siteGroup: { id: name, displayName: name } } });
const siteGroups = [group('g1', 'Owners', ['owner']), group('g2', 'Members', ['write']), group('g3', 'Visitors', ['read'])];
const knowledge = (o: Partial<PermissionKnowledge> = {}): PermissionKnowledge => ({ unique: new Set(), recordedIds: new Map(), parentOf: new Map(), ...o });
const own = (perms: GraphPermission[]) => directUserPermissions(perms).map((p) => p.id);

describe('classifyPermissions', () => {
  it("on an item CaseRoom shared (m365_unique_items), every person listed holds a permission of the item's own", () => {
    const listed = [...siteGroups, user('p-ada', 'ada'), user('p-eve', 'eve', ['write'])];
    expect(own(classifyPermissions('doc', listed, knowledge({ unique: new Set(['doc']) })))).toEqual(['p-ada', 'p-eve']);
  });

  it('on an item CaseRoom knows nothing about, only the permission ids it recorded there count: the rest may be inherited', () => {
    const listed = [...siteGroups, user('p-ada', 'ada'), user('p-eve', 'eve')];
    expect(
      own(
        classifyPermissions(
          'doc',
          listed,
          knowledge({
            recordedIds: new Map([
              ['doc', new Set(['p-ada'])],
              ['other', new Set(['p-eve'])],
            ]),
          }),
        ),
      ),
    ).toEqual(['p-ada']);
    expect(own(classifyPermissions('doc', listed, knowledge()))).toEqual([]);
  });

  it("an item listing exactly its parent's grants inherits (ids may differ, as on a copy): nothing of its own", () => {
    const parent = [...siteGroups, user('f-ada', 'ada')];
    const listed = [...siteGroups.map((g) => ({ ...g, id: `${g.id}-copy` })), user('c-ada', 'ada')];
    expect(own(classifyPermissions('folder', listed, knowledge({ parentOf: new Map([['folder', null]]) }), parent))).toEqual([]);
  });

  it('an item listing a person its parent does not, or another role, holds unique permissions (shared by hand): all of them are its own', () => {
    const parent = [...siteGroups, user('f-ada', 'ada')];
    const byHand = [...siteGroups, user('f-ada', 'ada'), user('p-bea', 'bea')];
    expect(own(classifyPermissions('folder', byHand, knowledge(), parent))).toEqual(['f-ada', 'p-bea']);
    const reroled = [...siteGroups, user('f-ada', 'ada', ['write'])];
    expect(own(classifyPermissions('folder', reroled, knowledge(), parent))).toEqual(['f-ada']);
  });

  it('a list straight from Graph, not classified, yields no direct permission at all', () => {
    expect(directUserPermissions([user('p-ada', 'ada')])).toEqual([]);
  });
});
