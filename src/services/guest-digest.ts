import type { Logger } from 'pino';
import { type DigestCaseView, type DigestEnding, isEmptyDigest, planDigest, renderDigest } from '../domain/digest';
import { digestLanguage } from '../domain/digest-strings';
import { dueReminderDays, expiryInWords, expiryReminderKey, timeLeftInWords } from '../domain/expiry';
import { DomainError, notFound } from '../domain/errors';
import type { Db, Queryable } from '../store/db';
import { enqueue } from '../store/outbox';
import { Repo } from '../store/repo';
import type { CaseRecord, ContactRecord, Firm } from '../store/records';
import { pendingUndeliveredNotices } from '../store/undelivered';
import { type Actor, actorLabel } from './context';
import type { PortalService } from './portal';

/**
 * The outbox kind of a guest's e-mail digest. One pending job per guest (dedupe key below), due
 * one firm window after the news that asked for it: more news inside the window finds the
 * pending job and joins it, so a guest gets at most one digest per window.
 */
export const GUEST_DIGEST_JOB = 'guest-digest';
export const guestDigestKey = (contactId: string) => `guest-digest:${contactId}`;

type StaffActor = Extract<Actor, { kind: 'staff' }>;

/**
 * Asks for a digest to this guest after the firm's window; a no-op when one is already waiting,
 * or when the firm has no sending mailbox (nothing could be sent; GET /api/firm/mail shows it).
 */
export async function requestGuestDigest(q: Queryable, firmId: string, contactId: string): Promise<void> {
  const rows = await q.query<{ digest_window_seconds: number }>('SELECT digest_window_seconds FROM firms WHERE id = $1 AND sender_mailbox IS NOT NULL', [firmId]);
  if (!rows[0]) return;
  const windowSeconds = Number(rows[0].digest_window_seconds);
  // The outbox compares run_after with the database clock; the window is measured from now.
  await enqueue(q, { firmId, kind: GUEST_DIGEST_JOB, payload: { contactId }, dedupeKey: guestDigestKey(contactId), runAfter: new Date(Date.now() + windowSeconds * 1000) });
}

/** Something new in a case (an item, a reply): every guest who might see it gets a digest request; the digest itself decides what they see. */
export async function requestGuestDigestsForCase(q: Queryable, caseRecord: CaseRecord, alsoContactIds: Array<string | null> = []): Promise<void> {
  const repo = new Repo(q);
  const holders = [...(await repo.linkedContacts(caseRecord.id)).map((c) => c.id), ...(await repo.grantsTouchingCase(caseRecord)).map((g) => g.contactId)];
  for (const contactId of new Set([...holders, ...alsoContactIds.filter((id): id is string => Boolean(id))])) await requestGuestDigest(q, caseRecord.firmId, contactId);
}

/** A notice Teams could not deliver: the recipient's digest carries the news instead. */
export async function requestGuestDigestForUser(q: Queryable, guestUserId: string): Promise<void> {
  const rows = await q.query<{ id: string; firm_id: string }>('SELECT id, firm_id FROM contacts WHERE guest_user_id = $1', [guestUserId]);
  for (const row of rows) await requestGuestDigest(q, row.firm_id, row.id);
}

/** One HTML e-mail to one guest from a mailbox of the firm's tenant. */
export interface DigestMailPort {
  send(fromMailbox: string, mail: { to: { address: string; name: string }; subject: string; html: string }): Promise<void>;
}

export type DigestOutcome = 'sent' | 'nothing-new' | 'opted-out' | 'not-accepted' | 'no-contact' | 'failed';

export interface GuestDigestDeps {
  db: Db;
  portal: PortalService;
  mail: DigestMailPort;
  publicBaseUrl: string;
  logger: Logger;
  /** Whether a send failure can never succeed on retry (the job then ends, with the error shown to staff). */
  isPermanentFailure(err: unknown): boolean;
}

/**
 * Builds and sends one guest's digest: what the portal shows them now, minus what they were
 * already told about. Pending guests (invitation not accepted) see nothing in the portal and so
 * get nothing; on acceptance their first digest lists everything that waited.
 */
export class GuestDigestService {
  constructor(private readonly d: GuestDigestDeps) {}

  async run(firmId: string, contactId: string): Promise<DigestOutcome> {
    const repo = new Repo(this.d.db);
    const [firm, contact] = await Promise.all([repo.firm(firmId), repo.contact(firmId, contactId)]);
    if (!firm || !contact) return 'no-contact';
    if (contact.digestOptOut) return 'opted-out';
    if (!contact.portalAccess || contact.invitation !== 'accepted' || !contact.guestUserId) return 'not-accepted';

    const cases = await this.portalView(contact);
    const seen = await this.seenKeys(contact.id);
    const notices = await pendingUndeliveredNotices(this.d.db, contact.guestUserId);
    const endings = await this.endingAccess(firm, contact, cases);
    // Written in the guest's language where known: the one staff set, else their portal's locale.
    const language = digestLanguage([contact.language, contact.portalLocale]);
    const plan = planDigest({ cases, endings, seen, portalBaseUrl: this.d.publicBaseUrl, language });
    // Teams notices that could not be delivered are news this digest carries (through the
    // portal's own answer, never their stored text: an item may have been withdrawn since).
    const noticeIds = notices.map((n) => n.id);
    if (isEmptyDigest(plan)) {
      await this.d.db.transaction(async (tx) => this.remember(tx, contact.id, plan.visibleKeys, noticeIds));
      return 'nothing-new';
    }
    const sender = firm.senderMailbox;
    if (!sender) {
      await this.recordFailure(contact, 'No sending mailbox is set: choose one in the firm mail settings (PUT /api/firm/mail) or set MAIL_SENDER.');
      return 'failed';
    }
    const rendered = renderDigest(plan, { firmName: firm.name, guestName: contact.name, portalBaseUrl: this.d.publicBaseUrl, language });
    try {
      await this.d.mail.send(sender, { to: { address: contact.email, name: contact.name }, subject: rendered.subject, html: rendered.html });
    } catch (err) {
      await this.recordFailure(contact, err instanceof Error ? err.message : String(err));
      if (this.d.isPermanentFailure(err)) return 'failed';
      throw err;
    }
    await this.d.db.transaction(async (tx) => {
      await this.remember(tx, contact.id, plan.visibleKeys, noticeIds);
      await tx.query('UPDATE contacts SET last_digest_at = now(), last_digest_error = NULL, last_digest_error_at = NULL WHERE id = $1', [contact.id]);
      await new Repo(tx).appendAudit({
        firmId,
        actor: 'caseroom',
        action: 'digest.sent',
        target: `contact:${contact.id}`,
        reason: null,
        data: { from: sender, cases: plan.sections.map((s) => s.caseId), lines: plan.listed + plan.omitted, language },
      });
    });
    this.d.logger.info({ contactId, cases: plan.sections.length, lines: plan.listed + plan.omitted }, 'guest digest sent');
    return 'sent';
  }

  /** The portal's own answers for this guest: "My cases", then each case page. */
  private async portalView(contact: ContactRecord): Promise<DigestCaseView[]> {
    const actor = { kind: 'guest' as const, firmId: contact.firmId, contactId: contact.id, userId: contact.guestUserId ?? '', name: contact.name };
    const views: DigestCaseView[] = [];
    for (const listed of await this.d.portal.myCases(actor)) {
      const view = await this.d.portal.caseView(actor, listed.id).catch((err: unknown) => {
        // Withdrawn between the two reads: the case is simply not news.
        if (err instanceof DomainError && err.code === 'not_found') return null;
        throw err;
      });
      if (!view) continue;
      const items = [...(view.documents ?? []), ...(view.notes ?? []), ...(view.events ?? []), ...(view.invoices ?? [])].map((i) => ({ id: i.id, kind: i.kind, title: i.title }));
      const messages = view.threads.flatMap((t) => t.messages.map((m) => ({ id: m.id, threadId: t.id, subject: t.subject, fromFirm: m.fromFirm, from: m.from })));
      views.push({ caseId: view.case.id, number: view.case.number, title: view.case.title, items, messages });
    }
    return views;
  }

  /**
   * The guest's grants that reached one of the firm's reminder thresholds (the same ones staff's
   * reminder cards follow), as lines for the cases the portal shows them.
   */
  private async endingAccess(firm: Firm, contact: ContactRecord, cases: DigestCaseView[]): Promise<DigestEnding[]> {
    const repo = new Repo(this.d.db);
    const now = new Date();
    const shown = new Map(cases.map((c) => [c.caseId, c]));
    const endings: DigestEnding[] = [];
    for (const grant of await repo.grantsOfContact(contact.id)) {
      const days = grant.expiresAt ? dueReminderDays(new Date(grant.expiresAt), now, firm.expiryReminderDays) : null;
      if (days === null || !grant.expiresAt) continue;
      const when = `${expiryInWords(grant.expiresAt)} (${timeLeftInWords(new Date(grant.expiresAt), now)})`;
      const key = expiryReminderKey(grant.id, grant.expiresAt, days);
      const scope = grant.scope;
      if (scope.kind === 'item') {
        // Named only when the portal shows it to them (the same access rules).
        const item = shown.get(scope.caseId)?.items.find((i) => i.id === scope.itemId);
        if (item) endings.push({ caseId: scope.caseId, key, text: `Your access to “${item.title}” ends ${when}. Ask ${firm.name} if you still need it.` });
        continue;
      }
      const caseIds = scope.kind === 'case' ? [scope.caseId] : (await repo.listCases(contact.firmId, scope.clientId)).map((c) => c.id);
      for (const caseId of caseIds.filter((id) => shown.has(id))) endings.push({ caseId, key: `${key}:${caseId}`, text: `Your access to this case ends ${when}. Ask ${firm.name} if you still need it.` });
    }
    return endings;
  }

  private async seenKeys(contactId: string): Promise<Set<string>> {
    const rows = await this.d.db.query<{ key: string }>('SELECT key FROM guest_digest_seen WHERE contact_id = $1', [contactId]);
    return new Set(rows.map((r) => r.key));
  }

  /** The guest's seen set becomes exactly what they see now: a withdrawn and re-shared item is news again. */
  private async remember(tx: Queryable, contactId: string, visibleKeys: string[], noticeIds: number[]): Promise<void> {
    await tx.query('DELETE FROM guest_digest_seen WHERE contact_id = $1 AND NOT (key = ANY($2::text[]))', [contactId, visibleKeys]);
    await tx.query('INSERT INTO guest_digest_seen (contact_id, key) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [contactId, visibleKeys]);
    if (noticeIds.length) await tx.query('UPDATE undelivered_notices SET sent_at = now() WHERE id = ANY($1::bigint[])', [noticeIds]);
  }

  private async recordFailure(contact: ContactRecord, message: string): Promise<void> {
    await this.d.db.transaction(async (tx) => {
      await tx.query('UPDATE contacts SET last_digest_error = $2, last_digest_error_at = now() WHERE id = $1', [contact.id, message.slice(0, 1000)]);
      await new Repo(tx).appendAudit({ firmId: contact.firmId, actor: 'caseroom', action: 'digest.failed', target: `contact:${contact.id}`, reason: null, data: { error: message.slice(0, 500) } });
    });
    this.d.logger.warn({ contactId: contact.id, err: message }, 'guest digest not sent');
  }
}

/** MAIL_SENDER becomes the sending mailbox of every firm that has none (at start-up). */
export async function applyDefaultSender(q: Queryable, defaultSender: string | null): Promise<number> {
  if (!defaultSender) return 0;
  const rows = await q.query('UPDATE firms SET sender_mailbox = $1 WHERE sender_mailbox IS NULL RETURNING id', [defaultSender]);
  return rows.length;
}

/** Staff settings around the digest: the firm's mailbox and window, a guest's opt-out. All audited. */
export class GuestMailSettings {
  constructor(private readonly d: { db: Db; defaultSender: string | null }) {}

  async firmMail(actor: StaffActor) {
    const firm = await new Repo(this.d.db).firm(actor.firmId);
    if (!firm) throw notFound('firm');
    return { senderMailbox: firm.senderMailbox, defaultSenderMailbox: this.d.defaultSender, digestWindowSeconds: firm.digestWindowSeconds };
  }

  async setFirmMail(actor: StaffActor, input: { senderMailbox?: string | null; digestWindowSeconds?: number; reason?: string | null }) {
    await this.d.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const before = await repo.firm(actor.firmId);
      if (!before) throw notFound('firm');
      await tx.query('UPDATE firms SET sender_mailbox = CASE WHEN $2::boolean THEN $3 ELSE sender_mailbox END, digest_window_seconds = coalesce($4, digest_window_seconds) WHERE id = $1', [
        actor.firmId,
        'senderMailbox' in input,
        input.senderMailbox?.toLowerCase() ?? null,
        input.digestWindowSeconds ?? null,
      ]);
      await repo.appendAudit({
        firmId: actor.firmId,
        actor: actorLabel(actor),
        action: 'firm.mail',
        target: `firm:${actor.firmId}`,
        reason: input.reason ?? null,
        data: { from: { senderMailbox: before.senderMailbox, digestWindowSeconds: before.digestWindowSeconds }, to: { senderMailbox: input.senderMailbox, digestWindowSeconds: input.digestWindowSeconds } },
      });
    });
    return this.firmMail(actor);
  }

  /** The guest asked (or staff decided) that they get no e-mail: honoured by every later digest. */
  async setDigestOptOut(actor: StaffActor, contactId: string, optOut: boolean, reason: string | null): Promise<ContactRecord> {
    return this.d.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const contact = await repo.contact(actor.firmId, contactId);
      if (!contact) throw notFound('contact');
      if (contact.digestOptOut === optOut) return contact;
      await tx.query('UPDATE contacts SET digest_opt_out = $2 WHERE id = $1', [contactId, optOut]);
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: optOut ? 'contact.digest.opt-out' : 'contact.digest.opt-in', target: `contact:${contactId}`, reason, data: {} });
      return (await repo.contact(actor.firmId, contactId)) as ContactRecord;
    });
  }
}
