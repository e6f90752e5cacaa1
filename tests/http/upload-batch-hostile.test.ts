import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UploadAnswer } from '../../src/contract';
import { Repo } from '../../src/store/repo';
import { acceptedGuest, uploadAnswer } from '../integration/harness';
import { callApi } from '../support/http';
import { startUploadWorld, type UploadWorld } from '../stress/support/m365-world';

/**
 * GET /api/portal/uploads/{batchId} against people who should not read it: another guest of the
 * same firm, a guest with no grant, staff, no token, another tenant's batch, and ids that are
 * not ids. Every refusal is the same 404 an unknown id gets, so ids reveal nothing.
 */
let w: UploadWorld;
let batchId: string;
let otherGuestToken: string;
let strangerToken: string;
const statusOf = (id: string, token: string | null) => callApi(w.app.url, 'GET', `/api/portal/uploads/${id}`, token);

beforeAll(async () => {
  w = await startUploadWorld();
  const res = await uploadAnswer(w.app, `/api/portal/cases/${w.case.id}/files`, w.guest.token, [{ name: 'file', filename: 'private-scan.pdf', content: Buffer.from('%PDF private') }]);
  expect(res.status).toBe(201);
  batchId = (res.body as UploadAnswer).batch?.id as string;

  const { sharing } = w.app.app.services;
  // Another guest of the same case, with upload rights of her own.
  const olga = await acceptedGuest(w.sim, w.app, w.firm, { name: 'Olga Other', email: 'olga@guest.example', kind: 'expert', caseId: w.case.id });
  await sharing.grant(w.firm.actor, { contactId: olga.contactId, scope: { kind: 'case', caseId: w.case.id, view: ['documents'], threadIds: [] }, rights: 'upload', expiresAt: null, reason: null });
  otherGuestToken = olga.token;
  // A guest the firm knows, with no grant anywhere.
  strangerToken = (await acceptedGuest(w.sim, w.app, w.firm, { name: 'Sam Stranger', email: 'sam@guest.example', kind: 'other' })).token;
}, 180_000);
afterAll(async () => {
  await w?.close();
});

describe('upload batch status: hostile callers', () => {
  it('shows the batch to the guest who sent it', async () => {
    const res = await statusOf(batchId, w.guest.token);
    expect(res.status).toBe(200);
    expect(res.body.files[0].path).toBe('private-scan.pdf');
  });

  it('is a 404 for another guest of the same case, and for a guest with no grant', async () => {
    for (const token of [otherGuestToken, strangerToken]) {
      const res = await statusOf(batchId, token);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('private-scan');
    }
  });

  it('is for guests only: staff get 403, no token 401', async () => {
    expect((await statusOf(batchId, w.firm.staffToken)).status).toBe(403);
    expect((await statusOf(batchId, null)).status).toBe(401);
  });

  it("is a 404 for another tenant's batch, even to a guest who knows its id", async () => {
    const repo = new Repo(w.app.db);
    const firmB = await repo.insertFirm({ tenantId: randomUUID(), name: 'Other tenant firm' });
    const clientB = await repo.insertClient(firmB.id, 'B client');
    const foreignId = randomUUID();
    // The row alone: a batch of another firm (its case and contact are that firm's).
    const caseB = await w.app.db.query<{ id: string }>(`INSERT INTO cases (id, firm_id, client_id, number, title) VALUES ($1, $2, $3, 'B-1', 'B case') RETURNING id`, [randomUUID(), firmB.id, clientB.id]);
    const contactB = await w.app.db.query<{ id: string }>(`INSERT INTO contacts (id, firm_id, email, name, kind) VALUES ($1, $2, 'b@guest.example', 'B guest', 'client') RETURNING id`, [randomUUID(), firmB.id]);
    await w.app.db.query(`INSERT INTO upload_batches (id, firm_id, case_id, contact_id, user_id, spool_dir) VALUES ($1, $2, $3, $4, $5, '/nonexistent')`, [foreignId, firmB.id, caseB[0].id, contactB[0].id, w.guest.userId]);
    const res = await statusOf(foreignId, w.guest.token);
    expect(res.status).toBe(404);
  });

  it.each(['not-an-id', '..%2F..%2Fetc%2Fpasswd', `${randomUUID()}x`, 'x'.repeat(5000), randomUUID(), "1' OR '1'='1"])('is a 404 for a bad or unknown id (%#)', async (bad) => {
    const res = await statusOf(bad, w.guest.token);
    expect([404, 414, 431]).toContain(res.status);
    if (res.status === 404) expect(JSON.stringify(res.body)).not.toContain('private-scan');
  });

  it('takes no writes', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await callApi(w.app.url, method, `/api/portal/uploads/${batchId}`, w.guest.token, {});
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect((await statusOf(batchId, w.guest.token)).status).toBe(200);
  });
});
