/**
 * Issue 12's privileged items in a real browser: staff mark a note privileged in the Notes panel
 * (a visible badge), tick a guest to share it and get the confirmation dialog asking why, share it
 * with the reason; that guest's portal shows the note, while a guest holding case scope (and one
 * holding client scope) does not see it; a document is marked from the Documents actions menu. axe finds nothing serious or critical on the dialog;
 * screenshots at 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { api, apiGet, axeSerious, caseIdsByNumber, type Harness, screenshot, startHarness } from './harness';

jest.setTimeout(300_000);

let h: Harness;
let staff: Page;
let leaseId: string;
const NOTE = 'Open points';

/** The note titles a guest's portal answers for the case (the API the portal page reads). */
async function guestNoteTitles(guest: Page): Promise<string[]> {
  const detail = await apiGet<{ notes?: Array<{ title: string }> }>(guest, `/portal/cases/${leaseId}`);
  return (detail.notes ?? []).map((n) => n.title);
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  leaseId = (await caseIdsByNumber(staff))['COM-2026-007'];
  const contacts = await apiGet<Array<{ id: string; name: string }>>(staff, '/contacts');
  const idOf = (name: string) => contacts.find((c) => c.name === name)?.id as string;
  // Tom Reed (accepted, nothing shared) is linked to the lease case; John Smith is given case scope over it, notes included.
  await api(staff, 'POST', `/cases/${leaseId}/links`, { contactId: idOf('Tom Reed') });
  await api(staff, 'POST', `/cases/${leaseId}/links`, { contactId: idOf('John Smith') });
  await api(staff, 'POST', '/grants', { contactId: idOf('John Smith'), scope: { kind: 'case', caseId: leaseId, view: ['documents', 'notes'] }, rights: 'read' });
});

afterAll(async () => {
  await h?.close();
});

test('a privileged note reaches only the guest staff confirmed it for, with a reason', async () => {
  const { page: john, context: johnContext } = await h.signIn('John Smith', '/tab/portal');
  expect(await guestNoteTitles(john)).toContain(NOTE);

  await staff.goto(`${h.url}/tab/case?caseId=${leaseId}`);
  await staff.getByRole('heading', { name: 'Northwind warehouse lease review' }).waitFor();
  await staff.getByRole('tab', { name: 'Notes' }).click();
  const card = staff.locator(`[data-testid=note-card][data-title="${NOTE}"]`);
  await card.waitFor();
  await card.getByRole('button', { name: `Mark privileged: ${NOTE}` }).click();
  await card.getByTestId('privileged-badge').waitFor();
  expect(await card.getByRole('button', { name: `Unmark privileged: ${NOTE}` }).count()).toBe(1);
  // Marking withdrew it from the case scope (and from Olivia Park's client scope).
  expect(await guestNoteTitles(john)).not.toContain(NOTE);

  // Ticking Tom Reed asks first: why, and the reason for the audit log.
  await card
    .getByRole('group', { name: `Share ${NOTE} with` })
    .getByRole('checkbox', { name: 'Tom Reed' })
    .check();
  const dialog = staff.getByRole('dialog');
  await dialog.getByTestId('guardrail-warning').waitFor();
  expect(await dialog.getByTestId('guardrail-warning').innerText()).toContain(`“${NOTE}” is privileged`);
  const go = dialog.getByTestId('confirm-share');
  expect(await go.isDisabled()).toBe(true);
  await staff.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'staff-privileged-confirm-1280');
  await staff.setViewportSize({ width: 375, height: 812 });
  await staff.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  expect(await axeSerious(staff)).toEqual([]);
  await screenshot(staff, 'staff-privileged-confirm-375');
  await staff.setViewportSize({ width: 1280, height: 900 });

  await dialog.getByTestId('confirm-reason').fill('Tom needs the open points for the forensic review');
  await go.click();
  await dialog.waitFor({ state: 'detached' });
  await card
    .getByRole('group', { name: `Share ${NOTE} with` })
    .getByRole('checkbox', { name: 'Tom Reed', checked: true })
    .waitFor();

  // Tom's portal shows the note; John (case scope) and Olivia (client scope) still do not see it.
  const { page: tom, context: tomContext } = await h.signIn('Tom Reed', `/tab/portal/cases/${leaseId}`);
  await tom.getByRole('tab', { name: 'Notes' }).click();
  await tom.locator('[data-testid=guest-note]').filter({ hasText: NOTE }).waitFor();
  await screenshot(tom, 'guest-privileged-note-1280');
  expect(await guestNoteTitles(john)).not.toContain(NOTE);
  const { page: olivia, context: oliviaContext } = await h.signIn('Olivia Park', '/tab/portal');
  expect(await guestNoteTitles(olivia)).not.toContain(NOTE);

  // Documents: the actions menu marks the selected document privileged, with the same badge; John loses it too.
  expect((await apiGet<{ documents?: Array<{ title: string }> }>(john, `/portal/cases/${leaseId}`)).documents?.map((d) => d.title)).toContain('Lease draft v3.pdf');
  await staff.getByRole('tab', { name: 'Documents' }).click();
  const lease = staff.locator('[data-testid=doc-node][data-title="Lease draft v3.pdf"]');
  await lease.getByRole('checkbox').first().check();
  await staff.getByTestId('doc-actions').click();
  await staff.getByRole('menuitem', { name: 'Mark privileged', exact: true }).click();
  await lease.getByTestId('privileged-badge').waitFor();
  expect((await apiGet<{ documents?: Array<{ title: string }> }>(john, `/portal/cases/${leaseId}`)).documents?.map((d) => d.title) ?? []).not.toContain('Lease draft v3.pdf');

  const audit = await apiGet<Array<{ actor: string; reason: string | null; data: { confirmedAction?: string; reasons?: Array<{ kind: string; contactName: string; itemTitle?: string }> } }>>(staff, '/audit?action=sharing.confirmed');
  expect(audit[0]).toMatchObject({ reason: 'Tom needs the open points for the forensic review', data: { confirmedAction: 'items.shared', reasons: [{ kind: 'privileged', contactName: 'Tom Reed', itemTitle: NOTE }] } });
  for (const context of [johnContext, tomContext, oliviaContext]) await context.close();
});
