import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { DomainError } from '../src/domain/errors';
import { adoptCasesTeam, releaseCasesTeam } from '../src/services/cases-teams';
import type { CaseworkService } from '../src/services/casework';
import type { Actor, Clock } from '../src/services/context';
import type { SharingService } from '../src/services/sharing';
import type { Db } from '../src/store/db';
import type { CaseRecord, Firm, Staff } from '../src/store/records';
import { Repo } from '../src/store/repo';
import { execute, type Verb } from './actions';
import { type AdaptiveCardJson, bold, cardActivity, type NoticeModel, plural, renderNotice, run, subtle, type TextRun } from './cards';
import { type Command, type Incoming, parseCommand, type Sender } from './incoming';
import type { Links } from './links';
import { describePost, type PostData } from './notices';
import { relayMarker } from './notify';
import { BotStore } from './store';

/**
 * What the bot does when Teams talks to it: installation, commands in a case channel, card
 * buttons, and staff replies in bridged threads. Each acts through the services with the
 * Teams user's identity, resolved to a staff member of the firm that owns the tenant.
 */

type StaffActor = Extract<Actor, { kind: 'staff' }>;

export interface HandlerDeps {
  db: Db;
  sharing: Pick<SharingService, 'whoHasAccessToCase' | 'shareItems' | 'extendGrant' | 'revokeGrant'>;
  casework: Pick<CaseworkService, 'reply'>;
  links: Links;
  clock: Clock;
  logger: Logger;
  /** Local only: `link case <number>` binds a channel (Agents Playground's mock channels) to a case. */
  allowChannelLinking: boolean;
  /** Queues delivery of a changed post (the outbox updates the card in place). */
  requestDelivery(firmId: string, postKey: string): Promise<void>;
  onCard?: (card: AdaptiveCardJson) => void;
}

export type InvokeBody =
  | { statusCode: 200; type: 'application/vnd.microsoft.card.adaptive'; value: AdaptiveCardJson }
  | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string };

type WhoResult = { ok: true; firm: Firm; staff: Staff; actor: StaffActor } | { ok: false; reason: string };

async function whoIs(repo: Repo, tenantId: string | null, from: Sender): Promise<WhoResult> {
  const firm = tenantId ? await repo.firmByTenant(tenantId) : null;
  if (!firm) return { ok: false, reason: 'This Microsoft 365 tenant has no CaseRoom firm.' };
  const staff = from.aadObjectId ? await repo.staffByUser(firm.id, from.aadObjectId) : null;
  if (!staff) return { ok: false, reason: 'Only staff of the firm can use CaseRoom here. Sign in to the CaseRoom tab once to be recognised.' };
  return { ok: true, firm, staff, actor: { kind: 'staff', firmId: firm.id, staffId: staff.id, userId: staff.userId, name: staff.name } };
}

async function caseOfChannel(repo: Repo, store: BotStore, firmId: string, channelId: string | null): Promise<CaseRecord | null> {
  if (!channelId) return null;
  const byChannel = await repo.caseByChannel(channelId);
  if (byChannel) return byChannel.firmId === firmId ? byChannel : null;
  const linked = await store.linkedCaseOfChannel(channelId);
  return linked ? repo.case(firmId, linked) : null;
}

const STATE_LABEL = { active: 'active', pending: 'pending (invitation not accepted)', expired: 'expired', withdrawn: 'withdrawn' } as const;
const STATUS_LABEL = { open: 'Open', on_hold: 'On hold', closed: 'Closed' } as const;

export function createHandlers(d: HandlerDeps) {
  const card = (model: NoticeModel) => {
    const rendered = renderNotice(model);
    d.onCard?.(rendered);
    return rendered;
  };
  const say = async (context: TurnContext, model: NoticeModel, summary: string) => {
    await context.sendActivity(cardActivity(card(model), summary));
  };
  const problem = (heading: string, summary: TextRun[], c?: CaseRecord | null): NoticeModel => ({ icon: 'ℹ️', heading, caseNumber: c?.number ?? '', caseTitle: c?.title ?? '', summary, sections: [] });

  async function whoHasAccessCard(actor: StaffActor, c: CaseRecord): Promise<NoticeModel> {
    const entries = await d.sharing.whoHasAccessToCase(actor, c.id);
    const linked = await new Repo(d.db).linkedContacts(c.id);
    const withAccess = new Set(entries.map((e) => e.contact.id));
    const rows = entries.map((e) => [
      bold(e.contact.name),
      subtle(` · ${e.contact.kind}`),
      run(' — '),
      run(e.label),
      subtle(` · ${e.grant.rights === 'upload' ? 'read and upload' : 'read'} · ${STATE_LABEL[e.state]}${e.grant.expiresAt ? ` · expires ${e.grant.expiresAt.slice(0, 10)}` : ''}`),
    ]);
    return {
      icon: '👥',
      heading: 'Who has access',
      caseNumber: c.number,
      caseTitle: c.title,
      summary: entries.length ? [run(`${plural(new Set(entries.map((e) => e.contact.id)).size, 'person', 'people')} outside the firm can see parts of this case.`)] : [run('Nobody outside the firm can see anything in this case.')],
      sections: [
        { label: 'Guests and what they see', rows },
        { label: 'Linked, nothing shared yet', rows: linked.filter((l) => !withAccess.has(l.id)).map((l) => [run(l.name), subtle(` · ${l.kind}${l.portalAccess ? '' : ' · portal access off'}`)]) },
      ],
      actions: [execute('Refresh', { verb: 'access.refresh', caseId: c.id })],
    };
  }

  async function statusCard(actor: StaffActor, c: CaseRecord): Promise<NoticeModel> {
    const repo = new Repo(d.db);
    const entries = await d.sharing.whoHasAccessToCase(actor, c.id);
    const people = (state: string) => new Set(entries.filter((e) => e.state === state).map((e) => e.contact.id)).size;
    const items = await repo.itemsOfCase(c.id);
    const count = (kind: string) => items.filter((i) => i.kind === kind && !i.staffOnly).length;
    const assigned = c.assignedStaffId ? await repo.staff(c.firmId, c.assignedStaffId) : null;
    const threads = await repo.threadsOfCase(c.id);
    return {
      icon: '📋',
      heading: 'Case status',
      caseNumber: c.number,
      caseTitle: c.title,
      summary: [bold(STATUS_LABEL[c.status]), ...(c.statusNote ? [run(' — '), run(c.statusNote)] : [])],
      sections: [
        { label: 'Team', rows: [[run('Assigned: '), bold(assigned?.name ?? 'nobody')]] },
        { label: 'Guests', rows: [[run(`${people('active')} active, ${people('pending')} pending, ${people('expired')} expired`)]] },
        { label: 'Content', rows: [[run(`${plural(count('document'), 'document')}, ${plural(count('note'), 'note')}, ${plural(count('event'), 'event')}, ${plural(count('invoice'), 'invoice')}, ${plural(threads.length, 'message thread')}`)]] },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'Open in CaseRoom', url: d.links.caseTab(c.id) }],
    };
  }

  const HELP: NoticeModel = {
    icon: '❔',
    heading: 'CaseRoom commands',
    caseNumber: '',
    caseTitle: '',
    summary: [run('Mention CaseRoom in a case channel, then:')],
    sections: [
      {
        label: 'Commands',
        rows: [
          [bold('who has access'), run(' — guests, what they see, pending and expired access')],
          [bold('status'), run(' — case status, assigned staff, guests, content')],
          [bold('share <file> with <contact>'), run(' — share one item with a contact linked to the case')],
          [bold('help'), run(' — this list')],
        ],
      },
      { label: 'Threads', rows: [[run('Reply in a guest message thread to answer the guest in their portal.')]] },
    ],
  };

  async function share(context: TurnContext, actor: StaffActor, c: CaseRecord, cmd: Extract<Command, { name: 'share' }>) {
    const repo = new Repo(d.db);
    const q = cmd.file.toLowerCase();
    const items = (await repo.itemsOfCase(c.id)).filter((i) => !i.staffOnly && i.kind !== 'folder');
    const exact = items.filter((i) => i.title.toLowerCase() === q);
    const matches = exact.length ? exact : items.filter((i) => i.title.toLowerCase().includes(q));
    if (matches.length !== 1) {
      return say(context, problem(matches.length ? 'Which item?' : 'No such item', matches.length ? [run('Several items match '), bold(cmd.file), run(': '), run(matches.slice(0, 5).map((m) => m.title).join('; '))] : [run('No item in this case is called '), bold(cmd.file), run('.')], c), 'Share: item not found');
    }
    const who = cmd.contact.toLowerCase();
    const linked = await repo.linkedContacts(c.id);
    const exactPeople = linked.filter((p) => p.name.toLowerCase() === who || p.email.toLowerCase() === who);
    const people = exactPeople.length ? exactPeople : linked.filter((p) => p.name.toLowerCase().includes(who));
    if (people.length !== 1) {
      const known = people.length === 0 && (await repo.listContacts(c.firmId)).some((p) => p.name.toLowerCase() === who || p.email.toLowerCase() === who);
      const why: TextRun[] = people.length
        ? [run('Several linked contacts match '), bold(cmd.contact), run('.')]
        : known
          ? [bold(cmd.contact), run(' is not linked to this case. Link them in the CaseRoom tab first; linking shares nothing by itself.')]
          : [run('Nobody linked to this case is called '), bold(cmd.contact), run('.')];
      return say(context, problem('Cannot share', why, c), 'Share: contact not found');
    }
    const [item] = matches;
    const [person] = people;
    try {
      await d.sharing.shareItems(actor, { contactIds: [person.id], itemIds: [item.id], expiresAt: null, reason: 'shared from Teams (@CaseRoom share)' });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return say(context, problem('Cannot share', [run(err.message)], c), 'Share refused');
    }
    return say(context, { icon: '🔓', heading: 'Shared', caseNumber: c.number, caseTitle: c.title, summary: [run('Shared '), bold(item.title), run(' with '), bold(person.name), run(person.invitation === 'accepted' ? '.' : ' (pending until they accept the invitation).')], sections: [] }, `Shared ${item.title}`);
  }

  async function onMessage(context: TurnContext, m: Extract<Incoming, { kind: 'message' }>) {
    const repo = new Repo(d.db);
    const store = new BotStore(d.db);
    if (m.channelId && m.tenantId && m.teamId) await store.saveChannel({ channelId: m.channelId, teamId: m.teamId, tenantId: m.tenantId, name: m.channelName, reference: { ...m.reference, conversation: { ...m.reference.conversation, id: m.channelId } as never } });
    const bridged = m.conversationId ? await repo.threadByConversation(m.conversationId) : null;
    const cmd = parseCommand(m.text);
    const isCommand = cmd.name !== 'unknown' && (m.mentionedBot || !m.channelId);
    if (!isCommand && !bridged) {
      // Channel chatter that is not for the bot; a mention without a known command gets help.
      if (m.mentionedBot || !m.channelId) await say(context, { ...HELP, heading: "CaseRoom didn't understand that", summary: [run('You wrote '), bold(m.text || '(nothing)'), run('. Mention CaseRoom with one of:')] }, 'CaseRoom help');
      return;
    }
    const who = await whoIs(repo, m.tenantId, m.from);
    if (!who.ok) {
      if (isCommand) await say(context, problem('Not available', [run(who.reason)]), who.reason);
      return;
    }
    if (!isCommand && bridged) return relay(context, who.actor, bridged.id, bridged.firmId, m.text);
    if (cmd.name === 'help') return say(context, HELP, 'CaseRoom commands');
    if (cmd.name === 'linkCase') {
      if (!d.allowChannelLinking || !m.channelId) return say(context, problem('Not available', [run('Case channels are created by CaseRoom; linking by hand is for local testing only.')]), 'Not available');
      const target = (await repo.listCases(who.firm.id)).find((x) => x.number.toLowerCase() === cmd.number.toLowerCase());
      if (!target) return say(context, problem('No such case', [run('No case numbered '), bold(cmd.number), run('.')]), 'No such case');
      await store.linkChannel(m.channelId, target.id);
      return say(context, problem('Channel linked', [run('This channel now stands for '), bold(target.number), run(' (local testing).')], target), 'Channel linked');
    }
    const c = await caseOfChannel(repo, store, who.firm.id, m.channelId);
    if (!c) return say(context, problem('Not a case channel', [run('This channel is not a CaseRoom case channel. Use the commands in the channel of a case.')]), 'Not a case channel');
    if (cmd.name === 'whoHasAccess') return say(context, await whoHasAccessCard(who.actor, c), `Who has access to ${c.number}`);
    if (cmd.name === 'status') return say(context, await statusCard(who.actor, c), `Status of ${c.number}`);
    if (cmd.name === 'share') return share(context, who.actor, c, cmd);
  }

  /** A staff reply in a bridged thread goes to the guest's portal thread, as the staff member. */
  async function relay(context: TurnContext, actor: StaffActor, threadId: string, firmId: string, text: string) {
    if (!text || actor.firmId !== firmId) return;
    const store = new BotStore(d.db);
    // Leave a marker first, so the staff.replied notification does not echo this reply back into Teams.
    const marker = relayMarker(threadId, actor.name, text);
    await store.firstDelivery(marker);
    try {
      await d.casework.reply(actor, threadId, text);
    } catch (err) {
      await store.consume(marker);
      d.logger.warn({ err: err instanceof Error ? err.message : String(err), threadId }, 'relay to the portal failed');
      await context.sendActivity({ type: 'message', text: 'CaseRoom could not pass this reply on to the guest. Try again, or answer from the CaseRoom tab.', textFormat: 'plain' });
    }
  }

  const message = (value: string): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value });
  const cardBody = (value: AdaptiveCardJson): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value });

  /** Applies a resolution to the posted card for everyone, and returns the new card for the clicker. */
  async function resolvePost(firmId: string, conversationId: string, replyToId: string | null, postKey: string | null, change: (data: PostData) => PostData | null): Promise<AdaptiveCardJson | null> {
    const store = new BotStore(d.db);
    const post = postKey ? await store.post(postKey) : replyToId ? await store.postByActivity(conversationId, replyToId) : null;
    if (!post || post.firmId !== firmId) return null;
    const next = change(post.data as PostData);
    if (!next) return null;
    await store.bumpPost(post.postKey, next);
    await d.requestDelivery(firmId, post.postKey);
    const c = await new Repo(d.db).case(firmId, post.caseId);
    if (!c) return null;
    return card((await describePost({ q: d.db, links: d.links, now: () => d.clock.now() }, post.postKey, c, next, post.itemIds)).model);
  }

  async function onCardAction(a: Extract<Incoming, { kind: 'cardAction' }>): Promise<InvokeBody> {
    if (!a.action.ok) {
      return message(a.action.reason === 'unknown' ? `CaseRoom does not know the button "${a.action.verbName || '(none)'}". This card may come from an older version; ask CaseRoom again for a fresh one.` : `This button's data is not valid for "${a.action.verbName}". Ask CaseRoom again for a fresh card.`);
    }
    const repo = new Repo(d.db);
    const who = await whoIs(repo, a.tenantId, a.from);
    if (!who.ok) return message(who.reason);
    const verb: Verb = a.action.verb;
    try {
      switch (verb.verb) {
        case 'grant.extend':
        case 'grant.revoke': {
          const grant = await repo.grant(who.firm.id, verb.grantId);
          if (!grant) return message('This card is out of date: that access no longer exists (it was revoked or changed).');
          if (grant.expiresAt !== verb.expected) return message(`This card is out of date: the expiry is now ${grant.expiresAt ?? 'none'}. Nothing was changed.`);
          let resolution: Extract<PostData, { kind: 'notice' }>['resolution'];
          if (verb.verb === 'grant.extend') {
            const from = Math.max(d.clock.now().getTime(), grant.expiresAt ? Date.parse(grant.expiresAt) : 0);
            const until = new Date(from + verb.days * 24 * 3600 * 1000).toISOString();
            await d.sharing.extendGrant(who.actor, grant.id, until, 'extended from the Teams card');
            resolution = { action: 'extended', by: who.staff.name, until };
          } else {
            await d.sharing.revokeGrant(who.actor, grant.id, 'revoked from the Teams card');
            resolution = { action: 'revoked', by: who.staff.name };
          }
          const updated = await resolvePost(who.firm.id, a.conversationId, a.replyToId, null, (data) => (data.kind === 'notice' ? { ...data, resolution } : null));
          return updated ? cardBody(updated) : message(resolution.action === 'extended' ? 'Access extended.' : 'Access revoked.');
        }
        case 'upload.shareBack': {
          const post = await new BotStore(d.db).post(verb.postKey);
          if (!post || post.firmId !== who.firm.id || post.kind !== 'upload') return message('This card is out of date: CaseRoom no longer knows these uploads.');
          const data = post.data as Extract<PostData, { kind: 'upload' }>;
          if (data.sharedBack) return message(`Already shared back by ${data.sharedBack.by}.`);
          await d.sharing.shareItems(who.actor, { contactIds: [data.contactId], itemIds: post.itemIds, expiresAt: null, reason: 'shared back from the Teams upload card' });
          const sharedBack = { by: who.staff.name, at: d.clock.now().toISOString() };
          const updated = await resolvePost(who.firm.id, a.conversationId, a.replyToId, post.postKey, (x) => (x.kind === 'upload' ? { ...x, sharedBack } : null));
          return updated ? cardBody(updated) : message('Shared back.');
        }
        case 'access.refresh': {
          const c = await repo.case(who.firm.id, verb.caseId);
          if (!c) return message('This card is out of date: the case is gone.');
          return cardBody(card(await whoHasAccessCard(who.actor, c)));
        }
      }
    } catch (err) {
      if (err instanceof DomainError) return message(`CaseRoom could not do that: ${err.message}`);
      throw err;
    }
  }

  async function onInstalled(context: TurnContext, i: Extract<Incoming, { kind: 'installed' }>) {
    if (!i.teamId || !i.tenantId) return;
    const store = new BotStore(d.db);
    const reference = { ...i.reference, conversation: { ...i.reference.conversation, id: i.teamThreadId ?? i.conversationId } as never };
    await store.saveInstallation({ teamId: i.teamId, tenantId: i.tenantId, serviceUrl: i.serviceUrl, botId: i.botId, reference });
    await store.saveChannel({ channelId: i.teamThreadId ?? i.conversationId, teamId: i.teamId, tenantId: i.tenantId, name: 'General', reference });
    d.logger.info({ teamId: i.teamId }, 'bot installed in a team');
    // Installed by the firm's admin in a team of its tenant: that team takes the firm's case channels.
    await adoptCasesTeam(d.db, d.logger, { tenantId: i.tenantId, teamId: i.teamId, displayName: i.teamName ?? 'Cases' });
    // Teams sends both installationUpdate and conversationUpdate for one install: greet once.
    if (context.activity.type === 'installationUpdate') await context.sendActivity({ type: 'message', text: 'CaseRoom is installed. It posts in each case channel when guests upload or write, and when sharing changes. Mention CaseRoom with "help" in a case channel for commands.', textFormat: 'plain' });
  }

  return {
    async onTurn(context: TurnContext, incoming: Incoming): Promise<InvokeBody | null> {
      switch (incoming.kind) {
        case 'installed':
          await onInstalled(context, incoming);
          return null;
        case 'uninstalled':
          if (incoming.teamId) {
            await new BotStore(d.db).markUninstalled(incoming.teamId);
            await releaseCasesTeam(d.db, d.logger, incoming.teamId);
          }
          return null;
        case 'channelSeen':
          if (incoming.channelId && incoming.teamId && incoming.tenantId) await new BotStore(d.db).saveChannel({ channelId: incoming.channelId, teamId: incoming.teamId, tenantId: incoming.tenantId, name: incoming.channelName, reference: incoming.reference });
          return null;
        case 'message':
          await onMessage(context, incoming);
          return null;
        case 'cardAction':
          return onCardAction(incoming);
        case 'ignored':
          return null;
      }
    },
  };
}
