/** Id generators shaped like the ids Microsoft 365 hands out, so logs and parsers see familiar forms. */
import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** SharePoint driveItem ids: 34 characters, "01" followed by base32. */
export function newDriveItemId(): string {
  const bytes = randomBytes(32);
  let id = '01';
  for (let i = 0; i < 32; i++) id += BASE32[bytes[i] % 32];
  return id;
}

/** SharePoint drive ids: "b!" followed by base64url. */
export function newDriveId(): string {
  return `b!${randomBytes(48).toString('base64url')}`;
}

/** Site ids: "{hostname},{site collection id},{web id}". */
export function newSiteId(hostname: string): string {
  return `${hostname},${randomUUID()},${randomUUID()}`;
}

/** Permission ids on SharePoint are opaque base64 strings. */
export function newPermissionId(): string {
  return randomBytes(24).toString('base64url');
}

/** Teams channel ids: "19:{hex}@thread.tacv2". */
export function newChannelId(): string {
  return `19:${randomBytes(16).toString('hex')}@thread.tacv2`;
}

export const newGuid = (): string => randomUUID();
