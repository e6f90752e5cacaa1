import { Button, Caption1, InteractionTag, InteractionTagPrimary, InteractionTagSecondary, Tag, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { CalendarEditRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { AccessEntry, CaseRecord } from '../api';
import { expiryInWords } from '../components/ExpiryField';
import { date, surnameFirst } from '../components/format';
import { EN, useStrings } from '../strings';
import { describeView } from '../../src/contract/views';

const useStyles = makeStyles({ chip: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS } });

/**
 * "Smith, John · Knee MRI" / "Chen, Maya · PI-2026-014: Client standard (documents, notes and events)":
 * the server's label names the case (or the client) and the view in words; the hover says exactly what it covers.
 */
export function chipText(e: AccessEntry): string {
  return `${surnameFirst(e.contact.name)} · ${e.label}`;
}

export function chipDetail(e: AccessEntry, cases: ReadonlyMap<string, CaseRecord>, clientNames: ReadonlyMap<string, string>): string {
  const t = EN.views.chip;
  const scope = e.grant.scope;
  const inCase = scope.kind === 'client' ? undefined : cases.get(scope.caseId);
  const where =
    scope.kind === 'client'
      ? t.everyCaseOf(clientNames.get(scope.clientId) ?? t.theClient)
      : scope.kind === 'item'
        ? t.itemInCase(e.label, inCase?.number ?? t.aCase, inCase?.title ?? '')
        : t.wholeCase(inCase?.number ?? t.aCase, inCase?.title ?? '');
  const view = scope.kind === 'item' ? null : describeView(scope.view, 'every section');
  return t.detail({ name: e.contact.name, email: e.contact.email, where, view, rights: EN.staff.rightsWords[e.grant.rights], state: EN.staff.grantStateWords[e.state], until: e.grant.expiresAt ? date(e.grant.expiresAt) : null });
}

/** The chip, then its expiry in words; with `onExpiry`, a button to change or remove that expiry. */
export function AccessChip({ entry, detail, onRemove, onExpiry }: { entry: AccessEntry; detail: string; onRemove?: () => void; onExpiry?: () => void }) {
  const s = useStyles();
  const t = useStrings().views.chip;
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
      <InteractionTagSecondary aria-label={t.remove(chipText(entry))} onClick={onRemove} />
    </InteractionTag>
  );
  return (
    <span className={s.chip} data-testid="access-chip-with-expiry" data-grant-id={entry.grant.id}>
      {chip}
      <Caption1 data-testid="access-chip-expiry">{expiryInWords(entry.grant.expiresAt)}</Caption1>
      {onExpiry && <Button size="small" appearance="subtle" icon={<CalendarEditRegular />} aria-label={t.changeExpiry(chipText(entry), expiryInWords(entry.grant.expiresAt))} onClick={onExpiry} />}
    </span>
  );
}
