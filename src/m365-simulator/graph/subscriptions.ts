/**
 * Change notifications for drives (learn.microsoft.com/graph/api/subscription-post-subscriptions,
 * learn.microsoft.com/graph/change-notifications-delivery-webhooks):
 * - on create, Graph POSTs `notificationUrl?validationToken=…` and needs the token echoed as
 *   text/plain with 200 within 10 s, otherwise 400 and no subscription;
 * - driveItem subscriptions: changeType "updated" only, root folder only on SharePoint, at most
 *   42,300 minutes of expiry; renew with PATCH expirationDateTime;
 * - notifications `{value:[{subscriptionId, clientState, changeType, resource,
 *   subscriptionExpirationDateTime, tenantId}]}` are POSTed when anything in the drive changes,
 *   coalesced, with retries when the endpoint fails or takes longer than 3 s.
 */
import { randomUUID } from 'node:crypto';
import type { SimContext } from '../context';
import { GraphError, notFound } from '../web/errors';
import type { Router } from '../web/router';
import type { Caller, SimRequest } from '../web/types';
import type { SubscriptionRecord } from '../state/model';
import type { DriveChangeEvent } from '../state/store';
import { requireCaller } from './drives';
import { subscriptionJson } from './render';

export const DRIVE_ITEM_MAX_EXPIRATION_MINUTES = 42300;
const NOTIFICATION_TIMEOUT_MS = 3000;
const RETRY_DELAYS_MS = [1000, 4000, 15000];

const invalid = (message: string) => new GraphError(400, 'InvalidRequest', message);
const validationError = (message: string) => new GraphError(400, 'ValidationError', message);

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function parseNotificationUrl(value: unknown, property: string): URL {
  if (typeof value !== 'string') throw invalid(`${property} is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${property} '${value}' is not a valid URL.`);
  }
  // Graph requires HTTPS; plain HTTP is accepted on loopback only so local apps can listen without TLS.
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) throw invalid(`${property} must use the HTTPS protocol.`);
  return url;
}

function driveIdFromResource(ctx: SimContext, tenantId: string, resource: unknown): string {
  if (typeof resource !== 'string') throw invalid('resource is required.');
  const normalized = resource.replace(/^\//, '').replace(/^v1\.0\//, '');
  const match = /^(?:drives\/(?<driveId>[^/]+)|sites\/(?<siteId>[^/]+)\/drive|groups\/(?<groupId>[^/]+)\/drive)\/(?<target>root|items\/[^/]+)$/i.exec(normalized);
  if (!match?.groups) throw invalid(`Resource '${resource}' is not supported for change notifications by this simulator (use drives/{drive-id}/root).`);
  const { driveId, siteId, groupId, target } = match.groups;
  const data = ctx.store.data;
  const resolvedDriveId = driveId ?? (siteId ? data.sites[siteId]?.driveId : groupId ? data.teams[groupId]?.driveId : undefined);
  const drive = resolvedDriveId ? data.drives[resolvedDriveId] : undefined;
  if (!drive || drive.tenantId !== tenantId) throw new GraphError(404, 'ResourceNotFound', `Resource '${resource}' was not found.`);
  if (target.toLowerCase() !== 'root' && target.slice('items/'.length) !== drive.rootItemId) throw invalid('Only the root folder of a SharePoint document library supports change notifications.');
  return drive.id;
}

function parseExpiration(value: unknown): string {
  const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(parsed.getTime())) throw invalid('expirationDateTime is required and must be a valid date.');
  if (parsed.getTime() <= Date.now()) throw invalid('Subscription expiration must be in the future.');
  if (parsed.getTime() > Date.now() + DRIVE_ITEM_MAX_EXPIRATION_MINUTES * 60_000) throw invalid(`Subscription expiration can only be ${DRIVE_ITEM_MAX_EXPIRATION_MINUTES} minutes in the future.`);
  return parsed.toISOString();
}

async function validateEndpoint(ctx: SimContext, url: URL): Promise<void> {
  const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', validationToken);
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8', accept: 'text/plain' }, body: '', signal: AbortSignal.timeout(ctx.knobs.subscriptionValidationTimeoutMs) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw validationError('Subscription validation request timed out.');
    throw validationError('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
  }
  const text = await response.text();
  if (response.status !== 200) throw validationError('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
  if (!(response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) throw validationError('Subscription validation request failed. Response must have Content-Type text/plain.');
  if (text !== validationToken) throw validationError('Subscription validation request failed. Response must exactly match validationToken query parameter.');
}

/**
 * Which subscriptions a caller may see (learn.microsoft.com/graph/api/subscription-list, "basic
 * scenarios"): a delegated caller, the ones this app created for the signed-in user only; an
 * app-only caller, the ones this app created for itself or for any user. A guest's token thus
 * never reaches the subscription CaseRoom created app-only (nor its clientState). The same rule
 * answers GET/PATCH/DELETE by id, with 404 as for an id that does not exist (stricter reading:
 * subscription-get does not say more).
 */
function canSee(caller: Caller, subscription: SubscriptionRecord): boolean {
  if (subscription.tenantId !== caller.tenantId || subscription.applicationId !== caller.appId || isExpired(subscription)) return false;
  return caller.kind === 'app' || subscription.creatorId === caller.userId;
}

function visibleSubscription(ctx: SimContext, req: SimRequest, id: string): SubscriptionRecord {
  const caller = requireCaller(req);
  const subscription = ctx.store.data.subscriptions[id];
  if (!subscription || !canSee(caller, subscription)) {
    throw notFound(`The object was not found. Subscription '${id}'.`);
  }
  return subscription;
}

function isExpired(subscription: SubscriptionRecord): boolean {
  return new Date(subscription.expirationDateTime).getTime() <= Date.now();
}

export function registerSubscriptionRoutes(router: Router, ctx: SimContext): void {
  router.add('POST', '/v1.0/subscriptions', async (req) => {
    const caller = requireCaller(req);
    const body = ((await req.body.json()) ?? {}) as Record<string, unknown>;
    if (body.changeType !== 'updated') throw invalid(`changeType '${String(body.changeType)}' is not supported for driveItem; the only supported value is 'updated'.`);
    const driveId = driveIdFromResource(ctx, caller.tenantId, body.resource);
    const expirationDateTime = parseExpiration(body.expirationDateTime);
    const notificationUrl = parseNotificationUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleUrl = body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null ? null : parseNotificationUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    if (body.clientState !== undefined && body.clientState !== null && (typeof body.clientState !== 'string' || body.clientState.length > 128)) throw invalid('clientState must be a string of at most 128 characters.');
    if (body.includeResourceData === true) throw invalid('includeResourceData is not supported for driveItem.');
    await validateEndpoint(ctx, notificationUrl);
    if (lifecycleUrl) await validateEndpoint(ctx, lifecycleUrl);
    const subscription: SubscriptionRecord = {
      id: randomUUID(),
      tenantId: caller.tenantId,
      applicationId: caller.appId,
      creatorId: caller.kind === 'user' ? caller.userId : (ctx.store.data.apps[caller.appId]?.servicePrincipalId ?? caller.appId),
      resource: String(body.resource),
      driveId,
      changeType: 'updated',
      clientState: typeof body.clientState === 'string' ? body.clientState : null,
      notificationUrl: notificationUrl.toString(),
      lifecycleNotificationUrl: lifecycleUrl?.toString() ?? null,
      expirationDateTime,
      latestSupportedTlsVersion: typeof body.latestSupportedTlsVersion === 'string' ? body.latestSupportedTlsVersion : 'v1_2',
    };
    ctx.store.data.subscriptions[subscription.id] = subscription;
    ctx.store.markDirty();
    return { status: 201, json: subscriptionJson(subscription) };
  });
  router.add('GET', '/v1.0/subscriptions', async (req) => {
    const caller = requireCaller(req);
    const mine = Object.values(ctx.store.data.subscriptions).filter((subscription) => canSee(caller, subscription));
    return { status: 200, json: { value: mine.map(subscriptionJson) } };
  });
  router.add('GET', '/v1.0/subscriptions/{id}', async (req) => ({ status: 200, json: subscriptionJson(visibleSubscription(ctx, req, req.params.id)) }));
  router.add('PATCH', '/v1.0/subscriptions/{id}', async (req) => {
    const subscription = visibleSubscription(ctx, req, req.params.id);
    const body = ((await req.body.json()) ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(body)) if (key !== 'expirationDateTime' && key !== 'notificationUrl') throw invalid(`Property '${key}' cannot be updated on a subscription.`);
    if (body.notificationUrl !== undefined) {
      const url = parseNotificationUrl(body.notificationUrl, 'notificationUrl');
      await validateEndpoint(ctx, url);
      subscription.notificationUrl = url.toString();
    }
    if (body.expirationDateTime !== undefined) subscription.expirationDateTime = parseExpiration(body.expirationDateTime);
    ctx.store.markDirty();
    return { status: 200, json: subscriptionJson(subscription) };
  });
  router.add('DELETE', '/v1.0/subscriptions/{id}', async (req) => {
    const subscription = visibleSubscription(ctx, req, req.params.id);
    delete ctx.store.data.subscriptions[subscription.id];
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });
}

/** Turns drive changes into webhook POSTs, coalescing bursts (one upload touches several items). */
export class ChangeNotifier {
  private readonly pendingByDrive = new Set<string>();
  private readonly sharingPendingByDrive = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listener = (event: DriveChangeEvent) => this.onChange(event);

  constructor(private readonly ctx: SimContext) {
    ctx.store.events.on('driveChanged', this.listener);
  }

  private onChange(event: DriveChangeEvent): void {
    if (this.controller.signal.aborted) return;
    if (event.sharingFor) {
      // As delta (Store.recordSharingChange): only a subscriber whose own access changed hears of it.
      const users = this.sharingPendingByDrive.get(event.driveId) ?? new Set<string>();
      for (const userId of event.sharingFor) users.add(userId);
      this.sharingPendingByDrive.set(event.driveId, users);
    } else this.pendingByDrive.add(event.driveId);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.ctx.knobs.notificationCoalesceMs);
  }

  private flush(): void {
    this.timer = null;
    const drives = new Set(this.pendingByDrive);
    const sharing = new Map(this.sharingPendingByDrive);
    this.pendingByDrive.clear();
    this.sharingPendingByDrive.clear();
    const byUrl = new Map<string, SubscriptionRecord[]>();
    for (const subscription of Object.values(this.ctx.store.data.subscriptions)) {
      const changed = drives.has(subscription.driveId) || sharing.get(subscription.driveId)?.has(subscription.creatorId) === true;
      if (!changed || isExpired(subscription)) continue;
      byUrl.set(subscription.notificationUrl, [...(byUrl.get(subscription.notificationUrl) ?? []), subscription]);
    }
    for (const [url, subscriptions] of byUrl) {
      const payload = {
        value: subscriptions.map((subscription) => ({
          subscriptionId: subscription.id,
          clientState: subscription.clientState,
          changeType: 'updated',
          resource: subscription.resource,
          subscriptionExpirationDateTime: subscription.expirationDateTime,
          tenantId: subscription.tenantId,
        })),
      };
      this.deliver(url, payload, subscriptions[0].id, 0);
    }
  }

  private deliver(url: string, payload: { value: unknown[] }, subscriptionId: string, attempt: number): void {
    const task = (async () => {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(NOTIFICATION_TIMEOUT_MS)]);
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(payload), signal });
        status = response.status;
        await response.arrayBuffer();
      } catch (caught) {
        error = (caught as Error).name === 'TimeoutError' ? 'timeout (3 s)' : (caught as Error).message;
      }
      if (this.controller.signal.aborted) return;
      this.ctx.stats.webhookDeliveries.push({ subscriptionId, url, status, error, at: new Date().toISOString(), notifications: payload.value.length });
      const failed = status === null || status >= 300;
      if (failed && attempt < RETRY_DELAYS_MS.length) {
        const retry = setTimeout(() => {
          this.retryTimers.delete(retry);
          this.deliver(url, payload, subscriptionId, attempt + 1);
        }, RETRY_DELAYS_MS[attempt]);
        this.retryTimers.add(retry);
      }
    })();
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  async close(): Promise<void> {
    this.ctx.store.events.off('driveChanged', this.listener);
    if (this.timer) clearTimeout(this.timer);
    for (const retry of this.retryTimers) clearTimeout(retry);
    this.controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
