import type { SyncOutcome, SyncResult } from './deps';

/** What gathering needs of the reconciler. */
export interface SyncsGuests {
  syncGuests(firmId: string, contactIds: readonly string[]): Promise<Map<string, SyncResult>>;
}

/**
 * Sync jobs the outbox hands out together (a bulk share enqueues one per guest in one
 * transaction, and one claim takes them all) become one `syncGuests` run per firm: calls made
 * in the same turn of the event loop are gathered, and each caller gets its own guest's result.
 */
export function gatheredSyncs(reconciler: SyncsGuests): (firmId: string, contactId: string) => Promise<SyncOutcome> {
  type Caller = { contactId: string; resolve: (o: SyncOutcome) => void; reject: (e: unknown) => void };
  const waiting = new Map<string, Caller[]>();
  return (firmId, contactId) =>
    new Promise<SyncOutcome>((resolve, reject) => {
      let callers = waiting.get(firmId);
      if (!callers) {
        const gathered: Caller[] = [];
        callers = gathered;
        waiting.set(firmId, gathered);
        setImmediate(() => {
          waiting.delete(firmId);
          void reconciler
            .syncGuests(
              firmId,
              gathered.map((c) => c.contactId),
            )
            .then(
              (results) => {
                for (const c of gathered) {
                  const r = results.get(c.contactId);
                  if (r?.ok) c.resolve(r.outcome);
                  else c.reject(r ? r.error : new Error(`the sync run returned nothing for contact ${c.contactId}`));
                }
              },
              (err: unknown) => gathered.forEach((c) => c.reject(err)),
            );
        });
      }
      callers.push({ contactId, resolve, reject });
    });
}
