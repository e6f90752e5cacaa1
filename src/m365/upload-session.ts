import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import { GraphRequestError, parseRetryAfter } from './errors';
import { errorOf, type GraphAuth, type GraphGateway, pathOf, seg } from './graph';
import { backoffMs, networkErrorMessage } from './middleware';

/** The driveItem fields the upload code reads. */
export interface UploadedItem {
  id: string;
  name: string;
  size?: number;
  file?: { mimeType?: string };
  parentReference?: { driveId?: string; id?: string };
}

/** Graph requires fragments in multiples of 320 KiB (except the last), each under 60 MiB. */
export const FRAGMENT_MULTIPLE = 320 * 1024;
/** Small files go in one PUT; the documented limit is 250 MB but small keeps memory small. */
export const SIMPLE_UPLOAD_MAX = 4 * 1024 * 1024;

export interface UploadDestination {
  driveId: string;
  /** The folder the path is relative to (a case folder, or a folder in it). */
  baseItemId: string;
  /** Relative path of the file under the base, folders included ('Medical/scan.pdf'). Missing folders are created. */
  path: string;
}

const SAFE_STATUS = new Set([200, 201]);

/**
 * Upload sessions, streamed: one fragment in memory at a time, whatever the file size. A
 * dropped connection or a 416 is resolved by asking the session where it stands
 * (`nextExpectedRanges`) and resending from there; a fragment the service took before the
 * connection died is not sent twice. The session is created with conflictBehavior `fail`, so
 * an answer lost after the final fragment is recovered by reading the file at its path.
 */
export class UploadSessions {
  constructor(
    private readonly graph: GraphGateway,
    private readonly logger: Logger,
    private readonly fragmentBytes: number,
  ) {
    if (fragmentBytes % FRAGMENT_MULTIPLE !== 0) throw new Error('upload fragment size must be a multiple of 320 KiB');
  }

  private itemPath(dest: UploadDestination): string {
    return `/drives/${seg(dest.driveId)}/items/${seg(dest.baseItemId)}:/${pathOf(dest.path)}:`;
  }

  /** Finds a free name: "a.pdf", then "a (1).pdf", … (what SharePoint's rename would do, but known to us). */
  async freePath(dest: UploadDestination, auth: GraphAuth): Promise<UploadDestination> {
    const slash = dest.path.lastIndexOf('/');
    const folder = slash >= 0 ? dest.path.slice(0, slash + 1) : '';
    const name = dest.path.slice(slash + 1);
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let n = 0; n < 50; n++) {
      const candidate = { ...dest, path: `${folder}${n === 0 ? name : `${stem} (${n})${ext}`}` };
      try {
        await this.graph.call({ method: 'GET', path: `${this.itemPath(candidate)}?$select=id`, auth });
      } catch (err) {
        if (err instanceof GraphRequestError && err.isNotFound) return candidate;
        throw err;
      }
    }
    throw new DomainError('conflict', `too many files named ${name} in this folder`);
  }

  /**
   * Uploads `size` bytes from `source` to `dest`. With `conflict` 'fail' (default) the path must
   * be free; with 'rename' SharePoint picks a free name itself (no look-up first: one request,
   * 2 resource units, for a small file).
   */
  async upload(dest: UploadDestination, size: number, source: Readable | Buffer, auth: GraphAuth, conflict: 'fail' | 'rename' = 'fail'): Promise<UploadedItem> {
    if (Buffer.isBuffer(source) || size <= SIMPLE_UPLOAD_MAX) {
      const body = Buffer.isBuffer(source) ? source : await readAll(source, size);
      return this.graph.call<UploadedItem>({ method: 'PUT', path: `${this.itemPath(dest)}/content?@microsoft.graph.conflictBehavior=${conflict}`, body, auth, headers: { 'content-type': 'application/octet-stream' } });
    }
    const name = dest.path.split('/').pop() as string;
    const session = await this.graph.call<{ uploadUrl: string }>({
      method: 'POST',
      path: `${this.itemPath(dest)}/createUploadSession`,
      body: { item: { '@microsoft.graph.conflictBehavior': conflict, name } },
      auth,
      // A second session for the same path is harmless (the unused one expires).
      idempotent: true,
    });
    try {
      return await this.sendFragments(session.uploadUrl, dest, size, source, auth);
    } catch (err) {
      // Free the server's partial file; the error is what the caller needs to see.
      await this.graph.fetch(session.uploadUrl, { method: 'DELETE' }).then(
        (r) => r.body?.cancel(),
        () => undefined,
      );
      throw err;
    }
  }

  private async sendFragments(uploadUrl: string, dest: UploadDestination, size: number, source: Readable, auth: GraphAuth): Promise<UploadedItem> {
    const buffer = Buffer.allocUnsafe(Math.min(this.fragmentBytes, Math.max(size, 1)));
    let filled = 0;
    let offset = 0;
    let result: UploadedItem | null = null;
    const flush = async () => {
      result = await this.putFragment(uploadUrl, dest, offset, buffer.subarray(0, filled), size, auth);
      offset += filled;
      filled = 0;
    };
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        if (offset + filled + (chunk.length - at) > size) throw new DomainError('validation_failed', `the file is larger than the ${size} bytes announced`, 'size');
        const n = Math.min(buffer.length - filled, chunk.length - at);
        chunk.copy(buffer, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === buffer.length && offset + filled < size) await flush();
      }
    }
    if (offset + filled !== size) throw new DomainError('validation_failed', `the file has ${offset + filled} bytes, not the ${size} announced`, 'size');
    await flush();
    if (!result) throw new Error('upload session finished without an item');
    return result;
  }

  /** Sends bytes [start, start+data.length) and returns the item once the last fragment is in. */
  private async putFragment(uploadUrl: string, dest: UploadDestination, start: number, data: Buffer, total: number, auth: GraphAuth): Promise<UploadedItem | null> {
    let from = start;
    for (let attempt = 0; attempt < 8; attempt++) {
      const slice = data.subarray(from - start);
      const end = start + data.length - 1;
      let response: Response | null = null;
      try {
        await this.graph.budget().take(2);
        // Upload URLs are pre-authenticated: no Authorization header (Graph refuses one there).
        response = (await this.graph.fetch(uploadUrl, {
          method: 'PUT',
          headers: { 'content-range': `bytes ${from}-${end}/${total}`, 'content-length': String(slice.length) },
          // fetch copies a Buffer body whole before sending it; views of it, streamed (undici
          // takes the length from the header), are not copied, and TLS encrypts a view at a
          // time instead of the whole fragment at once.
          body: views(slice),
          duplex: 'half',
        })) as unknown as Response;
      } catch (err) {
        this.logger.warn({ from, end, attempt, err: networkErrorMessage(err) }, 'upload fragment: connection lost; asking the session where it stands');
      }
      if (response && SAFE_STATUS.has(response.status)) return (await response.json()) as UploadedItem;
      if (response && response.status === 202) {
        await response.body?.cancel();
        return null;
      }
      if (response && response.status !== 416 && ![429, 500, 502, 503, 504].includes(response.status)) throw await errorOf(response);
      if (response && [429, 503, 504].includes(response.status)) {
        const wait = parseRetryAfter(response.headers.get('retry-after'));
        await response.body?.cancel();
        await sleep(wait !== undefined ? wait * 1000 : backoffMs(attempt));
      } else if (response) {
        await response.body?.cancel();
      } else {
        await sleep(backoffMs(attempt) / 4);
      }
      const next = await this.nextExpected(uploadUrl);
      if (next === 'gone') {
        // The session closed: the last fragment was committed but its answer was lost.
        if (end !== total - 1) throw new DomainError('unavailable', 'the upload session expired; upload the file again');
        return this.graph.get<UploadedItem>(`${this.itemPath(dest)}`, auth);
      }
      if (next >= start + data.length) return null; // the service took the whole fragment already
      if (next < start) throw new DomainError('unavailable', `the upload session lost data before byte ${start}; upload the file again`);
      from = next;
    }
    throw new DomainError('unavailable', 'SharePoint kept refusing a part of the upload; try again later', undefined, 30);
  }

  private async nextExpected(uploadUrl: string): Promise<number | 'gone'> {
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        await this.graph.budget().take(1);
        const response = (await this.graph.fetch(uploadUrl, { method: 'GET' })) as unknown as Response;
        if (response.status === 404) {
          await response.body?.cancel();
          return 'gone';
        }
        if (response.ok) {
          const status = (await response.json()) as { nextExpectedRanges?: string[] };
          const first = status.nextExpectedRanges?.[0];
          return first ? Number(first.split('-')[0]) : Number.MAX_SAFE_INTEGER;
        }
        await response.body?.cancel();
      } catch (err) {
        this.logger.warn({ attempt, err: networkErrorMessage(err) }, 'upload session status: connection lost');
      }
      await sleep(backoffMs(attempt) / 2);
    }
    throw new DomainError('unavailable', 'SharePoint does not answer about the upload; try again later', undefined, 30);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const VIEW_BYTES = 256 * 1024;

async function* views(data: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += VIEW_BYTES) yield data.subarray(at, at + VIEW_BYTES);
}

async function readAll(source: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new DomainError('validation_failed', `the file is larger than the ${limit} bytes announced`, 'size');
    chunks.push(chunk);
  }
  if (size !== limit) throw new DomainError('validation_failed', `the file has ${size} bytes, not the ${limit} announced`, 'size');
  return Buffer.concat(chunks);
}
