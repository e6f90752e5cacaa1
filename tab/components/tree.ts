/** Folder paths for items that carry a parentId: "Medical records / Knee MRI report.pdf". */
export interface TreeNode<T extends { id: string; parentId: string | null; title: string; kind: string }> {
  item: T;
  depth: number;
  path: string;
}

export function flattenTree<T extends { id: string; parentId: string | null; title: string; kind: string }>(items: readonly T[]): TreeNode<T>[] {
  const byParent = new Map<string | null, T[]>();
  const ids = new Set(items.map((i) => i.id));
  for (const i of items) {
    const parent = i.parentId && ids.has(i.parentId) ? i.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), i]);
  }
  const out: TreeNode<T>[] = [];
  const walk = (parent: string | null, depth: number, prefix: string) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'folder' ? -1 : 1));
    for (const c of children) {
      const path = prefix ? `${prefix} / ${c.title}` : c.title;
      out.push({ item: c, depth, path });
      if (c.kind === 'folder') walk(c.id, depth + 1, path);
    }
  };
  walk(null, 0, '');
  return out;
}
