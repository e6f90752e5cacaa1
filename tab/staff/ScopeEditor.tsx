import { Caption1, Checkbox, Dropdown, Field, Option, Radio, RadioGroup, Switch, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { SECTIONS, type FirmView, type GrantScope, type Rights, type Section, type StaffThread } from '../api';
import { useStrings } from '../strings';
import { broadScopeLabel, matchingViewName, namedViewWords } from '../../src/contract/views';
import { useFirmViews, useGuestPolicy } from './guestPolicy';

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

/** A saved view as the picker offers it: its sections less those the firm switched off for every guest. */
export const allowedSections = (sections: readonly Section[], disabled: readonly Section[]): Section[] => SECTIONS.filter((s) => sections.includes(s) && !disabled.includes(s));

const CUSTOM = 'custom';

const useStyles = makeStyles({
  set: { border: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM, minWidth: 0 },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  picker: { maxWidth: '100%', minWidth: 0 },
});

/**
 * Scope (this case / all cases of the client), the view (a saved view of the firm, or "Custom…"
 * with a tick per section), threads, and upload rights. Sections the firm switched off for every
 * guest are not offered, and a note says why.
 */
export function ScopeEditor({ value, onChange, clientName, caseNumber, threads, lockKind }: { value: ScopeDraft; onChange: (d: ScopeDraft) => void; clientName: string; caseNumber: string; threads: StaffThread[]; lockKind?: boolean }) {
  const s = useStyles();
  const t = useStrings().views;
  const sectionWords = useStrings().common.section;
  const { views } = useFirmViews();
  const { disabled } = useGuestPolicy();
  // What the picker shows: the person's choice, else the saved view whose sections the draft has, else "Custom…".
  const [picked, setPicked] = useState<string | null>(null);
  const offered = views.map((v) => ({ ...v, sections: allowedSections(v.sections, disabled) })).filter((v) => v.sections.length > 0);
  const shown = allowedSections(value.view, disabled);
  const matching = offered.find((v) => v.name === matchingViewName(shown, offered));
  const chosen: FirmView | undefined = picked === CUSTOM ? undefined : (offered.find((v) => v.id === picked) ?? matching);
  const optionText = (v: FirmView) => namedViewWords(v.sections, v.name);
  const toggle = <T,>(list: T[], v: T, on: boolean): T[] => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));
  const where = value.kind === 'case' ? caseNumber : clientName;
  return (
    <div className={s.stack}>
      {!lockKind && (
        <Field label={t.scopeLabel}>
          <RadioGroup value={value.kind} onChange={(_e, d) => onChange({ ...value, kind: d.value as ScopeDraft['kind'] })}>
            <Radio value="case" label={t.justThisCase(caseNumber)} />
            <Radio value="client" label={t.allCasesOf(clientName)} />
          </RadioGroup>
        </Field>
      )}
      <Field label={t.viewPickerLabel} hint={offered.length === 0 ? t.noSavedViews : undefined}>
        <Dropdown
          className={s.picker}
          data-testid="view-picker"
          value={chosen ? optionText(chosen) : t.customView}
          selectedOptions={[chosen?.id ?? CUSTOM]}
          onOptionSelect={(_e, d) => {
            const id = d.optionValue ?? CUSTOM;
            setPicked(id);
            const view = offered.find((v) => v.id === id);
            if (view) onChange({ ...value, view: [...view.sections] });
          }}
        >
          {offered.map((v) => (
            <Option key={v.id} value={v.id} text={optionText(v)}>
              {optionText(v)}
            </Option>
          ))}
          <Option value={CUSTOM} text={t.customView}>
            {t.customView}
          </Option>
        </Dropdown>
      </Field>
      {!chosen && (
        <fieldset className={s.set} data-testid="section-ticks">
          <legend>{t.sectionTicksLegend}</legend>
          {SECTIONS.filter((section) => !disabled.includes(section)).map((section) => (
            <Checkbox
              key={section}
              label={sectionWords[section]}
              checked={value.view.includes(section)}
              onChange={(_e, d) => {
                setPicked(CUSTOM);
                onChange({ ...value, view: toggle(value.view, section, Boolean(d.checked)) });
              }}
            />
          ))}
        </fieldset>
      )}
      {disabled.length > 0 && <Caption1 data-testid="policy-sections-note">{t.switchedOffNote(disabled)}</Caption1>}
      <Text data-testid="scope-in-words">{t.theyWillSee(broadScopeLabel(value.kind, shown, where, chosen?.name ?? null))}</Text>
      <fieldset className={s.set}>
        <legend>{t.threadsLegend}</legend>
        {threads.length === 0 && <Caption1>{t.noThreads}</Caption1>}
        {threads.map((th) => (
          <Checkbox key={th.id} label={th.subject} checked={value.threadIds.includes(th.id)} onChange={(_e, d) => onChange({ ...value, threadIds: toggle(value.threadIds, th.id, Boolean(d.checked)) })} />
        ))}
      </fieldset>
      <Switch label={t.allowUploads} checked={value.rights === 'upload'} onChange={(_e, d) => onChange({ ...value, rights: d.checked ? 'upload' : 'read' })} />
    </div>
  );
}
