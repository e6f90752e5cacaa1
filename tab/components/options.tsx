import { Combobox, Field, Option } from '@fluentui/react-components';
import type { ReactNode } from 'react';

/**
 * One Fluent `Option` per entry of a list, for a Dropdown or Combobox: `value` identifies the
 * entry, `label` is what the list shows and what the field shows once it is chosen.
 */
export function optionsOf<T>(items: readonly T[], value: (item: T) => string, label: (item: T) => string) {
  return items.map((item) => (
    <Option key={value(item)} value={value(item)} text={label(item)}>
      {label(item)}
    </Option>
  ));
}

/** How a case is named in a list to choose from: its number, then its title. */
export const caseLabel = (c: { number: string; title: string }): string => `${c.number} · ${c.title}`;

/**
 * A labelled Combobox that searches as one types: the caller filters its options by `query`.
 * Choosing one hands on its value (`onPick`) and shows its text in the box.
 */
export function SearchField({ label, placeholder, query, onQuery, onPick, children }: { label: string; placeholder: string; query: string; onQuery: (text: string) => void; onPick: (value: string | null) => void; children: ReactNode }) {
  return (
    <Field label={label}>
      <Combobox
        value={query}
        placeholder={placeholder}
        onChange={(e) => onQuery(e.target.value)}
        onOptionSelect={(_e, d) => {
          onPick(d.optionValue ?? null);
          onQuery(d.optionText ?? '');
        }}
      >
        {children}
      </Combobox>
    </Field>
  );
}
