import fc from 'fast-check';
import type { ModelScope, ReferenceModel, Section } from './reference-model';

/**
 * The staff operations of the guest-visibility property, applied through CaseRoom's HTTP API
 * and to the reference model, and the portal check after each step. Shared by the run against
 * the recording Microsoft 365 part (guest-visibility.test.ts) and the one against the simulator
 * (guest-sharepoint.test.ts), which also reads SharePoint with each guest's own token.
 */

export const HOUR = 3_600_000;
export const ALL_SECTIONS: Section[] = ['status', 'team', 'budget', 'documents', 'notes', 'events', 'invoices', 'messages'];

/** One firm's world for one sequence. */
export interface PropertyUniverse {
  firmId: string;
  staffToken: string;
  clients: Array<{ id: string }>;
  contacts: Array<{ id: string; name: string }>;
  model: ReferenceModel;
  /** CaseRoom API tokens of the guests who accepted their invitation. */
  guestTokens: Map<string, string>;
}

/** How a run reaches the app: the HTTP API, guest acceptance, and the clock. */
export interface PropertyDriver {
  call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  /** Marks the contact's invitation accepted; returns the guest's CaseRoom API token. */
  accept(u: PropertyUniverse, contactId: string): Promise<string>;
  now(): number;
  /** Moves the app's clock on; returns the new time. */
  advanceClock(ms: number): number;
}

export type Op =
  | { op: 'portal'; contact: number; on: boolean }
  | { op: 'link'; contact: number; kase: number }
  | { op: 'unlink'; contact: number; kase: number }
  | { op: 'share'; contact: number; items: number[]; expiresInHours: number | null; confirm: boolean }
  | { op: 'unshare'; contact: number; items: number[] }
  | { op: 'grantCase'; contact: number; kase: number; view: Section[]; upload: boolean; expiresInHours: number | null }
  | { op: 'grantClient'; contact: number; client: number; view: Section[]; upload: boolean }
  | { op: 'change'; contact: number; grant: number; to: { kind: 'item'; item: number } | { kind: 'case'; kase: number; view: Section[] } | { kind: 'client'; client: number; view: Section[] }; upload: boolean }
  | { op: 'revoke'; contact: number; grant: number }
  | { op: 'accept'; contact: number }
  | { op: 'clock'; hours: number }
  | { op: 'policy'; disabled: Section[] }
  | { op: 'openCase'; client: number }
  | { op: 'staffOnly'; item: number }
  | { op: 'shareFolder'; contact: number; item: number; upload: boolean; confirm: boolean }
  | { op: 'privileged'; item: number; on: boolean };

const contactArb = fc.integer({ min: 0, max: 1 });
const caseArb = fc.integer({ min: 0, max: 4 }); // indices beyond the cases that exist wrap around
const itemArb = fc.integer({ min: 0, max: 40 });
const viewArb = fc.subarray(ALL_SECTIONS, { minLength: 1 });
const expiryArb = fc.option(fc.integer({ min: 1, max: 4 }), { nil: null });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('portal' as const), contact: contactArb, on: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('link' as const), contact: contactArb, kase: caseArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlink' as const), contact: contactArb, kase: caseArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('share' as const), contact: contactArb, items: fc.uniqueArray(itemArb, { minLength: 1, maxLength: 3 }), expiresInHours: expiryArb, confirm: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unshare' as const), contact: contactArb, items: fc.uniqueArray(itemArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('grantCase' as const), contact: contactArb, kase: caseArb, view: viewArb, upload: fc.boolean(), expiresInHours: expiryArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('grantClient' as const), contact: contactArb, client: fc.integer({ min: 0, max: 1 }), view: viewArb, upload: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('change' as const),
      contact: contactArb,
      grant: fc.integer({ min: 0, max: 5 }),
      to: fc.oneof(
        fc.record({ kind: fc.constant('item' as const), item: itemArb }),
        fc.record({ kind: fc.constant('case' as const), kase: caseArb, view: viewArb }),
        fc.record({ kind: fc.constant('client' as const), client: fc.integer({ min: 0, max: 1 }), view: viewArb }),
      ),
      upload: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const), contact: contactArb, grant: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('accept' as const), contact: contactArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clock' as const), hours: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('policy' as const), disabled: fc.subarray(ALL_SECTIONS, { maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('openCase' as const), client: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('staffOnly' as const), item: itemArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('shareFolder' as const), contact: contactArb, item: itemArb, upload: fc.boolean(), confirm: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('privileged' as const), item: itemArb, on: fc.boolean() }) },
);

/** Staff confirming with a reason whatever the API asks to confirm (a privileged share, a scope change). */
const confirmation = (confirm: boolean) => (confirm ? { confirm: { reason: 'confirmed in the property test' } } : {});
const pick = <T>(list: readonly T[], index: number): T => list[index % list.length];
const iso = (d: PropertyDriver, hours: number | null) => (hours === null ? null : new Date(d.now() + hours * HOUR).toISOString());

/** Applies one operation through the HTTP API and to the model; `expected` is whether the API should accept it. */
export async function apply(d: PropertyDriver, u: PropertyUniverse, op: Op): Promise<{ expected: boolean; status: number }> {
  const m = u.model;
  const contact = 'contact' in op ? u.contacts[op.contact] : null;
  const s = u.staffToken;
  switch (op.op) {
    case 'portal':
      return { expected: m.setPortal(contact!.id, op.on), status: (await d.call('PUT', `/api/contacts/${contact!.id}/portal-access`, s, { enabled: op.on })).status };
    case 'link': {
      const c = pick(m.cases, op.kase);
      return { expected: m.link(c.id, contact!.id), status: (await d.call('POST', `/api/cases/${c.id}/links`, s, { contactId: contact!.id })).status };
    }
    case 'unlink': {
      const c = pick(m.cases, op.kase);
      return { expected: m.unlink(c.id, contact!.id), status: (await d.call('DELETE', `/api/cases/${c.id}/links/${contact!.id}`, s)).status };
    }
    case 'share': {
      const ids = [...new Set(op.items.map((i) => pick(m.items, i).id))];
      const expiresAt = iso(d, op.expiresInHours);
      const expected = m.share(contact!.id, ids, expiresAt === null ? null : Date.parse(expiresAt), op.confirm);
      return { expected, status: (await d.call('POST', '/api/shares', s, { contactIds: [contact!.id], itemIds: ids, expiresAt, ...confirmation(op.confirm) })).status };
    }
    case 'unshare': {
      const ids = [...new Set(op.items.map((i) => pick(m.items, i).id))];
      return { expected: m.unshare(contact!.id, ids), status: (await d.call('POST', '/api/shares/remove', s, { contactIds: [contact!.id], itemIds: ids })).status };
    }
    case 'grantCase': {
      const c = pick(m.cases, op.kase);
      const expiresAt = iso(d, op.expiresInHours);
      const expected = m.grant(contact!.id, { kind: 'case', caseId: c.id, view: op.view }, op.upload, expiresAt === null ? null : Date.parse(expiresAt));
      const body = { contactId: contact!.id, scope: { kind: 'case', caseId: c.id, view: op.view }, rights: op.upload ? 'upload' : 'read', expiresAt };
      return { expected, status: (await d.call('POST', '/api/grants', s, body)).status };
    }
    case 'grantClient': {
      const client = u.clients[op.client];
      const expected = m.grant(contact!.id, { kind: 'client', clientId: client.id, view: op.view }, op.upload, null);
      const body = { contactId: contact!.id, scope: { kind: 'client', clientId: client.id, view: op.view }, rights: op.upload ? 'upload' : 'read' };
      return { expected, status: (await d.call('POST', '/api/grants', s, body)).status };
    }
    case 'change':
    case 'revoke': {
      const real = (await d.call('GET', `/api/contacts/${contact!.id}/access`, s)).body as Array<{ grant: { id: string; scope: ModelScope & { threadIds?: string[] } } }>;
      if (real.length === 0) return { expected: false, status: 404 };
      const target = pick(real, op.grant).grant;
      if (op.op === 'revoke') return { expected: m.revoke(contact!.id, target.scope), status: (await d.call('DELETE', `/api/grants/${target.id}`, s)).status };
      const to: ModelScope =
        op.to.kind === 'item'
          ? (() => {
              const item = pick(m.items, op.to.item);
              return { kind: 'item' as const, caseId: item.caseId, itemId: item.id };
            })()
          : op.to.kind === 'case'
            ? { kind: 'case', caseId: pick(m.cases, op.to.kase).id, view: op.to.view }
            : { kind: 'client', clientId: u.clients[op.to.client].id, view: op.to.view };
      const upload = op.upload;
      const expected = m.change(contact!.id, target.scope, to, upload);
      return { expected, status: (await d.call('PUT', `/api/grants/${target.id}`, s, { scope: to, rights: upload ? 'upload' : 'read' })).status };
    }
    case 'accept': {
      if (!u.guestTokens.has(contact!.id)) u.guestTokens.set(contact!.id, await d.accept(u, contact!.id));
      m.accept(contact!.id);
      return { expected: true, status: 200 };
    }
    case 'clock':
      m.now = d.advanceClock(op.hours * HOUR);
      return { expected: true, status: 200 };
    case 'policy':
      m.disabled = new Set(op.disabled);
      return { expected: true, status: (await d.call('PUT', '/api/firm/policy', s, { disabledSections: op.disabled })).status };
    case 'staffOnly': {
      const item = pick(m.items, op.item);
      return { expected: m.markStaffOnly(item.id), status: (await d.call('PATCH', `/api/items/${item.id}`, s, { staffOnly: true, reason: 'privileged' })).status };
    }
    case 'shareFolder': {
      // An item grant through POST /api/grants, with or without upload ("may upload into this folder").
      const item = pick(m.items, op.item);
      const scope = { kind: 'item' as const, caseId: item.caseId, itemId: item.id };
      const expected = m.grant(contact!.id, scope, op.upload, null, op.confirm);
      return { expected, status: (await d.call('POST', '/api/grants', s, { contactId: contact!.id, scope, rights: op.upload ? 'upload' : 'read', ...confirmation(op.confirm) })).status };
    }
    case 'privileged': {
      const item = pick(m.items, op.item);
      return { expected: m.markPrivileged(item.id, op.on), status: (await d.call('PATCH', `/api/items/${item.id}`, s, { privileged: op.on, reason: 'counsel' })).status };
    }
    case 'openCase': {
      if (m.cases.length >= 5) return { expected: true, status: 201 };
      const client = u.clients[op.client];
      const created = (await d.call('POST', '/api/cases', s, { clientId: client.id, number: `N-${m.cases.length}`, title: 'Opened later', assignedStaffId: null, budgetCents: null })).body;
      const doc = (await d.call('POST', `/api/cases/${created.id}/items`, s, { kind: 'note', title: 'New note', body: 'n' })).body;
      m.openCase({ id: created.id, clientId: client.id }, [{ id: doc.id, caseId: created.id, kind: 'note', parentId: null, staffOnly: false }]);
      return { expected: true, status: 201 };
    }
  }
}

/** Every guest with a token: the portal's cases, each case's sections, items and upload right. */
export async function check(d: PropertyDriver, u: PropertyUniverse, trail: string[]): Promise<void> {
  for (const contact of u.contacts) {
    const token = u.guestTokens.get(contact.id);
    if (!token) continue;
    const where = `after ${trail.join(' → ')} for ${contact.name}`;
    const list = await d.call('GET', '/api/portal/cases', token);
    if (!u.model.portal.get(contact.id)) {
      expect({ where, status: list.status }).toEqual({ where, status: 403 });
      continue;
    }
    expect({ where, status: list.status }).toEqual({ where, status: 200 });
    const expectedCases = u.model.visibleCases(contact.id);
    expect({ where, cases: (list.body as Array<{ id: string }>).map((c) => c.id).sort() }).toEqual({ where, cases: expectedCases });
    for (const c of u.model.cases) {
      const res = await d.call('GET', `/api/portal/cases/${c.id}`, token);
      if (!expectedCases.includes(c.id)) {
        expect({ where, case: c.id, status: res.status }).toEqual({ where, case: c.id, status: 404 });
        continue;
      }
      const b = res.body;
      const seen = [...(b.documents ?? []), ...(b.notes ?? []), ...(b.events ?? []), ...(b.invoices ?? [])].map((i: { id: string }) => i.id).sort();
      expect({ where, case: c.id, items: seen, sections: [...b.sections].sort(), upload: b.canUpload }).toEqual({
        where,
        case: c.id,
        items: u.model.visibleItems(contact.id, c.id),
        sections: u.model.sectionsOf(contact.id, c.id),
        upload: u.model.canUpload(contact.id, c.id),
      });
    }
  }
}
