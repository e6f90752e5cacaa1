import { useState } from 'react';
import { useExpiryDialog } from '../staff/ExpiryDialog';
import { Badge, Button, Caption1, Field, SearchBox, TableCell, TableRow, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { PersonAddRegular } from '@fluentui/react-icons';
import type { AccessEntry, Contact } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { ScrollingTable } from '../components/ScrollingTable';
import { useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { AccessChips, type FirmLookup } from './AccessChips';
import { contactMatches } from './firmData';
import { NewContactDialog } from './NewContactDialog';
import { useFirmLookup } from './useFirmLookup';
import { InAppLink } from '../components/InAppLink';

const useStyles = makeStyles({
  spaced: { marginTop: tokens.spacingVerticalM },
  tools: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap', marginTop: tokens.spacingVerticalS },
  search: { flexGrow: 1, maxWidth: '480px' },
});

const INVITATION_COLOR = { none: 'informative', pending: 'warning', accepted: 'success' } as const;

function ContactCell({ contact }: { contact: Contact }) {
  const t = useStrings().firmPages;
  return (
    <TableCell>
      <InAppLink href={`/tab/firm/guests/${contact.id}`}>{contact.name}</InAppLink>
      <br />
      <Caption1>{contact.portalAccess ? contact.email : t.emailPortalOff(contact.email)}</Caption1>
    </TableCell>
  );
}

function AccessCell({ contact, entries, lookup, onExpiry }: { contact: Contact; entries: AccessEntry[]; lookup: FirmLookup | undefined; onExpiry: (e: AccessEntry) => void }) {
  const t = useStrings().firmPages;
  return <TableCell>{entries.length === 0 ? <Caption1>{t.nothingShared}</Caption1> : <AccessChips contactName={contact.name} entries={entries} lookup={lookup} onExpiry={onExpiry} />}</TableCell>;
}

/**
 * Everyone outside the firm with portal access or a grant, with an Access column of chips; a
 * search finds any contact (portal access off, nothing shared, any client) and opens their page.
 */
export function GuestsPage() {
  const s = useStyles();
  const t = useStrings().firmPages;
  const api = useStaffApi();
  const data = useLoad(async () => {
    const [contacts, access] = await Promise.all([api.contacts(), api.firmAccess()]);
    return { contacts, access };
  }, []);
  const lookup = useFirmLookup();
  const [message, setMessage] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [adding, setAdding] = useState(false);
  const expiry = useExpiryDialog((msg) => {
    setMessage(msg);
    void data.reload();
  });
  const entriesOf = (c: Contact) => data.data?.access.filter((e) => e.contact.id === c.id) ?? [];
  const byName = (a: Contact, b: Contact) => a.name.localeCompare(b.name);
  const contacts = data.data?.contacts ?? [];
  const clientName = (c: Contact) => (c.clientId ? (lookup.data?.clientNames.get(c.clientId) ?? null) : null);
  const searching = query.trim().length > 0;
  const found = contacts.filter((c) => contactMatches(c, clientName(c), query)).sort(byName);
  const rows = contacts.filter((c) => c.portalAccess || data.data?.access.some((e) => e.contact.id === c.id)).sort(byName);
  return (
    <section aria-labelledby="guests-title">
      <Title2 block as="h1" id="guests-title">
        {t.guestsTitle}
      </Title2>
      <div className={s.tools}>
        <Field label={t.findContact} className={s.search}>
          <SearchBox value={query} placeholder={t.findContactPlaceholder} onChange={(_e, d) => setQuery(d.value)} data-testid="contact-search" />
        </Field>
        <Button icon={<PersonAddRegular />} onClick={() => setAdding(true)}>
          {t.addContact}
        </Button>
      </div>
      <ErrorBar error={data.error ?? lookup.error} onRetry={() => void data.reload()} />
      {message && <Notice>{message}</Notice>}
      {!data.data && !data.error && <Loading />}
      {data.data && searching && (
        <>
          <Caption1 role="status" block className={s.spaced}>
            {found.length === 0 ? t.noMatches(query.trim()) : t.searchResults(found.length, query.trim())}
          </Caption1>
          {found.length > 0 && (
            <ScrollingTable label={t.contactsFound} columns={t.searchColumns} size="medium" className={s.spaced}>
              {found.map((c) => (
                <TableRow key={c.id} data-testid="contact-result" data-name={c.name}>
                  <ContactCell contact={c} />
                  <TableCell>{clientName(c) ?? '—'}</TableCell>
                  <TableCell>{c.portalAccess ? t.portalOn : t.portalOffShort}</TableCell>
                  <AccessCell contact={c} entries={entriesOf(c)} lookup={lookup.data} onExpiry={expiry.open} />
                </TableRow>
              ))}
            </ScrollingTable>
          )}
        </>
      )}
      {data.data && !searching && rows.length === 0 && <Empty>{t.nobodyWithAccess}</Empty>}
      {!searching && rows.length > 0 && (
        <ScrollingTable label={t.guestsTitle} columns={t.guestColumns} size="medium" className={s.spaced}>
          {rows.map((c) => (
            <TableRow key={c.id} data-testid="guest-row" data-name={c.name}>
              <ContactCell contact={c} />
              <TableCell>
                <Badge appearance="tint" color={INVITATION_COLOR[c.invitation]}>
                  {t.invitation[c.invitation]}
                </Badge>
              </TableCell>
              <AccessCell contact={c} entries={entriesOf(c)} lookup={lookup.data} onExpiry={expiry.open} />
            </TableRow>
          ))}
        </ScrollingTable>
      )}
      {adding && (
        <NewContactDialog
          clients={lookup.data?.clients ?? []}
          clientId={null}
          onClose={() => setAdding(false)}
          onAdded={() => {
            void data.reload();
          }}
        />
      )}
      {expiry.dialog}
    </section>
  );
}
