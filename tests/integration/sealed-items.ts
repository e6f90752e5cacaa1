import { SIMULATOR_CLIENT_ID, SIMULATOR_TENANT_ID } from '../../src/config';
import type { GrantScope } from '../../src/domain/model';
import { Repo } from '../../src/store/repo';
import type { CaseRecord, ContactRecord, ItemRecord } from '../../src/store/records';
import type { FirmWorld } from './firm-world';

/**
 * Guests of one case and what they read, for the tests of items sealed against scopes
 * (staff-only, privileged): accepted guests linked to the case, their grants, what their own
 * Graph token reads in SharePoint, and what the portal lists.
 */
export function sealedItemGuests(w: FirmWorld, domain: string, place: () => { c: CaseRecord; clientId: string }) {
  const guest = async (name: string): Promise<ContactRecord & { token: string }> => {
    const { sharing } = w.app.app.services;
    const { c, clientId } = place();
    const email = `${name.toLowerCase()}@${domain}`;
    const user = await w.sim.sim.admin.createUser(SIMULATOR_TENANT_ID, { displayName: name, mail: email, userType: 'Guest', externalUserState: 'Accepted' });
    const contact = await sharing.createContact(w.f.actor, { email, name, kind: 'client', phone: null, clientId });
    await w.app.db.query('UPDATE contacts SET portal_access = true WHERE id = $1', [contact.id]);
    await sharing.markInvitationAccepted(w.f.firm.id, contact.id, user.id);
    await sharing.link(w.f.actor, c.id, contact.id);
    return { ...((await new Repo(w.app.db).contact(w.f.firm.id, contact.id)) as ContactRecord), token: await w.sim.userToken(user.id) };
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
