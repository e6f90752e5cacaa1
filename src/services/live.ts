import type { Logger } from 'pino';
import type { LiveChange } from '../contract';
import { DomainError } from '../domain/errors';
import { CHANGE_CHANNEL, parseChange, type StoreChange } from '../store/changes';
import type { Db } from '../store/db';
import { Repo } from '../store/repo';
import { WallsRepo } from '../store/walls';
import { hiddenCaseIds } from '../domain/walls';
import type { Clock, GuestActor, StaffActor } from './context';
import type { PortalService } from './portal';

/**
 * Live pages: who hears which committed change (store/changes.ts has where changes come from).
 *
 * Each app instance LISTENs on the store and holds its own viewers' streams; a change committed
 * by any instance reaches every instance, so it does not matter which one a viewer is connected
 * to. Changes are gathered for a moment and then, per firm, staff hear each changed case; a
 * guest hears a changed case only if she can see it now (PortalService.visibleCaseIds, the
 * rules "My cases" uses) and it was not a staff-only change, and hears "look again" (caseId null)
 * when her own access changed. Events carry a case id at most: the page refetches through the
 * API, which decides again what she may see.
 */

/** Where a viewer's events go: the HTTP layer writes them to a text/event-stream. */
export interface LiveSink {
  change(change: LiveChange): void;
  heartbeat(): void;
  /** Ends the stream; `serverStopping` so the connection is not kept alive for another request. */
  end(serverStopping: boolean): void;
}

export interface LiveSettings {
  /** A comment on every stream this often, so proxies and clients know it is alive. */
  heartbeatMs: number;
  /** Streams one person may hold open at once (tabs, windows); the next is refused with 429. */
  maxStreamsPerUser: number;
  /** Changes committed within this long are told together. */
  batchMs: number;
  /** A stream ends after this long at most (and at its token's expiry); the client reconnects with a fresh token. */
  maxStreamMs: number;
  /** More changed cases than this in one batch are told as one "look again". */
  maxEventsPerBatch: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = { heartbeatMs: 25_000, maxStreamsPerUser: 5, batchMs: 100, maxStreamMs: 15 * 60_000, maxEventsPerBatch: 20 };

type Viewer = StaffActor | GuestActor;

interface Stream {
  viewer: Viewer;
  sink: LiveSink;
  endsAtMs: number;
}

/** What changed in one firm during one batch. */
interface FirmBatch {
  /** Changed cases, and whether any of their changes was more than staff-only. */
  cases: Map<string, { guestsMayCare: boolean }>;
  contacts: Set<string>;
  firmWide: boolean;
}

export interface LiveDeps {
  db: Db;
  portal: PortalService;
  logger: Logger;
  clock: Clock;
  settings?: Partial<LiveSettings>;
}

const userKey = (v: Viewer) => `${v.firmId}/${v.userId}`;
const LOOK_AGAIN: LiveChange = { caseId: null };

export class LiveChanges {
  private readonly settings: LiveSettings;
  private readonly byFirm = new Map<string, Set<Stream>>();
  private readonly perUser = new Map<string, number>();
  private pending = new Map<string, FirmBatch>();
  private batchTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private delivering: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(private readonly deps: LiveDeps) {
    this.settings = { ...DEFAULT_LIVE_SETTINGS, ...deps.settings };
  }

  async start(): Promise<void> {
    this.unlisten = await this.deps.db.listen(
      CHANGE_CHANNEL,
      (payload) => this.heard(payload),
      () => this.missedSome(),
    );
  }

  /**
   * Adds a viewer's stream (the caller has authenticated her). Refused when the server is
   * stopping, or when she already holds the most streams one person may.
   */
  open(viewer: Viewer, sink: LiveSink, tokenExpiresAtMs: number): () => void {
    if (this.stopped) throw new DomainError('unavailable', 'the server is restarting: reconnect in a moment', undefined, 5);
    const key = userKey(viewer);
    const open = this.perUser.get(key) ?? 0;
    if (open >= this.settings.maxStreamsPerUser) throw new DomainError('throttled', `you already have ${open} live pages open: close one, or reload it later`, undefined, 30);
    const stream: Stream = { viewer, sink, endsAtMs: Math.min(tokenExpiresAtMs, Date.now() + this.settings.maxStreamMs) };
    this.perUser.set(key, open + 1);
    let streams = this.byFirm.get(viewer.firmId);
    if (!streams) this.byFirm.set(viewer.firmId, (streams = new Set()));
    streams.add(stream);
    this.heartbeatTimer ??= setInterval(() => this.beat(), this.settings.heartbeatMs);
    let detached = false;
    return () => {
      if (detached) return;
      detached = true;
      this.detach(stream);
    };
  }

  /** Ends every stream, stops listening and waits for a delivery in progress. Idempotent. */
  async stop(): Promise<void> {
    this.endAllStreams();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.pending.clear();
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.().catch((err: unknown) => this.deps.logger.warn({ err }, 'live: could not stop listening'));
    await this.delivering;
  }

  /** The synchronous half of stop(): no new streams, every open one ended (server.close() uses it). */
  endAllStreams(): void {
    this.stopped = true;
    for (const streams of [...this.byFirm.values()]) for (const s of [...streams]) this.end(s, true);
  }

  private detach(stream: Stream): void {
    const streams = this.byFirm.get(stream.viewer.firmId);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) this.byFirm.delete(stream.viewer.firmId);
    const key = userKey(stream.viewer);
    const left = (this.perUser.get(key) ?? 1) - 1;
    if (left > 0) this.perUser.set(key, left);
    else this.perUser.delete(key);
    if (this.byFirm.size === 0 && this.heartbeatTimer) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
    }
  }

  private end(stream: Stream, serverStopping: boolean): void {
    this.detach(stream);
    try {
      stream.sink.end(serverStopping);
    } catch (err) {
      this.deps.logger.warn({ err }, 'live: ending a stream failed');
    }
  }

  private beat(): void {
    const now = Date.now();
    for (const streams of [...this.byFirm.values()]) {
      for (const s of [...streams]) {
        if (now >= s.endsAtMs) this.end(s, false);
        else s.sink.heartbeat();
      }
    }
  }

  private heard(payload: string): void {
    const change = parseChange(payload);
    if (!change || this.stopped || !this.byFirm.has(change.firmId)) return;
    this.gather(change);
    this.batchTimer ??= setTimeout(() => this.flush(), this.settings.batchMs);
  }

  private gather(change: StoreChange): void {
    let batch = this.pending.get(change.firmId);
    if (!batch) this.pending.set(change.firmId, (batch = { cases: new Map(), contacts: new Set(), firmWide: false }));
    if (change.caseId) {
      const seen = batch.cases.get(change.caseId);
      batch.cases.set(change.caseId, { guestsMayCare: Boolean(seen?.guestsMayCare) || !change.staffOnly });
    }
    if (change.contactId) batch.contacts.add(change.contactId);
    if (!change.caseId && !change.contactId) batch.firmWide = true;
  }

  /** Notifications were lost while the listening connection was down: everyone looks again. */
  private missedSome(): void {
    this.deps.logger.warn('live: the store connection was lost; every open page is told to look again');
    for (const streams of this.byFirm.values()) for (const s of streams) s.sink.change(LOOK_AGAIN);
  }

  private flush(): void {
    this.batchTimer = null;
    const batches = this.pending;
    this.pending = new Map();
    // One batch at a time, in commit order: a page never hears of an older change after a newer one.
    this.delivering = this.delivering.then(async () => {
      for (const [firmId, batch] of batches) {
        try {
          await this.deliver(firmId, batch);
        } catch (err) {
          this.deps.logger.error({ err, firmId }, 'live: telling open pages about changes failed');
        }
      }
    });
  }

  private async deliver(firmId: string, batch: FirmBatch): Promise<void> {
    const streams = [...(this.byFirm.get(firmId) ?? [])];
    if (streams.length === 0 || this.stopped) return;
    const guestCases = [...batch.cases].filter(([, c]) => c.guestsMayCare).map(([caseId]) => caseId);
    const guests = streams.filter((s): s is Stream & { viewer: GuestActor } => s.viewer.kind === 'guest');
    // Access needs a link to the case (guest-access.ts): only guests linked to a changed case,
    // or whose own access changed, can have anything to hear; the rest are not asked about.
    const linked = guests.length ? await new Repo(this.deps.db).contactsLinkedToCases(firmId, guestCases) : new Set<string>();
    const visibleOf = new Map<string, Promise<Set<string> | null>>();
    // Staff outside a case's wall hear nothing naming it (src/domain/walls.ts).
    const walls = streams.some((s) => s.viewer.kind === 'staff') && batch.cases.size > 0 ? await new WallsRepo(this.deps.db).wallsOfFirm(firmId) : new Map<string, string[]>();
    for (const stream of streams) {
      if (!this.isOpen(stream)) continue;
      if (stream.viewer.kind === 'staff') {
        const hidden = hiddenCaseIds(walls, stream.viewer.staffId);
        this.tell(
          stream,
          [...batch.cases.keys()].filter((caseId) => !hidden.has(caseId)),
          batch.contacts.size > 0 || batch.firmWide,
        );
        continue;
      }
      const guest = stream.viewer;
      const ownAccessChanged = batch.firmWide || batch.contacts.has(guest.contactId);
      if (!ownAccessChanged && !linked.has(guest.contactId)) continue;
      // One person's tabs share one answer.
      let visible = visibleOf.get(guest.contactId);
      if (!visible) visibleOf.set(guest.contactId, (visible = this.deps.portal.visibleCaseIds(guest)));
      const cases = await visible;
      if (!this.isOpen(stream)) continue;
      if (!cases) {
        // She may not use the portal any more; her next request says why.
        this.end(stream, false);
        continue;
      }
      this.tell(
        stream,
        guestCases.filter((caseId) => cases.has(caseId)),
        ownAccessChanged,
      );
    }
  }

  private isOpen(stream: Stream): boolean {
    return this.byFirm.get(stream.viewer.firmId)?.has(stream) ?? false;
  }

  private tell(stream: Stream, caseIds: string[], lookAgain: boolean): void {
    if (lookAgain || caseIds.length > this.settings.maxEventsPerBatch) {
      stream.sink.change(LOOK_AGAIN);
      if (caseIds.length > this.settings.maxEventsPerBatch) return;
    }
    for (const caseId of caseIds) stream.sink.change({ caseId });
  }
}
