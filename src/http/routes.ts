import { Router, type Request, type RequestHandler, type Response } from 'express';
import { AccessReviewService } from '../services/access-reviews';
import { AuditViewService } from '../services/audit-view';
import { FirmViewService } from '../services/firm-views';
import { type Actor, systemClock } from '../services/context';
import type { CaseClosureService } from '../services/case-closure';
import type { CaseworkService } from '../services/casework';
import type { PortalService } from '../services/portal';
import { GuestMailSettings } from '../services/guest-digest';
import type { SharingService } from '../services/sharing';
import { Repo } from '../store/repo';
import { M365Repo } from '../store/m365';
import { caseSetup, teamsRoomNotice } from '../services/cases-teams';
import { policyOf, setDomainPolicy, setPartyRole } from '../services/guardrails';
import type { Db } from '../store/db';
import { DomainError, notFound } from '../domain/errors';
import * as s from '../contract';
import { idParam } from './schemas';
import { adminOnly, guestOnly, staffOnly } from './auth';
import type { LiveChanges } from '../services/live';
import { nameRequest } from '../telemetry';
import { liveStream } from './live';
import { visibleCasePage, visibleCases, WallService, withRestricted } from '../services/walls';
import { wallGuard } from './walls';

type Staff = Extract<Actor, { kind: 'staff' }>;
type Guest = Extract<Actor, { kind: 'guest' }>;

/** Express 5 forwards rejected promises to the error handler; this keeps handlers one-liners. */
const send =
  (work: (req: Request, res: Response) => Promise<unknown>, status = 200): RequestHandler =>
  async (req, res) => {
    nameRequest(req.method, `${req.baseUrl}${String(req.route?.path ?? '')}`);
    const result = await work(req, res);
    if (!res.headersSent) res.status(status).json(result ?? {});
  };

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** One line a route: method, path, and the work whose result `send` answers with. */
const routesOn =
  (r: Router, ...before: RequestHandler[]) =>
  (method: Method, path: string, work: (req: Request, res: Response) => Promise<unknown>, status?: number): void => {
    r[method](path, ...before, send(work, status));
  };

const staff = (req: Request) => req.actor as Staff;
const guest = (req: Request) => req.actor as Guest;
/** Ids in paths are validated like body fields; a malformed one is a 404 (it names nothing). */
const param = (req: Request, name: string): string => {
  const parsed = idParam.safeParse(req.params[name]);
  if (!parsed.success) throw notFound(name.replace(/Id$/, ''));
  return parsed.data;
};

export interface RouteDeps {
  db: Db;
  sharing: SharingService;
  casework: CaseworkService;
  portal: PortalService;
  closure: CaseClosureService;
  /** MAIL_SENDER, shown beside the firm's own sending mailbox. */
  defaultMailSender?: string | null;
  /** Live pages' change streams. */
  live: LiveChanges;
}

export function staffRoutes(d: RouteDeps): Router {
  const r = Router();
  // Every staff route passes the ethical-wall guard: an id of a case the caller is walled off answers 404.
  const on = routesOn(r, wallGuard(d.db));
  // Routes only a CaseRoom admin may use: 403 `admin_only` for plain staff.
  const admin = routesOn(r, wallGuard(d.db), adminOnly);
  r.use(staffOnly);
  const walls = new WallService({ db: d.db, clock: systemClock });
  const repo = () => new Repo(d.db);
  const mailSettings = new GuestMailSettings({ db: d.db, defaultSender: d.defaultMailSender ?? null });

  on('get', '/me', async (req) => ({ kind: 'staff', ...(await repo().staff(staff(req).firmId, staff(req).staffId)), role: staff(req).role, firm: await repo().firm(staff(req).firmId) }));
  on('get', '/staff', async (req) => repo().listStaff(staff(req).firmId));
  r.get('/live', liveStream(d.live));

  on('get', '/firm/policy', async (req): Promise<s.FirmPolicy> => {
    const firm = await repo().firm(staff(req).firmId);
    return { disabledSections: firm?.disabledSections ?? [], expiryReminderDays: firm?.expiryReminderDays ?? [...s.DEFAULT_EXPIRY_REMINDER_DAYS] };
  });
  admin('put', '/firm/policy', async (req) => {
    const { reason, ...change } = s.policyBody.parse(req.body);
    return d.sharing.setFirmPolicy(staff(req), change, reason);
  });

  // The firm's saved views: every staff member picks from them; only admins shape them (a grant keeps the sections it was given).
  const firmViews = new FirmViewService(d.db);
  on('get', '/firm/views', async (req): Promise<s.FirmView[]> => firmViews.list(staff(req)));
  admin('post', '/firm/views', async (req): Promise<s.FirmView> => firmViews.create(staff(req), s.firmViewBody.parse(req.body)), 201);
  admin('patch', '/firm/views/:viewId', async (req): Promise<s.FirmView> => firmViews.change(staff(req), param(req, 'viewId'), s.firmViewChangeBody.parse(req.body)));
  admin('delete', '/firm/views/:viewId', async (req): Promise<s.FirmViewDeleted> => firmViews.remove(staff(req), param(req, 'viewId'), s.firmViewDeleteBody.parse(req.body ?? undefined).reason));

  on('get', '/firm/domain-policy', async (req): Promise<s.DomainPolicy> => {
    const firm = await repo().firm(staff(req).firmId);
    if (!firm) throw notFound('firm');
    return policyOf(firm);
  });
  admin('put', '/firm/domain-policy', async (req) => setDomainPolicy(d.db, staff(req), s.domainPolicyBody.parse(req.body)));

  on('get', '/firm/mail', async (req) => mailSettings.firmMail(staff(req)));
  admin('put', '/firm/mail', async (req) => mailSettings.setFirmMail(staff(req), s.firmMailBody.parse(req.body)));
  const firmSettings = async (firmId: string): Promise<s.FirmSettings> => {
    const firm = await repo().firm(firmId);
    if (!firm) throw notFound('firm');
    return {
      currency: firm.currency,
      accessReviewSchedule: firm.accessReviewSchedule,
      closeCaseGuestAccess: firm.closeCaseGuestAccess,
      closeCaseReadOnlyDays: firm.closeCaseReadOnlyDays,
      guestDefaults: { sections: firm.guestDefaultSections, expiryDays: firm.guestDefaultExpiryDays },
    };
  };
  const reviews = new AccessReviewService({ db: d.db, clock: systemClock, sharing: d.sharing });
  on('get', '/firm/settings', async (req) => firmSettings(staff(req).firmId));
  admin('put', '/firm/settings', async (req): Promise<s.FirmSettings> => {
    const body = s.firmSettingsBody.parse(req.body);
    // One transaction: a part that fails leaves the parts before it unapplied too.
    await d.db.transaction(async (tx) => {
      if (body.currency !== undefined) await d.casework.setFirmCurrency(tx, staff(req), body.currency, body.reason);
      if (body.accessReviewSchedule !== undefined) await reviews.setSchedule(tx, staff(req), body.accessReviewSchedule, body.reason);
      if (body.closeCaseGuestAccess !== undefined || body.closeCaseReadOnlyDays !== undefined) await d.closure.setClosePolicy(tx, staff(req), { mode: body.closeCaseGuestAccess, days: body.closeCaseReadOnlyDays }, body.reason);
    });
    return firmSettings(staff(req).firmId);
  });
  // Each guest of each case's latest access review, with the decision taken (GET /access-reviews/report, text/csv).
  admin('get', '/access-reviews/report', async (req, res) => {
    res.setHeader('Content-Disposition', `attachment; filename="caseroom-access-reviews-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.type('text/csv; charset=utf-8').send(await reviews.reportCsv(staff(req)));
  });

  on('get', '/clients', async (req) => repo().listClients(staff(req).firmId));
  on('post', '/clients', async (req) => d.sharing.createClient(staff(req), s.createClientBody.parse(req.body)), 201);
  on('get', '/clients/:clientId', async (req) => {
    const client = await repo().client(staff(req).firmId, param(req, 'clientId'));
    if (!client) throw notFound('client');
    return { ...client, cases: await withRestricted(d.db, staff(req), await repo().listCases(staff(req).firmId, client.id)) };
  });

  on('get', '/cases', async (req) => {
    const { limit, after, clientId } = s.caseListQuery.parse(req.query);
    if (limit !== undefined) return visibleCasePage(d.db, staff(req), { clientId, after, limit });
    return withRestricted(d.db, staff(req), await repo().listCases(staff(req).firmId, clientId));
  });
  // A case's channel and folder depend on a cases team the firm's admin installed CaseRoom in: say where it stands.
  const withSetup = async <T extends { firmId: string; provisioning: s.Provisioning }>(c: T) => {
    const teams = await new M365Repo(d.db).casesTeams(c.firmId);
    return { ...c, setup: caseSetup(c.provisioning, teams), teamsNotice: teamsRoomNotice(teams) };
  };
  on('post', '/cases', async (req) => withSetup(await d.sharing.createCase(staff(req), s.createCaseBody.parse(req.body))), 201);
  on('get', '/cases/:caseId', async (req): Promise<s.CaseDetail> => {
    const c = await repo().case(staff(req).firmId, param(req, 'caseId'));
    if (!c) throw notFound('case');
    const [client, assigned, linked, roles] = await Promise.all([repo().client(c.firmId, c.clientId), c.assignedStaffId ? repo().staff(c.firmId, c.assignedStaffId) : null, repo().linkedContacts(c.id), repo().rolesInCase(c.id)]);
    const [restricted] = await withRestricted(d.db, staff(req), [c]);
    if (!restricted) throw notFound('case');
    return withSetup({ ...restricted, client, assignedStaff: assigned, linkedContacts: linked.map((p) => ({ ...p, role: roles.get(p.id) ?? 'other' })) });
  });
  // The case's ethical wall: who it is restricted to. Set or changed only from inside it (or by anyone while there is none).
  on('get', '/cases/:caseId/wall', async (req): Promise<s.CaseWall> => walls.wall(staff(req), param(req, 'caseId')));
  on('put', '/cases/:caseId/wall', async (req): Promise<s.CaseWall> => {
    const body = s.caseWallBody.parse(req.body);
    return walls.setWall(staff(req), param(req, 'caseId'), { staffIds: body.staffIds, reason: body.reason });
  });
  on('delete', '/cases/:caseId/wall', async (req): Promise<s.CaseWall> => walls.setWall(staff(req), param(req, 'caseId'), { staffIds: null, reason: null }));
  on('patch', '/cases/:caseId', async (req) => d.sharing.updateCase(staff(req), param(req, 'caseId'), s.updateCaseBody.parse(req.body)));
  // Closing withdraws guest access (the firm's setting says at once or after read-only days); each step has its preview.
  on('post', '/cases/:caseId/close/preview', async (req): Promise<s.CaseClosePreview> => d.closure.previewClose(staff(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/close', async (req): Promise<s.CaseClosedAnswer> => d.closure.close(staff(req), param(req, 'caseId'), s.closeCaseBody.parse(req.body).reason));
  on('post', '/cases/:caseId/reopen/preview', async (req): Promise<s.CaseReopenPreview> => d.closure.previewReopen(staff(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/reopen', async (req): Promise<s.CaseReopenedAnswer> => d.closure.reopen(staff(req), param(req, 'caseId'), s.reopenCaseBody.parse(req.body).reason));
  on('get', '/cases/:caseId/items', async (req) => d.sharing.sharingOfCase(staff(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/items', async (req) => d.casework.createItem(staff(req), param(req, 'caseId'), s.newItemBody.parse(req.body)), 201);
  on('get', '/cases/:caseId/access', async (req) => d.sharing.whoHasAccessToCase(staff(req), param(req, 'caseId')));
  // The Microsoft 365 part answers these (src/parts/m365/routes.ts accessRoutes); reaching here means it is not composed in.
  const noSharePoint = async () => {
    throw new DomainError('unavailable', 'SharePoint is not connected to this CaseRoom (no Microsoft 365 part), so what it holds cannot be read or repaired');
  };
  on('get', '/cases/:caseId/access/sharepoint', noSharePoint);
  on('post', '/cases/:caseId/access/repair', noSharePoint);
  on('get', '/cases/:caseId/ledger', async (req) => d.casework.ledger(staff(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/ledger', async (req) => d.casework.addLedgerEntry(staff(req), param(req, 'caseId'), s.ledgerBody.parse(req.body)), 201);
  on('get', '/cases/:caseId/threads', async (req) => d.casework.threads(staff(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/threads', async (req) => d.casework.createThread(staff(req), param(req, 'caseId'), s.threadBody.parse(req.body).subject), 201);
  on(
    'post',
    '/cases/:caseId/links',
    async (req) => {
      const body = s.linkBody.parse(req.body);
      return d.sharing.link(staff(req), param(req, 'caseId'), body.contactId, body.role ?? null);
    },
    201,
  );
  on('put', '/cases/:caseId/links/:contactId', async (req) => {
    const body = s.partyRoleBody.parse(req.body);
    return setPartyRole(d.db, staff(req), param(req, 'caseId'), param(req, 'contactId'), body.role, body.reason);
  });
  on('delete', '/cases/:caseId/links/:contactId', async (req) => d.sharing.unlink(staff(req), param(req, 'caseId'), param(req, 'contactId'), null));

  on('patch', '/items/:itemId', async (req) => d.casework.updateItem(staff(req), param(req, 'itemId'), s.updateItemBody.parse(req.body)));
  on('delete', '/items/:itemId', async (req) => d.casework.deleteItem(staff(req), param(req, 'itemId'), null));
  on('post', '/threads/:threadId/messages', async (req) => d.casework.reply(staff(req), param(req, 'threadId'), s.replyBody.parse(req.body).body), 201);

  on('get', '/contacts', async (req) => repo().listContacts(staff(req).firmId));
  on('post', '/contacts', async (req) => d.sharing.createContact(staff(req), s.createContactBody.parse(req.body)), 201);
  on('get', '/contacts/:contactId', async (req) => {
    const c = await repo().contact(staff(req).firmId, param(req, 'contactId'));
    if (!c) throw notFound('contact');
    return { ...c, linkedCaseIds: await visibleCases(d.db, staff(req), await repo().linkedCaseIds(c.id), (caseId) => caseId) };
  });
  on('patch', '/contacts/:contactId', async (req) => d.sharing.updateContact(staff(req), param(req, 'contactId'), s.updateContactBody.parse(req.body)));
  on('put', '/contacts/:contactId/portal-access', async (req) => {
    const body = s.portalAccessBody.parse(req.body);
    return d.sharing.setPortalAccess(staff(req), param(req, 'contactId'), body.enabled, body.reason, body.confirm);
  });
  on('put', '/contacts/:contactId/digest', async (req) => {
    const body = s.digestOptOutBody.parse(req.body);
    return mailSettings.setDigestOptOut(staff(req), param(req, 'contactId'), body.optOut, body.reason);
  });
  on('post', '/contacts/:contactId/invitation/resend', async (req) => d.sharing.resendInvitation(staff(req), param(req, 'contactId')), 202);
  on('get', '/contacts/:contactId/access', async (req) => d.sharing.accessOfContact(staff(req), param(req, 'contactId')));

  on('get', '/access', async (req) => d.sharing.firmAccess(staff(req)));
  on('post', '/shares', async (req) => d.sharing.shareItems(staff(req), s.shareItemsBody.parse(req.body)));
  on('post', '/shares/remove', async (req) => d.sharing.unshareItems(staff(req), s.unshareItemsBody.parse(req.body)));
  on('post', '/grants', async (req) => d.sharing.grant(staff(req), s.grantBody.parse(req.body)), 201);
  on('post', '/grants/:grantId/preview', async (req) => d.sharing.previewGrantChange(staff(req), param(req, 'grantId'), s.changeGrantBody.parse(req.body)));
  on('put', '/grants/:grantId', async (req) => d.sharing.changeGrant(staff(req), param(req, 'grantId'), s.changeGrantBody.parse(req.body)));
  on('patch', '/grants/:grantId/expiry', async (req) => {
    const body = s.extendGrantBody.parse(req.body);
    return d.sharing.extendGrant(staff(req), param(req, 'grantId'), body.expiresAt, body.reason);
  });
  on('delete', '/grants/:grantId', async (req) => d.sharing.revokeGrant(staff(req), param(req, 'grantId'), s.revokeBody.parse(req.body ?? undefined).reason));

  // Newest first, names resolved; `beforeSeq` pages back through older entries.
  const auditView = new AuditViewService({ db: d.db, clock: systemClock });
  admin('get', '/audit', async (req) => auditView.page(staff(req), s.auditQuery.parse(req.query)));
  admin('get', '/audit/export', async (req, res) => {
    const { format, ...filters } = s.auditExportQuery.parse(req.query);
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Disposition', `attachment; filename="caseroom-audit-${day}.${format}"`);
    if (format === 'json') return auditView.exportJson(staff(req), filters);
    res.type('text/csv; charset=utf-8').send(await auditView.exportCsv(staff(req), filters));
  });
  admin('get', '/audit/verify', async (req) => auditView.verify(staff(req)));

  on('get', '/me/notification-preferences', async (req) => d.casework.notificationPreferences(staff(req)));
  on('put', '/me/notification-preferences', async (req) => d.casework.setNotificationPreference(staff(req), s.notificationPrefBody.parse(req.body)));
  return r;
}

export function portalRoutes(d: RouteDeps): Router {
  const r = Router();
  const on = routesOn(r);
  r.use(guestOnly);
  on('get', '/me', async (req) => {
    await d.portal.rememberLocale(guest(req), req.headers['accept-language']);
    return d.portal.me(guest(req));
  });
  /** Before acceptance a guest gets their own status (above) with a friendly explanation, and nothing else. */
  r.use(async (req, _res, next) => {
    const me = await d.portal.me(guest(req));
    next(me.invitation === 'accepted' ? undefined : new DomainError('forbidden', 'your invitation has not been accepted yet'));
  });
  on('get', '/cases', async (req) => d.portal.myCases(guest(req)));
  r.get('/live', liveStream(d.live));
  on('get', '/cases/:caseId', async (req) => d.portal.openCase(guest(req), param(req, 'caseId')));
  on('post', '/cases/:caseId/messages', async (req) => d.portal.sendMessage(guest(req), param(req, 'caseId'), s.guestMessageBody.parse(req.body)), 201);
  return r;
}
