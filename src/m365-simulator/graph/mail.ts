/**
 * Exchange Online's `sendMail` (POST /users/{id | userPrincipalName}/sendMail), as strict as the
 * real service: https://learn.microsoft.com/graph/api/user-sendmail
 *
 * - The pipeline has already authorised the call by Mail.Send (application or delegated) from
 *   Microsoft's permission reference.
 * - The sending mailbox must exist in the tenant: an unknown id or UPN is 404 `ErrorInvalidUser`;
 *   a user without an Exchange Online mailbox (a B2B guest, a disabled account) is 404
 *   `MailboxNotEnabledForRESTAPI` (github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/405:
 *   guests have no mailbox; the message is Exchange's own).
 * - An app the Exchange administrator restricted to some mailboxes (RBAC for Applications with a
 *   resource scope, or New-ApplicationAccessPolicy -AccessRight RestrictAccess) gets 403
 *   `ErrorAccessDenied` "Access to OData is disabled." for any other mailbox
 *   (https://learn.microsoft.com/graph/auth-limit-mailbox-access, "Handling API errors").
 * - A delegated caller sends only as themselves (send-as rights for others are not modelled):
 *   the stricter reading.
 * - The body is checked against the v1.0 CSDL's `message` type (MESSAGE_PROPERTIES below;
 *   tests/simulator/mail.test.ts compares the list with ../shared/graph/v1.0-metadata.xml).
 *
 * Delivered copies are kept per recipient: /mail lists the mailboxes that received something,
 * /mail/{address} shows one mailbox, GET /_admin/mail?to= gives tests the records.
 */
import type { SimContext } from '../context';
import { newGuid } from '../state/ids';
import { findUser } from '../state/directory';
import type { MailMessageRecord, SimulatorData, UserRecord } from '../state/model';
import { GraphError } from '../web/errors';
import { escapeHtml, page } from '../web/html';
import type { Router } from '../web/router';
import type { Caller, SimRequest } from '../web/types';
import { requireActionBody } from './actionBody';
import { requireCaller } from './drives';

/** Properties of microsoft.graph.message (with outlookItem's and entity's) in the v1.0 CSDL. */
export const MESSAGE_PROPERTIES = [
  'id',
  'categories',
  'changeKey',
  'createdDateTime',
  'lastModifiedDateTime',
  'bccRecipients',
  'body',
  'bodyPreview',
  'ccRecipients',
  'conversationId',
  'conversationIndex',
  'flag',
  'from',
  'hasAttachments',
  'importance',
  'inferenceClassification',
  'internetMessageHeaders',
  'internetMessageId',
  'isDeliveryReceiptRequested',
  'isDraft',
  'isRead',
  'isReadReceiptRequested',
  'parentFolderId',
  'receivedDateTime',
  'replyTo',
  'sender',
  'sentDateTime',
  'subject',
  'toRecipients',
  'uniqueBody',
  'webLink',
  'attachments',
  'extensions',
  'multiValueExtendedProperties',
  'singleValueExtendedProperties',
] as const;
/** The action's parameters as the Learn page spells them (the CSDL's Message / SaveToSentItems). */
export const SEND_MAIL_PARAMETERS = ['message', 'saveToSentItems'] as const;

const ADDRESS = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

const badRequest = (message: string) => new GraphError(400, 'ErrorInvalidRequest', message);
const bodyRead = (message: string) => new GraphError(400, 'RequestBodyRead', message);

interface Recipient {
  address: string;
  name: string | null;
}

function parseRecipients(value: unknown, field: string): Recipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bodyRead(`Cannot read '${field}': a collection of microsoft.graph.recipient was expected.`);
  return value.map((entry: unknown) => {
    const email = (entry as { emailAddress?: unknown } | null)?.emailAddress as { address?: unknown; name?: unknown } | undefined;
    if (!entry || typeof entry !== 'object' || !email || typeof email !== 'object') throw bodyRead(`Each of '${field}' must be a microsoft.graph.recipient with an emailAddress.`);
    for (const key of Object.keys(entry as object)) if (key !== 'emailAddress' && !key.startsWith('@odata.')) throw bodyRead(`The property '${key}' does not exist on type 'microsoft.graph.recipient'.`);
    for (const key of Object.keys(email)) if (key !== 'address' && key !== 'name' && !key.startsWith('@odata.')) throw bodyRead(`The property '${key}' does not exist on type 'microsoft.graph.emailAddress'.`);
    if (typeof email.address !== 'string' || !ADDRESS.test(email.address)) throw new GraphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    if (email.name !== undefined && email.name !== null && typeof email.name !== 'string') throw bodyRead("'name' of microsoft.graph.emailAddress must be a string.");
    return { address: email.address, name: typeof email.name === 'string' ? email.name : null };
  });
}

export interface ParsedMail {
  subject: string;
  contentType: 'text' | 'html';
  content: string;
  recipients: Recipient[];
  saveToSentItems: boolean;
}

/** The sendMail body as Graph reads it, or Graph's 400. */
export function parseSendMailBody(raw: unknown): ParsedMail {
  const body = requireActionBody(raw, 'sendMail', SEND_MAIL_PARAMETERS);
  const message = body.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object' || Array.isArray(message)) throw badRequest("The 'message' parameter is required.");
  for (const key of Object.keys(message)) {
    if (key.startsWith('@odata.')) continue;
    if (!(MESSAGE_PROPERTIES as readonly string[]).includes(key)) throw bodyRead(`The property '${key}' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type.`);
  }
  if (body.saveToSentItems !== undefined && typeof body.saveToSentItems !== 'boolean') throw bodyRead("'saveToSentItems' must be a boolean.");
  if (message.subject !== undefined && message.subject !== null && typeof message.subject !== 'string') throw bodyRead("'subject' must be a string.");
  const itemBody = (message.body ?? { contentType: 'text', content: '' }) as { contentType?: unknown; content?: unknown };
  if (typeof itemBody !== 'object') throw bodyRead("'body' must be a microsoft.graph.itemBody.");
  const contentType = typeof itemBody.contentType === 'string' ? itemBody.contentType.toLowerCase() : 'text';
  if (contentType !== 'text' && contentType !== 'html') throw bodyRead(`The value '${String(itemBody.contentType)}' is not valid for microsoft.graph.bodyType (text, html).`);
  if (itemBody.content !== undefined && itemBody.content !== null && typeof itemBody.content !== 'string') throw bodyRead("'body.content' must be a string.");
  const recipients = [...parseRecipients(message.toRecipients, 'toRecipients'), ...parseRecipients(message.ccRecipients, 'ccRecipients'), ...parseRecipients(message.bccRecipients, 'bccRecipients')];
  if (recipients.length === 0) throw new GraphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
  return { subject: typeof message.subject === 'string' ? message.subject : '', contentType, content: typeof itemBody.content === 'string' ? itemBody.content : '', recipients, saveToSentItems: body.saveToSentItems !== false };
}

/** The mailbox a sendMail call names, once Exchange's rules for the caller are satisfied. */
export function sendingMailbox(data: SimulatorData, caller: Caller, idOrUpn: string): UserRecord {
  const user = findUser(data, caller.tenantId, idOrUpn);
  if (!user) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${idOrUpn}' is invalid.`);
  if (user.userType === 'Guest' || !user.accountEnabled) throw new GraphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
  if (caller.kind === 'user') {
    if (caller.userId !== user.id) throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return user;
  }
  const scope = data.apps[caller.appId.toLowerCase()]?.mailboxScope;
  if (scope && !scope.includes(user.id)) throw new GraphError(403, 'ErrorAccessDenied', 'Access to OData is disabled.');
  return user;
}

export function registerMailRoutes(router: Router, ctx: SimContext): void {
  router.add('POST', '/v1.0/users/{userId}/sendMail', async (req: SimRequest) => {
    const caller = requireCaller(req);
    const sender = sendingMailbox(ctx.store.data, caller, req.params.userId);
    const mail = parseSendMailBody(await req.body.json());
    const internetMessageId = `<${newGuid()}@${sender.mail.split('@')[1] ?? 'simulator'}>`;
    const sentDateTime = new Date().toISOString();
    for (const recipient of mail.recipients) {
      ctx.store.data.mailMessages.push({
        id: newGuid(),
        internetMessageId,
        tenantId: caller.tenantId,
        senderUserId: sender.id,
        from: { address: sender.mail, name: sender.displayName },
        to: recipient.address.toLowerCase(),
        toName: recipient.name,
        subject: mail.subject,
        contentType: mail.contentType,
        content: mail.content,
        sentByAppId: caller.appId,
        saveToSentItems: mail.saveToSentItems,
        sentDateTime,
      });
    }
    ctx.store.markDirty();
    return { status: 202, empty: true };
  });
}

export function mailTo(data: SimulatorData, address: string | null): MailMessageRecord[] {
  const key = address?.toLowerCase() ?? null;
  return data.mailMessages.filter((message) => key === null || message.to === key);
}

/** A message body as a reader sees it: the text, and the links an HTML body carries. */
function readable(message: MailMessageRecord): { text: string; links: Array<{ href: string; label: string }> } {
  if (message.contentType === 'text') return { text: message.content, links: [] };
  const links = [...message.content.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi)].map((m) => ({ href: decodeEntities(m[1]), label: decodeEntities(m[2].replace(/<[^>]+>/g, '')) }));
  const text = decodeEntities(message.content.replace(/<(br|\/p|\/li|\/h\d|\/div)\b[^>]*>/gi, '\n').replace(/<[^>]+>/g, ''))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, links };
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] as string);
}

/** Human pages: which mailboxes received mail, and each mailbox's messages (every value escaped). */
export function registerMailPages(router: Router, ctx: SimContext): void {
  router.add('GET', '/mail', async () => {
    const counts = new Map<string, number>();
    for (const message of ctx.store.data.mailMessages) counts.set(message.to, (counts.get(message.to) ?? 0) + 1);
    const rows = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([address, n]) => `<li><a href="/mail/${encodeURIComponent(address)}">${escapeHtml(address)}</a> <span class="muted">${n} message${n === 1 ? '' : 's'}</span></li>`);
    return { status: 200, html: page('Mailboxes', `<h1>Mail delivered by the simulator</h1>${rows.length ? `<ul>${rows.join('')}</ul>` : '<p class="muted">No mail yet.</p>'}`) };
  });
  router.add('GET', '/mail/{address}', async (req) => {
    const address = req.params.address;
    const messages = mailTo(ctx.store.data, address).slice().reverse();
    const items = messages.map((message) => {
      const { text, links } = readable(message);
      return `<article><h2>${escapeHtml(message.subject || '(no subject)')}</h2>
<p class="muted">From ${escapeHtml(message.from.name)} &lt;${escapeHtml(message.from.address)}&gt; · ${escapeHtml(message.sentDateTime)}</p>
<pre style="white-space: pre-wrap; font: inherit">${escapeHtml(text)}</pre>
${links.length ? `<ul>${links.map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.label || link.href)}</a></li>`).join('')}</ul>` : ''}</article>`;
    });
    return { status: 200, html: page(`Mail for ${address}`, `<h1>Mail for ${escapeHtml(address)}</h1><p><a href="/mail">All mailboxes</a></p>${items.join('<hr>') || '<p class="muted">No mail for this address.</p>'}`) };
  });
}
