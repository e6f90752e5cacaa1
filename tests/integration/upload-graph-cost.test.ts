import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { UploadAnswer } from '../../src/contract';
import { zip } from '../stress/support/hostile-zip';
import { useUploadWorld } from './firm-world';
import { uploadAnswer, waitForBatch } from './harness';

/**
 * Issue 12: a small file of a guest's background upload costs at most 2.2 SharePoint resource
 * units (one PUT at 2, plus its share of folders and follow-ups), counted by the simulator's
 * throttle, change-notification → delta follow-up included. Each write notifies the drive's
 * subscription; the follow-up must not read delta once per file CaseRoom wrote itself.
 */
const pdf = (text: string) => Buffer.from(`%PDF-1.7 ${text}`);
const FILES = 40;
const MAX_UNITS_PER_FILE = 2.2;

describe('the Graph cost of a background upload batch', () => {
  // Some latency per call: each write's notification then arrives on its own, as in a tenant.
  const w = useUploadWorld({ simKnobs: { latencyMs: 40 } });

  it(`stays within ${MAX_UNITS_PER_FILE} resource units per small file, delta follow-up included`, async () => {
    await w.app.settle();
    await w.sim.sim.admin.resetStats();
    const archive = await zip(Array.from({ length: FILES }, (_, k) => ({ name: `Scans/scan-${k}.pdf`, content: pdf(`scan ${k}`) })));
    const res = await uploadAnswer(w.app, `/api/portal/cases/${w.case.id}/files`, w.guest.token, [{ name: 'file', filename: 'scans.zip', content: archive }]);
    expect(res.status).toBe(201);
    // The running worker, as in production: notifications and delta reads interleave with the writes.
    w.app.app.worker.start();
    const done = await waitForBatch({ url: w.app.url, drain: async () => 0 }, w.guest.token, (res.body as UploadAnswer).batch?.id as string, 240_000);
    expect(done.files.filter((f) => f.state === 'in')).toHaveLength(FILES);
    // Everything the batch set off has run (deferred delta reads included).
    let open = Infinity;
    for (let waited = 0; open > 0 && waited < 120_000; waited += 250) {
      open = (await w.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending','running')`))[0].n;
      if (open > 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(open).toBe(0);
    const calls = await w.sim.sim.admin.graphCalls();
    // The follow-up still happened: the drive's changes were read after the writes.
    expect(calls.some((c) => c.method === 'GET' && /\/root\/delta$/.test(c.path))).toBe(true);
    const units = (await w.sim.sim.admin.stats()).totals.resourceUnits;
    expect(units / FILES).toBeLessThanOrEqual(MAX_UNITS_PER_FILE);
  }, 420_000);

  it('still finds a file someone else puts in the case folder while a batch is being written', async () => {
    const archive = await zip(Array.from({ length: 10 }, (_, k) => ({ name: `More/more-${k}.pdf`, content: pdf(`more ${k}`) })));
    const res = await uploadAnswer(w.app, `/api/portal/cases/${w.case.id}/files`, w.guest.token, [{ name: 'file', filename: 'more.zip', content: archive }]);
    expect(res.status).toBe(201);
    // Staff save a memo straight into SharePoint while the batch is in flight: its notification is deferred, not lost.
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: w.firm.actor.userId });
    const put = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${w.case.driveId}/items/${w.case.folderItemId}:/memo-from-sharepoint.pdf:/content`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: new Uint8Array(pdf('memo')),
    });
    expect(put.status).toBe(201);
    await waitForBatch({ url: w.app.url, drain: async () => 0 }, w.guest.token, (res.body as UploadAnswer).batch?.id as string, 240_000);
    let titles: string[] = [];
    for (let waited = 0; !titles.includes('memo-from-sharepoint.pdf') && waited < 120_000; waited += 250) {
      titles = (await w.app.db.query<{ title: string }>('SELECT title FROM items WHERE case_id = $1', [w.case.id])).map((r) => r.title);
      if (!titles.includes('memo-from-sharepoint.pdf')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(titles).toContain('memo-from-sharepoint.pdf');
  }, 420_000);
});
