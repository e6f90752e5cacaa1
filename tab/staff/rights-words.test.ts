import type { AccessEntry, ScopeChangePreview } from '../api';
import { chipDetail } from '../firm/AccessChip';
import { rightsAndExpiryChange } from './GuardrailConfirm';

const caseScope = { kind: 'case', caseId: 'c1', view: ['documents'], threadIds: [] } as const;
const change = (before: 'read' | 'upload', after: 'read' | 'upload') =>
  ({ contactId: 'k1', contactName: 'Maya Chen', grantId: 'g1', before: { scope: caseScope, rights: before, expiresAt: null }, after: { scope: caseScope, rights: after, expiresAt: null } }) as unknown as ScopeChangePreview;

describe('the staff tab says what a guest may do in words, never the rights code', () => {
  test('a scope change from view-only to uploading reads "can view → can view and upload"', () => {
    expect(rightsAndExpiryChange(change('read', 'upload'))).toBe('Rights: can view → can view and upload.');
    expect(rightsAndExpiryChange(change('upload', 'read'))).toBe('Rights: can view and upload → can view.');
  });
  test('unchanged rights and expiry say nothing', () => {
    expect(rightsAndExpiryChange(change('read', 'read'))).toBe('');
  });
  test.each([
    ['read', 'Rights: can view.'],
    ['upload', 'Rights: can view and upload.'],
  ] as const)('the access chip hover for %s rights says %s', (rights, words) => {
    const entry = { contact: { name: 'Maya Chen', email: 'maya@client.example' }, grant: { id: 'g1', scope: caseScope, rights, expiresAt: null }, state: 'active', label: 'PI-1' } as unknown as AccessEntry;
    const detail = chipDetail(entry, new Map([['c1', { number: 'PI-1', title: 'Knee' }]]) as unknown as Parameters<typeof chipDetail>[1], new Map());
    expect(detail).toContain(words);
    expect(detail).not.toMatch(/Rights: (read|upload)\b/);
  });
  test('the access chip hover says where a pending grant stands in words, not its state code', () => {
    const entry = { contact: { name: 'Maya Chen', email: 'maya@client.example' }, grant: { id: 'g1', scope: caseScope, rights: 'read', expiresAt: null }, state: 'pending', label: 'PI-1' } as unknown as AccessEntry;
    const detail = chipDetail(entry, new Map([['c1', { number: 'PI-1', title: 'Knee' }]]) as unknown as Parameters<typeof chipDetail>[1], new Map());
    expect(detail).toContain('State: waiting for the guest to accept the invitation.');
  });
});
