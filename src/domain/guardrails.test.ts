import { describe, expect, it } from '@jest/globals';
import { guardrailReasons, listedDomainOf, sameTerms, stillHeld } from './guardrails';

describe('guardrail rules', () => {
  it('matches a listed domain and its subdomains, never a look-alike', () => {
    expect(listedDomainOf('a@opposing-firm.com', ['opposing-firm.com'])).toBe('opposing-firm.com');
    expect(listedDomainOf('a@X.Opposing-Firm.com', ['opposing-firm.com'])).toBe('opposing-firm.com');
    expect(listedDomainOf('a@notopposing-firm.com', ['opposing-firm.com'])).toBeNull();
    expect(listedDomainOf('a@opposing-firm.com.evil.example', ['opposing-firm.com'])).toBeNull();
    // The most specific entry names the reason.
    expect(listedDomainOf('a@paris.opposing-firm.com', ['opposing-firm.com', 'paris.opposing-firm.com'])).toBe('paris.opposing-firm.com');
  });

  it('names every reason: blocked, warned, and each case where the contact is on the other side', () => {
    const party = {
      id: 'c1',
      name: 'Olga',
      email: 'olga@x.rival.example',
      roles: [
        { caseId: 'k1', caseNumber: 'PI-1', role: 'opposing-counsel' as const },
        { caseId: 'k2', caseNumber: 'PI-2', role: 'expert' as const },
      ],
    };
    expect(guardrailReasons(party, { blocked: [], warned: [] }).map((r) => r.kind)).toEqual(['opposing-counsel']);
    expect(guardrailReasons(party, { blocked: ['rival.example'], warned: ['x.rival.example'] }).map((r) => r.kind)).toEqual(['blocked-domain', 'warned-domain', 'opposing-counsel']);
    expect(guardrailReasons({ ...party, roles: [] }, { blocked: [], warned: ['other.example'] })).toEqual([]);
  });

  it('tells a real change of terms from the same terms given again', () => {
    const scope = { kind: 'case' as const, caseId: 'k', view: ['notes' as const, 'status' as const], threadIds: [] };
    const held = { scope, rights: 'read' as const, expiresAt: '2030-01-01T00:00:00.000Z' };
    expect(sameTerms(held, { ...held, scope: { ...scope, view: ['status', 'notes'] }, expiresAt: '2030-01-01T00:00:00Z' })).toBe(true);
    expect(sameTerms(held, { ...held, expiresAt: null })).toBe(false);
    expect(sameTerms(held, { ...held, rights: 'upload' })).toBe(false);
    expect(sameTerms(held, { ...held, scope: { ...scope, view: ['status'] } })).toBe(false);
    expect(stillHeld({ expiresAt: '2020-01-01T00:00:00Z' }, new Date('2021-01-01T00:00:00Z'))).toBe(false);
    expect(stillHeld({ expiresAt: null }, new Date())).toBe(true);
  });
});
