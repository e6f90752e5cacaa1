/**
 * The tabs in a real browser (Debian's Chromium via playwright-core) against the real app and
 * the local Microsoft 365 simulator: staff share from the case tab, guests see exactly that in
 * the portal, uploads flow back, scope changes are previewed, and every page passes axe-core.
 */
import type { Page } from 'playwright-core';
import { textZip } from '../stress/support/hostile-zip';
import { api, axeSerious, type AxeViolation, type Harness, screenshot, startHarness, caseIdsByNumber } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let staff: Page;
const cases: Record<string, string> = {};
const axeFindings: Array<{ page: string; violations: AxeViolation[] }> = [];

async function check(page: Page, name: string): Promise<void> {
  // Dialogs and popovers fade in; measure contrast on the settled page, not mid-animation.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  axeFindings.push({ page: name, violations: await axeSerious(page) });
  await screenshot(page, name);
}

async function openPanel(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
  Object.assign(cases, await caseIdsByNumber(staff));
});

afterAll(async () => {
  await h?.close();
});

describe('staff share, guest sees exactly that', () => {
  const knee = () => cases['PI-2026-014'];
  let tom: Page;

  test('staff links Tom Reed, shares two documents and a note from the case tab', async () => {
    await staff.goto(`${h.url}/tab/case?caseId=${knee()}`);
    await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    await check(staff, 'staff-case-documents');

    await openPanel(staff, 'Parties');
    await staff.getByRole('combobox', { name: 'Link a contact' }).click();
    await staff.getByRole('combobox', { name: 'Link a contact' }).pressSequentially('Tom');
    await staff.getByRole('option', { name: /Tom Reed/ }).click();
    await staff.getByRole('button', { name: 'Link', exact: true }).click();
    await staff.locator('[data-testid=party-row][data-name="Tom Reed"]').waitFor();
    await check(staff, 'staff-case-parties');

    await openPanel(staff, 'Documents');
    for (const title of ['Police report.pdf', 'Orthopaedic consult.pdf']) {
      await staff.locator(`[data-testid=doc-node][data-title="${title}"]`).getByRole('checkbox').first().check();
    }
    await staff.getByTestId('doc-actions').click();
    await staff.getByRole('menuitem', { name: 'Share…' }).click();
    const dialog = staff.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: 'Tom Reed' }).check();
    await screenshot(staff, 'staff-share-selected-items');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const title of ['Police report.pdf', 'Orthopaedic consult.pdf']) {
      await staff.locator(`[data-testid=doc-node][data-title="${title}"] [data-testid=shared-label]`).filter({ hasText: 'Tom Reed' }).waitFor();
    }

    await openPanel(staff, 'Notes');
    const note = staff.locator('[data-testid=note-card][data-title="What happens next"]');
    await note.getByRole('checkbox', { name: 'Tom Reed' }).check();
    await expectChecked(note.getByRole('checkbox', { name: 'Tom Reed' }), true);
    await check(staff, 'staff-case-notes');
  });

  test("the guest's portal shows exactly those items", async () => {
    ({ page: tom } = await h.signIn('Tom Reed', '/tab/portal'));
    await tom.getByTestId('portal-case-card').first().waitFor();
    expect(await tom.getByTestId('portal-case-card').allInnerTexts()).toEqual([expect.stringContaining('Smith v. Metro Transit')]);
    await check(tom, 'portal-my-cases');

    await tom.goto(`${h.url}/tab/portal/cases/${knee()}`);
    await tom.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    await openPanel(tom, 'Documents');
    await tom.getByTestId('guest-document').first().waitFor();
    const docs = await tom.locator('[data-testid=guest-document][data-kind=document]').allInnerTexts();
    expect(docs.map((t) => t.split('\n')[0].trim()).sort()).toEqual(['Orthopaedic consult.pdf', 'Police report.pdf']);
    await check(tom, 'portal-case-documents');

    await openPanel(tom, 'Notes');
    await tom.getByTestId('guest-note').first().waitFor();
    expect(await tom.getByTestId('guest-note').count()).toBe(1);
    await expect(tom.getByTestId('guest-note').innerText()).resolves.toContain('What happens next');
    await check(tom, 'portal-case-notes');
  });

  test('staff unticks the note → it is gone on the guest’s next load', async () => {
    const note = staff.locator('[data-testid=note-card][data-title="What happens next"]');
    await note.getByRole('checkbox', { name: 'Tom Reed' }).uncheck();
    await expectChecked(note.getByRole('checkbox', { name: 'Tom Reed' }), false);

    await tom.reload();
    await tom.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    expect(await tom.getByRole('tab', { name: 'Notes' }).count()).toBe(0);
    expect(await tom.getByText('What happens next').count()).toBe(0);
    await openPanel(tom, 'Documents');
    expect(await tom.locator('[data-testid=guest-document][data-kind=document]').count()).toBe(2);
  });

  test("a guest typing another case's URL gets a not-found page", async () => {
    await tom.goto(`${h.url}/tab/portal/cases/${cases['COM-2026-003']}`);
    await tom.getByTestId('not-found').waitFor();
    await expect(tom.getByRole('heading', { level: 1 }).innerText()).resolves.toMatch(/can.t find that case/);
    await check(tom, 'portal-not-found');
    await tom.goto(`${h.url}/tab/portal/cases/00000000-0000-4000-8000-000000000000`);
    await tom.getByTestId('not-found').waitFor();
  });
});

describe('scope change preview', () => {
  test('configuring Dr. Maya Chen’s view previews exactly the notes she would gain', async () => {
    const knee = cases['PI-2026-014'];
    await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
    await staff.getByTestId('share-button').click();
    const dialog = staff.getByRole('dialog');
    await dialog.locator('[data-testid=access-row][data-name="Dr. Maya Chen"]').waitFor();
    await check(staff, 'staff-share-dialog');
    await dialog
      .locator('[data-testid=access-row][data-name="Dr. Maya Chen"]')
      .getByRole('button', { name: /More for Dr. Maya Chen/ })
      .click();
    await staff.getByRole('menuitem', { name: 'Configure view and threads…' }).click();
    await dialog.getByRole('checkbox', { name: 'Notes' }).check();
    await dialog.getByTestId('preview-scope').click();
    await dialog.getByTestId('scope-preview').waitFor();
    await check(staff, 'staff-scope-preview');

    // What the API says the change means, item by item, must be what the dialog lists.
    const access = await api<Array<{ grant: { id: string; scope: { kind: string; view?: string[] } }; contact: { name: string } }>>(staff, 'GET', `/cases/${knee}/access`);
    const maya = access.find((a) => a.contact.name === 'Dr. Maya Chen');
    expect(maya).toBeDefined();
    const expected = await api<{ gained: { items: Array<{ title: string }> }; lost: { items: unknown[] } }>(staff, 'POST', `/grants/${maya?.grant.id}/preview`, {
      scope: { kind: 'case', caseId: knee, view: [...(maya?.grant.scope.view ?? []), 'notes'], threadIds: [] },
      rights: 'read',
    });
    const gainedShown = (await dialog.getByTestId('preview-gained').getByTestId('preview-item').allInnerTexts()).map((t) => t.replace(/\s*\(.*\)\s*$/, '').trim()).sort();
    expect(gainedShown).toEqual(expected.gained.items.map((i) => i.title).sort());
    expect(gainedShown).toContain('What happens next');
    expect(expected.lost.items).toHaveLength(0);
    await expect(dialog.getByTestId('preview-gained').innerText()).resolves.toContain('Section: Notes');
    await expect(dialog.getByTestId('preview-lost').innerText()).resolves.toContain('Nothing.');

    await dialog.getByTestId('apply-scope').click();
    await dialog.getByText(/Access for Dr. Maya Chen was changed/).waitFor();
    const after = await api<Array<{ grant: { scope: { view?: string[] } }; contact: { name: string } }>>(staff, 'GET', `/cases/${knee}/access`);
    expect(after.find((a) => a.contact.name === 'Dr. Maya Chen')?.grant.scope.view).toContain('notes');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});

describe('guest upload', () => {
  test('a zip uploaded by the guest appears, unpacked, in the staff tab and on the channel page', async () => {
    const contract = cases['COM-2026-003'];
    const { page: olivia } = await h.signIn('Olivia Park', `/tab/portal/cases/${contract}`);
    await olivia.getByRole('heading', { name: /Northwind v\. Contoso/ }).waitFor();
    await check(olivia, 'portal-case-overview');
    await openPanel(olivia, 'Documents');
    await olivia.getByTestId('drop-zone').waitFor();
    const zip = await textZip({ 'site-visit/photo-log.txt': 'Photos taken on site, 12 March.', 'site-visit/measurements.csv': 'room,width\nA,4.2\n', 'delivery-notes.txt': 'Three deliveries were late.' });
    await olivia.getByTestId('file-input').setInputFiles({ name: 'evidence.zip', mimeType: 'application/zip', buffer: zip });
    const row = olivia.getByTestId('upload-row').filter({ hasText: 'evidence.zip' });
    await row.and(olivia.locator('[data-status=done], [data-status=failed]')).waitFor({ timeout: 60_000 });
    await screenshot(olivia, 'portal-upload-done');
    const status = await row.getAttribute('data-status');
    const why = status === 'failed' ? await row.innerText() : '';
    expect({ status, why }).toEqual({ status: 'done', why: '' });

    // The staff tab lists the extracted files (the server records them as it unpacks).
    await staff.goto(`${h.url}/tab/case?caseId=${contract}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const titles = await staff.locator('[data-testid=doc-node]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-title')));
      if (['photo-log.txt', 'measurements.csv', 'delivery-notes.txt'].every((t) => titles.includes(t))) break;
      if (Date.now() > deadline) throw new Error(`the staff tab never listed the zip's files; it shows: ${titles.join(', ')}`);
      await staff.waitForTimeout(1000);
      await staff.reload();
    }
    await check(staff, 'staff-case-after-guest-upload');

    // The bot posts a card into the case channel; the simulator's channel page shows it.
    const sim = await h.browser.newPage();
    const cardDeadline = Date.now() + 30_000;
    let seen = '';
    for (;;) {
      await sim.goto(`${h.sim.httpUrl}/channels`);
      const link = sim.getByRole('link', { name: /COM-2026-003|Northwind v\. Contoso/ }).first();
      if (await link.count()) {
        await link.click();
        seen = await sim.locator('body').innerText();
        if (/Olivia Park/.test(seen) && /upload/i.test(seen)) break;
      }
      if (Date.now() > cardDeadline)
        throw new Error(`no upload card from the bot on the channel page; it shows: ${seen.slice(0, 500) || '(no channel for COM-2026-003)'}${h.botProblem ? `; connecting the bot failed: ${h.botProblem}` : ''}`);
      await sim.waitForTimeout(1000);
    }
    await screenshot(sim, 'simulator-channel-upload-card');
    await sim.close();
  });
});

describe('every main page: axe-core and screenshots', () => {
  test('guest pages: message the firm, thread, invitation pending, phone width and themes', async () => {
    const knee = cases['PI-2026-014'];
    const { page: john, context } = await h.signIn('John Smith', `/tab/portal/cases/${knee}`);
    await john.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    await john.getByRole('button', { name: 'Message the firm' }).click();
    const dialog = john.getByRole('dialog');
    await expect(dialog.getByRole('textbox', { name: 'Sent from' }).inputValue()).resolves.toMatch(/PI-2026-014/);
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Can we move the examination to the afternoon?');
    await check(john, 'portal-message-firm');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByText(/Your message was sent/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Staff reply; the guest sees it in the thread.
    const threads = await api<Array<{ id: string; messages: Array<{ body: string }> }>>(staff, 'GET', `/cases/${knee}/threads`);
    const thread = threads.find((t) => t.messages.some((m) => m.body.includes('afternoon')));
    expect(thread).toBeDefined();
    await api(staff, 'POST', `/threads/${thread?.id}/messages`, { body: 'Yes, 2 pm works. See you there.' });
    await john.reload();
    await openPanel(john, 'Messages');
    await john.getByTestId('firm-reply').filter({ hasText: '2 pm works' }).waitFor();
    await check(john, 'portal-messages');

    for (const theme of ['dark', 'contrast'] as const) {
      await john.goto(`${h.url}/tab/portal/cases/${knee}?theme=${theme}`);
      await john.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
      await check(john, `portal-case-${theme}`);
    }
    await john.setViewportSize({ width: 375, height: 812 });
    await john.goto(`${h.url}/tab/portal/cases/${knee}`);
    await john.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    expect(await john.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await check(john, 'portal-case-phone');

    // A guest whose invitation is not accepted gets a friendly explanation and nothing else.
    await context.route('**/api/portal/me', (route) =>
      route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: 'your invitation has not been accepted yet', requestId: 'test' } }) }),
    );
    await john.goto(`${h.url}/tab/portal`);
    await john.getByTestId('portal-explanation').waitFor();
    await expect(john.getByRole('heading', { level: 1 }).innerText()).resolves.toMatch(/invitation is not accepted yet/);
    await check(john, 'portal-invitation-pending');
    await context.close();
  });

  test('staff pages: case panels, config, clients, guests, guest detail, audit log', async () => {
    const knee = cases['PI-2026-014'];
    await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
    await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    for (const [tab, name] of [
      ['Events', 'staff-case-events'],
      ['Invoices and ledger', 'staff-case-billing'],
      ['Messages', 'staff-case-messages'],
    ] as const) {
      await openPanel(staff, tab);
      await staff.waitForTimeout(300);
      await check(staff, name);
    }
    await staff.goto(`${h.url}/tab/case?caseId=${knee}&theme=dark`);
    await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    await check(staff, 'staff-case-dark');
    await staff.setViewportSize({ width: 375, height: 812 });
    await staff.goto(`${h.url}/tab/case?caseId=${knee}`);
    await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    await check(staff, 'staff-case-phone');
    await staff.setViewportSize({ width: 1280, height: 900 });

    await staff.goto(`${h.url}/tab/config`);
    await staff.getByRole('heading', { name: /Choose the case/ }).waitFor();
    await check(staff, 'staff-config');

    // /tab/case without a case is no dead end: search, pick, and the address names the case.
    await staff.goto(`${h.url}/tab/case`);
    const picker = staff.getByRole('combobox', { name: 'Open a case' });
    await picker.click();
    await picker.pressSequentially('metro');
    await check(staff, 'staff-case-picker');
    await staff.getByRole('option', { name: /PI-2026-014/ }).click();
    await staff.getByRole('heading', { name: 'Smith v. Metro Transit' }).waitFor();
    expect(new URL(staff.url()).searchParams.get('caseId')).toBe(knee);

    await staff.goto(`${h.url}/tab/firm/clients`);
    await staff.getByTestId('client-section').first().waitFor();
    await staff.getByTestId('client-guests').nth(1).click();
    await staff
      .getByRole('dialog')
      .or(staff.locator('[role=group]'))
      .first()
      .waitFor()
      .catch(() => undefined);
    await check(staff, 'firm-clients');
    await staff.keyboard.press('Escape');

    await staff.goto(`${h.url}/tab/firm/guests`);
    await staff.getByTestId('guest-row').first().waitFor();
    const chips = await staff.getByTestId('access-chip').allInnerTexts();
    expect(chips).toEqual(expect.arrayContaining(['Smith, John · Knee MRI report.pdf', 'Park, Olivia · All cases of Northwind Traders Ltd: every section']));
    await check(staff, 'firm-guests');

    await staff.locator('[data-testid=guest-row][data-name="John Smith"]').getByRole('link').click();
    await staff.getByRole('heading', { name: 'John Smith' }).waitFor();
    await check(staff, 'firm-guest-detail');

    await staff.goto(`${h.url}/tab/firm/audit`);
    await staff.getByTestId('audit-row').first().waitFor();
    await staff.getByTestId('verify-chain').click();
    await staff.getByText(/The chain is intact/).waitFor();
    await check(staff, 'firm-audit');
  });

  test('axe-core finds no serious or critical violations on any page', () => {
    const failing = axeFindings.filter((f) => f.violations.length > 0);
    expect(failing).toEqual([]);
    expect(axeFindings.length).toBeGreaterThan(15);
  });
});

async function expectChecked(box: ReturnType<Page['getByRole']>, checked: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await box.isChecked()) !== checked) {
    if (Date.now() > deadline) throw new Error(`checkbox never became ${checked ? 'checked' : 'unchecked'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
