import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { Contact, InvoiceStatus, Item, ItemPatch, NewItem } from '../api';
import { ErrorBar } from '../components/Feedback';
import { fromLocalInput, parseCents, toLocalInput } from '../components/format';
import { optionsOf } from '../components/options';
import { useAction } from '../shell/hooks';
import { ContactTicks } from './ContactTicks';
import { currentStrings, useStrings } from '../strings';
import { SECTION_OF_KIND } from './guestPolicy';

export type EditableKind = 'note' | 'event' | 'invoice';
const INVOICE_STATUSES: InvoiceStatus[] = ['draft', 'sent', 'paid', 'void'];

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

type Values = Record<'title' | 'body' | 'startsAt' | 'endsAt' | 'location' | 'amount' | 'dueOn' | 'invoiceNumber' | 'invoiceStatus', string>;

const initialValues = (item?: Item): Values => ({
  title: item?.title ?? '',
  body: item?.body ?? '',
  startsAt: toLocalInput(item?.startsAt),
  endsAt: toLocalInput(item?.endsAt),
  location: item?.location ?? '',
  amount: item?.amountCents !== null && item?.amountCents !== undefined ? (item.amountCents / 100).toFixed(2) : '',
  dueOn: item?.dueOn ?? '',
  invoiceNumber: item?.invoiceNumber ?? '',
  invoiceStatus: item?.invoiceStatus ?? 'sent',
});

/** Checks the form and turns it into the API's body; a message in plain words when something is missing. */
function toBody(kind: EditableKind, v: Values): { ok: true; item: NewItem } | { ok: false; message: string } {
  const t = currentStrings().staff;
  if (!v.title.trim()) return { ok: false, message: t.giveTitle };
  if (kind === 'note') return { ok: true, item: { kind, title: v.title.trim(), body: v.body } };
  if (kind === 'event') {
    const startsAt = fromLocalInput(v.startsAt);
    if (!startsAt) return { ok: false, message: t.chooseStart };
    return { ok: true, item: { kind, title: v.title.trim(), startsAt, endsAt: fromLocalInput(v.endsAt), location: v.location.trim() || null } };
  }
  const amountCents = parseCents(v.amount);
  if (amountCents === null) return { ok: false, message: t.enterAmount };
  if (!v.dueOn) return { ok: false, message: t.chooseDue };
  if (!v.invoiceNumber.trim()) return { ok: false, message: t.enterInvoiceNumber };
  return { ok: true, item: { kind, title: v.title.trim(), amountCents, dueOn: v.dueOn, invoiceNumber: v.invoiceNumber.trim(), invoiceStatus: v.invoiceStatus as InvoiceStatus } };
}

/** Create or edit a note, event or invoice; on create, tick who it is shared with straight away. */
export function ItemFormDialog({
  kind,
  item,
  contacts,
  onSave,
  onClose,
  currency,
}: {
  kind: EditableKind;
  /** The firm's currency, for invoice amounts. */
  currency: string;
  item?: Item;
  contacts: Contact[];
  onSave: (body: NewItem | ItemPatch, shareWith: string[]) => Promise<void>;
  onClose: () => void;
}) {
  const t = useStrings().staff;
  const s = useStyles();
  const [v, setV] = useState<Values>(() => initialValues(item));
  const [shareWith, setShareWith] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof Values) => (_e: unknown, d: { value: string }) => setV((old) => ({ ...old, [key]: d.value }));
  const save = useAction(async () => {
    const body = toBody(kind, v);
    if (!body.ok) {
      setProblem(body.message);
      return;
    }
    setProblem(null);
    const { kind: _kind, ...patch } = body.item;
    await onSave(item ? (patch as ItemPatch) : body.item, [...shareWith]);
    onClose();
  });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{item ? t.editItemTitle[kind] : t.newItemTitle[kind]}</DialogTitle>
          <DialogContent className={s.form}>
            <Field label={t.title} required validationMessage={problem ?? undefined}>
              <Input value={v.title} onChange={set('title')} />
            </Field>
            {kind === 'note' && (
              <Field label={t.text}>
                <Textarea value={v.body} onChange={set('body')} rows={6} resize="vertical" />
              </Field>
            )}
            {kind === 'event' && (
              <>
                <Field label={t.starts} required>
                  <Input type="datetime-local" value={v.startsAt} onChange={set('startsAt')} />
                </Field>
                <Field label={t.ends}>
                  <Input type="datetime-local" value={v.endsAt} onChange={set('endsAt')} />
                </Field>
                <Field label={t.location}>
                  <Input value={v.location} onChange={set('location')} />
                </Field>
              </>
            )}
            {kind === 'invoice' && (
              <>
                <Field label={t.invoiceNumber} required>
                  <Input value={v.invoiceNumber} onChange={set('invoiceNumber')} />
                </Field>
                <Field label={t.amountIn(currency)} required>
                  <Input value={v.amount} onChange={set('amount')} inputMode="decimal" />
                </Field>
                <Field label={t.dueOn} required>
                  <Input type="date" value={v.dueOn} onChange={set('dueOn')} />
                </Field>
                <Field label={t.status}>
                  <Dropdown value={currentStrings().common.invoiceState[v.invoiceStatus]} selectedOptions={[v.invoiceStatus]} onOptionSelect={(_e, d) => setV((o) => ({ ...o, invoiceStatus: d.optionValue ?? 'sent' }))}>
                    {optionsOf(
                      INVOICE_STATUSES,
                      (st) => st,
                      (st) => currentStrings().common.invoiceState[st],
                    )}
                  </Dropdown>
                </Field>
              </>
            )}
            {!item && <ContactTicks contacts={contacts} selected={shareWith} onChange={setShareWith} section={SECTION_OF_KIND[kind]} />}
            <ErrorBar error={save.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{t.cancel}</Button>
            <Button appearance="primary" disabled={save.busy} onClick={() => void save.run()}>
              {save.busy ? t.saving : t.save}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
