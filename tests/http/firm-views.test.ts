import { randomUUID } from 'node:crypto';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, storeFingerprint, type TestApp } from '../support/app';

/**
 * The firm's saved views (GET/POST/PATCH/DELETE /api/firm/views): admins shape them, staff read
 * them, names are unique per firm, hostile names and another firm's ids are refused, and a view
 * changed after a grant was given from it changes nothing about that grant.
 */

let t: TestApp;
let admin: string;
let plain: string;
let guest: string;
let otherAdmin: string;
let caseId = '';
let contactId = '';

beforeAll(async () => {
  t = await startTestApp();
  const firm = await createFirm(t.db, HOME_TENANT, 'Firm A');
  admin = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId });
  const sam = await new Repo(t.db).insertStaff({ firmId: firm.firm.id, userId: randomUUID(), name: 'Sam Staff', email: 'sam@firm.example', phone: null, title: null });
  plain = await t.identity.token({ tid: HOME_TENANT, oid: sam.userId });
  const client = (await t.call('POST', '/api/clients', admin, { name: 'Client' })).body;
  caseId = (await t.call('POST', '/api/cases', admin, { clientId: client.id, number: 'PI-7', title: 'Views' })).body.id;
  await t.call('POST', `/api/cases/${caseId}/items`, admin, { kind: 'note', title: 'Shown note', body: 'n' });
  const contact = (await t.call('POST', '/api/contacts', admin, { email: 'g@x.example', name: 'Gina Guest', kind: 'client', clientId: client.id })).body;
  contactId = contact.id;
  await t.call('PUT', `/api/contacts/${contact.id}/portal-access`, admin, { enabled: true });
  await t.call('POST', `/api/cases/${caseId}/links`, admin, { contactId: contact.id });
  const guestUser = randomUUID();
  await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, guestUser);
  guest = await t.identity.token({ tid: HOME_TENANT, oid: guestUser, guest: true });

  const otherTenant = randomUUID();
  const other = await createFirm(t.db, otherTenant, 'Firm B');
  otherAdmin = await t.identity.token({ tid: otherTenant, oid: other.staff.userId });
});
afterAll(async () => {
  await t?.close();
});

const create = (token: string, body: unknown) => t.call('POST', '/api/firm/views', token, body);

describe('saved views', () => {
  it('an admin creates, renames, changes and deletes a view; staff read them; each change is audited', async () => {
    const made = await create(admin, { name: 'Client standard', sections: ['events', 'documents', 'notes'] });
    expect(made.status).toBe(201);
    // Stored in the portal's order, whatever order was sent.
    expect(made.body).toMatchObject({ name: 'Client standard', sections: ['documents', 'notes', 'events'] });
    const listed = await t.call('GET', '/api/firm/views', plain);
    expect(listed.status).toBe(200);
    expect(listed.body.map((v: { name: string }) => v.name)).toEqual(['Client standard']);

    const renamed = await t.call('PATCH', `/api/firm/views/${made.body.id}`, admin, { name: 'Client basic' });
    expect(renamed.body).toMatchObject({ name: 'Client basic', sections: ['documents', 'notes', 'events'] });
    const changed = await t.call('PATCH', `/api/firm/views/${made.body.id}`, admin, { sections: ['documents'], reason: 'clients asked for less' });
    expect(changed.body).toMatchObject({ name: 'Client basic', sections: ['documents'] });

    const removed = await t.call('DELETE', `/api/firm/views/${made.body.id}`, admin);
    expect(removed.body).toEqual({ deleted: true });
    expect((await t.call('GET', '/api/firm/views', admin)).body).toEqual([]);
    expect((await t.call('PATCH', `/api/firm/views/${made.body.id}`, admin, { name: 'Gone' })).status).toBe(404);

    const audit = (await t.call('GET', `/api/audit?limit=50`, admin)).body as Array<{ action: string; target: string; reason: string | null }>;
    const mine = audit.filter((e) => e.target === `view:${made.body.id}`).map((e) => e.action);
    expect(mine).toEqual(['firm.view_deleted', 'firm.view_changed', 'firm.view_changed', 'firm.view_created']);
    expect(audit.find((e) => e.action === 'firm.view_changed' && e.reason === 'clients asked for less')).toBeDefined();
  });

  it('is admin-only to change: plain staff get 403 admin_only and nothing changes; a guest gets 403', async () => {
    const view = (await create(admin, { name: 'Expert: documents only', sections: ['documents'] })).body;
    const before = await storeFingerprint(t.db);
    const attempts = [
      await create(plain, { name: 'Mine', sections: ['notes'] }),
      await t.call('PATCH', `/api/firm/views/${view.id}`, plain, { sections: ['documents', 'invoices'] }),
      await t.call('DELETE', `/api/firm/views/${view.id}`, plain),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('admin_only');
    }
    expect(await storeFingerprint(t.db)).toBe(before);
    expect((await t.call('GET', '/api/firm/views', plain)).body.map((v: { name: string }) => v.name)).toContain('Expert: documents only');
    expect((await t.call('GET', '/api/firm/views', guest)).status).toBe(403);
    // The audit log names the view it is about.
    const audit = (await t.call('GET', '/api/audit?limit=20', admin)).body as Array<{ target: string; targetName: string }>;
    expect(audit.find((e) => e.target === `view:${view.id}`)?.targetName).toBe('View “Expert: documents only”');
    expect((await create(guest, { name: 'Guest', sections: ['notes'] })).status).toBe(403);
  });

  it('refuses a second view of the same name (any letter case) with 409, on create and on rename', async () => {
    await create(admin, { name: 'Co-counsel', sections: ['documents', 'messages'] });
    const other = (await create(admin, { name: 'Insurer', sections: ['status'] })).body;
    const dup = await create(admin, { name: 'co-COUNSEL', sections: ['notes'] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('Co-counsel');
    expect((await t.call('PATCH', `/api/firm/views/${other.id}`, admin, { name: 'Co-counsel' })).status).toBe(409);
    // Renaming a view to its own name in another case is not a clash with itself.
    expect((await t.call('PATCH', `/api/firm/views/${other.id}`, admin, { name: 'INSURER' })).status).toBe(200);
  });

  it('refuses hostile and malformed bodies with 400, naming the field', async () => {
    const rlo = await create(admin, { name: 'Client\u202Estandard', sections: ['notes'] });
    expect(rlo.status).toBe(400);
    expect(rlo.body.error).toMatchObject({ code: 'validation_failed', field: 'name' });
    expect(rlo.body.error.message).toContain('U+202E');
    for (const body of [
      { name: '', sections: ['notes'] },
      { name: 'x'.repeat(81), sections: ['notes'] },
      { name: 'Empty', sections: [] },
      { name: 'Bad', sections: ['secrets'] },
      { name: 'Twice', sections: ['notes', 'notes'] },
      { name: 'Extra', sections: ['notes'], grantIds: [] },
    ]) {
      expect((await create(admin, body)).status).toBe(400);
    }
    const view = (await create(admin, { name: 'Patchable', sections: ['notes'] })).body;
    expect((await t.call('PATCH', `/api/firm/views/${view.id}`, admin, {})).status).toBe(400);
    expect((await t.call('PATCH', '/api/firm/views/not-an-id', admin, { name: 'x' })).status).toBe(404);
  });

  it('answers 404 for another firm’s view, and another firm never lists ours', async () => {
    const ours = (await create(admin, { name: 'Ours only', sections: ['notes'] })).body;
    expect((await t.call('GET', '/api/firm/views', otherAdmin)).body).toEqual([]);
    expect((await t.call('PATCH', `/api/firm/views/${ours.id}`, otherAdmin, { name: 'Taken' })).status).toBe(404);
    expect((await t.call('DELETE', `/api/firm/views/${ours.id}`, otherAdmin)).status).toBe(404);
    // Their own view of the same name is fine: names are unique per firm only.
    expect((await create(otherAdmin, { name: 'Ours only', sections: ['documents'] })).status).toBe(201);
    expect((await t.call('GET', '/api/firm/views', admin)).body.find((v: { id: string }) => v.id === ours.id)).toMatchObject({ name: 'Ours only', sections: ['notes'] });
  });

  it('a grant keeps its sections when the view it was given from changes; its label names the case and the view while they match', async () => {
    const view = (await create(admin, { name: 'Client notes', sections: ['notes', 'status'] })).body;
    const grant = await t.call('POST', '/api/grants', plain, { contactId, scope: { kind: 'case', caseId, view: view.sections, threadIds: [] }, rights: 'read' });
    expect(grant.status).toBe(201);
    const labelOf = async () => (await t.call('GET', `/api/cases/${caseId}/access`, plain)).body.find((e: { grant: { id: string } }) => e.grant.id === grant.body.id).label;
    expect(await labelOf()).toBe('PI-7: Client notes (status and notes)');

    // Widening the saved view must not widen what the guest was given.
    expect((await t.call('PATCH', `/api/firm/views/${view.id}`, admin, { sections: ['status', 'notes', 'documents', 'invoices', 'budget'] })).status).toBe(200);
    const after = (await t.call('GET', `/api/cases/${caseId}/access`, plain)).body.find((e: { grant: { id: string } }) => e.grant.id === grant.body.id);
    expect(after.grant.scope.view.sort()).toEqual(['notes', 'status']);
    expect(after.label).toBe('PI-7: status and notes');
    const portal = (await t.call('GET', `/api/portal/cases/${caseId}`, guest)).body;
    expect(portal.notes.map((n: { title: string }) => n.title)).toEqual(['Shown note']);
    expect(portal.budget ?? null).toBeNull();
    expect(portal.documents ?? []).toEqual([]);
    // Deleting it leaves the grant as it was too.
    await t.call('DELETE', `/api/firm/views/${view.id}`, admin);
    expect((await t.call('GET', `/api/cases/${caseId}/access`, plain)).body.find((e: { grant: { id: string } }) => e.grant.id === grant.body.id).grant.scope.view.sort()).toEqual(['notes', 'status']);
  });
});
