import { z } from 'zod';

/**
 * The `data` of a live stream's `change` event. It says only where to look again, never what
 * changed: the page refetches through the ordinary API, which applies the viewer's access.
 * `caseId` is a case the viewer can see now (guests) or a case of the firm (staff); null means
 * "more than one thing, or your own access changed: refetch what you show".
 */
export const liveChange = z.strictObject({ caseId: z.string().nullable() });
export type LiveChange = z.infer<typeof liveChange>;
