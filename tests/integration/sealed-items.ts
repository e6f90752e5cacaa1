import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { GrantScope } from '../../src/domain/model';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import { type FirmWorld, provisionedCases } from './firm-world';
import { acceptedGuest, upload } from './harness';

/**
 * Guests of one case and what they read, for the tests of items sealed against scopes
 * (staff-only, privileged): accepted guests linked to the case, their grants, what their own
 * Graph token reads in SharePoint, and what the portal lists.
 */
export function sealedItemGuests(w: FirmWorld, domain: string, place: () => { c: CaseRecord; clientId: string }) {
  const guest = async (name: string): Promise<ContactRecord & { token: string }> => {
    const { c, clientId } = place();
    const made = await acceptedGuest(w.sim, w.app, w.f, { name, email: `${name.toLowerCase()}@${domain}`, clientId, caseId: c.id });
    return { ...((await new Repo(w.app.db).contact(w.f.firm.id, made.contactId)) as ContactRecord), token: made.token };
  };
  const grant = (contact: ContactRecord, scope: GrantScope) => w.app.app.services.sharing.grant(w.f.actor, { contactId: contact.id, scope, rights: scope.kind === 'item' ? 'read' : 'upload', expiresAt: null, reason: null });
  /** The status SharePoint answers the guest's own token for the item (its content, for a document). */
  const graphReads = async (contact: ContactRecord, item: ItemRecord): Promise<number> => {
    const token = await w.sim.sim.admin.token({ tenantId: SIMULATOR_TENANT_ID, clientId: SIMULATOR_CLIENT_ID, userId: contact.guestUserId as string });
    const res = await fetch(`${w.sim.sim.httpUrl}/v1.0/drives/${place().c.driveId}/items/${item.driveItemId}${item.kind === 'document' ? '/content' : ''}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  /** The documents the guest's portal lists for the case. */
  const portalIds = async (contact: { token: string }): Promise<string[]> => {
    const res = await fetch(`${w.app.url}/api/portal/cases/${place().c.id}`, { headers: { authorization: `Bearer ${contact.token}` } });
    const body = (await res.json()) as { documents?: Array<{ id: string }> };
    return (body.documents ?? []).map((d) => d.id);
  };
  /** PATCH /api/items/{id} as the firm's staff member. */
  const patchItem = (item: ItemRecord, body: object) => fetch(`${w.app.url}/api/items/${item.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${w.f.staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { guest, grant, graphReads, portalIds, patchItem };
}

/**
 * The case such a test seals items in: a new client's provisioned case with documents staff
 * uploaded, `atRoot` in the case folder and `inFolder.files` in one folder below it.
 */
export async function caseWithDocuments(w: FirmWorld, clientName: string, kase: { number: string; title: string }, atRoot: string[], inFolder: { folder: string; files: string[] }) {
  const { clientId, cases } = await provisionedCases(w, clientName, [kase]);
  const [c] = cases;
  const pdf = (filename: string) => ({ name: 'file', filename, content: Buffer.from(`%PDF ${filename}`) });
  const up = await upload(w.app, `/api/cases/${c.id}/files`, w.f.staffToken, [...atRoot.map(pdf), { name: 'folder', value: inFolder.folder }, ...inFolder.files.map(pdf)]);
  if (up.status !== 201) throw new Error(`the staff upload answered ${up.status}`);
  await w.app.settle();
  const items = await new Repo(w.app.db).itemsOfCase(c.id);
  const item = (title: string) => items.find((i) => i.title === title) as ItemRecord;
  return { c, clientId, item };
}
