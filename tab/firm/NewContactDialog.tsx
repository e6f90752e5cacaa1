import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, Option, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { Client, Contact, ContactKind } from '../api';
import { CONTACT_KINDS } from '../../src/contract/enums';
import { ErrorBar, Notice } from '../components/Feedback';
import { InAppLink } from '../components/InAppLink';
import { useAction, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { formError, refusedUnder } from './fieldErrors';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

const FIELDS = ['name', 'email', 'kind', 'phone', 'clientId'] as const;

/**
 * Adds a contact (portal access off: nothing is shared and nobody is invited until staff turn it on).
 * The server's validation speaks under the field it refuses; what was typed stays.
 */
export function NewContactDialog({ clients, clientId, onClose, onAdded }: { clients: readonly Client[]; clientId: string | null; onClose: () => void; onAdded: (c: Contact) => void }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const api = useStaffApi();
  const [form, setForm] = useState({ name: '', email: '', kind: 'client' as ContactKind, phone: '', clientId });
  const [added, setAdded] = useState<Contact | null>(null);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const add = useAction(async () => {
    const contact = await api.createContact({ name: form.name, email: form.email.trim(), kind: form.kind, phone: form.phone.trim() || null, clientId: form.clientId });
    setAdded(contact);
    onAdded(contact);
  });
  const client = clients.find((c) => c.id === form.clientId);
  const under = (field: (typeof FIELDS)[number]) => refusedUnder(add.error, field);
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{client ? t.addContactTo(client.name) : t.newContactTitle}</DialogTitle>
          <DialogContent className={s.form}>
            {added ? (
              <Notice>
                {t.contactAdded(added.name)} <InAppLink href={`/tab/firm/guests/${added.id}`}>{t.openContact(added.name)}</InAppLink>
              </Notice>
            ) : (
              <>
                <ErrorBar error={formError(add.error, FIELDS)} />
                <Field label={t.contactName} required {...under('name')}>
                  <Input value={form.name} onChange={(_e, d) => set({ name: d.value })} />
                </Field>
                <Field label={t.contactEmail} required {...under('email')}>
                  <Input type="email" value={form.email} onChange={(_e, d) => set({ email: d.value })} />
                </Field>
                <Field label={t.contactKind} {...under('kind')}>
                  <Dropdown value={t.kindLabel[form.kind]} selectedOptions={[form.kind]} onOptionSelect={(_e, d) => d.optionValue && set({ kind: d.optionValue as ContactKind })}>
                    {CONTACT_KINDS.map((k) => (
                      <Option key={k} value={k}>
                        {t.kindLabel[k]}
                      </Option>
                    ))}
                  </Dropdown>
                </Field>
                <Field label={t.contactPhone} {...under('phone')}>
                  <Input type="tel" value={form.phone} onChange={(_e, d) => set({ phone: d.value })} />
                </Field>
                <Field label={t.contactClient} {...under('clientId')}>
                  <Dropdown value={client?.name ?? t.noClient} selectedOptions={[form.clientId ?? '']} onOptionSelect={(_e, d) => set({ clientId: d.optionValue || null })}>
                    <Option value="">{t.noClient}</Option>
                    {clients.map((c) => (
                      <Option key={c.id} value={c.id}>
                        {c.name}
                      </Option>
                    ))}
                  </Dropdown>
                </Field>
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{added ? t.close : t.cancel}</Button>
            {!added && (
              <Button appearance="primary" disabled={add.busy || !form.name.trim() || !form.email.trim()} onClick={() => void add.run()}>
                {add.busy ? t.adding : t.addContactAction}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
