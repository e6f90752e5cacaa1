import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { declaredGraphPermissions, declaredTeamsApp } from '../../scripts/declared-app';
import { comparePermissionUse, SIGN_IN_SCOPES } from '../../scripts/permission-use';
import { SIMULATOR_CLIENT_ID, SIMULATOR_TEAMS_APP_ID } from '../../src/config';
import { Repo } from '../../src/store/repo';
import { pendingUndeliveredNotices } from '../../src/store/undelivered';
import { type AppHandle, type FirmFixture, seedFirm, type SimHandle, startApp, startSim, upload } from './harness';

/**
 * CaseRoom uses exactly the permissions it declares. The real flows run through CaseRoom against
 * the strict simulator, which records every Graph call's permission check; then every call must be
 * covered by a declared permission, and every declared permission must be the only cover of at
 * least one call (or it is not needed). Add a flow to FLOWS when CaseRoom gains a Graph call.
 */

interface FlowContext {
  sim: SimHandle;
  app: AppHandle;
  f: FirmFixture;
  /** Shared between flows, in order. */
  state: Record<string, string>;
}

const FLOWS: Array<{ name: string; run(x: FlowContext): Promise<void> }> = [
  {
    name: 'provision a case (channel with RSC, its files folder, the drive subscription)',
    async run({ app, f, state }) {
      const { sharing } = app.app.services;
      const client = await sharing.createClient(f.actor, { name: 'Contoso' });
      const c = await sharing.createCase(f.actor, { clientId: client.id, number: 'P-1', title: 'Permissions', assignedStaffId: null, budgetCents: null });
      await app.drain();
      const provisioned = await new Repo(app.db).case(f.firm.id, c.id);
      expect(provisioned?.driveId).toBeTruthy();
      state.caseId = c.id;
    },
  },
  {
    name: 'staff upload (small file and an upload session)',
    async run({ app, f, state }) {
      for (const [name, size] of [
        ['Letter.pdf', 2048],
        ['Claims.pdf', 5 * 1024 * 1024 + 17],
      ] as const) {
        const up = await upload(app, `/api/cases/${state.caseId}/files`, f.staffToken, [
          { name: 'folder', value: 'Drafts' },
          { name: 'size', value: String(size) },
          { name: 'file', filename: name, content: Buffer.alloc(size, 1) },
        ]);
        expect(up.status).toBe(201);
        state[name] = up.body.files[0].id;
      }
    },
  },
  {
    name: 'invite a guest, notice the acceptance, share (batched invite), unshare',
    async run({ sim, app, f, state }) {
      const { sharing } = app.app.services;
      const contact = await sharing.createContact(f.actor, { email: 'ivy@contoso.example', name: 'Ivy Counsel', kind: 'co-counsel', phone: null, clientId: null });
      await sharing.link(f.actor, state.caseId, contact.id);
      await sharing.setPortalAccess(f.actor, contact.id, true, null);
      await app.drain();
      const guestId = (await new Repo(app.db).contact(f.firm.id, contact.id))?.guestUserId as string;
      await sim.sim.admin.acceptInvitation(guestId);
      await app.m365.provisioning.pollAcceptances();
      await sharing.shareItems(f.actor, { contactIds: [contact.id], itemIds: [state['Letter.pdf'], state['Claims.pdf']], expiresAt: null, reason: null });
      await app.drain();
      await sharing.unshareItems(f.actor, { contactIds: [contact.id], itemIds: [state['Claims.pdf']], reason: 'not for them' });
      await app.drain();
      state.guestId = guestId;
      state.contactId = contact.id;
    },
  },
  {
    name: 'the guest reads a shared document as themselves (on-behalf-of)',
    async run({ sim, app, state }) {
      const token = await sim.userToken(state.guestId);
      const download = await fetch(`${app.url}/api/portal/cases/${state.caseId}/documents/${state['Letter.pdf']}/content`, { headers: { authorization: `Bearer ${token}` } });
      expect(download.status).toBe(200);
    },
  },
  {
    name: 'activity notice to a guest who has the app, and to one who has not (kept for e-mail)',
    async run({ sim, app, state }) {
      const notice = { activityType: 'itemsShared', previewText: 'Alex shared Letter.pdf', topicText: 'P-1 Permissions', webUrl: `${app.url}/tab/portal?caseId=${state.caseId}`, actor: 'Alex' };
      expect(await app.m365.activityFeed.notifyGuest({ ...notice, userId: state.guestId })).toBe('not-installed');
      expect(await pendingUndeliveredNotices(app.db, state.guestId)).toHaveLength(1);
      await sim.sim.admin.installAppForUser(state.guestId, SIMULATOR_TEAMS_APP_ID);
      expect(await app.m365.activityFeed.notifyGuest({ ...notice, userId: state.guestId })).toBe('delivered');
      const [sent] = (await sim.sim.admin.activityNotifications()).value;
      expect((sent.body.topic as { webUrl: string }).webUrl).toMatch(new RegExp(`^https://teams\\.microsoft\\.com/l/entity/${SIMULATOR_TEAMS_APP_ID}/portal\\?`));
    },
  },
  {
    name: "the guest's e-mail digest from the firm's mailbox (sendMail)",
    async run({ sim, app, f, state }) {
      await app.call('PUT', '/api/firm/mail', f.staffToken, { senderMailbox: f.staff.email });
      expect(await app.m365.digests.run(f.firm.id, state.contactId)).toBe('sent');
      expect((await sim.sim.admin.mail('ivy@contoso.example')).value).toHaveLength(1);
    },
  },
  {
    name: "the bot's delivery recovery looks for its card in the case channel",
    async run({ app, f, state }) {
      const c = await new Repo(app.db).case(f.firm.id, state.caseId);
      expect(await app.m365.channelMessages.findBotMessage({ teamId: c?.teamId as string, channelId: c?.channelId as string, rootMessageId: null, marker: 'no-such-card' })).toBeNull();
    },
  },
  {
    name: "first-run set-up finds the staff group (Group.ReadBasic.All) and checks a user's membership (checkMemberGroups, User.Read.All)",
    async run({ app, f }) {
      const found = await app.m365.directory.searchSecurityGroups('Hartley');
      expect(found.map((g) => g.displayName)).toContain('Hartley & Moss staff');
      expect(await app.m365.directory.group(f.firm.staffGroupId as string)).toMatchObject({ displayName: 'Hartley & Moss staff' });
      expect(await app.m365.directory.memberGroups(f.staff.userId, [f.firm.staffGroupId as string])).toEqual([f.firm.staffGroupId]);
    },
  },
  {
    name: 'drift check and health',
    async run({ app, f }) {
      await app.m365.reconciler.checkDrift(f.firm.id);
      const health = await app.call('GET', '/healthz', null);
      expect(health.body.parts.m365).toMatchObject({ graph: 'reachable' });
    },
  },
];

describe('CaseRoom uses exactly the Microsoft 365 permissions it declares', () => {
  let sim: SimHandle;
  let app: AppHandle;
  let f: FirmFixture;

  beforeAll(async () => {
    sim = await startSim();
    app = await startApp(sim);
    f = await seedFirm(sim, app.db);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('every call is covered by a declared permission, and every declared permission is needed', async () => {
    await sim.sim.admin.resetStats();
    const x: FlowContext = { sim, app, f, state: {} };
    for (const flow of FLOWS) await flow.run(x);

    const calls = (await sim.sim.admin.graphCalls()).filter((call) => call.appId === SIMULATOR_CLIENT_ID);
    expect(calls.length).toBeGreaterThan(10);
    const declared = declaredGraphPermissions();
    const verdict = comparePermissionUse({ applicationRoles: declared.applicationRoles, delegatedScopes: declared.delegatedScopes, resourceSpecific: declaredTeamsApp().resourceSpecificPermissions }, calls);
    expect({ uncovered: verdict.uncovered, unneeded: verdict.unneeded }).toEqual({ uncovered: [], unneeded: [] });
  });
});

describe('docs/permissions.md matches the declarations', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/permissions.md'), 'utf8');
  /** Backticked names in the first column of the tables under a heading. */
  const tableNames = (heading: RegExp): string[] => {
    const start = doc.search(heading);
    if (start < 0) return [];
    const section = doc.slice(start).split(/\n## /)[0];
    return section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  };

  it('lists exactly the declared application, delegated and RSC permissions', () => {
    const declared = declaredGraphPermissions();
    expect(tableNames(/^## Microsoft Graph application permissions/m).sort()).toEqual([...declared.applicationRoles].sort());
    expect(tableNames(/^## Microsoft Graph delegated permissions/m).sort()).toEqual([...declared.delegatedScopes].sort());
    expect(tableNames(/^## Teams resource-specific consent/m).sort()).toEqual([...declaredTeamsApp().resourceSpecificPermissions].sort());
    expect(SIGN_IN_SCOPES).toEqual(expect.arrayContaining(declared.delegatedScopes.filter((name) => !/\./.test(name))));
  });

  it('names only activity types the Teams manifest declares', () => {
    const declaredTypes = new Set(declaredTeamsApp().activityTypes);
    const activityLines = doc.split('\n').filter((line) => line.includes('TeamsActivity.Send'));
    const named = activityLines.flatMap((line) => [...line.matchAll(/`([a-z][A-Za-z]*)`/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !declaredTypes.has(name))).toEqual([]);
  });
});
