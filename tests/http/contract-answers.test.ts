import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import * as contract from '../../src/contract';
import { Repo } from '../../src/store/repo';
import { createFirm, HOME_TENANT, startTestApp, type TestApp } from '../support/app';

/**
 * The server's actual JSON answers parse with the contract's answer schemas, the ones the tab's
 * types come from: staff's case list, case detail and document list, and the guest's "my
 * cases" and case view. Guest answers are strict, so a field the contract does not name (a
 * drive id, who created an item) would fail here.
 */
describe('answers of the HTTP API against the contract', () => {
  let t: TestApp;
  afterEach(() => t.close());

  /** The parse's issues, empty when the answer fits (a failure then names the field that does not). */
  const issues = (schema: z.ZodType, answer: unknown) => schema.safeParse(answer).error?.issues ?? [];

  it('gives staff and guests the shapes the contract declares', async () => {
    t = await startTestApp();
    const firm = await createFirm(t.db, HOME_TENANT);
    const staffToken = await t.identity.token({ tid: HOME_TENANT, oid: firm.staff.userId, name: 'Pat Partner' });
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await t.call(method, path, token, body);
      expect({ path, status: res.status }).toEqual({ path, status: method === 'POST' && !path.startsWith('/api/shares') ? 201 : 200 });
      return res.body;
    };

    const client = await call(staffToken, 'POST', '/api/clients', { name: 'Jane Doe' });
    const kase = await call(staffToken, 'POST', '/api/cases', { clientId: client.id, number: 'PI-7', title: 'Doe v. Roe', assignedStaffId: firm.staff.id, budgetCents: 500000 });
    await call(staffToken, 'PATCH', `/api/cases/${kase.id}`, { statusNote: 'Waiting for the expert report' });
    const folder = await call(staffToken, 'POST', `/api/cases/${kase.id}/items`, { kind: 'folder', title: 'Medical records', parentId: null });
    await call(staffToken, 'POST', `/api/cases/${kase.id}/items`, { kind: 'note', title: 'Report', body: 'The report' });
    await call(staffToken, 'POST', `/api/cases/${kase.id}/items`, { kind: 'event', title: 'Hearing', startsAt: '2026-12-01T09:00:00Z', endsAt: null, location: 'Room 4' });
    const invoice = await call(staffToken, 'POST', `/api/cases/${kase.id}/items`, { kind: 'invoice', title: 'November', amountCents: 120000, dueOn: '2026-12-15', invoiceNumber: 'INV-1', invoiceStatus: 'sent' });
    await call(staffToken, 'POST', `/api/cases/${kase.id}/ledger`, { kind: 'retainer_deposit', amountCents: 300000, description: 'Retainer', occurredOn: '2026-11-01' });
    await call(staffToken, 'POST', `/api/cases/${kase.id}/ledger`, { kind: 'payment', amountCents: 20000, description: 'Part payment', occurredOn: '2026-11-20', invoiceItemId: invoice.id });
    // A document as an upload leaves it: in a folder, with its drive item (which no guest answer may carry).
    const document = await new Repo(t.db).insertItem({
      firmId: firm.firm.id,
      caseId: kase.id,
      kind: 'document',
      title: 'MRI.pdf',
      parentId: folder.id,
      sizeBytes: 2048,
      mimeType: 'application/pdf',
      driveItemId: 'drive-item-1',
      createdBy: `staff:${firm.staff.userId}`,
    });

    const contact = await call(staffToken, 'POST', '/api/contacts', { email: 'jane@doe.example', name: 'Jane Doe', kind: 'client', clientId: client.id });
    await call(staffToken, 'PUT', `/api/contacts/${contact.id}/portal-access`, { enabled: true });
    await call(staffToken, 'POST', `/api/cases/${kase.id}/links`, { contactId: contact.id });
    const guestUserId = randomUUID();
    await t.app.services.sharing.markInvitationAccepted(firm.firm.id, contact.id, guestUserId);
    const guestToken = await t.identity.token({ tid: HOME_TENANT, oid: guestUserId, guest: true, name: 'Jane Doe' });
    await call(staffToken, 'POST', '/api/grants', { contactId: contact.id, scope: { kind: 'case', caseId: kase.id, view: [...contract.SECTIONS] }, rights: 'upload' });
    await call(guestToken, 'POST', `/api/portal/cases/${kase.id}/messages`, { body: 'Is the report in?', screen: 'documents' });

    // Staff: my cases, case detail, the document list (the case's items with who they are shared with).
    expect(issues(z.array(contract.caseAnswer), await call(staffToken, 'GET', '/api/cases'))).toEqual([]);
    const detail = await call(staffToken, 'GET', `/api/cases/${kase.id}`);
    expect(issues(contract.caseDetailAnswer, detail)).toEqual([]);
    expect(detail.linkedContacts.map((c: contract.Contact) => c.id)).toEqual([contact.id]);
    const sharing = await call(staffToken, 'GET', `/api/cases/${kase.id}/items`);
    expect(issues(contract.caseSharingAnswer, sharing)).toEqual([]);
    expect(sharing.items.map((i: contract.Item) => i.id)).toContain(document.id);
    expect(issues(z.array(contract.accessEntryAnswer), await call(staffToken, 'GET', `/api/cases/${kase.id}/access`))).toEqual([]);
    expect(issues(z.array(contract.staffThreadAnswer), await call(staffToken, 'GET', `/api/cases/${kase.id}/threads`))).toEqual([]);

    // Guest: who they are, my cases, and the case with its document list.
    expect(issues(contract.portalMeAnswer, await call(guestToken, 'GET', '/api/portal/me'))).toEqual([]);
    expect(issues(z.array(contract.portalCaseSummaryAnswer), await call(guestToken, 'GET', '/api/portal/cases'))).toEqual([]);
    const view = await call(guestToken, 'GET', `/api/portal/cases/${kase.id}`);
    expect(issues(contract.portalCaseAnswer, view)).toEqual([]);
    expect(view.documents.map((d: contract.GuestItem) => d.id).sort()).toEqual([folder.id, document.id].sort());
    expect(view.budget.lines.length).toBe(2);
    expect(view.threads.length).toBe(1);

    // The guest schema would catch a leak: the same answer with the document's drive item id does not fit.
    const leaked = { ...view, documents: view.documents.map((d: contract.GuestItem) => ({ ...d, driveItemId: 'drive-item-1' })) };
    expect(issues(contract.portalCaseAnswer, leaked).map((i) => i.code)).toContain('unrecognized_keys');
  });
});
