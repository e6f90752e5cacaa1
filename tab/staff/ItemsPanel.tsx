import { Badge, Body1, Button, Caption1, Card, CardHeader, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { CaseSharing, Item, ItemPatch, NewItem } from '../api';
import { Empty, ErrorBar, Notice } from '../components/Feedback';
import { date, dateTime, money } from '../components/format';
import { useAction, useStaffApi } from '../shell/hooks';
import { useStrings, type Catalogue } from '../strings';
import { ShareTicks } from './ContactTicks';
import { ItemFormDialog, type EditableKind } from './ItemFormDialog';
import { useItemActions } from './ItemMenu';
import { ItemSeenBy } from './SeenBy';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, marginTop: tokens.spacingVerticalM },
  body: { whiteSpace: 'pre-wrap' },
  marks: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
});

/** CaseRoom's own memo of a guest's message or upload: the server keeps it staff-only. */
const isMemo = (item: Item) => item.kind === 'note' && item.staffOnly && item.createdBy.startsWith('guest:');

/** Badges for what keeps an item from guests, and the buttons that mark or lift it (audited by the server). */
function WithholdingMarks({ item, onChanged }: { item: Item; onChanged: () => void }) {
  const s = useStyles();
  const t = useStrings().items;
  const api = useStaffApi();
  const mark = useAction(async (patch: Pick<ItemPatch, 'privileged' | 'staffOnly'>) => {
    await api.updateItem(item.id, patch);
    onChanged();
  });
  return (
    <div className={s.marks}>
      {item.staffOnly && (
        <Badge appearance="outline" data-testid="staff-only-badge">
          {t.staffOnly}
        </Badge>
      )}
      {item.privileged && (
        <Badge appearance="filled" color="danger" data-testid="privileged-badge">
          {t.privileged}
        </Badge>
      )}
      <Button size="small" appearance="subtle" disabled={mark.busy} onClick={() => void mark.run({ privileged: !item.privileged })} aria-label={t.markAction(item.privileged ? t.unmarkPrivileged : t.markPrivileged, item.title)}>
        {item.privileged ? t.unmarkPrivileged : t.markPrivileged}
      </Button>
      {!isMemo(item) && (
        <Button size="small" appearance="subtle" disabled={mark.busy} onClick={() => void mark.run({ staffOnly: !item.staffOnly })} aria-label={t.markAction(item.staffOnly ? t.liftStaffOnly : t.markStaffOnly, item.title)}>
          {item.staffOnly ? t.liftStaffOnly : t.markStaffOnly}
        </Button>
      )}
      <ErrorBar error={mark.error} />
    </div>
  );
}

function describe(item: Item, currency: string, t: Catalogue['items'], invoiceStates: Catalogue['common']['invoiceState']): string {
  if (item.kind === 'event') return `${dateTime(item.startsAt)}${item.endsAt ? ` – ${dateTime(item.endsAt)}` : ''}${item.location ? ` · ${item.location}` : ''}`;
  if (item.kind === 'invoice') return `${item.invoiceNumber} · ${money(item.amountCents, currency)} · ${t.dueOn(date(item.dueOn))} · ${invoiceStates[item.invoiceStatus ?? 'sent']}`;
  return t.updatedBy(dateTime(item.updatedAt), item.createdBy.replace(/^staff:|^guest:/, ''));
}

/** Notes, events or invoices of a case: create, edit, and per-contact share ticks on each. */
/** `currency`: the firm's, for invoices; notes and events show no amounts and pass none. */
export function ItemsPanel({ kind, caseId, sharing, onChanged, currency = '' }: { kind: EditableKind; caseId: string; sharing: CaseSharing; onChanged: () => void; currency?: string }) {
  const s = useStyles();
  const t = useStrings().items;
  const common = useStrings().common;
  const api = useStaffApi();
  const [notice, setNotice] = useState<string | null>(null);
  const actions = useItemActions({ caseId, sharing, onChanged, onNotice: setNotice });
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
  const [singular, plural] = t.nouns[kind];
  return (
    <section aria-label={plural}>
      <Button icon={<AddRegular />} appearance="primary" onClick={() => setEditing('new')}>
        {t.newOf(singular)}
      </Button>
      <div className={s.stack}>
        {notice && <Notice>{notice}</Notice>}
        {actions.dialogs}
        {items.length === 0 && <Empty>{t.noneYet(plural)}</Empty>}
        {items.map((item) => (
          <Card key={item.id} data-testid={`${kind}-card`} data-title={item.title} data-item-id={item.id}>
            <CardHeader
              header={
                <Subtitle2 block as="h2">
                  {item.title}
                </Subtitle2>
              }
              description={<Caption1>{describe(item, currency, t, common.invoiceState)}</Caption1>}
              action={
                <div className={s.actions}>
                  <Button icon={<EditRegular />} appearance="subtle" aria-label={t.editOf(item.title)} onClick={() => setEditing(item)}>
                    {t.editVerb}
                  </Button>
                  {actions.menu(item, () => setEditing(item))}
                </div>
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
