import { Button, TagGroup, makeStyles, tokens } from '@fluentui/react-components';
import { ChevronDownRegular, ChevronRightRegular } from '@fluentui/react-icons';
import { useId, useState, type ReactNode } from 'react';
import type { AccessEntry, CaseRecord } from '../api';
import { useStrings } from '../strings';
import { AccessChip, chipDetail } from './AccessChip';
import { groupChips } from './firmData';

const useStyles = makeStyles({
  all: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  chips: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, padding: `${tokens.spacingVerticalXS} 0` },
  one: { display: 'inline-flex', alignItems: 'center' },
  group: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start' },
  inner: { paddingLeft: tokens.spacingHorizontalL },
});

export interface FirmLookup {
  cases: ReadonlyMap<string, CaseRecord>;
  clientNames: ReadonlyMap<string, string>;
}

interface ChipActions {
  onRemove?: (e: AccessEntry) => void;
  onExpiry?: (e: AccessEntry) => void;
  /** Shown after a chip (the guest page's menu of more actions). */
  extra?: (e: AccessEntry) => ReactNode;
}

function Chips({ entries, label, lookup, actions }: { entries: readonly AccessEntry[]; label: string; lookup: FirmLookup | undefined; actions: ChipActions }) {
  const s = useStyles();
  return (
    <TagGroup className={s.chips} aria-label={label}>
      {entries.map((e) => (
        <span key={e.grant.id} className={s.one} data-testid="access-chip-slot" data-slot-grant-id={e.grant.id}>
          <AccessChip entry={e} detail={lookup ? chipDetail(e, lookup.cases, lookup.clientNames) : e.label} onRemove={actions.onRemove && (() => actions.onRemove?.(e))} onExpiry={actions.onExpiry && (() => actions.onExpiry?.(e))} />
          {actions.extra?.(e)}
        </span>
      ))}
    </TagGroup>
  );
}

/** Many item shares of one case: one chip-like button ("PI-2026-014: 200 items") that opens the list. */
function CollapsedCase({ caseId, entries, lookup, contactName, actions }: { caseId: string; entries: AccessEntry[]; lookup: FirmLookup | undefined; contactName: string; actions: ChipActions }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const [open, setOpen] = useState(false);
  const listId = useId();
  const label = t.itemsInCase(lookup?.cases.get(caseId)?.number ?? t.aCase, entries.length);
  return (
    <div className={s.group} data-testid="access-chip-group" data-case-id={caseId}>
      <Button
        size="small"
        shape="circular"
        appearance="outline"
        icon={open ? <ChevronDownRegular /> : <ChevronRightRegular />}
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
        title={open ? t.hideItems(label) : t.showItems(label)}
      >
        {label}
      </Button>
      <div id={listId} className={s.inner} hidden={!open}>
        {open && <Chips entries={entries} label={`${t.accessOf(contactName)}: ${label}`} lookup={lookup} actions={actions} />}
      </div>
    </div>
  );
}

/** A guest's access as chips, with many item shares of one case collapsed into one expandable chip per case. */
export function AccessChips({ contactName, entries, lookup, ...actions }: { contactName: string; entries: readonly AccessEntry[]; lookup: FirmLookup | undefined } & ChipActions) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const { singles, groups } = groupChips(entries);
  return (
    <div className={s.all}>
      {singles.length > 0 && <Chips entries={singles} label={t.accessOf(contactName)} lookup={lookup} actions={actions} />}
      {groups.map((g) => (
        <CollapsedCase key={g.caseId} caseId={g.caseId} entries={g.entries} lookup={lookup} contactName={contactName} actions={actions} />
      ))}
    </div>
  );
}
