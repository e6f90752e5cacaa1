/**
 * POST …/items/{id}/preview (learn.microsoft.com/graph/api/driveitem-preview): a short-lived
 * embeddable URL for a file, answered as `itemPreviewInfo` {getUrl, postParameters, postUrl}
 * (v1.0 CSDL: action `preview` bound to driveItem, parameters `page` and `zoom` only).
 *
 * Strict where Learn is silent or loose:
 * - Any body property other than `page` and `zoom` is 400 BadRequest, as OData refuses unknown
 *   action parameters (the older OneDrive page lists `viewer`/`chromeless`/`allowEdit`; the Graph
 *   v1.0 schema does not, and we follow the schema).
 * - A folder is refused with 400 invalidRequest: Learn describes the action as rendering "a
 *   temporary preview" of an item's content and shows only files; a folder has no content to
 *   render, so the stricter reading refuses it (conformance test "driveItem: preview … refuses a folder").
 * - The caller must be able to read the file (delegated callers through SharePoint's permissions,
 *   as for GET …/content); what the caller cannot see at all is 404 itemNotFound.
 *
 * The getUrl is a page on the simulator's plain-HTTP origin (`/_layouts/15/embed.aspx`), because
 * a browser frames only origins whose certificate it trusts and nobody trusts the simulator's CA in
 * a browser. It shows the file's name and, for Word, Excel and PowerPoint files, their text.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import yauzl from 'yauzl';
import type { SimContext } from '../context';
import { escapeHtml } from '../web/html';
import { GraphError, invalidRequest } from '../web/errors';
import type { SimRequest, SimResponse } from '../web/types';
import type { DriveItemRecord } from '../state/model';
import { requireActionBody } from './actionBody';
import { type DriveCall, existingItem, requireAccess } from './drives';

/**
 * Learn calls the URL "short-lived" without a number. Ten minutes: long enough to open and read a
 * document in a frame, short enough that a URL copied out of the page (which acts as its caller,
 * per Learn's caution) stops working soon; SharePoint's own embed tokens are of that order.
 */
export const PREVIEW_URL_LIFETIME_MS = 10 * 60_000;
const PREVIEW_PATH = '/_layouts/15/embed.aspx';
/** Per process, like the download URLs' secret: a restart ends every preview, as their expiry would. */
const previewSecret = randomBytes(32);
/** Reading text out of bigger files is not "cheap": those previews show the name only. */
const MAX_TEXT_SOURCE_BYTES = 20 * 1024 * 1024;
const MAX_PREVIEW_TEXT_CHARS = 20_000;

const sign = (itemId: string, expires: number) => createHmac('sha256', previewSecret).update(`preview.${itemId}.${expires}`).digest('base64url');

export async function handlePreview(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'read');
  const body = requireActionBody(await call.req.body.json(), 'microsoft.graph.preview', ['page', 'zoom']);
  if (body.page !== undefined && body.page !== null && typeof body.page !== 'string' && typeof body.page !== 'number') throw new GraphError(400, 'BadRequest', "The parameter 'page' must be a string or a number.");
  if (body.zoom !== undefined && body.zoom !== null && typeof body.zoom !== 'number') throw new GraphError(400, 'BadRequest', "The parameter 'zoom' must be a number.");
  if (item.kind !== 'file') throw invalidRequest('Preview is not supported for folders.');
  const expires = Date.now() + PREVIEW_URL_LIFETIME_MS;
  const getUrl = `${call.ctx.urls.http}${PREVIEW_PATH}?UniqueId=${encodeURIComponent(item.id)}&e=${expires}&tempauth=${sign(item.id, expires)}`;
  return { status: 200, json: { getUrl, postParameters: null, postUrl: null } };
}

export function isPreviewPagePath(pathname: string): boolean {
  return pathname.toLowerCase() === PREVIEW_PATH;
}

/** The embeddable page: 403 once expired or tampered with, 404 once the file is gone. */
export async function servePreviewPage(ctx: SimContext, req: SimRequest): Promise<SimResponse> {
  const itemId = req.query.get('UniqueId') ?? '';
  const expires = Number(req.query.get('e'));
  const signature = req.query.get('tempauth') ?? '';
  if (!itemId || !Number.isFinite(expires) || signature !== sign(itemId, expires)) return { status: 403, html: previewPage('Preview unavailable', '<p>This preview link is not valid.</p>') };
  if (expires < Date.now()) return { status: 403, html: previewPage('Preview expired', '<p>This preview link has expired. Open the preview again.</p>') };
  const item = ctx.store.liveItem(itemId);
  if (!item || item.kind !== 'file') return { status: 404, html: previewPage('Preview unavailable', '<p>The file is no longer there.</p>') };
  const text = await officeText(ctx, item);
  const content = text ? `<pre>${escapeHtml(text)}</pre>` : `<p>Preview of ${escapeHtml(item.name)}</p>`;
  return { status: 200, headers: { 'cache-control': 'private, no-store' }, html: previewPage(item.name, `<h1>${escapeHtml(item.name)}</h1>${content}`) };
}

function previewPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:1rem;color:#242424}h1{font-size:1.2rem;font-weight:600;overflow-wrap:anywhere}pre{white-space:pre-wrap;font:inherit}</style></head><body><main>${body}</main></body></html>`;
}

/** Where each Office format keeps its words, and the element that holds a run of text. */
const OFFICE_TEXT: Array<{ extension: RegExp; entry: RegExp; run: RegExp }> = [
  { extension: /\.docx$/i, entry: /^word\/document\.xml$/, run: /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<\/w:p>/g },
  { extension: /\.xlsx$/i, entry: /^xl\/sharedStrings\.xml$/, run: /<t(?:\s[^>]*)?>([^<]*)<\/t>|<\/si>/g },
  { extension: /\.pptx$/i, entry: /^ppt\/slides\/slide\d+\.xml$/, run: /<a:t(?:\s[^>]*)?>([^<]*)<\/a:t>|<\/a:p>/g },
];

async function officeText(ctx: SimContext, item: DriveItemRecord): Promise<string | null> {
  const format = OFFICE_TEXT.find((candidate) => candidate.extension.test(item.name));
  if (!format || !item.blobId || item.size > MAX_TEXT_SOURCE_BYTES) return null;
  try {
    const xml = await zipEntries(await fs.readFile(ctx.store.blobPath(item.blobId)), format.entry);
    const text = xml
      .map((part) => [...part.matchAll(format.run)].map((match) => (match[1] === undefined ? '\n' : unescapeXml(match[1]))).join(''))
      .join('\n')
      .trim();
    return text ? text.slice(0, MAX_PREVIEW_TEXT_CHARS) : null;
  } catch {
    // Not a valid Office file: the page shows the name only, as SharePoint shows a generic page.
    return null;
  }
}

function unescapeXml(value: string): string {
  return value.replace(/&(lt|gt|quot|apos|amp);/g, (_all, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] as string);
}

function zipEntries(zipBytes: Buffer, wanted: RegExp): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zipBytes, { lazyEntries: true, validateEntrySizes: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error('not a zip'));
      const found: Array<{ name: string; text: string }> = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(found.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })).map((entry) => entry.text)));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!wanted.test(entry.fileName) || entry.uncompressedSize > MAX_TEXT_SOURCE_BYTES) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('unreadable entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            found.push({ name: entry.fileName, text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
