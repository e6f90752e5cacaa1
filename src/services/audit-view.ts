import { type ChainedAuditEntry, type ChainVerdict, verifyChain } from '../domain/audit-chain';
import { csvRows } from '../domain/csv';
import { FirmViewsRepo } from '../store/firm-views';
import { Repo, type AuditSearch } from '../store/repo';
import type { Actor, ServiceDeps } from './context';
import { hiddenAuditSubjects } from './walls';
import type { AuditEntry, AuditFilters } from '../contract';

type StaffActor = Extract<Actor, { kind: 'staff' }>;

/** An audit entry as people read it (the contract's answer), with the firm id the chain hashes. */
export interface NamedAuditEntry extends ChainedAuditEntry, AuditEntry {}

/** How each entry's hash is made, so an auditor can recompute it offline. */
export const HASH_RECIPE = 'hash = sha256_hex(prev_hash + "\\n" + canonical_json({firmId, seq, at, actor, action, target, reason, data})); canonical_json sorts object keys and has no spaces; the first entry\'s prev_hash is 64 zeros';

/**
 * The audit page's reads: filters, newest first, names resolved server-side, and exports that
 * carry the chain proof (every entry's prev_hash and hash, and the whole chain's verdict).
 */
export class AuditViewService {
  constructor(private readonly deps: ServiceDeps) {}

  async page(actor: StaffActor, filters: AuditFilters & { beforeSeq?: number; afterSeq?: number; limit: number; target?: string }): Promise<NamedAuditEntry[]> {
    const repo = new Repo(this.deps.db);
    const hidden = (await hiddenAuditSubjects(this.deps.db, actor)) ?? undefined;
    const entries = await repo.auditSearch(actor.firmId, { ...(await this.search(repo, actor.firmId, filters)), hidden });
    return this.named(repo, actor.firmId, entries);
  }

  async exportJson(actor: StaffActor, filters: AuditFilters) {
    const repo = new Repo(this.deps.db);
    const [entries, verify, firm] = await Promise.all([this.page(actor, { ...filters, limit: 1_000_000 }), this.verify(repo, actor.firmId), repo.firm(actor.firmId)]);
    return { firm: { id: actor.firmId, name: firm?.name ?? '' }, exportedAt: this.deps.clock.now().toISOString(), filters, proof: { recipe: HASH_RECIPE, verify }, entries };
  }

  /** CSV with the verdict in a leading "#" comment line (tools such as pandas read it with comment='#'). */
  async exportCsv(actor: StaffActor, filters: AuditFilters): Promise<string> {
    const data = await this.exportJson(actor, filters);
    const v = data.proof.verify;
    const verdict = v.ok ? `chain intact: ${v.entries} entries, head ${v.headHash}` : `chain BROKEN at entry ${v.brokenAtSeq}: ${v.problem}`;
    const header = ['seq', 'at', 'actor', 'actor_name', 'action', 'target', 'target_name', 'reason', 'data', 'prev_hash', 'hash', 'firm_id'];
    const rows = data.entries.map((e) => [e.seq, e.at, e.actor, e.actorName, e.action, e.target, e.targetName, e.reason, e.data, e.prevHash, e.hash, e.firmId]);
    return `# CaseRoom audit export for ${data.firm.name.replace(/[\r\n]/g, ' ')}, ${data.exportedAt}; ${verdict}; ${HASH_RECIPE}\r\n${csvRows(header, rows)}`;
  }

  private async verify(repo: Repo, firmId: string): Promise<ChainVerdict> {
    return verifyChain(await repo.auditEntries(firmId));
  }

  /** A person id names a staff member (whose actor label is their user id) or a contact. */
  private async search(repo: Repo, firmId: string, f: AuditFilters & AuditSearch): Promise<AuditSearch> {
    const { personId, ...rest } = f;
    if (!personId) return rest;
    const staff = (await repo.listStaff(firmId)).find((s) => s.id === personId);
    if (staff) return { ...rest, person: { actors: [`staff:${staff.userId}`], targets: [], contactIds: [] } };
    const contact = await repo.contact(firmId, personId);
    // An unknown person matches nothing, rather than everything.
    if (!contact) return { ...rest, person: { actors: [], targets: [], contactIds: [] } };
    return { ...rest, person: { actors: [`guest:${contact.id}`], targets: [`contact:${contact.id}`], contactIds: [contact.id] } };
  }

  private async named(repo: Repo, firmId: string, entries: ChainedAuditEntry[]): Promise<NamedAuditEntry[]> {
    if (entries.length === 0) return [];
    const [staff, contacts, cases, clients, firm, views] = await Promise.all([
      repo.listStaff(firmId),
      repo.listContacts(firmId),
      repo.listCases(firmId),
      repo.listClients(firmId),
      repo.firm(firmId),
      new FirmViewsRepo(this.deps.db).list(firmId),
    ]);
    const names = new Map<string, string>([
      ...staff.map((s): [string, string] => [`staff:${s.userId}`, s.name]),
      ...contacts.flatMap((c): Array<[string, string]> => [
        [`guest:${c.id}`, c.name],
        [`contact:${c.id}`, c.name],
      ]),
      ...cases.map((c): [string, string] => [`case:${c.id}`, `${c.number} ${c.title}`]),
      ...clients.map((c): [string, string] => [`client:${c.id}`, c.name]),
      ...views.map((v): [string, string] => [`view:${v.id}`, `View “${v.name}”`]),
      [`firm:${firmId}`, firm?.name ?? 'The firm'],
    ]);
    const nameOf = (label: string) => names.get(label) ?? (label.startsWith('system:') ? `CaseRoom (${label.slice('system:'.length)})` : 'Unknown (since removed)');
    return entries.map((e) => ({ ...e, actorName: nameOf(e.actor), targetName: nameOf(e.target) }));
  }
}
