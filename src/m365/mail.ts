import { asRetryable, GraphRequestError } from './errors';
import { APP, type GraphGateway, seg } from './graph';

/** One HTML e-mail to one person. */
export interface OutgoingMail {
  to: { address: string; name: string };
  subject: string;
  html: string;
}

/** Sends mail as a mailbox of the firm's tenant; failures are MailSendError. */
export interface MailSender {
  send(fromMailbox: string, mail: OutgoingMail): Promise<void>;
}

/**
 * A send that did not go. `permanent`: Exchange refused it for a reason a retry cannot change
 * (no such mailbox, CaseRoom not allowed to use it, a malformed message); anything else
 * (throttling, outages, the network) is worth retrying.
 */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

/** Body of `POST /users/{id}/sendMail` (learn.microsoft.com/graph/api/user-sendmail; names as in the v1.0 CSDL's message). */
export function sendMailBody(mail: OutgoingMail): Record<string, unknown> {
  return {
    message: { subject: mail.subject, body: { contentType: 'HTML', content: mail.html }, toRecipients: [{ emailAddress: { address: mail.to.address, name: mail.to.name } }] },
    saveToSentItems: true,
  };
}

const isPermanent = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * sendMail with CaseRoom's app-only token (Mail.Send, limited by the tenant's Exchange admin to
 * the firm's sending mailbox: docs/deploy.md). Throttling becomes the outbox's `throttled` retry.
 */
export function gatewayMailSender(graph: GraphGateway): MailSender {
  return {
    async send(fromMailbox, mail) {
      try {
        await graph.call({ method: 'POST', path: `/users/${seg(fromMailbox)}/sendMail`, body: sendMailBody(mail), auth: APP });
      } catch (err) {
        if (err instanceof GraphRequestError && isPermanent(err.status)) throw new MailSendError(`sendMail from ${fromMailbox} refused: ${err.status} ${err.code}`, err.status, err.code, true);
        const retryable = asRetryable(err);
        if (retryable !== err) throw retryable;
        throw new MailSendError(`sendMail from ${fromMailbox} failed: ${err instanceof Error ? err.message : String(err)}`, err instanceof GraphRequestError ? err.status : 0, err instanceof GraphRequestError ? err.code : 'network', false);
      }
    },
  };
}
