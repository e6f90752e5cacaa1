import { createHash } from 'node:crypto';
import type { CardAction } from './actions';
import type { OutgoingActivity } from './connector';

/**
 * Every card the bot sends is one Adaptive Card 1.5 layout, built by renderNotice as plain
 * objects (no templating engine: adaptivecards-templating cost the server about 24 MB of memory
 * for one fixed layout, and there is then no expression language near user data at all). The
 * rule that keeps user-supplied text (guest names, file titles, messages) inert: it only ever
 * lands in a TextRun, which Teams never reads as markdown. TextBlocks (markdown in Teams) carry
 * only the bot's own wording and, for @mentions, staff names escaped for markdown.
 */

export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  isSubtle?: boolean;
  italic?: boolean;
  /** Only ever a link of the bot's own (a CaseRoom page), never a URL taken from user text. */
  selectAction?: { type: 'Action.OpenUrl'; url: string; title?: string };
}

export const run = (text: string): TextRun => ({ type: 'TextRun', text });
export const bold = (text: string): TextRun => ({ type: 'TextRun', text, weight: 'Bolder' });
export const subtle = (text: string): TextRun => ({ type: 'TextRun', text, isSubtle: true });
/** A run that opens one of CaseRoom's own pages. */
export const linkRun = (text: string, url: string): TextRun => ({ type: 'TextRun', text, selectAction: { type: 'Action.OpenUrl', url, title: text } });

export interface Mention {
  /** Entra object id of the staff member. */
  userId: string;
  name: string;
}

export interface NoticeModel {
  icon: string;
  /** The bot's own wording only: rendered as markdown by Teams. */
  heading: string;
  caseNumber: string;
  caseTitle: string;
  summary: TextRun[];
  /** `actions`: buttons that belong to this section alone (one guest of an access review), shown under its rows. */
  sections: Array<{ label: string; rows: TextRun[][]; actions?: CardAction[] }>;
  footer?: string;
  mentions?: Mention[];
  /** Text boxes above the card's buttons; an Action.Execute sends their values with its data. */
  inputs?: TextInput[];
  actions?: CardAction[];
}

/** An Input.Text: its label and placeholder are the bot's own wording or plain names (Teams shows them as plain text). */
export interface TextInput {
  id: string;
  label: string;
  placeholder: string;
  maxLength: number;
  isMultiline: boolean;
}

export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/**
 * Teams markdown in a TextBlock: a backslash makes emphasis, link, code and tag characters
 * literal. Line-start syntax (#, -, 1.) cannot trigger: mentions follow the word "For".
 */
export const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`);

export function renderNotice(model: NoticeModel): AdaptiveCardJson {
  const mentions = model.mentions ?? [];
  const caseLine = model.caseNumber
    ? [
        {
          type: 'RichTextBlock',
          inlines: [
            { type: 'TextRun', text: model.caseNumber, isSubtle: true },
            { type: 'TextRun', text: ' · ', isSubtle: true },
            { type: 'TextRun', text: model.caseTitle, isSubtle: true },
          ],
        },
      ]
    : [];
  const mentionMarkup = mentions.map((m) => `<at>${escapeMarkdown(m.name)}</at>`);
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full', entities: mentions.map((m, i) => ({ type: 'mention', text: mentionMarkup[i], mentioned: { id: m.userId, name: m.name } })) },
    body: [
      {
        type: 'ColumnSet',
        columns: [
          { type: 'Column', width: 'auto', items: [{ type: 'TextBlock', text: model.icon, size: 'Large' }] },
          { type: 'Column', width: 'stretch', items: [{ type: 'TextBlock', text: model.heading, weight: 'Bolder', size: 'Medium', wrap: true }, ...caseLine] },
        ],
      },
      ...(model.summary.length > 0 ? [{ type: 'RichTextBlock', inlines: model.summary }] : []),
      ...model.sections
        .filter((section) => section.rows.length > 0)
        .map((section) => ({
          type: 'Container',
          spacing: 'Medium',
          items: [
            { type: 'TextBlock', text: section.label, weight: 'Bolder', size: 'Small', wrap: true },
            ...section.rows.map((inlines) => ({ type: 'RichTextBlock', spacing: 'Small', inlines })),
            ...(section.actions?.length ? [{ type: 'ActionSet', spacing: 'Small', actions: section.actions }] : []),
          ],
        })),
      ...(mentions.length > 0 ? [{ type: 'TextBlock', text: `For ${mentionMarkup.join(', ')}`, wrap: true, spacing: 'Medium' }] : []),
      ...(model.footer ? [{ type: 'TextBlock', text: model.footer, isSubtle: true, size: 'Small', wrap: true }] : []),
      ...(model.inputs ?? []).map((input) => ({ type: 'Input.Text', spacing: 'Medium', ...input })),
    ],
    actions: model.actions ?? [],
  };
}

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/**
 * What a card's message may weigh, counted as Teams counts it: the whole activity encoded as
 * UTF-16. Teams answers 413 MessageSizeTooBig past its limit. Microsoft Learn's "Format your bot
 * messages" gives 40 KB (still in several of its language versions) and now "about 100 KB, keep
 * the message within 80 KB"; integrators report about 28 KB for channel messages (UiPath's Teams
 * limitations page). The budget is the strictest of these, 28 KB, and every list on a card is
 * bounded (describers/kit.ts boundedList) to stay well under it.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
 * https://docs.uipath.com/activities/other/latest/integration-service/limitations
 */
export const CARD_SIZE_BUDGET_BYTES = 28 * 1024;
export const activitySizeBytes = (activity: unknown): number => JSON.stringify(activity).length * 2;

/**
 * A post's mark in its card: the id of the card's first element, derived from the post key.
 * Bot Framework has no idempotency key, so this is how a retry recognises, in the channel's
 * messages read through Graph (whose chatMessage attachments carry the card JSON), a card an
 * earlier attempt sent without living to record it.
 */
export const postMarker = (postKey: string): string => `caseroom-post-${createHash('sha256').update(postKey).digest('hex').slice(0, 32)}`;

export function withPostMarker(card: AdaptiveCardJson, marker: string): AdaptiveCardJson {
  const body = Array.isArray(card.body) ? (card.body as Array<Record<string, unknown>>) : [];
  if (body.length === 0) return { ...card, body: [{ type: 'TextBlock', text: ' ', id: marker, isVisible: false }] };
  return { ...card, body: [{ ...body[0], id: marker }, ...body.slice(1)] };
}

/** The message activity carrying a card; `summary` is what notifications and the activity feed show. */
export function cardActivity(card: AdaptiveCardJson, summary: string): OutgoingActivity {
  const entities = ((card.msteams as { entities?: unknown[] } | undefined)?.entities ?? []) as Array<{ type: string } & Record<string, unknown>>;
  return {
    type: 'message',
    summary,
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }],
    // Teams notifies mentioned people only when the mention is on the activity as well as in the card.
    ...(entities.length ? { entities } : {}),
  };
}

/** Human lists: "a, b and 3 more". */
export function listSome(values: string[], max = 3): string {
  if (values.length <= max) return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
  return `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
