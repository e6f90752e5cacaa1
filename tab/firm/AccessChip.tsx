import { InteractionTag, InteractionTagPrimary, InteractionTagSecondary, Tag, Tooltip } from '@fluentui/react-components';
import type { AccessEntry, CaseRecord } from '../api';
import { date, surnameFirst } from '../components/format';
import { describeView } from '../../src/contract/views';

/** "Smith, John · Knee MRI" / "Smith, John · Full client" — the hover says exactly what it covers. */
export function chipText(e: AccessEntry): string {
  return `${surnameFirst(e.contact.name)} · ${e.label}`;
}

export function chipDetail(e: AccessEntry, cases: ReadonlyMap<string, CaseRecord>, clientNames: ReadonlyMap<string, string>): string {
  const scope = e.grant.scope;
  const where =
    scope.kind === 'client'
      ? `every case of ${clientNames.get(scope.clientId) ?? 'the client'}, including future ones`
      : `${scope.kind === 'item' ? 'one item in' : 'the whole of'} ${cases.get(scope.caseId)?.number ?? 'a case'} ${cases.get(scope.caseId)?.title ?? ''}`.trim();
  const view = scope.kind === 'item' ? '' : ` Sees: ${describeView(scope.view, 'every section')}.`;
  return `${e.contact.name} (${e.contact.email}) sees ${where}.${view} Rights: ${e.grant.rights}. State: ${e.state}.${e.grant.expiresAt ? ` Until ${date(e.grant.expiresAt)}.` : ''}`;
}

export function AccessChip({ entry, detail, onRemove }: { entry: AccessEntry; detail: string; onRemove?: () => void }) {
  const appearance = entry.state === 'active' ? 'brand' : 'outline';
  if (!onRemove)
    return (
      <Tooltip content={detail} relationship="description">
        <Tag size="small" appearance={appearance} data-testid="access-chip" tabIndex={0}>
          {chipText(entry)}
        </Tag>
      </Tooltip>
    );
  return (
    <InteractionTag size="small" appearance={appearance} data-testid="access-chip">
      <Tooltip content={detail} relationship="description">
        <InteractionTagPrimary hasSecondaryAction>{chipText(entry)}</InteractionTagPrimary>
      </Tooltip>
      <InteractionTagSecondary aria-label={`Remove access: ${chipText(entry)}`} onClick={onRemove} />
    </InteractionTag>
  );
}
