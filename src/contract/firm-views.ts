import { z } from 'zod';
import type { Section } from './enums';
import { reason, safeName, sections } from './fields';

/**
 * Saved, named views of a firm ("Client standard", "Expert: documents only"): a set of portal
 * sections staff pick when they give case or client access. Admins manage them (POST, PATCH and
 * DELETE /firm/views); every staff member reads them (GET /firm/views).
 *
 * A grant keeps the sections it was given: changing or deleting a saved view never changes a grant
 * already made (widening access silently would be a leak; narrowing it silently would surprise).
 */
export const FIRM_VIEW_NAME_MAX = 80;
const viewSections = sections.min(1, { message: 'a view must show at least one section' });

/** POST /firm/views. */
export const firmViewBody = z.strictObject({ name: safeName(FIRM_VIEW_NAME_MAX), sections: viewSections, reason });
/** PATCH /firm/views/{id}: a new name, new sections, or both. */
export const firmViewChangeBody = z
  .strictObject({ name: safeName(FIRM_VIEW_NAME_MAX).optional(), sections: viewSections.optional(), reason })
  .refine((b) => b.name !== undefined || b.sections !== undefined, { message: 'give a new name or new sections', path: ['name'] });
/** DELETE /firm/views/{id}. */
export const firmViewDeleteBody = z.strictObject({ reason }).optional().default({ reason: null });

export type FirmViewInput = z.input<typeof firmViewBody>;
export type FirmViewChange = z.input<typeof firmViewChangeBody>;

/** One saved view, as GET /firm/views lists it (by name) and the admin routes answer. */
export interface FirmView {
  id: string;
  name: string;
  /** In the portal's order. */
  sections: Section[];
  createdAt: string;
  updatedAt: string;
}
/** DELETE /firm/views/{id}. */
export interface FirmViewDeleted {
  deleted: boolean;
}
