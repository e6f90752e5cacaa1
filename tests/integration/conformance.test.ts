import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_TEAMS_APP_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import { gatewayActivityFeed } from '../../src/m365/activity';
import { keepUndelivered } from '../../src/services/undelivered-notice';
import type { GraphCall } from '../../src/m365/graph';
import { Repo } from '../../src/store/repo';
import { checkActionBody, checkEntity, type CsdlModel, loadCsdl } from '../simulator/csdl';
import { type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, startSim, upload } from './harness';

/**
 * Every request body CaseRoom sent to Graph in a real flow (provisioning, subscription,
 * invitation, sharing through $batch, an upload session, an activity notification), checked
 * against the Graph v1.0 CSDL: bound-action parameters and entity properties by name and type.
 */
describe('request bodies CaseRoom sends conform to the Graph v1.0 CSDL', () => {
  let sim: SimHandle;
  let app: AppHandle;
  let f: FirmFixture;
  let model: CsdlModel;
  const sent: Array<{ method: string; path: string; body: unknown }> = [];

  beforeAll(async () => {
    model = loadCsdl();
    sim = await startSim();
    app = await startApp(sim);
    f = await seedFirm(sim, app.db);
    const graph = app.m365.graph;
    const raw = graph.raw.bind(graph);
    graph.raw = (async (call: GraphCall) => {
      if (call.body !== undefined && !Buffer.isBuffer(call.body)) {
        if (call.path === '/$batch') {
          for (const r of (call.body as { requests: Array<{ method: string; url: string; body?: unknown }> }).requests) if (r.body !== undefined) sent.push({ method: r.method, path: r.url, body: r.body });
        } else sent.push({ method: call.method, path: call.path.split('?')[0], body: call.body });
      }
      return raw(call);
    }) as typeof graph.raw;
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('checks what was sent, and the checker catches a misspelt name', async () => {
    const { sharing } = app.app.services;
    const client = await sharing.createClient(f.actor, { name: 'Contoso' });
    const c = await sharing.createCase(f.actor, { clientId: client.id, number: 'IP-3', title: 'Patent, "v2" & co', assignedStaffId: null, budgetCents: null });
    await app.drain();
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 1);
    const up = await upload(app, `/api/cases/${c.id}/files`, f.staffToken, [
      { name: 'folder', value: 'Drafts' },
      { name: 'size', value: String(big.length) },
      { name: 'file', filename: 'Claims.pdf', content: big },
    ]);
    expect(up.status).toBe(201);
    const contact = await sharing.createContact(f.actor, { email: 'ivy@contoso.example', name: 'Ivy Counsel', kind: 'co-counsel', phone: null, clientId: null });
    await sharing.link(f.actor, c.id, contact.id);
    await sharing.setPortalAccess(f.actor, contact.id, true, null);
    await app.drain();
    const guestId = (await new Repo(app.db).contact(f.firm.id, contact.id))?.guestUserId as string;
    await sim.sim.admin.acceptInvitation(guestId);
    await app.m365.provisioning.pollAcceptances();
    await sharing.grant(f.actor, { contactId: contact.id, scope: { kind: 'case', caseId: c.id, view: ['documents'], threadIds: [] }, rights: 'read', expiresAt: new Date(Date.now() + 86_400_000).toISOString(), reason: null });
    await sharing.shareItems(f.actor, { contactIds: [contact.id], itemIds: [up.body.files[0].id], expiresAt: null, reason: null });
    await app.drain();
    // The guest added CaseRoom in Teams (the personal app): only then can the feed reach them.
    await sim.sim.admin.installAppForUser(guestId, SIMULATOR_TEAMS_APP_ID);
    await gatewayActivityFeed(app.m365.graph, { teamsAppId: SIMULATOR_TEAMS_APP_ID, keepUndelivered: (notice, webUrl, status) => keepUndelivered(app.db, notice, webUrl, status) }).notifyGuest({
      userId: guestId,
      activityType: 'itemsShared',
      previewText: 'Alex shared Claims.pdf',
      topicText: 'CaseRoom',
      webUrl: `${app.url}/tab/portal?caseId=${c.id}`,
      actor: 'Alex',
    });
    expect((await sim.sim.admin.activityNotifications()).value).toHaveLength(1);

    const rules: Array<{ match: RegExp; method: string; check: (body: unknown) => string[] }> = [
      { match: /\/invite$/, method: 'POST', check: (b) => checkActionBody(model, 'invite', 'driveItem', b) },
      { match: /\/createUploadSession$/, method: 'POST', check: (b) => checkActionBody(model, 'createUploadSession', 'driveItem', b) },
      { match: /\/teamwork\/sendActivityNotification$/, method: 'POST', check: (b) => checkActionBody(model, 'sendActivityNotification', 'userTeamwork', b) },
      { match: /^\/invitations$/, method: 'POST', check: (b) => checkEntity(model, 'invitation', b) },
      { match: /^\/subscriptions$/, method: 'POST', check: (b) => checkEntity(model, 'subscription', b) },
      { match: /^\/teams\/[^/]+\/channels\/[^/]+\/tabs$/, method: 'POST', check: (b) => checkEntity(model, 'teamsTab', b) },
      { match: /^\/teams\/[^/]+\/channels$/, method: 'POST', check: (b) => checkEntity(model, 'channel', b) },
      { match: /\/children$/, method: 'POST', check: (b) => checkEntity(model, 'driveItem', b) },
      { match: /\/permissions\/[^/]+$/, method: 'PATCH', check: (b) => checkEntity(model, 'permission', b) },
      { match: /\/checkMemberGroups$/, method: 'POST', check: (b) => checkActionBody(model, 'checkMemberGroups', 'directoryObject', b) },
    ];
    const seen = new Set<string>();
    for (const s of sent) {
      const rule = rules.find((r) => r.method === s.method && r.match.test(s.path));
      expect(rule ? `${s.method} ${s.path}` : `unchecked body: ${s.method} ${s.path}`).not.toMatch(/^unchecked/);
      if (!rule) continue;
      seen.add(String(rule.match));
      expect({ request: `${s.method} ${s.path}`, errors: rule.check(s.body) }).toEqual({ request: `${s.method} ${s.path}`, errors: [] });
    }
    for (const must of [/\/invite$/, /\/createUploadSession$/, /\/teamwork\/sendActivityNotification$/, /^\/invitations$/, /^\/subscriptions$/, /^\/teams\/[^/]+\/channels\/[^/]+\/tabs$/, /^\/teams\/[^/]+\/channels$/])
      expect(seen).toContain(String(must));
    // CaseRoom never creates a team: the firm's admin does, and installs CaseRoom in it.
    expect(sent.filter((s) => s.method === 'POST' && /^\/teams$/.test(s.path))).toEqual([]);

    // The checker is not a rubber stamp: one wrong letter fails.
    const invite = sent.find((s) => /\/invite$/.test(s.path))?.body as Record<string, unknown>;
    const { requireSignIn, ...rest } = invite;
    expect(checkActionBody(model, 'invite', 'driveItem', { ...rest, requireSignin: requireSignIn })).toEqual([expect.stringContaining("'requireSignin' is not a parameter")]);
    expect(SIMULATOR_TENANT_ID).toBeTruthy();
  });
});
