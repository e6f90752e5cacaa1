import { type ChainedAuditEntry, type ChainVerdict, GENESIS_HASH, verifyChain } from '../domain/audit-chain';
import { csvRows } from '../domain/csv';
import { FirmViewsRepo } from '../store/firm-views';
import { Repo, type AuditSearch } from '../store/repo';
import type { Actor, ServiceDeps } from './context';
import { withoutHiddenSubjects } from '../domain/walls';
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

  /**
   * Entries about a case walled off from the reader are left out, and parts of the entries left
   * that name one (a client grant's gained and lost items, say) are withheld from their data.
   */
  async page(actor: StaffActor, filters: AuditFilters & { beforeSeq?: number; afterSeq?: number; limit: number; target?: string }): Promise<NamedAuditEntry[]> {
    const repo = new Repo(this.deps.db);
    const hidden = (await hiddenAuditSubjects(this.deps.db, actor)) ?? undefined;
    const entries = await repo.auditSearch(actor.firmId, { ...(await this.search(repo, actor.firmId, filters)), hidden });
    const hiddenIds = new Set(hidden?.targets.map((label) => label.slice(label.indexOf(':') + 1)));
    const shown = entries.map((e) => {
      const { data, trimmed } = withoutHiddenSubjects(e.data, hiddenIds);
      return trimmed ? { ...e, data, withheld: true as const } : e;
    });
    return this.named(repo, actor.firmId, shown);
  }

  /**
   * The chain's verdict as the reader may have it. The server verifies the whole chain, hidden
   * entries included (nobody else can: the reader does not have them). A reader some cases are
   * walled off from is told the verdict, the count of the entries they can read and the newest
   * one's hash, and that the chain includes entries they cannot see: not the whole chain's count
   * or head, which would tell how many there are and when one was last written. (Their seq
   * numbers have gaps either way: the chain's numbering is what the hashes cover.)
   */
  async verify(actor: StaffActor): Promise<ChainVerdict> {
    const repo = new Repo(this.deps.db);
    const whole = verifyChain(await repo.auditEntries(actor.firmId));
    const hidden = await hiddenAuditSubjects(this.deps.db, actor);
    if (!hidden) return whole;
    const readable = await repo.auditSearch(actor.firmId, { hidden });
    const entries = readable.length;
    if (!whole.ok) return { ...whole, entries, includesHidden: true };
    return { ok: true, entries, headHash: readable[0]?.hash ?? GENESIS_HASH, includesHidden: true };
  }

  async exportJson(actor: StaffActor, filters: AuditFilters) {
    const repo = new Repo(this.deps.db);
    const [entries, verify, firm] = await Promise.all([this.page(actor, { ...filters, limit: 1_000_000 }), this.verify(actor), repo.firm(actor.firmId)]);
    return { firm: { id: actor.firmId, name: firm?.name ?? '' }, exportedAt: this.deps.clock.now().toISOString(), filters, proof: { recipe: HASH_RECIPE, verify }, entries };
  }

  /** CSV with the verdict in a leading "#" comment line (tools such as pandas read it with comment='#'). */
  async exportCsv(actor: StaffActor, filters: AuditFilters): Promise<string> {
    const data = await this.exportJson(actor, filters);
    const v = data.proof.verify;
    const verdict = !v.ok
      ? `chain BROKEN at entry ${v.brokenAtSeq}: ${v.problem}`
      : v.includesHidden
        ? `chain verified (includes entries you cannot see); newest entry you can see ${v.headHash}`
        : `chain intact: ${v.entries} entries, head ${v.headHash}`;
    const header = ['seq', 'at', 'actor', 'actor_name', 'action', 'target', 'target_name', 'reason', 'data', 'prev_hash', 'hash', 'firm_id'];
    const rows = data.entries.map((e) => [e.seq, e.at, e.actor, e.actorName, e.action, e.target, e.targetName, e.reason, e.data, e.prevHash, e.hash, e.firmId]);
    return `# CaseRoom audit export for ${data.firm.name.replace(/[\r\n]/g, ' ')}, ${data.exportedAt}; ${verdict}; ${HASH_RECIPE}\r\n${csvRows(header, rows)}`;
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

  private async named(repo: Repo, firmId: string, entries: Array<ChainedAuditEntry & { withheld?: true }>): Promise<NamedAuditEntry[]> {
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
