import { SIMULATOR_TENANT_ID } from '../config';
import { FULL_VIEW } from '../domain/model';
import { Repo } from '../store/repo';
import type { Actor, ServiceDeps } from '../services/context';
import { CaseworkService } from '../services/casework';
import { FirmViewService } from '../services/firm-views';
import { SharingService } from '../services/sharing';

/**
 * The demo firm a first `npm start` shows: three staff, three clients, five cases, and a
 * contact in every state the sharing model knows. Ids are fixed so the local Microsoft 365
 * simulator can be given the same people (DEMO_DIRECTORY) and the sign-in page lists them.
 */
export const DEMO_FIRM = { id: '0f5a1c3e-0000-4000-8000-000000000001', tenantId: SIMULATOR_TENANT_ID, name: 'Hartley & Moss LLP', domain: 'hartleymoss.example' };

export interface DemoPerson {
  userId: string;
  name: string;
  email: string;
  kind: 'staff' | 'guest';
  /** For guests: whether the B2B invitation was already redeemed. */
  accepted?: boolean;
  title?: string;
  phone?: string;
}

const staffUser = (n: number) => `a0000000-0000-4000-8000-00000000000${n}`;
const guestUser = (n: number) => `b0000000-0000-4000-8000-00000000000${n}`;

export const DEMO_DIRECTORY: DemoPerson[] = [
  { userId: staffUser(1), name: 'Alex Hartley', email: 'alex.hartley@hartleymoss.example', kind: 'staff', title: 'Partner', phone: '+1 206 555 0101' },
  { userId: staffUser(2), name: 'Priya Raman', email: 'priya.raman@hartleymoss.example', kind: 'staff', title: 'Associate', phone: '+1 206 555 0102' },
  { userId: staffUser(3), name: 'Sam Lee', email: 'sam.lee@hartleymoss.example', kind: 'staff', title: 'Paralegal', phone: '+1 206 555 0103' },
  { userId: guestUser(1), name: 'John Smith', email: 'john.smith@mail.example', kind: 'guest', accepted: true },
  { userId: guestUser(2), name: 'Dr. Maya Chen', email: 'maya.chen@orthoexperts.example', kind: 'guest', accepted: true },
  { userId: guestUser(3), name: 'Olivia Park', email: 'olivia.park@northwind.example', kind: 'guest', accepted: true },
  { userId: guestUser(4), name: 'Elena García', email: 'elena.garcia@mail.example', kind: 'guest', accepted: true },
  { userId: guestUser(5), name: 'Tom Reed', email: 'tom.reed@forensics.example', kind: 'guest', accepted: true },
];

const day = (offsetDays: number, hour = 10) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

/** The demo firm's sending mailbox for guests' digests: Sam Lee's, as a firm would pick a paralegal's or a shared one. */
export const DEMO_SENDER_MAILBOX = 'sam.lee@hartleymoss.example';
/** The demo tenant's Entra security group of CaseRoom staff (the simulator is seeded with it: scripts/local-tenant.ts). */
export const DEMO_STAFF_GROUP = { id: '0f5a1c3e-0000-4000-8000-0000000057af', name: 'Hartley & Moss staff' };

/** The demo firm's set-up: its staff group, Alex Hartley (the first demo person) its admin. */
async function completeDemoSetup(repo: Repo): Promise<void> {
  const alex = DEMO_DIRECTORY[0];
  await repo.saveSetup(DEMO_FIRM.id, {
    name: DEMO_FIRM.name,
    staffGroupId: DEMO_STAFF_GROUP.id,
    staffGroupName: DEMO_STAFF_GROUP.name,
    admins: [{ userId: alex.userId, name: alex.name, upn: alex.email }],
    guestDefaultSections: null,
    guestDefaultExpiryDays: null,
    senderMailbox: DEMO_SENDER_MAILBOX,
    completedBy: alex.userId,
  });
}

/** Seeds the demo firm once (set up, its staff in the demo staff group); returns false when the store already has it. */
export async function seedDemoFirm(deps: ServiceDeps): Promise<boolean> {
  const repo = new Repo(deps.db);
  const existing = await repo.firm(DEMO_FIRM.id);
  if (existing) {
    // A demo store from before first-run set-up existed (migration 68 leaves it not set up): complete the demo's.
    if (!existing.setupCompletedAt) await completeDemoSetup(repo);
    return false;
  }
  await repo.insertFirm({ id: DEMO_FIRM.id, tenantId: DEMO_FIRM.tenantId, name: DEMO_FIRM.name });
  // Guests' digests go out from a staff mailbox of the demo tenant (the one the local tenant restricts CaseRoom's Mail.Send to).
  await deps.db.query('UPDATE firms SET sender_mailbox = $2 WHERE id = $1', [DEMO_FIRM.id, DEMO_SENDER_MAILBOX]);
  await completeDemoSetup(repo);
  const staff = [];
  for (const p of DEMO_DIRECTORY.filter((x) => x.kind === 'staff')) {
    staff.push(await repo.insertStaff({ firmId: DEMO_FIRM.id, userId: p.userId, name: p.name, email: p.email, phone: p.phone ?? null, title: p.title ?? null, role: p.userId === DEMO_DIRECTORY[0].userId ? 'admin' : 'staff' }));
  }
  const [alex, priya, sam] = staff;
  const actor: Actor & { kind: 'staff' } = { kind: 'staff', firmId: DEMO_FIRM.id, staffId: alex.id, userId: alex.userId, name: alex.name, role: 'admin' };
  const sharing = new SharingService(deps);
  const work = new CaseworkService(deps);

  // The firm's saved views, picked when giving case or client access.
  const views = new FirmViewService(deps.db);
  await views.create(actor, { name: 'Client standard', sections: ['documents', 'notes', 'events'], reason: 'the usual client portal' });
  await views.create(actor, { name: 'Expert: documents only', sections: ['documents'], reason: 'experts see the documents they review, nothing else' });

  const smith = await sharing.createClient(actor, { name: 'John Smith' });
  const northwind = await sharing.createClient(actor, { name: 'Northwind Traders Ltd' });
  const garcia = await sharing.createClient(actor, { name: 'Elena García' });

  const knee = await sharing.createCase(actor, { clientId: smith.id, number: 'PI-2026-014', title: 'Smith v. Metro Transit', assignedStaffId: priya.id, budgetCents: 2_500_000 });
  const claim = await sharing.createCase(actor, { clientId: smith.id, number: 'PI-2026-022', title: 'Smith insurance claim', assignedStaffId: sam.id, budgetCents: 500_000 });
  const contract = await sharing.createCase(actor, { clientId: northwind.id, number: 'COM-2026-003', title: 'Northwind v. Contoso (supply contract)', assignedStaffId: alex.id, budgetCents: 8_000_000 });
  const lease = await sharing.createCase(actor, { clientId: northwind.id, number: 'COM-2026-007', title: 'Northwind warehouse lease review', assignedStaffId: priya.id, budgetCents: 1_200_000 });
  const custody = await sharing.createCase(actor, { clientId: garcia.id, number: 'FAM-2026-011', title: 'García custody arrangement', assignedStaffId: alex.id, budgetCents: 1_500_000, status: 'on_hold' });

  // Content: folders, documents (their bytes arrive in SharePoint through provisioning), notes, events, invoices, ledger.
  const medical = await work.createItem(actor, knee.id, { kind: 'folder', title: 'Medical records', parentId: null });
  const mri = await work.createItem(actor, knee.id, { kind: 'document', title: 'Knee MRI report.pdf', parentId: medical.id, sizeBytes: 48_213, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, knee.id, { kind: 'document', title: 'Orthopaedic consult.pdf', parentId: medical.id, sizeBytes: 31_877, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, knee.id, { kind: 'document', title: 'Police report.pdf', parentId: null, sizeBytes: 120_400, mimeType: 'application/pdf', driveItemId: null });
  const kneeNote = await work.createItem(actor, knee.id, { kind: 'note', title: 'What happens next', body: 'We filed the claim on 3 November. Expect the transit authority to answer within 30 days.' });
  await work.createItem(actor, knee.id, { kind: 'note', title: 'Internal: settlement range', body: 'Do not share. Opening position 180k.' });
  await work.createItem(actor, knee.id, { kind: 'event', title: 'Independent medical examination', startsAt: day(9, 15), endsAt: day(9, 16), location: 'Harborview Clinic, 4th floor' });
  await work.createItem(actor, knee.id, { kind: 'invoice', title: 'October fees', amountCents: 420_000, dueOn: day(14).slice(0, 10), invoiceNumber: 'INV-1041', invoiceStatus: 'sent' });
  await work.addLedgerEntry(actor, knee.id, { kind: 'retainer_deposit', amountCents: 1_000_000, description: 'Initial retainer', occurredOn: day(-40).slice(0, 10), invoiceItemId: null });
  await work.addLedgerEntry(actor, knee.id, { kind: 'expense', amountCents: 35_000, description: 'Medical records fee', occurredOn: day(-20).slice(0, 10), invoiceItemId: null });

  await work.createItem(actor, claim.id, { kind: 'document', title: 'Claim form.pdf', parentId: null, sizeBytes: 22_010, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, claim.id, { kind: 'note', title: 'Adjuster call', body: 'Adjuster wants the repair estimate by Friday.' });

  const pleadings = await work.createItem(actor, contract.id, { kind: 'folder', title: 'Pleadings', parentId: null });
  const complaint = await work.createItem(actor, contract.id, {
    kind: 'document',
    title: 'Complaint.docx',
    parentId: pleadings.id,
    sizeBytes: 64_500,
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    driveItemId: null,
  });
  await work.createItem(actor, contract.id, { kind: 'document', title: 'Supply agreement 2024.pdf', parentId: null, sizeBytes: 210_330, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, contract.id, { kind: 'event', title: 'Case management conference', startsAt: day(21, 17), endsAt: day(21, 18), location: 'King County Superior Court, Dept. 12' });
  // The contract case's ledger has an invoice in every state: paid by payment, partly paid, awaiting payment, draft and void.
  await work.addLedgerEntry(actor, contract.id, { kind: 'retainer_deposit', amountCents: 5_000_000, description: 'Retainer', occurredOn: day(-60).slice(0, 10), invoiceItemId: null });
  await work.addLedgerEntry(actor, contract.id, { kind: 'expense', amountCents: 43_500, description: 'Court filing fee', occurredOn: day(-30).slice(0, 10), invoiceItemId: null });
  const august = await work.createItem(actor, contract.id, { kind: 'invoice', title: 'August fees', amountCents: 800_000, dueOn: day(-20).slice(0, 10), invoiceNumber: 'INV-1039', invoiceStatus: 'sent' });
  await work.addLedgerEntry(actor, contract.id, { kind: 'payment', amountCents: 800_000, description: 'Bank transfer, INV-1039', occurredOn: day(-12).slice(0, 10), invoiceItemId: august.id });
  const september = await work.createItem(actor, contract.id, { kind: 'invoice', title: 'September fees', amountCents: 1_500_000, dueOn: day(7).slice(0, 10), invoiceNumber: 'INV-1042', invoiceStatus: 'sent' });
  await work.addLedgerEntry(actor, contract.id, { kind: 'payment', amountCents: 600_000, description: 'Part payment, INV-1042', occurredOn: day(-5).slice(0, 10), invoiceItemId: september.id });
  await work.createItem(actor, contract.id, { kind: 'invoice', title: 'October fees', amountCents: 950_000, dueOn: day(21).slice(0, 10), invoiceNumber: 'INV-1045', invoiceStatus: 'sent' });
  await work.createItem(actor, contract.id, { kind: 'invoice', title: 'November fees', amountCents: 300_000, dueOn: day(35).slice(0, 10), invoiceNumber: 'INV-1048', invoiceStatus: 'draft' });
  await work.createItem(actor, contract.id, { kind: 'invoice', title: 'Expert fees (issued in error)', amountCents: 120_000, dueOn: day(10).slice(0, 10), invoiceNumber: 'INV-1043', invoiceStatus: 'void' });

  await work.createItem(actor, lease.id, { kind: 'document', title: 'Lease draft v3.pdf', parentId: null, sizeBytes: 98_001, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, lease.id, { kind: 'note', title: 'Open points', body: 'Break clause at year 5; landlord repair obligations.' });

  await work.createItem(actor, custody.id, { kind: 'document', title: 'Parenting plan draft.pdf', parentId: null, sizeBytes: 45_120, mimeType: 'application/pdf', driveItemId: null });
  await work.createItem(actor, custody.id, { kind: 'event', title: 'Mediation session', startsAt: day(12, 16), endsAt: day(12, 18), location: 'Online' });

  // Contacts in every state.
  const person = (email: string) => DEMO_DIRECTORY.find((p) => p.email === email) as DemoPerson;
  const contact = async (email: string, name: string, kind: 'client' | 'co-counsel' | 'expert' | 'other', clientId: string | null, phone: string | null = null) => sharing.createContact(actor, { email, name, kind, phone, clientId });
  const accept = async (contactId: string, email: string) => sharing.markInvitationAccepted(DEMO_FIRM.id, contactId, person(email).userId);

  // John Smith: item grants (the MRI report and a note) on one case.
  const john = await contact('john.smith@mail.example', 'John Smith', 'client', smith.id, '+1 206 555 0188');
  await sharing.link(actor, knee.id, john.id);
  await sharing.setPortalAccess(actor, john.id, true, 'client portal for the Metro Transit claim');
  await accept(john.id, john.email);
  await sharing.shareItems(actor, { contactIds: [john.id], itemIds: [mri.id, kneeNote.id], expiresAt: null, reason: 'client asked for the MRI report' });

  // Dr. Maya Chen: case grant with a view (documents and events only), expiring in 60 days.
  const maya = await contact('maya.chen@orthoexperts.example', 'Dr. Maya Chen', 'expert', null);
  await sharing.link(actor, knee.id, maya.id);
  await sharing.setPortalAccess(actor, maya.id, true, 'retained expert');
  await accept(maya.id, maya.email);
  await sharing.grant(actor, { contactId: maya.id, scope: { kind: 'case', caseId: knee.id, view: ['documents', 'events'], threadIds: [] }, rights: 'read', expiresAt: day(60), reason: 'expert review of medical records' });

  // Olivia Park: client grant over every Northwind case, with upload.
  const olivia = await contact('olivia.park@northwind.example', 'Olivia Park', 'client', northwind.id, '+1 425 555 0150');
  await sharing.setPortalAccess(actor, olivia.id, true, 'general counsel of the client');
  await accept(olivia.id, olivia.email);
  await sharing.grant(actor, { contactId: olivia.id, scope: { kind: 'client', clientId: northwind.id, view: [...FULL_VIEW], threadIds: [] }, rights: 'upload', expiresAt: null, reason: 'full client portal' });

  // Ben Okafor: co-counsel, invitation still pending, a pending item grant.
  const ben = await contact('ben.okafor@okaforlaw.example', 'Ben Okafor', 'co-counsel', null);
  await sharing.link(actor, contract.id, ben.id);
  await sharing.setPortalAccess(actor, ben.id, true, 'co-counsel on the Contoso dispute');
  await sharing.shareItems(actor, { contactIds: [ben.id], itemIds: [complaint.id], expiresAt: null, reason: 'for co-counsel review' });

  // Rosa Diaz: portal access off, linked to the insurance claim.
  const rosa = await contact('rosa.diaz@claims.example', 'Rosa Diaz', 'other', null);
  await sharing.link(actor, claim.id, rosa.id);

  // Tom Reed: linked, accepted, but nothing shared yet.
  const tom = await contact('tom.reed@forensics.example', 'Tom Reed', 'expert', null);
  await sharing.link(actor, custody.id, tom.id);
  await sharing.setPortalAccess(actor, tom.id, true, 'forensic accountant');
  await accept(tom.id, tom.email);

  // Elena García: a case grant that has already expired.
  const elena = await contact('elena.garcia@mail.example', 'Elena García', 'client', garcia.id);
  await sharing.link(actor, custody.id, elena.id);
  await sharing.setPortalAccess(actor, elena.id, true, 'client portal');
  await accept(elena.id, elena.email);
  await deps.db.transaction(async (tx) => {
    const r = new Repo(tx);
    const g = await r.upsertGrant({
      firmId: DEMO_FIRM.id,
      contactId: elena.id,
      scope: { kind: 'case', caseId: custody.id, view: ['status', 'team', 'documents', 'events'], threadIds: [] },
      rights: 'read',
      expiresAt: day(-3),
      createdBy: `staff:${alex.userId}`,
    });
    await r.appendAudit({
      firmId: DEMO_FIRM.id,
      actor: `staff:${alex.userId}`,
      action: 'grant.added',
      target: `contact:${elena.id}`,
      reason: 'demo: a grant that has since expired',
      data: { grantId: g.id, scope: g.scope, expiresAt: g.expiresAt },
    });
  });

  // A message thread from the client, so the portal and the channel have a conversation.
  await work.createThread(actor, knee.id, 'Scheduling the medical examination');
  return true;
}
