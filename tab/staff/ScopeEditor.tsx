import { Caption1, Checkbox, Field, Radio, RadioGroup, Switch, makeStyles, tokens } from '@fluentui/react-components';
import { SECTIONS, type GrantScope, type Rights, type Section, type StaffThread } from '../api';

import { currentStrings, useStrings } from '../strings';

export interface ScopeDraft {
  kind: 'case' | 'client';
  view: Section[];
  threadIds: string[];
  rights: Rights;
}

export const DEFAULT_VIEW: Section[] = ['status', 'team', 'documents', 'events', 'messages'];

/** A draft of an existing scope, or of a new case-wide one showing `initialView` (the firm's default, else the usual client view). */
export function draftOf(scope: GrantScope | null, rights: Rights, initialView: readonly Section[] | null = null): ScopeDraft {
  if (!scope || scope.kind === 'item') return { kind: 'case', view: [...(initialView ?? DEFAULT_VIEW)], threadIds: [], rights };
  return { kind: scope.kind, view: [...scope.view], threadIds: [...scope.threadIds], rights };
}

export function scopeOf(d: ScopeDraft, caseId: string, clientId: string): GrantScope {
  return d.kind === 'case' ? { kind: 'case', caseId, view: d.view, threadIds: d.threadIds } : { kind: 'client', clientId, view: d.view, threadIds: d.threadIds };
}

const useStyles = makeStyles({
  set: { border: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM, minWidth: 0 },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** Scope (this case / all cases of the client), the view (sections), threads, and upload rights. */
export function ScopeEditor({ value, onChange, clientName, threads, lockKind }: { value: ScopeDraft; onChange: (d: ScopeDraft) => void; clientName: string; threads: StaffThread[]; lockKind?: boolean }) {
  const t = useStrings().staff;
  const s = useStyles();
  const toggle = <T,>(list: T[], v: T, on: boolean): T[] => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));
  return (
    <div className={s.stack}>
      {!lockKind && (
        <Field label={t.scope}>
          <RadioGroup value={value.kind} onChange={(_e, d) => onChange({ ...value, kind: d.value as ScopeDraft['kind'] })}>
            <Radio value="case" label={t.justThisCase} />
            <Radio value="client" label={t.allCasesFor(clientName)} />
          </RadioGroup>
        </Field>
      )}
      <fieldset className={s.set}>
        <legend>{t.whatTheySeeView}</legend>
        {SECTIONS.map((section) => (
          <Checkbox key={section} label={currentStrings().common.section[section]} checked={value.view.includes(section)} onChange={(_e, d) => onChange({ ...value, view: toggle(value.view, section, Boolean(d.checked)) })} />
        ))}
      </fieldset>
      <fieldset className={s.set}>
        <legend>{t.messageThreadsTheyCan}</legend>
        {threads.length === 0 && <Caption1>{t.thisCaseHasNo}</Caption1>}
        {threads.map((t) => (
          <Checkbox key={t.id} label={t.subject} checked={value.threadIds.includes(t.id)} onChange={(_e, d) => onChange({ ...value, threadIds: toggle(value.threadIds, t.id, Boolean(d.checked)) })} />
        ))}
      </fieldset>
      <Switch label={t.allowUploads} checked={value.rights === 'upload'} onChange={(_e, d) => onChange({ ...value, rights: d.checked ? 'upload' : 'read' })} />
    </div>
  );
}
