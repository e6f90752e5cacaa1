import { z } from 'zod';
import { ACCESS_REVIEW_DECISIONS } from '../src/contract/enums';

/**
 * Card buttons. Every Action.Execute carries a typed verb; the invoke handler parses the data
 * against this union, so a button from an older card version, or a forged one, is reported as
 * unknown instead of half-understood.
 */

const uuid = z.string().uuid();

export const verbSchema = z.discriminatedUnion('verb', [
  /** `expected`: the expiry the card showed, so a second click on an old card is recognised as stale. */
  z.object({ verb: z.literal('grant.extend'), grantId: uuid, days: z.number().int().min(1).max(365), expected: z.string().nullable() }),
  z.object({ verb: z.literal('grant.revoke'), grantId: uuid, expected: z.string().nullable() }),
  /** Share a guest's uploads back to them (their portal shows what they sent). */
  z.object({ verb: z.literal('upload.shareBack'), postKey: z.string().min(1).max(300) }),
  z.object({ verb: z.literal('access.refresh'), caseId: uuid }),
  /** One guest's decision in an access review; `expected`: the fingerprint of the access the card showed (src/domain/access-review.ts). */
  /**
   * Reply to client on a bridged thread's card. `replyText` is the card's Input.Text: Universal
   * Actions merge input values into the action's data. The bound is the tab's (10,000 characters,
   * checked again by the service) with room for a paste a little over it, to be refused in words.
   */
  z.object({ verb: z.literal('thread.reply'), threadId: uuid, replyText: z.string().max(20000).optional() }),
  z.object({ verb: z.literal('review.decide'), reviewId: uuid, contactId: uuid, decision: z.enum(ACCESS_REVIEW_DECISIONS), expected: z.string().regex(/^[0-9a-f]{16}$/) }),
]);

export type Verb = z.infer<typeof verbSchema>;
export type VerbName = Verb['verb'];

export type CardAction = { type: 'Action.Execute'; title: string; verb: VerbName; data: Omit<Verb, 'verb'>; style?: 'positive' | 'destructive' } | { type: 'Action.OpenUrl'; title: string; url: string };

/** Builds a button whose data matches its verb by construction. */
export function execute<V extends Verb>(title: string, verb: V, style?: 'positive' | 'destructive'): CardAction {
  const { verb: name, ...data } = verb;
  return { type: 'Action.Execute', title, verb: name, data, ...(style ? { style } : {}) };
}

export const openUrl = (title: string, url: string): CardAction => ({ type: 'Action.OpenUrl', title, url });

export type ParsedAction = { ok: true; verb: Verb } | { ok: false; verbName: string; reason: 'unknown' | 'malformed' };

const KNOWN = new Set<string>(verbSchema.options.map((o) => o.shape.verb.value));

/** The invoke's `value.action` ({ verb, data }) into a typed verb. */
export function parseAction(action: { verb?: unknown; data?: unknown } | undefined): ParsedAction {
  const verbName = typeof action?.verb === 'string' ? action.verb : '';
  if (!KNOWN.has(verbName)) return { ok: false, verbName, reason: 'unknown' };
  const parsed = verbSchema.safeParse({ ...(typeof action?.data === 'object' && action.data ? action.data : {}), verb: verbName });
  return parsed.success ? { ok: true, verb: parsed.data } : { ok: false, verbName, reason: 'malformed' };
}
