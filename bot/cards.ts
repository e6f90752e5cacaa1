import { createHash } from 'node:crypto';
import * as ACData from 'adaptivecards-templating';
import type { CardAction } from './actions';
import type { OutgoingActivity } from './connector';

/**
 * Every card the bot sends comes from one Adaptive Card 1.5 template expanded with
 * adaptivecards-templating. The rule that keeps user-supplied text (guest names, file titles,
 * messages) inert: it only ever lands in a TextRun, which Teams never reads as markdown, and
 * only as a data value, which the templating engine never evaluates. TextBlocks (markdown in
 * Teams) carry only the bot's own wording and, for @mentions, staff names escaped for markdown.
 */

export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  isSubtle?: boolean;
  italic?: boolean;
}

export const run = (text: string): TextRun => ({ type: 'TextRun', text });
export const bold = (text: string): TextRun => ({ type: 'TextRun', text, weight: 'Bolder' });
export const subtle = (text: string): TextRun => ({ type: 'TextRun', text, isSubtle: true });

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
  sections: Array<{ label: string; rows: TextRun[][] }>;
  footer?: string;
  mentions?: Mention[];
  actions?: CardAction[];
}

export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

const NOTICE_TEMPLATE = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  msteams: { width: 'Full', entities: '${mentionEntities}' },
  body: [
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'auto', items: [{ type: 'TextBlock', text: '${icon}', size: 'Large' }] },
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: '${heading}', weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'RichTextBlock', $when: "${caseNumber != ''}", inlines: [{ type: 'TextRun', text: '${caseNumber}', isSubtle: true }, { type: 'TextRun', text: ' · ', isSubtle: true }, { type: 'TextRun', text: '${caseTitle}', isSubtle: true }] },
          ],
        },
      ],
    },
    { type: 'RichTextBlock', $when: '${count(summary) > 0}', inlines: '${summary}' },
    {
      type: 'Container',
      $data: '${sections}',
      spacing: 'Medium',
      items: [
        { type: 'TextBlock', text: '${label}', weight: 'Bolder', size: 'Small', wrap: true },
        { type: 'RichTextBlock', $data: '${rows}', spacing: 'Small', inlines: '${runs}' },
      ],
    },
    { type: 'TextBlock', $when: "${mentionText != ''}", text: '${mentionText}', wrap: true, spacing: 'Medium' },
    { type: 'TextBlock', $when: "${footer != ''}", text: '${footer}', isSubtle: true, size: 'Small', wrap: true },
  ],
  actions: '${actions}',
};

/**
 * Teams markdown in a TextBlock: a backslash makes emphasis, link, code and tag characters
 * literal. Line-start syntax (#, -, 1.) cannot trigger: mentions follow the word "For".
 */
export const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`);

export function renderNotice(model: NoticeModel): AdaptiveCardJson {
  const mentions = model.mentions ?? [];
  const data = {
    icon: model.icon,
    heading: model.heading,
    caseNumber: model.caseNumber,
    caseTitle: model.caseTitle,
    summary: model.summary,
    sections: model.sections.filter((s) => s.rows.length > 0).map((s) => ({ label: s.label, rows: s.rows.map((runs) => ({ runs })) })),
    footer: model.footer ?? '',
    mentionText: mentions.length ? `For ${mentions.map((m) => `<at>${escapeMarkdown(m.name)}</at>`).join(', ')}` : '',
    mentionEntities: mentions.map((m) => ({ type: 'mention', text: `<at>${escapeMarkdown(m.name)}</at>`, mentioned: { id: m.userId, name: m.name } })),
    actions: model.actions ?? [],
  };
  return new ACData.Template(NOTICE_TEMPLATE).expand({ $root: data }) as AdaptiveCardJson;
}

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

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
