import type { AccessEntry, GrantScope } from '../api';
import { contactMatches, groupChips, organisationOf } from './firmData';

const entry = (id: string, scope: GrantScope): AccessEntry => ({ grant: { id, scope } }) as unknown as AccessEntry;
const item = (id: string, caseId: string) => entry(id, { kind: 'item', caseId, itemId: `item-${id}` });

describe('contactMatches: every contact is findable by name, email, organisation or client', () => {
  const nadia = { name: 'Nadia Brooks', email: 'nadia.brooks@brooksadvisory.example' };
  test.each([['nadia'], ['BROOKS'], ['brooksadvisory'], ['brooksadvisory example'], ['smith'], ['nadia john']])('%s matches', (query) => {
    expect(contactMatches(nadia, 'John Smith', query)).toBe(true);
  });
  test.each([['rosa'], ['northwind'], [''], ['   ']])('%s does not', (query) => {
    expect(contactMatches(nadia, 'John Smith', query)).toBe(false);
  });
  test('no client: only the contact itself', () => {
    expect(contactMatches(nadia, null, 'smith')).toBe(false);
    expect(organisationOf(nadia.email)).toBe('brooksadvisory.example');
  });
});

describe('groupChips: many item shares of one case collapse into one group', () => {
  test('a case with more than three item shares is one group; the rest stay chips, in order', () => {
    const many = Array.from({ length: 200 }, (_, i) => item(`m${i}`, 'claim'));
    const whole = entry('w', { kind: 'case', caseId: 'knee', view: [], threadIds: [] });
    const few = [item('f1', 'knee'), item('f2', 'knee')];
    const { singles, groups } = groupChips([whole, ...many, ...few]);
    expect(singles.map((e) => e.grant.id)).toEqual(['w', 'f1', 'f2']);
    expect(groups).toHaveLength(1);
    expect(groups[0].caseId).toBe('claim');
    expect(groups[0].entries).toHaveLength(200);
  });
  test('three item shares of a case stay three chips', () => {
    const { singles, groups } = groupChips([item('a', 'c'), item('b', 'c'), item('d', 'c')]);
    expect(singles).toHaveLength(3);
    expect(groups).toEqual([]);
  });
});
