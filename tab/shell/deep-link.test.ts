import { describe, expect, it } from '@jest/globals';
import { deepLinkTarget } from './deep-link';

describe('a link into the tab lands on what it names', () => {
  it('opens the case a portal deep link names (Teams subPageId), or an older ?caseId= web link', () => {
    expect(deepLinkTarget('/tab/portal', new URLSearchParams(), 'c-1')).toBe('/tab/portal/cases/c-1');
    expect(deepLinkTarget('/tab/portal', new URLSearchParams('caseId=c 2'), null)).toBe('/tab/portal/cases/c%202');
    expect(deepLinkTarget('/tab/portal', new URLSearchParams(), null)).toBeNull();
  });

  it('adds the item a case-tab deep link names, keeping the case, once', () => {
    const to = deepLinkTarget('/tab/case', new URLSearchParams('caseId=c-1'), 'item:i-9');
    expect(to).toBe('/tab/case?caseId=c-1&itemId=i-9');
    expect(deepLinkTarget('/tab/case', new URLSearchParams('caseId=c-1&itemId=i-9'), 'item:i-9')).toBeNull();
    expect(deepLinkTarget('/tab/case', new URLSearchParams('caseId=c-1'), 'something-else')).toBeNull();
  });

  it('opens a case\'s access list when a card\'s "and N more" deep link asks for it', () => {
    expect(deepLinkTarget('/tab/case', new URLSearchParams('caseId=c-1'), 'access')).toBe('/tab/case?caseId=c-1&show=access');
  });

  it('leaves every other page alone', () => {
    expect(deepLinkTarget('/tab/portal/cases/c-1', new URLSearchParams(), 'c-2')).toBeNull();
    expect(deepLinkTarget('/tab/firm', new URLSearchParams(), 'c-2')).toBeNull();
  });
});
