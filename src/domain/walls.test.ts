import { canSeeCase, checkWallChange, hiddenCaseIds, visibleTo } from './walls';

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
