import type { Repo } from '../store/repo';
import type { SeenRecord } from '../store/seen';
import { grantReaches, seenSummary } from './seen';

const open = (itemId: string | null, seenAt: string, over: Partial<SeenRecord> = {}): SeenRecord => ({ contactId: 'ana', caseId: 'c1', clientId: 'k1', itemId, messageId: itemId ? null : 'm1', seenAt, ...over });

describe('what a grant reaches, for who has access', () => {
  // A folder "Medical" holding "Scans" holding the MRI; the consult sits at the root.
  const items = [
    { id: 'medical', kind: 'folder', caseId: 'c1', parentId: null },
    { id: 'mri', kind: 'document', caseId: 'c1', parentId: 'scans' },
    { id: 'scans', kind: 'folder', caseId: 'c1', parentId: 'medical' },
    { id: 'consult', kind: 'document', caseId: 'c1', parentId: null },
  ];
  // The two reads grantReaches makes; the rest of the store is not involved.
  const repo = { itemsByIds: async (_firmId: string, ids: readonly string[]) => items.filter((i) => ids.includes(i.id)), itemsOfCases: async () => items } as unknown as Repo;
  const records = [open('mri', '2026-11-03T14:02:00.000Z'), open('consult', '2026-11-01T09:00:00.000Z'), open(null, '2026-11-04T08:00:00.000Z'), open('mri', '2026-11-02T00:00:00.000Z', { contactId: 'ben' })];

  it('counts a folder grant by the documents beneath it, an item grant by that item, a case grant by everything in it', async () => {
    const reachOf = await grantReaches(repo, 'firm', [{ scope: { kind: 'item', caseId: 'c1', itemId: 'medical' } }, { scope: { kind: 'item', caseId: 'c1', itemId: 'consult' } }]);
    expect(seenSummary('ana', reachOf({ kind: 'item', caseId: 'c1', itemId: 'medical' }), records)).toEqual({ items: 1, messages: 0, firstAt: '2026-11-03T14:02:00.000Z', lastAt: '2026-11-03T14:02:00.000Z' });
    expect(seenSummary('ana', reachOf({ kind: 'item', caseId: 'c1', itemId: 'consult' }), records)).toMatchObject({ items: 1, firstAt: '2026-11-01T09:00:00.000Z' });
    expect(seenSummary('ana', reachOf({ kind: 'case', caseId: 'c1', view: [], threadIds: [] }), records)).toEqual({ items: 2, messages: 1, firstAt: '2026-11-01T09:00:00.000Z', lastAt: '2026-11-04T08:00:00.000Z' });
    expect(seenSummary('ana', reachOf({ kind: 'client', clientId: 'other', view: [], threadIds: [] }), records)).toEqual({ items: 0, messages: 0, firstAt: null, lastAt: null });
    // Another guest's opens never count for Ana.
    expect(seenSummary('ben', reachOf({ kind: 'item', caseId: 'c1', itemId: 'consult' }), records).items).toBe(0);
  });
});
