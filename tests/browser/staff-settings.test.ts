/**
 * Issue 16 in a real browser: a staff member's own notification settings, on a screen in the
 * staff tab (they existed only in the API). Each switch saves at once through
 * PUT /api/me/notification-preferences and survives a reload; axe finds nothing serious at
 * 1280 and 375 px.
 */
import type { Page } from 'playwright-core';
import { axeSerious, type AxeViolation, type Harness, screenshot, startHarness, waitForApiToken } from './harness';

jest.setTimeout(240_000);

let h: Harness;
let staff: Page;
const axeFindings: Array<{ page: string; violations: AxeViolation[] }> = [];

interface Pref {
  caseId: string | null;
  event: string;
  enabled: boolean;
  mention: boolean;
}

async function myPrefs(page: Page): Promise<Pref[]> {
  const token = await waitForApiToken(page);
  return page.evaluate(async (token) => {
    const res = await fetch('/api/me/notification-preferences', { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /me/notification-preferences → ${res.status}`);
    return res.json();
  }, token) as Promise<Pref[]>;
}

async function checkBothWidths(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
    axeFindings.push({ page: `${name}-${width}`, violations: await axeSerious(page) });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const notifySwitch = (page: Page, what: string) => page.getByRole('switch', { name: `Notify me: ${what}` });
const mentionSwitch = (page: Page, what: string) => page.getByRole('switch', { name: `@mention me in the case channel: ${what}` });

beforeAll(async () => {
  h = await startHarness();
  ({ page: staff } = await h.signIn('Alex Hartley', '/tab/firm/clients'));
});

afterAll(async () => {
  await h?.close();
});

describe('staff notification settings', () => {
  test('reached from the firm navigation; every event listed with the house default shown', async () => {
    await staff.getByRole('navigation', { name: 'Firm pages' }).getByRole('link', { name: 'My settings' }).click();
    await staff.getByRole('heading', { name: 'Notifications in Teams' }).waitFor();
    expect(new URL(staff.url()).pathname).toBe('/tab/firm/settings');
    await expect(staff.getByTestId('notification-row').count()).resolves.toBe(8);
    // Nothing chosen yet: mentioned on one's own cases for what needs a person, not for the rest.
    expect(await mentionSwitch(staff, 'A guest uploads a file').isChecked()).toBe(true);
    expect(await mentionSwitch(staff, 'Something is shared with a guest').isChecked()).toBe(false);
    expect(await notifySwitch(staff, 'Something is shared with a guest').isChecked()).toBe(true);
    await checkBothWidths(staff, 'staff-settings-default');
  });

  test('a switch saves at once, the store holds it, and a reload shows it again', async () => {
    await mentionSwitch(staff, 'A guest sends a message').click();
    await staff.getByText('Saved: A guest sends a message.').waitFor();
    expect((await myPrefs(staff)).find((p) => p.event === 'guest.message' && p.caseId === null)).toEqual({ caseId: null, event: 'guest.message', enabled: true, mention: false, feed: null });

    // Turning a notice off turns its mention off too, and the mention switch cannot be used then.
    await notifySwitch(staff, 'SharePoint permissions are changed outside CaseRoom').click();
    await staff.getByText('Saved: SharePoint permissions are changed outside CaseRoom.').waitFor();
    expect(await mentionSwitch(staff, 'SharePoint permissions are changed outside CaseRoom').isDisabled()).toBe(true);
    expect((await myPrefs(staff)).find((p) => p.event === 'drift.found')).toEqual({ caseId: null, event: 'drift.found', enabled: false, mention: false, feed: null });

    // Mentioned on every case for shares (not only on the cases assigned to them).
    await mentionSwitch(staff, 'Something is shared with a guest').click();
    await staff.getByText('Saved: Something is shared with a guest.').waitFor();
    expect((await myPrefs(staff)).find((p) => p.event === 'items.shared')).toMatchObject({ enabled: true, mention: true });

    await staff.reload();
    await staff.getByRole('heading', { name: 'Notifications in Teams' }).waitFor();
    expect(await mentionSwitch(staff, 'A guest sends a message').isChecked()).toBe(false);
    expect(await notifySwitch(staff, 'SharePoint permissions are changed outside CaseRoom').isChecked()).toBe(false);
    expect(await mentionSwitch(staff, 'Something is shared with a guest').isChecked()).toBe(true);
    await checkBothWidths(staff, 'staff-settings-changed');
  });

  test('settings are per person: a colleague still sees the defaults', async () => {
    const { page: colleague, context } = await h.signIn('Priya', '/tab/firm/settings');
    await colleague.getByRole('heading', { name: 'Notifications in Teams' }).waitFor();
    expect(await mentionSwitch(colleague, 'A guest sends a message').isChecked()).toBe(true);
    expect(await notifySwitch(colleague, 'SharePoint permissions are changed outside CaseRoom').isChecked()).toBe(true);
    expect(await myPrefs(colleague)).toEqual([]);
    await context.close();
  });

  test('axe: no serious or critical findings on any state of the page', () => {
    expect(axeFindings.length).toBeGreaterThan(0);
    expect(axeFindings.filter((f) => f.violations.length > 0)).toEqual([]);
  });
});
