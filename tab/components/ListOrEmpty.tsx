import type { ReactNode } from 'react';

/** A list's items in one box, or the `empty` line in their place when there are none. Each rendered item carries its own key. */
export function ListOrEmpty<T>({ items, empty, className, children }: { items: readonly T[]; empty: ReactNode; className?: string; children: (item: T) => ReactNode }) {
  return (
    <div className={className}>
      {items.length === 0 && empty}
      {items.map((item) => children(item))}
    </div>
  );
}
