import { z } from 'zod';
import { SECTIONS } from './enums';
import { unsafeNameProblem } from './names';

/** Field rules the request schemas share; the messages are what a caller reads on a 400. */
export const id = z.uuid({ message: 'must be an id' });
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
const noUnsafeCharacters = (value: string, ctx: z.RefinementCtx) => {
  const problem = unsafeNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, abort: true });
};
/**
 * A name or title a person types (client, contact, case, item, thread subject): `text` that also
 * refuses bidi controls and zero-width characters (./names.ts says why refused, not removed). The
 * check runs before the trim, so a byte order mark at either end is refused rather than trimmed away.
 */
export const safeName = (max: number) =>
  z
    .string()
    .superRefine(noUnsafeCharacters)
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `must be at most ${max} characters` })
    .nullable()
    .optional()
    .transform((v) => (v ? v : null));
/** An optional `safeName`, read as null when absent or blank (like `optionalText`). */
export const optionalSafeName = (max: number) =>
  z
    .string()
    .superRefine(noUnsafeCharacters)
    .trim()
    .max(max, { message: `must be at most ${max} characters` })
    .nullable()
    .optional()
    .transform((v) => (v ? v : null));
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO date-time with a time zone' });
export const isoDate = z.iso.date({ message: 'must be a date (YYYY-MM-DD)' });
export const cents = z.number().int({ message: 'must be a whole number of cents' }).min(0).max(1e13);
export const reason = optionalText(1000);
/** An optional id that the server reads as null when absent. */
export const optionalId = id
  .nullable()
  .optional()
  .transform((v) => v ?? null);
export const sections = z
  .array(z.enum(SECTIONS))
  .max(SECTIONS.length)
  .refine((s) => new Set(s).size === s.length, { message: 'must not repeat a section' });

/** Answers carry times and dates as ISO strings; null where nothing is set. */
export const nullableText = z.string().nullable();
export const nullableNumber = z.number().nullable();
