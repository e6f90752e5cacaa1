import { describe, expect, it } from '@jest/globals';
import { type DigestCaseView, isEmptyDigest, MAX_DIGEST_LINES, planDigest, renderDigest } from './digest';

const BASE = 'https://caseroom.example';
const caseView = (over: Partial<DigestCaseView> = {}): DigestCaseView => ({ caseId: 'c1', number: 'P-1', title: 'Smith v Jones', items: [], messages: [], ...over });

describe('planDigest: what goes into a guest digest', () => {
  it('lists only what the guest sees now and was not told about, with links straight into the portal', () => {
    const plan = planDigest({
      cases: [
        caseView({
          items: [
            { id: 'i1', kind: 'document', title: 'Letter.pdf' },
            { id: 'i2', kind: 'note', title: 'Hearing moved' },
          ],
        }),
      ],
      seen: new Set(['case:c1', 'item:i1']),
      portalBaseUrl: `${BASE}/`,
    });
    expect(plan.sections).toHaveLength(1);
    expect(plan.sections[0]).toMatchObject({ newlyShared: false, heading: 'P-1 Smith v Jones', url: `${BASE}/tab/portal/cases/c1` });
    expect(plan.sections[0].lines).toEqual([{ key: 'item:i2', text: 'Note: Hearing moved', url: `${BASE}/tab/portal/cases/c1?view=notes&item=i2` }]);
    expect(plan.visibleKeys.sort()).toEqual(['case:c1', 'item:i1', 'item:i2']);
  });

  it('a case newly visible is news even with nothing in it yet; a known case with nothing new is not', () => {
    expect(planDigest({ cases: [caseView()], seen: new Set(), portalBaseUrl: BASE }).sections[0]).toMatchObject({ newlyShared: true, lines: [] });
    expect(isEmptyDigest(planDigest({ cases: [caseView()], seen: new Set(['case:c1']), portalBaseUrl: BASE }))).toBe(true);
  });

  it("the firm's replies are news; the guest's own messages are only remembered", () => {
    const plan = planDigest({
      cases: [
        caseView({
          messages: [
            { id: 'm1', threadId: 't1', subject: 'Dates', fromFirm: false, from: 'you' },
            { id: 'm2', threadId: 't1', subject: 'Dates', fromFirm: true, from: 'Alex Hartley' },
          ],
        }),
      ],
      seen: new Set(['case:c1']),
      portalBaseUrl: BASE,
    });
    expect(plan.sections[0].lines.map((l) => l.key)).toEqual(['message:m2']);
    expect(plan.sections[0].lines[0].url).toBe(`${BASE}/tab/portal/cases/c1?view=messages`);
    expect(plan.visibleKeys).toEqual(expect.arrayContaining(['message:m1', 'message:m2']));
  });

  it('nothing outside the input is ever named: a withdrawn item simply drops out of what is remembered', () => {
    const plan = planDigest({ cases: [caseView({ items: [{ id: 'i1', kind: 'event', title: 'Hearing' }] })], seen: new Set(['case:c1', 'item:i1', 'item:gone']), portalBaseUrl: BASE });
    expect(isEmptyDigest(plan)).toBe(true);
    expect(plan.visibleKeys).not.toContain('item:gone');
  });

  it('a long digest is bounded and counts the rest', () => {
    const items = Array.from({ length: MAX_DIGEST_LINES + 7 }, (_, n) => ({ id: `i${n}`, kind: 'document' as const, title: `Doc ${n}.pdf` }));
    const plan = planDigest({ cases: [caseView({ items })], seen: new Set(['case:c1']), portalBaseUrl: BASE });
    expect(plan.listed).toBe(MAX_DIGEST_LINES);
    expect(plan.omitted).toBe(7);
    expect(renderDigest(plan, { firmName: 'Hartley & Moss', guestName: 'Ada', portalBaseUrl: BASE }).html).toContain('and 7 more');
  });

  it('renders every name escaped', () => {
    const plan = planDigest({ cases: [caseView({ title: '<script>x</script>', items: [{ id: 'i1', kind: 'document', title: 'a"b<c>.pdf' }] })], seen: new Set(), portalBaseUrl: BASE });
    const { html, subject } = renderDigest(plan, { firmName: 'Hartley & Moss', guestName: 'Ada <Client>', portalBaseUrl: BASE });
    expect(html).not.toMatch(/<script>|a"b<c>/);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('Ada &lt;Client&gt;');
    expect(subject).toBe('Hartley & Moss: new in P-1 <script>x</script>');
  });
});
