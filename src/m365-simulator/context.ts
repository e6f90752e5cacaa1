/**
 * The shared context every route module receives: state, tokens, knobs and counters.
 * Route modules are functions `(router, ctx) => void` so more can be plugged in later.
 */
import type { SimulatorStore } from './state/store';
import type { TokenService } from './identity/tokens';
import type { InstallationEvents } from './state/installations';

export type FaultKind = '429' | '503' | 'reset';

export interface Knobs {
  /** Added to every Graph call before it is handled. */
  latencyMs: number;
  /** SharePoint resource units per app per minute (sliding window); 0 disables throttling. */
  resourceUnitsPerMinute: number;
  /** Probability (0..1) that a Graph call fails with one of `faultKinds`. */
  faultRate: number;
  faultKinds: FaultKind[];
  /** Share of connection resets that happen after the request was carried out (the client cannot tell). */
  resetAfterProcessingShare: number;
  /** How long a new team stays "inProgress" before GET /teams/{id} finds it. */
  teamProvisioningMs: number;
  /** Teams limit, including channels deleted in the last 30 days. */
  maxChannelsPerTeam: number;
  /** Lifetime of issued tokens. */
  tokenLifetimeSeconds: number;
  /** Max wait for the subscription validation echo (Graph: 10 s). */
  subscriptionValidationTimeoutMs: number;
  /** Window in which drive changes are coalesced into one notification. */
  notificationCoalesceMs: number;
}

export const defaultKnobs: Knobs = {
  latencyMs: 0,
  resourceUnitsPerMinute: 1250,
  faultRate: 0,
  faultKinds: ['429', '503', 'reset'],
  resetAfterProcessingShare: 0.5,
  teamProvisioningMs: 300,
  maxChannelsPerTeam: 1000,
  tokenLifetimeSeconds: 3599,
  subscriptionValidationTimeoutMs: 10_000,
  notificationCoalesceMs: 200,
};

export interface AppStats {
  calls: number;
  resourceUnits: number;
  permissionOperations: number;
  throttled429: number;
  injected429: number;
  injected503: number;
  injectedResets: number;
  batchRequests: number;
}

/** One authorised (or refused) Graph call: what the permission check saw, for tests comparing needs with declarations. */
export interface GraphCallRecord {
  method: string;
  /** The path as called, below /v1.0, without the query string. */
  path: string;
  /** The permission reference's template that matched (null when refused without a match). */
  template: string | null;
  appId: string;
  tokenKind: 'app' | 'delegated';
  /** Every permission of the token's scheme the operation accepts, held or not (empty when no template matched). */
  accepted: string[];
  /** The permissions the caller held that the operation accepts (tenant-wide or RSC at that team/user). */
  grantedBy: string[];
  denied: boolean;
}

/** Enough for every call a test run makes; older records are dropped first. */
const MAX_GRAPH_CALL_RECORDS = 50_000;

export class Stats {
  readonly perApp = new Map<string, AppStats>();
  readonly graphCalls: GraphCallRecord[] = [];

  recordGraphCall(record: GraphCallRecord): void {
    this.graphCalls.push(record);
    if (this.graphCalls.length > MAX_GRAPH_CALL_RECORDS) this.graphCalls.splice(0, this.graphCalls.length - MAX_GRAPH_CALL_RECORDS);
  }

  readonly webhookDeliveries: Array<{ subscriptionId: string; url: string; status: number | null; error: string | null; at: string; notifications: number }> = [];

  forApp(appId: string): AppStats {
    let stats = this.perApp.get(appId);
    if (!stats) {
      stats = { calls: 0, resourceUnits: 0, permissionOperations: 0, throttled429: 0, injected429: 0, injected503: 0, injectedResets: 0, batchRequests: 0 };
      this.perApp.set(appId, stats);
    }
    return stats;
  }

  reset(): void {
    this.perApp.clear();
    this.graphCalls.length = 0;
    this.webhookDeliveries.length = 0;
  }

  toJSON(): { apps: Record<string, AppStats>; totals: AppStats; webhookDeliveries: number } {
    const totals: AppStats = { calls: 0, resourceUnits: 0, permissionOperations: 0, throttled429: 0, injected429: 0, injected503: 0, injectedResets: 0, batchRequests: 0 };
    const apps: Record<string, AppStats> = {};
    for (const [appId, stats] of this.perApp) {
      apps[appId] = { ...stats };
      for (const key of Object.keys(totals) as Array<keyof AppStats>) totals[key] += stats[key];
    }
    return { apps, totals, webhookDeliveries: this.webhookDeliveries.length };
  }
}

export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface SimContext {
  store: SimulatorStore;
  tokens: TokenService;
  knobs: Knobs;
  stats: Stats;
  log: Logger;
  /** Installs and uninstalls of Teams apps, for the services that react to them (the Bot Connector). */
  installations: InstallationEvents;
  /** Filled once both servers listen. */
  urls: { https: string; http: string };
}
