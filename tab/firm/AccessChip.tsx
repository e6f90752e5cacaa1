import { Button, Caption1, InteractionTag, InteractionTagPrimary, InteractionTagSecondary, Tag, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { CalendarEditRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { AccessEntry, CaseRecord } from '../api';
import { expiryInWords } from '../components/ExpiryField';
import { date, surnameFirst } from '../components/format';
import { describeView } from '../../src/contract/views';

const useStyles = makeStyles({ chip: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS } });

/** "Smith, John · Knee MRI" / "Smith, John · Full client" — the hover says exactly what it covers. */
export function chipText(e: AccessEntry): string {
  return `${surnameFirst(e.contact.name)} · ${e.label}`;
}

export function chipDetail(e: AccessEntry, cases: ReadonlyMap<string, CaseRecord>, clientNames: ReadonlyMap<string, string>): string {
  const scope = e.grant.scope;
  const where =
    scope.kind === 'client'
      ? `every case of ${clientNames.get(scope.clientId) ?? 'the client'}, including future ones`
      : `${scope.kind === 'item' ? `“${e.label}” in` : 'the whole of'} ${cases.get(scope.caseId)?.number ?? 'a case'} ${cases.get(scope.caseId)?.title ?? ''}`.trim();
  const view = scope.kind === 'item' ? '' : ` Sees: ${describeView(scope.view, 'every section')}.`;
  return `${e.contact.name} (${e.contact.email}) sees ${where}.${view} Rights: ${e.grant.rights}. State: ${e.state}.${e.grant.expiresAt ? ` Until ${date(e.grant.expiresAt)}.` : ''}`;
}

/** The chip, then its expiry in words; with `onExpiry`, a button to change or remove that expiry. */
export function AccessChip({ entry, detail, onRemove, onExpiry }: { entry: AccessEntry; detail: string; onRemove?: () => void; onExpiry?: () => void }) {
  const s = useStyles();
  const appearance = entry.state === 'active' ? 'brand' : 'outline';
  const chip: ReactNode = !onRemove ? (
    <Tooltip content={detail} relationship="description">
      <Tag size="small" appearance={appearance} data-testid="access-chip" tabIndex={0}>
        {chipText(entry)}
      </Tag>
    </Tooltip>
  ) : (
    <InteractionTag size="small" appearance={appearance} data-testid="access-chip">
      <Tooltip content={detail} relationship="description">
        <InteractionTagPrimary hasSecondaryAction>{chipText(entry)}</InteractionTagPrimary>
      </Tooltip>
      <InteractionTagSecondary aria-label={`Remove access: ${chipText(entry)}`} onClick={onRemove} />
    </InteractionTag>
  );
  return (
    <span className={s.chip} data-testid="access-chip-with-expiry" data-grant-id={entry.grant.id}>
      {chip}
      <Caption1 data-testid="access-chip-expiry">{expiryInWords(entry.grant.expiresAt)}</Caption1>
      {onExpiry && <Button size="small" appearance="subtle" icon={<CalendarEditRegular />} aria-label={`Change expiry: ${chipText(entry)}, ${expiryInWords(entry.grant.expiresAt)}`} onClick={onExpiry} />}
    </span>
  );
}
