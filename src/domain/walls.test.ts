import { canSeeCase, checkWallChange, hiddenCaseIds, visibleTo, withoutHiddenSubjects } from './walls';

const staff = new Set(['ann', 'bob', 'cat']);

describe('who may see a walled case', () => {
  it.each([
    ['no wall', null, 'ann', true],
    ['an empty wall', [], 'ann', true],
    ['a wall naming her', ['ann', 'bob'], 'ann', true],
    ['a wall not naming her', ['bob'], 'ann', false],
    ['a wall naming someone else only, as a set', new Set(['cat']), 'ann', false],
  ] as const)('%s: %s', (_label, wall, staffId, expected) => {
    expect(canSeeCase(wall as readonly string[] | null, staffId)).toBe(expected);
  });

  it('lists the cases a staff member may not see, and filters anything naming them', () => {
    const walls = new Map<string, readonly string[]>([
      ['case-1', ['bob']],
      ['case-2', ['ann']],
      ['case-3', []],
    ]);
    const hidden = hiddenCaseIds(walls, 'ann');
    expect([...hidden]).toEqual(['case-1']);
    const rows = [{ caseId: 'case-1' }, { caseId: 'case-2' }, { caseId: null }, { caseId: 'case-9' }];
    expect(visibleTo(rows, hidden, (r) => r.caseId)).toEqual([{ caseId: 'case-2' }, { caseId: null }, { caseId: 'case-9' }]);
    expect(hiddenCaseIds(walls, 'bob')).toEqual(new Set(['case-2']));
  });
});

describe('changing a wall', () => {
  it('lets anyone put up the first wall, if it names them', () => {
    expect(checkWallChange({ current: [], actorStaffId: 'ann', next: ['bob', 'ann', 'ann'], firmStaffIds: staff })).toEqual({ ok: true, next: ['ann', 'bob'] });
  });

  it('refuses a wall that leaves the setter out, one naming strangers, and an empty one', () => {
    const outcome = (next: string[]) => checkWallChange({ current: [], actorStaffId: 'ann', next, firmStaffIds: staff });
    expect(outcome(['bob'])).toMatchObject({ ok: false, hidden: false, refusal: { message: expect.stringContaining('include yourself') } });
    expect(outcome(['ann', 'mallory'])).toMatchObject({ ok: false, hidden: false, refusal: { message: expect.stringContaining('mallory') } });
    expect(outcome([])).toMatchObject({ ok: false, hidden: false });
  });

  it('lets only someone inside change or remove a wall; to anyone else the case is not there', () => {
    expect(checkWallChange({ current: ['bob'], actorStaffId: 'ann', next: ['ann'], firmStaffIds: staff })).toEqual({ ok: false, hidden: true });
    expect(checkWallChange({ current: ['bob'], actorStaffId: 'ann', next: null, firmStaffIds: staff })).toEqual({ ok: false, hidden: true });
    expect(checkWallChange({ current: ['bob', 'ann'], actorStaffId: 'ann', next: null, firmStaffIds: staff })).toEqual({ ok: true, next: [] });
    expect(checkWallChange({ current: ['bob', 'ann'], actorStaffId: 'bob', next: ['bob', 'cat'], firmStaffIds: staff })).toEqual({ ok: true, next: ['bob', 'cat'] });
  });
});

describe('audit data read from behind a wall', () => {
  const hidden = new Set(['walled-case', 'walled-item']);

  it('leaves out every part naming a hidden case or item, wherever it stands, and says so', () => {
    const data = {
      grantId: 'client-grant',
      before: { scope: { kind: 'case', caseId: 'walled-case', view: ['documents'] }, rights: 'read' },
      after: { scope: { kind: 'client', clientId: 'client-1' }, rights: 'read' },
      gained: {
        cases: [
          { caseId: 'walled-case', number: 'W-1', title: 'Walled merger' },
          { caseId: 'open-case', number: 'O-1', title: 'Open dispute' },
        ],
        items: [
          { itemId: 'walled-item', caseId: 'walled-case', title: 'Merger memo' },
          { itemId: 'open-item', caseId: 'open-case', title: 'Open memo' },
        ],
      },
      itemIds: ['walled-item', 'open-item'],
    };
    const shown = withoutHiddenSubjects(data, hidden);
    expect(shown.trimmed).toBe(true);
    expect(shown.data).toEqual({
      grantId: 'client-grant',
      before: { rights: 'read' },
      after: { scope: { kind: 'client', clientId: 'client-1' }, rights: 'read' },
      gained: { cases: [{ caseId: 'open-case', number: 'O-1', title: 'Open dispute' }], items: [{ itemId: 'open-item', caseId: 'open-case', title: 'Open memo' }] },
      itemIds: ['open-item'],
    });
    expect(JSON.stringify(shown.data)).not.toMatch(/walled|W-1|Merger/);
  });

  it('leaves data naming nothing hidden as it is', () => {
    const data = { itemIds: ['open-item'], gained: { cases: [{ caseId: 'open-case' }] } };
    expect(withoutHiddenSubjects(data, hidden)).toEqual({ data, trimmed: false });
    expect(withoutHiddenSubjects(data, new Set())).toEqual({ data, trimmed: false });
  });
});
