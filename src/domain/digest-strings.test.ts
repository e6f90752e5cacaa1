import { describe, expect, it } from '@jest/globals';
import { planDigest, renderDigest } from './digest';
import { DIGEST_CATALOGUE, digestLanguage, preferredLocale } from './digest-strings';

const BASE = 'https://caseroom.example';

describe('the digest catalogue', () => {
  it('every language has every string, and none of them is left in English by mistake', () => {
    const keysOf = (o: object) => Object.keys(o).sort();
    for (const [code, words] of Object.entries(DIGEST_CATALOGUE)) {
      expect({ code, keys: keysOf(words), kinds: keysOf(words.kind) }).toEqual({ code, keys: keysOf(DIGEST_CATALOGUE.en), kinds: keysOf(DIGEST_CATALOGUE.en.kind) });
      if (code !== 'en') expect({ code, openPortal: words.openPortal }).not.toEqual({ code, openPortal: DIGEST_CATALOGUE.en.openPortal });
    }
  });

  it('a Spanish digest: lines, subject and body in Spanish, every name still escaped', () => {
    const plan = planDigest({
      cases: [
        {
          caseId: 'c1',
          number: 'PI-1',
          title: 'García <v.> Metro',
          items: [{ id: 'i1', kind: 'invoice', title: 'Factura 12.pdf' }],
          messages: [{ id: 'm1', threadId: 't1', subject: 'Fechas', fromFirm: true, from: 'Alex Hartley' }],
        },
      ],
      seen: new Set(['case:c1']),
      portalBaseUrl: BASE,
      language: 'es',
    });
    expect(plan.sections[0].lines.map((l) => l.text)).toEqual(['Factura: Factura 12.pdf', 'Alex Hartley respondió en «Fechas»']);
    const { subject, html } = renderDigest(plan, { firmName: 'Hartley & Moss', guestName: 'Lucía <García>', portalBaseUrl: BASE, language: 'es' });
    expect(subject).toBe('Hartley & Moss: novedades en PI-1 García <v.> Metro');
    expect(html).toContain('<div lang="es">');
    expect(html).toContain('Estimado/a Lucía &lt;García&gt;:');
    expect(html).toContain('Hartley &amp; Moss ha compartido novedades con usted');
    expect(html).toContain('García &lt;v.&gt; Metro');
    expect(html).toContain('>Abrir su portal<');
    expect(html).not.toMatch(/Dear|Open your portal|<García>/);
  });

  it('without a language the digest is English, as before', () => {
    const plan = planDigest({ cases: [{ caseId: 'c1', number: 'P-1', title: 'T', items: [], messages: [] }], seen: new Set(), portalBaseUrl: BASE });
    const { subject, html } = renderDigest(plan, { firmName: 'F', guestName: 'Ada', portalBaseUrl: BASE });
    expect(subject).toBe('F: a case was shared with you');
    expect(html).toContain('<div lang="en"><p>Dear Ada,</p>');
  });
});

describe('which language a guest gets', () => {
  it.each([
    [['es', 'fr-CA'], 'es'],
    [[null, 'fr-CA'], 'fr'],
    [['ja', 'ES-mx'], 'es'],
    [['ja', null], 'en'],
    [[null, undefined], 'en'],
    [['english'], 'en'],
  ] as const)('%j → %s', (known, expected) => {
    expect(digestLanguage(known)).toBe(expected);
  });

  it.each([
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr-CA'],
    ['en;q=0.5, es-MX', 'es-MX'],
    ['de;q=0, it;q=0.4', 'it'],
    ['*', null],
    ['', null],
    [undefined, null],
    ['<script>, en-GB', 'en-GB'],
    ['x'.repeat(600), null],
  ])('Accept-Language %j → %s', (header, expected) => {
    expect(preferredLocale(header)).toBe(expected);
  });
});
