import { Badge, Body1, Button, Caption1, Card, CardHeader, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { CaseSharing, Item, ItemPatch, NewItem } from '../api';
import { Empty } from '../components/Feedback';
import { date, dateTime, INVOICE_STATE_LABEL, money } from '../components/format';
import { ErrorBar } from '../components/Feedback';
import { useAction, useStaffApi } from '../shell/hooks';
import { ShareTicks } from './ContactTicks';
import { ItemFormDialog, type EditableKind } from './ItemFormDialog';
import { ItemSeenBy } from './SeenBy';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, marginTop: tokens.spacingVerticalM },
  body: { whiteSpace: 'pre-wrap' },
  marks: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** CaseRoom's own memo of a guest's message or upload: the server keeps it staff-only. */
const isMemo = (item: Item) => item.kind === 'note' && item.staffOnly && item.createdBy.startsWith('guest:');

/** Badges for what keeps an item from guests, and the buttons that mark or lift it (audited by the server). */
function WithholdingMarks({ item, onChanged }: { item: Item; onChanged: () => void }) {
  const s = useStyles();
  const api = useStaffApi();
  const mark = useAction(async (patch: Pick<ItemPatch, 'privileged' | 'staffOnly'>) => {
    await api.updateItem(item.id, patch);
    onChanged();
  });
  return (
    <div className={s.marks}>
      {item.staffOnly && (
        <Badge appearance="outline" data-testid="staff-only-badge">
          Staff only
        </Badge>
      )}
      {item.privileged && (
        <Badge appearance="filled" color="danger" data-testid="privileged-badge">
          Privileged
        </Badge>
      )}
      <Button size="small" appearance="subtle" disabled={mark.busy} onClick={() => void mark.run({ privileged: !item.privileged })} aria-label={`${item.privileged ? 'Unmark privileged' : 'Mark privileged'}: ${item.title}`}>
        {item.privileged ? 'Unmark privileged' : 'Mark privileged'}
      </Button>
      {!isMemo(item) && (
        <Button size="small" appearance="subtle" disabled={mark.busy} onClick={() => void mark.run({ staffOnly: !item.staffOnly })} aria-label={`${item.staffOnly ? 'Lift staff-only' : 'Mark staff-only'}: ${item.title}`}>
          {item.staffOnly ? 'Lift staff-only' : 'Mark staff-only'}
        </Button>
      )}
      <ErrorBar error={mark.error} />
    </div>
  );
}

const NOUN: Record<EditableKind, [string, string]> = { note: ['note', 'notes'], event: ['event', 'events'], invoice: ['invoice', 'invoices'] };

function describe(item: Item, currency: string): string {
  if (item.kind === 'event') return `${dateTime(item.startsAt)}${item.endsAt ? ` – ${dateTime(item.endsAt)}` : ''}${item.location ? ` · ${item.location}` : ''}`;
  if (item.kind === 'invoice') return `${item.invoiceNumber} · ${money(item.amountCents, currency)} · due ${date(item.dueOn)} · ${INVOICE_STATE_LABEL[item.invoiceStatus ?? 'sent']}`;
  return `Updated ${dateTime(item.updatedAt)} by ${item.createdBy.replace(/^staff:|^guest:/, '')}`;
}

/** Notes, events or invoices of a case: create, edit, and per-contact share ticks on each. */
export function ItemsPanel({ kind, caseId, sharing, onChanged, currency = 'USD' }: { kind: EditableKind; caseId: string; sharing: CaseSharing; onChanged: () => void; currency?: string }) {
  const s = useStyles();
  const api = useStaffApi();
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const items = sharing.items.filter((i) => i.kind === kind).sort((a, b) => (kind === 'event' ? (a.startsAt ?? '').localeCompare(b.startsAt ?? '') : b.updatedAt.localeCompare(a.updatedAt)));
  const save = async (body: NewItem | ItemPatch, shareWith: string[]) => {
    if (editing && editing !== 'new') await api.updateItem(editing.id, body as ItemPatch);
    else {
      const created = await api.createItem(caseId, body as NewItem);
      if (shareWith.length) await api.share(shareWith, [created.id]);
    }
    onChanged();
  };
  const [singular, plural] = NOUN[kind];
  return (
    <section aria-label={plural}>
      <Button icon={<AddRegular />} appearance="primary" onClick={() => setEditing('new')}>
        New {singular}
      </Button>
      <div className={s.stack}>
        {items.length === 0 && <Empty>No {plural} yet.</Empty>}
        {items.map((item) => (
          <Card key={item.id} data-testid={`${kind}-card`} data-title={item.title} data-item-id={item.id}>
            <CardHeader
              header={
                <Subtitle2 block as="h2">
                  {item.title}
                </Subtitle2>
              }
              description={<Caption1>{describe(item, currency)}</Caption1>}
              action={
                <Button icon={<EditRegular />} appearance="subtle" aria-label={`Edit ${item.title}`} onClick={() => setEditing(item)}>
                  Edit
                </Button>
              }
            />
            <WithholdingMarks item={item} onChanged={onChanged} />
            {item.body && <Body1 className={s.body}>{item.body}</Body1>}
            {!item.staffOnly && <ShareTicks itemId={item.id} itemTitle={item.title} sharing={sharing} onChanged={onChanged} />}
            {!item.staffOnly && <ItemSeenBy sharing={sharing} itemId={item.id} />}
          </Card>
        ))}
      </div>
      {editing && <ItemFormDialog kind={kind} item={editing === 'new' ? undefined : editing} contacts={sharing.contacts} currency={currency} onSave={save} onClose={() => setEditing(null)} />}
    </section>
  );
}
