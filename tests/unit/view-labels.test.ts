import { broadScopeLabel, matchingViewName } from '../../src/contract/views';
import { SECTIONS } from '../../src/contract/enums';

/** The words staff read on chips and in the Share dialog: the case (or client) named, the view described, never a bare "Full case". */
describe('access labels', () => {
  const saved = [
    { name: 'Expert: documents only', sections: ['documents' as const] },
    { name: 'Client standard', sections: ['events' as const, 'documents' as const, 'notes' as const] },
  ];

  it('names the case and the saved view whose sections the grant has, in the portal’s order', () => {
    expect(broadScopeLabel('case', ['notes', 'documents', 'events'], 'PI-2026-014', matchingViewName(['notes', 'documents', 'events'], saved))).toBe('PI-2026-014: Client standard (documents, notes and events)');
  });

  it('describes the sections alone when no saved view has exactly them (a view changed after the grant no longer names it)', () => {
    expect(matchingViewName(['documents', 'events'], saved)).toBeNull();
    expect(broadScopeLabel('case', ['events', 'documents'], 'PI-2026-014')).toBe('PI-2026-014: documents and events');
  });

  it('names the client for client-wide access and says "every section" rather than "Full client"', () => {
    expect(broadScopeLabel('client', [...SECTIONS], 'Northwind Traders Ltd')).toBe('All cases of Northwind Traders Ltd: every section');
    expect(broadScopeLabel('case', [], 'PI-1')).toBe('PI-1: no sections');
  });
});
