/**
 * A deliberately small, independent statement of the sharing rules in README.md ("The sharing model"), used
 * as the oracle for the property test. It is written per item ("can this guest see this
 * item?") rather than the way src/domain computes access, so the two can disagree.
 */

export type Section = 'status' | 'team' | 'budget' | 'documents' | 'notes' | 'events' | 'invoices' | 'messages';
export type Kind = 'document' | 'folder' | 'note' | 'event' | 'invoice';
export const SECTION_FOR: Record<Kind, Section> = { document: 'documents', folder: 'documents', note: 'notes', event: 'events', invoice: 'invoices' };

export interface ModelItem {
  id: string;
  caseId: string;
  kind: Kind;
  parentId: string | null;
  staffOnly: boolean;
  /** Reached by no scope and no folder grant above it: only by an item share staff confirmed. */
  privileged?: boolean;
}
export interface ModelCase {
  id: string;
  clientId: string;
}
export type ModelScope = { kind: 'item'; caseId: string; itemId: string } | { kind: 'case'; caseId: string; view: Section[] } | { kind: 'client'; clientId: string; view: Section[] };
export interface ModelGrant {
  contactId: string;
  scope: ModelScope;
  upload: boolean;
  expiresAt: number | null;
  /** An item share staff confirmed for a privileged item. */
  confirmed?: boolean;
}

export class ReferenceModel {
  portal = new Map<string, boolean>();
  accepted = new Map<string, boolean>();
  links = new Set<string>();
  grants: ModelGrant[] = [];
  disabled = new Set<Section>();
  now = 0;

  constructor(
    public cases: ModelCase[],
    public items: ModelItem[],
    contactIds: string[],
  ) {
    for (const c of contactIds) {
      this.portal.set(c, false);
      this.accepted.set(c, false);
    }
  }

  private key = (caseId: string, contactId: string) => `${caseId}|${contactId}`;
  isLinked = (caseId: string, contactId: string) => this.links.has(this.key(caseId, contactId));

  // ---- operations: each returns whether the API should accept it ----

  setPortal(contactId: string, on: boolean): boolean {
    if (!on) this.grants = this.grants.filter((g) => g.contactId !== contactId);
    this.portal.set(contactId, on);
    return true;
  }

  link(caseId: string, contactId: string): boolean {
    this.links.add(this.key(caseId, contactId));
    return true;
  }

  unlink(caseId: string, contactId: string): boolean {
    if (!this.isLinked(caseId, contactId)) return false;
    this.links.delete(this.key(caseId, contactId));
    this.grants = this.grants.filter((g) => !(g.contactId === contactId && g.scope.kind !== 'client' && g.scope.caseId === caseId));
    return true;
  }

  private canGrant(contactId: string, scope: ModelScope, expiresAt: number | null, upload = false): boolean {
    if (!this.portal.get(contactId)) return false;
    if (expiresAt !== null && expiresAt <= this.now) return false;
    if (scope.kind === 'item') {
      const item = this.items.find((i) => i.id === scope.itemId) as ModelItem;
      // Only a folder can carry upload ("may upload into this folder"); nothing staff-only is ever shared.
      if (upload && item.kind !== 'folder') return false;
      if (this.staffOnly(item)) return false;
    }
    if (scope.kind !== 'client' && !this.isLinked(scope.caseId, contactId)) return false;
    return true;
  }

  /** Staff-only itself, or inside a staff-only folder. */
  staffOnly(item: ModelItem): boolean {
    return item.staffOnly || this.ancestors(item).some((id) => this.items.find((i) => i.id === id)?.staffOnly);
  }

  /** Privileged itself, or inside a privileged folder. */
  privileged(item: ModelItem): boolean {
    return item.privileged === true || this.ancestors(item).some((id) => this.items.find((i) => i.id === id)?.privileged);
  }

  /** Staff mark an item privileged or lift it: always accepted. */
  markPrivileged(itemId: string, on: boolean): boolean {
    (this.items.find((i) => i.id === itemId) as ModelItem).privileged = on;
    return true;
  }

  /**
   * Sharing privileged items asks a confirmation (409 until given) unless the guest already holds
   * each of them live, confirmed, on the same terms. With a confirmation, scope changes go ahead too.
   */
  private needsConfirmation(contactId: string, items: ModelItem[], upload: boolean, expiresAt: number | null): boolean {
    return items.some((i) => {
      if (!this.privileged(i)) return false;
      const held = this.find(contactId, { kind: 'item', caseId: i.caseId, itemId: i.id });
      return !(held && held.confirmed && this.live(held) && held.upload === upload && held.expiresAt === expiresAt);
    });
  }

  /** Staff mark an item staff-only: always accepted. */
  markStaffOnly(itemId: string): boolean {
    (this.items.find((i) => i.id === itemId) as ModelItem).staffOnly = true;
    return true;
  }

  private put(g: ModelGrant): void {
    this.grants = this.grants.filter((x) => !(x.contactId === g.contactId && ReferenceModel.sameTarget(x.scope, g.scope)));
    this.grants.push(g);
    if (g.scope.kind === 'client') {
      const clientId = g.scope.clientId;
      for (const c of this.cases) if (c.clientId === clientId) this.links.add(this.key(c.id, g.contactId));
    }
  }

  /**
   * Giving access someone already holds (live) on other terms is a scope change the API answers
   * 409 for until confirmed; the operations here never confirm, so it changes nothing.
   */
  private replacesHeld(g: ModelGrant): boolean {
    const held = this.find(g.contactId, g.scope);
    if (!held || !this.live(held)) return false;
    const viewOf = (scope: ModelScope) => (scope.kind === 'item' ? '' : [...scope.view].sort().join(','));
    return held.upload !== g.upload || held.expiresAt !== g.expiresAt || viewOf(held.scope) !== viewOf(g.scope);
  }

  share(contactId: string, itemIds: string[], expiresAt: number | null, confirm = false): boolean {
    const items = itemIds.map((id) => this.items.find((i) => i.id === id) as ModelItem);
    if (!items.every((i) => this.canGrant(contactId, { kind: 'item', caseId: i.caseId, itemId: i.id }, expiresAt))) return false;
    if (!confirm && items.some((i) => this.replacesHeld({ contactId, scope: { kind: 'item', caseId: i.caseId, itemId: i.id }, upload: false, expiresAt }))) return false;
    if (!confirm && this.needsConfirmation(contactId, items, false, expiresAt)) return false;
    for (const i of items) this.put({ contactId, scope: { kind: 'item', caseId: i.caseId, itemId: i.id }, upload: false, expiresAt, confirmed: this.privileged(i) });
    return true;
  }

  unshare(contactId: string, itemIds: string[]): boolean {
    this.grants = this.grants.filter((g) => !(g.contactId === contactId && g.scope.kind === 'item' && itemIds.includes(g.scope.itemId)));
    return true;
  }

  grant(contactId: string, scope: ModelScope, upload: boolean, expiresAt: number | null, confirm = false): boolean {
    if (!this.canGrant(contactId, scope, expiresAt, upload)) return false;
    if (!confirm && this.replacesHeld({ contactId, scope, upload, expiresAt })) return false;
    const item = scope.kind === 'item' ? (this.items.find((i) => i.id === scope.itemId) as ModelItem) : null;
    if (!confirm && item && this.needsConfirmation(contactId, [item], upload, expiresAt)) return false;
    this.put({ contactId, scope, upload, expiresAt, confirmed: item !== null && this.privileged(item) });
    return true;
  }

  static sameTarget(a: ModelScope, b: ModelScope): boolean {
    if (a.kind !== b.kind) return false;
    if (a.kind === 'item') return a.itemId === (b as typeof a).itemId;
    if (a.kind === 'case') return a.caseId === (b as typeof a).caseId;
    return a.clientId === (b as typeof a).clientId;
  }

  private find(contactId: string, target: ModelScope): ModelGrant | undefined {
    return this.grants.find((g) => g.contactId === contactId && ReferenceModel.sameTarget(g.scope, target));
  }

  /** Replaces the contact's grant on `target` by one on `scope`, keeping its expiry. */
  change(contactId: string, target: ModelScope, scope: ModelScope, upload: boolean): boolean {
    const current = this.find(contactId, target);
    if (!current) return false;
    if (!this.canGrant(contactId, scope, null, upload)) return false;
    // Moving it onto a target another of their grants already covers is a 409: staff change or remove that one instead.
    if (this.grants.some((g) => g !== current && g.contactId === contactId && ReferenceModel.sameTarget(g.scope, scope))) return false;
    if (current.expiresAt !== null && current.expiresAt <= this.now) return false;
    // A change to an item scope on a privileged item asks a confirmation; the operations never give one here.
    if (scope.kind === 'item' && this.privileged(this.items.find((i) => i.id === scope.itemId) as ModelItem)) return false;
    this.grants = this.grants.filter((g) => g !== current);
    this.put({ contactId, scope, upload, expiresAt: current.expiresAt });
    return true;
  }

  revoke(contactId: string, target: ModelScope): boolean {
    const current = this.find(contactId, target);
    if (!current) return false;
    this.grants = this.grants.filter((g) => g !== current);
    return true;
  }

  /** A new case of a client: holders of a grant on that client are linked to it at once. */
  openCase(kase: ModelCase, items: ModelItem[]): void {
    this.cases.push(kase);
    this.items.push(...items);
    for (const g of this.grants) if (g.scope.kind === 'client' && g.scope.clientId === kase.clientId) this.links.add(this.key(kase.id, g.contactId));
  }

  accept(contactId: string): void {
    this.accepted.set(contactId, true);
  }

  // ---- what a guest sees ----

  private live(g: ModelGrant): boolean {
    return g.expiresAt === null || g.expiresAt > this.now;
  }

  ancestors(item: ModelItem): string[] {
    const out: string[] = [];
    let parent = item.parentId;
    while (parent) {
      out.push(parent);
      parent = this.items.find((i) => i.id === parent)?.parentId ?? null;
    }
    return out;
  }

  private grantsReaching(contactId: string, caseId: string): ModelGrant[] {
    if (!this.portal.get(contactId) || !this.accepted.get(contactId) || !this.isLinked(caseId, contactId)) return [];
    const clientId = this.cases.find((c) => c.id === caseId)?.clientId;
    return this.grants.filter((g) => g.contactId === contactId && this.live(g) && (g.scope.kind === 'client' ? g.scope.clientId === clientId : g.scope.caseId === caseId));
  }

  canSeeItem(contactId: string, item: ModelItem): boolean {
    const section = SECTION_FOR[item.kind];
    if (this.disabled.has(section)) return false;
    // Staff-only (and what a staff-only folder holds) is reached by no scope at all.
    if (this.staffOnly(item)) return false;
    const reaching = this.grantsReaching(contactId, item.caseId);
    // Privileged: only a confirmed item share naming the item, or a folder between it and the
    // nearest privileged item above it (that one included).
    if (this.privileged(item)) {
      const confirmedIds = new Set(reaching.flatMap((g) => (g.scope.kind === 'item' && g.confirmed ? [g.scope.itemId] : [])));
      for (const id of [item.id, ...this.ancestors(item)]) {
        if (confirmedIds.has(id)) return true;
        if (this.items.find((i) => i.id === id)?.privileged) return false;
      }
      return false;
    }
    for (const g of reaching) {
      if (g.scope.kind === 'item') {
        if (g.scope.itemId === item.id) return true;
        if (this.ancestors(item).includes(g.scope.itemId)) return true;
      } else if (g.scope.view.includes(section)) {
        return true;
      }
    }
    return false;
  }

  sectionsOf(contactId: string, caseId: string): Section[] {
    const sections = new Set<Section>();
    for (const g of this.grantsReaching(contactId, caseId)) if (g.scope.kind !== 'item') for (const s of g.scope.view) if (!this.disabled.has(s)) sections.add(s);
    for (const item of this.items) if (item.caseId === caseId && this.canSeeItem(contactId, item)) sections.add(SECTION_FOR[item.kind]);
    return [...sections].sort();
  }

  visibleCases(contactId: string): string[] {
    return this.cases
      .filter((c) => this.sectionsOf(contactId, c.id).length > 0)
      .map((c) => c.id)
      .sort();
  }

  visibleItems(contactId: string, caseId: string): string[] {
    return this.items
      .filter((i) => i.caseId === caseId && this.canSeeItem(contactId, i))
      .map((i) => i.id)
      .sort();
  }

  /** Anywhere in the case: a broad grant with upload, or an upload grant on a folder she sees. */
  canUpload(contactId: string, caseId: string): boolean {
    if (!this.sectionsOf(contactId, caseId).includes('documents')) return false;
    return this.grantsReaching(contactId, caseId).some((g) => {
      if (!g.upload) return false;
      if (g.scope.kind !== 'item') return true;
      const itemId = g.scope.itemId;
      const folder = this.items.find((i) => i.id === itemId);
      return folder?.kind === 'folder' && this.canSeeItem(contactId, folder);
    });
  }
}
