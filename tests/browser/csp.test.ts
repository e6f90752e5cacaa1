/**
 * The tab under its Content-Security-Policy in a real browser: it renders with the policy on and
 * nothing refused, and a page of another origin that frames it gets nothing (clickjacking).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleMessage } from 'playwright-core';
import { until } from '../stress/support/child';
import { type Harness, startHarness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const isCspReport = (m: ConsoleMessage) => /Content Security Policy/i.test(m.text());

it('renders the staff pages and the portal with the CSP on and no violation', async () => {
  for (const [person, start, visible] of [
    ['Alex Hartley', '/tab/firm/clients', '[data-testid]'],
    ['John Smith', '/tab/portal', '[data-testid=portal-case-card]'],
  ] as const) {
    const { context, page } = await h.signIn(person, start);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (isCspReport(m)) violations.push(m.text());
    });
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    const response = await page.reload();
    expect(response?.headers()['content-security-policy']).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com/);
    await page.locator(visible).first().waitFor({ timeout: 60_000 });
    expect(violations).toEqual([]);
    await context.close();
  }
});

it('refuses to render inside a page of another origin', async () => {
  const framer: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>Not Teams</title><iframe id="victim" src="${h.url}/tab/portal" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  try {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors/.test(m.text())) refusals.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
    await until('the browser to refuse the frame', 30_000, async () => refusals.length > 0);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Chromium replaces a refused frame with its error page: none of CaseRoom's markup is there.
    expect(frame?.url().startsWith(h.url) && (await frame.locator('#root').count()) > 0).toBe(false);
    await context.close();
  } finally {
    await new Promise<void>((resolve) => framer.close(() => resolve()));
  }
});
