import { describe, expect, it } from '@jest/globals';
import { accessStatus } from './sharepoint-access';

describe('the Access page status of a guest on a SharePoint target', () => {
  it('is in sync when SharePoint holds what CaseRoom intends, nothing included', () => {
    expect(accessStatus('read', 'read')).toBe('in-sync');
    expect(accessStatus(null, null)).toBe('in-sync');
  });
  it('is missing when CaseRoom intends a role SharePoint does not hold', () => {
    expect(accessStatus('read', null)).toBe('missing');
  });
  it('is extra when SharePoint holds a role CaseRoom does not intend', () => {
    expect(accessStatus(null, 'write')).toBe('extra');
  });
  it('is different when both have a role and they differ', () => {
    expect(accessStatus('read', 'write')).toBe('different');
    expect(accessStatus('read', 'owner')).toBe('different');
  });
});
