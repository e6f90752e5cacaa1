import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { AccessReviewService } from '../../src/services/access-reviews';
import type { CaseworkService } from '../../src/services/casework';
import type { Clock, StaffActor } from '../../src/services/context';
import type { SharingService } from '../../src/services/sharing';
import type { MembershipCheck } from '../../src/services/staff-membership';
import type { Db } from '../../src/store/db';
import type { CaseRecord, Firm, Staff } from '../../src/store/records';
import type { Repo } from '../../src/store/repo';
import { type AdaptiveCardJson, cardActivity, type NoticeModel, renderNotice, type TextRun } from '../cards';
import type { Sender } from '../incoming';
import type { Links } from '../links';
import type { BotStore } from '../store';

/** What the bot's commands and buttons share: their dependencies and the ways they answer. */

export interface HandlerDeps {
  db: Db;
  sharing: Pick<SharingService, 'whoHasAccessToCase' | 'shareItems' | 'extendGrant' | 'revokeGrant'>;
  /** Replies staff send from a bridged thread to its guest (bot/commands/relay.ts). */
  casework: Pick<CaseworkService, 'replyToGuest'>;
  /** Access review decisions (Keep, Shorten, Remove on the review card). */
  reviews: Pick<AccessReviewService, 'decide'>;
  links: Links;
  clock: Clock;
  logger: Logger;
  /** Local only: `link case <number>` binds a channel (Agents Playground's mock channels) to a case. */
  allowChannelLinking: boolean;
  /** Queues delivery of a changed post (the outbox updates the card in place). */
  requestDelivery(firmId: string, postKey: string): Promise<void>;
  onCard?: (card: AdaptiveCardJson) => void;
  /** Staff-group membership, the same check the API makes (null: no directory composed; the staff record alone decides). */
  isStaffMember: MembershipCheck | null;
}

export type InvokeBody = { statusCode: 200; type: 'application/vnd.microsoft.card.adaptive'; value: AdaptiveCardJson } | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string };

/** The dependencies with the answers built on them, handed to every command and button. */
export interface Kit {
  d: HandlerDeps;
  /** Renders a card (and shows it to `onCard`, for tests and the playground). */
  card(model: NoticeModel): AdaptiveCardJson;
  say(context: TurnContext, model: NoticeModel, summary: string): Promise<void>;
  problem(heading: string, summary: TextRun[], c?: CaseRecord | null): NoticeModel;
}

export function createKit(d: HandlerDeps): Kit {
  const card = (model: NoticeModel) => {
    const rendered = renderNotice(model);
    d.onCard?.(rendered);
    return rendered;
  };
  return {
    d,
    card,
    say: async (context, model, summary) => {
      await context.sendActivity(cardActivity(card(model), summary));
    },
    problem: (heading, summary, c) => ({ icon: 'ℹ️', heading, caseNumber: c?.number ?? '', caseTitle: c?.title ?? '', summary, sections: [] }),
  };
}

export const message = (value: string): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value });
export const cardBody = (value: AdaptiveCardJson): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value });

export type WhoResult = { ok: true; firm: Firm; staff: Staff; actor: StaffActor } | { ok: false; reason: string };

/** The Teams user as a staff member of the firm that owns the tenant, or why not. */
export async function whoIs(repo: Repo, tenantId: string | null, from: Sender, isStaffMember: MembershipCheck | null): Promise<WhoResult> {
  const firm = tenantId ? await repo.firmByTenant(tenantId) : null;
  if (!tenantId || !firm || !firm.setupCompletedAt) return { ok: false, reason: 'CaseRoom is not set up for this organisation yet; ask your Microsoft 365 administrator to open CaseRoom and complete its set-up.' };
  const staff = from.aadObjectId ? await repo.staffByUser(firm.id, from.aadObjectId) : null;
  if (!staff) return { ok: false, reason: 'Only staff of the firm can use CaseRoom here. Sign in to the CaseRoom tab once to be recognised.' };
  // Someone taken out of the staff group keeps a staff record; the group, not the record, decides (as in the API).
  if (isStaffMember && firm.staffGroupId) {
    let member: boolean;
    try {
      member = await isStaffMember(tenantId, staff.userId, firm.staffGroupId);
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : 'CaseRoom could not check your staff membership just now; try again in a minute' };
    }
    if (!member) return { ok: false, reason: "Only members of the firm's CaseRoom staff group can use CaseRoom here; ask a CaseRoom admin." };
  }
  return { ok: true, firm, staff, actor: { kind: 'staff', firmId: firm.id, staffId: staff.id, userId: staff.userId, name: staff.name, role: staff.role } };
}

/**
 * The case a channel stands for, as the staff member asking may see it: a case they are walled
 * off is none (they hear "Not a case channel", as in any other channel).
 */
export async function caseOfChannel(repo: Repo, store: BotStore, actor: StaffActor, channelId: string | null): Promise<CaseRecord | null> {
  if (!channelId) return null;
  const byChannel = await repo.caseByChannel(channelId);
  const linked = byChannel ? null : await store.linkedCaseOfChannel(channelId);
  const c = byChannel ? (byChannel.firmId === actor.firmId ? byChannel : null) : linked ? await repo.case(actor.firmId, linked) : null;
  return c && !(await repo.hiddenCasesFor(actor)).has(c.id) ? c : null;
}

/** A command used in a case channel, by a staff member of the case's firm. */
export interface CaseCommandCall<C> {
  context: TurnContext;
  actor: StaffActor;
  c: CaseRecord;
  cmd: C;
}
