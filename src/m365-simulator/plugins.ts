/**
 * Extension point for more simulated services on the same ports (next: the Bot Connector in
 * ./connector/, by the bot engineer). A plugin gets read access to the shared state (tenants,
 * users, teams, channels), can add routes to the simulator's router or mount a Node/Express
 * handler under a path prefix, verify tokens issued by the simulator, and persist its own data
 * in the simulator's snapshot.
 *
 * To add one: export a `SimulatorPlugin` from its folder and list it in `defaultPlugins()` below;
 * `startSimulator` mounts the default plugins unless told otherwise (`plugins: [...]`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from './web/types';
import type { TokenClaims } from './identity/tokens';
import type { ChannelRecord, SimulatorData, TeamMemberRecord, TeamRecord, TenantRecord, UserRecord } from './state/model';
import type { Logger } from './context';
import type { AppInstallationListener } from './state/installations';
import { connectorPlugin } from './connector';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface SimulatorStateView {
  tenants(): TenantRecord[];
  users(tenantId?: string): UserRecord[];
  teams(tenantId?: string): TeamRecord[];
  /** Live (not deleted) channels, optionally of one team. */
  channels(teamId?: string): ChannelRecord[];
  teamMembers(teamId: string): TeamMemberRecord[];
  /** Everything, for plugins that need more; treat as read-only. */
  raw(): SimulatorData;
}

export interface PluginStorage<T> {
  get(): T | undefined;
  /** Stores the value in the simulator's snapshot (written debounced, atomically). */
  set(value: T): void;
}

export interface SimulatorPluginHost {
  readonly state: SimulatorStateView;
  /** Adds a route (same router style as the built-in ones) served on both ports. */
  route(method: string, pattern: string | RegExp, handler: RouteHandler): void;
  /**
   * Adds a Graph route (a `/v1.0/...` pattern): it runs behind the Graph pipeline like the
   * built-in ones (token validation, throttling, injected faults, `$batch`), with `req.caller` set.
   */
  graphRoute(method: string, pattern: string | RegExp, handler: RouteHandler): void;
  /** Hands every request whose path starts with `prefix` to a Node handler (e.g. an Express app). */
  mountNode(prefix: string, handler: NodeHandler): void;
  /** Verifies a token issued by this simulator (signature, lifetime, issuer); the caller checks `aud`. */
  verifyToken(token: string): Promise<TokenClaims>;
  /** Called when a Teams app is installed or uninstalled in a team or for a user; a throw fails the install. */
  onAppInstallation(listener: AppInstallationListener): void;
  urls(): { https: string; http: string };
  storage<T>(pluginName: string): PluginStorage<T>;
  log: Logger;
}

export interface SimulatorPlugin {
  name: string;
  setup(host: SimulatorPluginHost): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Plugins mounted by default (by `startSimulator` and the CLI). */
export function defaultPlugins(): SimulatorPlugin[] {
  return [connectorPlugin()];
}
