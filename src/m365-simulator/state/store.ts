/**
 * The simulator's state and its persistence: metadata in one JSON snapshot written atomically
 * (temp file + rename) and debounced, file contents as one file per blob. Reloaded on start so
 * a restarted simulator (or a killed-and-restarted app under test) finds the same tenant.
 */
import { EventEmitter } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { emptyData, type DriveChange, type DriveItemRecord, type DriveRecord, type SimulatorData } from './model';
import { QuickXorHash } from './quickXorHash';

const SNAPSHOT_FILE = 'state.json';
const SAVE_DEBOUNCE_MS = 150;
/** How many changes per drive delta remembers; older tokens get 410 resyncRequired, like SharePoint. */
const CHANGE_LOG_LIMIT = 20000;

/** A change-log entry as it happens, with its drive (subscriptions listen for these). */
export type DriveChangeEvent = Omit<DriveChange, 'seq'> & { driveId: string };

export class SimulatorStore {
  data: SimulatorData = emptyData();
  readonly events = new EventEmitter();
  private readonly childrenIndex = new Map<string, Set<string>>();
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly dataDir: string) {}

  get blobsDir(): string {
    return path.join(this.dataDir, 'blobs');
  }

  get uploadsDir(): string {
    return path.join(this.dataDir, 'uploads');
  }

  async load(): Promise<void> {
    await fs.mkdir(this.blobsDir, { recursive: true });
    await fs.mkdir(this.uploadsDir, { recursive: true });
    try {
      const text = await fs.readFile(path.join(this.dataDir, SNAPSHOT_FILE), 'utf8');
      const parsed = JSON.parse(text) as SimulatorData;
      this.data = { ...emptyData(), ...parsed };
      // Snapshots from before inheritance was modelled: an item holding a permission holds unique ones.
      for (const permission of Object.values(this.data.permissions)) {
        const item = this.data.items[permission.itemId];
        if (item && item.parentId !== null && item.hasUniquePermissions === undefined) item.hasUniquePermissions = true;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.data = emptyData();
    }
    this.rebuildIndexes();
  }

  /** Wipes every tenant, file and upload; the CA and signing keys are kept (they live outside the snapshot). */
  async reset(): Promise<void> {
    this.data = emptyData();
    this.rebuildIndexes();
    await fs.rm(this.blobsDir, { recursive: true, force: true });
    await fs.rm(this.uploadsDir, { recursive: true, force: true });
    await fs.mkdir(this.blobsDir, { recursive: true });
    await fs.mkdir(this.uploadsDir, { recursive: true });
    this.markDirty();
  }

  markDirty(): void {
    if (this.closed || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saving = this.saving.then(() => this.writeSnapshot()).catch(() => undefined);
    }, SAVE_DEBOUNCE_MS);
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.saving = this.saving.then(() => this.writeSnapshot());
    }
    await this.saving;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async writeSnapshot(): Promise<void> {
    const target = path.join(this.dataDir, SNAPSHOT_FILE);
    const temp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify(this.data));
    await fs.rename(temp, target);
  }

  // ---- drive items -------------------------------------------------------------------------

  private rebuildIndexes(): void {
    this.childrenIndex.clear();
    for (const item of Object.values(this.data.items)) {
      if (item.parentId && !item.deletedDateTime) this.indexChild(item.parentId, item.id);
    }
  }

  private indexChild(parentId: string, childId: string): void {
    let set = this.childrenIndex.get(parentId);
    if (!set) this.childrenIndex.set(parentId, (set = new Set()));
    set.add(childId);
  }

  liveItem(itemId: string): DriveItemRecord | undefined {
    const item = this.data.items[itemId];
    return item && !item.deletedDateTime ? item : undefined;
  }

  children(parentId: string): DriveItemRecord[] {
    const ids = this.childrenIndex.get(parentId);
    if (!ids) return [];
    const result: DriveItemRecord[] = [];
    for (const id of ids) {
      const item = this.data.items[id];
      if (item && !item.deletedDateTime) result.push(item);
    }
    return result;
  }

  childByName(parentId: string, name: string): DriveItemRecord | undefined {
    const lower = name.toLowerCase();
    // SharePoint names are case-insensitive: "Report.pdf" and "report.PDF" collide.
    return this.children(parentId).find((child) => child.name.toLowerCase() === lower);
  }

  /** Ancestors from the parent up to the root (nearest first). */
  ancestors(item: DriveItemRecord): DriveItemRecord[] {
    const chain: DriveItemRecord[] = [];
    let parentId = item.parentId;
    while (parentId) {
      const parent = this.data.items[parentId];
      if (!parent) break;
      chain.push(parent);
      parentId = parent.parentId;
    }
    return chain;
  }

  /** Path of the item below the root, e.g. "/Cases/2024-001/report.pdf" ("" for the root). */
  relativePath(item: DriveItemRecord): string {
    const names = [item, ...this.ancestors(item)].filter((entry) => entry.parentId !== null).map((entry) => entry.name);
    return names.length ? `/${names.reverse().join('/')}` : '';
  }

  descendants(item: DriveItemRecord): DriveItemRecord[] {
    const result: DriveItemRecord[] = [];
    const stack = [item];
    while (stack.length) {
      const current = stack.pop() as DriveItemRecord;
      for (const child of this.children(current.id)) {
        result.push(child);
        stack.push(child);
      }
    }
    return result;
  }

  insertItem(item: DriveItemRecord): void {
    this.data.items[item.id] = item;
    if (item.parentId) this.indexChild(item.parentId, item.id);
    this.recordChange(item.driveId, item.id);
  }

  moveItem(item: DriveItemRecord, newParentId: string): void {
    if (item.parentId) this.childrenIndex.get(item.parentId)?.delete(item.id);
    item.parentId = newParentId;
    this.indexChild(newParentId, item.id);
  }

  /** Turns the item (and its subtree) into tombstones so delta can report them as deleted. */
  deleteItem(item: DriveItemRecord, when: string): string[] {
    const removed = [item, ...this.descendants(item)];
    for (const entry of removed) {
      entry.deletedDateTime = when;
      if (entry.parentId) this.childrenIndex.get(entry.parentId)?.delete(entry.id);
      for (const permission of Object.values(this.data.permissions)) {
        if (permission.itemId === entry.id) delete this.data.permissions[permission.id];
      }
      this.recordChange(entry.driveId, entry.id);
    }
    return removed.map((entry) => entry.blobId).filter((blobId): blobId is string => Boolean(blobId));
  }

  /** Every change bumps the drive's sequence; delta and change notifications both feed on it. */
  recordChange(driveId: string, itemId: string): void {
    this.logChange(driveId, { itemId });
  }

  /**
   * A change of who may reach the item, and nothing else. Delta scopes such changes to callers
   * whose own access they altered ("If the caller's access wasn't altered by the permission change,
   * the item may not be included in the delta results"; all of them only with app-only
   * Sites.FullControl.All and `Prefer: deltashowsharingchanges`: techcommunity.microsoft.com,
   * "How to retrieve complete set of permission changes while using delta", and the "Scanning
   * permissions hierarchies" section of learn.microsoft.com/graph/api/driveitem-delta). We take
   * the stricter reading: the app's own delta and subscriptions never see them.
   */
  recordSharingChange(driveId: string, itemId: string, userIds: string[]): void {
    this.logChange(driveId, { itemId, sharingFor: [...new Set(userIds)] });
  }

  private logChange(driveId: string, change: Omit<DriveChange, 'seq'>): void {
    const drive = this.data.drives[driveId];
    if (!drive) return;
    drive.changeSeq += 1;
    drive.changeLog.push({ seq: drive.changeSeq, ...change });
    if (drive.changeLog.length > CHANGE_LOG_LIMIT) this.pruneChangeLog(drive);
    this.markDirty();
    this.events.emit('driveChanged', { driveId, ...change } satisfies DriveChangeEvent);
  }

  private pruneChangeLog(drive: DriveRecord): void {
    const dropped = drive.changeLog.splice(0, drive.changeLog.length - CHANGE_LOG_LIMIT / 2);
    drive.changeLogFloor = dropped[dropped.length - 1].seq;
    const stillReferenced = new Set(drive.changeLog.map((entry) => entry.itemId));
    for (const { itemId } of dropped) {
      const item = this.data.items[itemId];
      if (item?.deletedDateTime && !stillReferenced.has(itemId)) delete this.data.items[itemId];
    }
  }

  // ---- blobs -------------------------------------------------------------------------------

  blobPath(blobId: string): string {
    return path.join(this.blobsDir, blobId);
  }

  /**
   * Streams `source` into a new blob, refusing more than `limitBytes` (the stream is drained and
   * the partial blob removed). Returns the blob id, its size and quickXorHash.
   */
  async writeBlob(source: Readable, limitBytes: number): Promise<{ blobId: string; size: number; quickXorHash: string } | { tooLarge: true }> {
    const blobId = randomUUID();
    const target = this.blobPath(blobId);
    const hash = new QuickXorHash();
    let size = 0;
    let tooLarge = false;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limitBytes) {
          tooLarge = true;
          callback();
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(source, meter, createWriteStream(target));
    if (tooLarge) {
      await fs.rm(target, { force: true });
      return { tooLarge: true };
    }
    return { blobId, size, quickXorHash: hash.digestBase64() };
  }

  async writeBlobFromBuffer(content: Buffer): Promise<{ blobId: string; size: number; quickXorHash: string }> {
    const blobId = randomUUID();
    await fs.writeFile(this.blobPath(blobId), content);
    return { blobId, size: content.length, quickXorHash: new QuickXorHash().update(content).digestBase64() };
  }

  async removeBlobs(blobIds: string[]): Promise<void> {
    await Promise.all(blobIds.map((blobId) => fs.rm(this.blobPath(blobId), { force: true })));
  }
}
