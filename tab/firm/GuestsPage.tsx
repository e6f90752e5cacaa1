import { useState } from 'react';
import { useExpiryDialog } from '../staff/ExpiryDialog';
import { Badge, Caption1, TableCell, TableRow, TagGroup, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { ScrollingTable } from '../components/ScrollingTable';
import { useLoad, useStaffApi } from '../shell/hooks';
import { AccessChip, chipDetail } from './AccessChip';
import { useFirmLookup } from './useFirmLookup';
import { InAppLink } from '../components/InAppLink';

const useStyles = makeStyles({
  spaced: { marginTop: tokens.spacingVerticalM },
  chips: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, padding: `${tokens.spacingVerticalXS} 0` },
});

const INVITATION = { none: 'Not invited', pending: 'Pending', accepted: 'Accepted' } as const;

/** Everyone outside the firm with portal access or a grant, and an Access column of chips. */
export function GuestsPage() {
  const s = useStyles();
  const api = useStaffApi();
  const data = useLoad(async () => {
    const [contacts, access] = await Promise.all([api.contacts(), api.firmAccess()]);
    return { contacts, access };
  }, []);
  const lookup = useFirmLookup();
  const [message, setMessage] = useState<string | null>(null);
  const expiry = useExpiryDialog((msg) => {
    setMessage(msg);
    void data.reload();
  });
  const rows = (data.data?.contacts ?? []).filter((c) => c.portalAccess || data.data?.access.some((e) => e.contact.id === c.id)).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="guests-title">
      <Title2 block as="h1" id="guests-title">
        Guests
      </Title2>
      <ErrorBar error={data.error ?? lookup.error} onRetry={() => void data.reload()} />
      {message && <Notice>{message}</Notice>}
      {!data.data && !data.error && <Loading />}
      {data.data && rows.length === 0 && <Empty>Nobody outside the firm has portal access yet.</Empty>}
      {rows.length > 0 && (
        <ScrollingTable label="Guests" columns={['Guest', 'Invitation', 'Access']} size="medium" className={s.spaced}>
          {rows.map((c) => {
            const entries = data.data?.access.filter((e) => e.contact.id === c.id) ?? [];
            return (
              <TableRow key={c.id} data-testid="guest-row" data-name={c.name}>
                <TableCell>
                  <InAppLink href={`/tab/firm/guests/${c.id}`}>{c.name}</InAppLink>
                  <br />
                  <Caption1>
                    {c.email}
                    {c.portalAccess ? '' : ' · portal access off'}
                  </Caption1>
                </TableCell>
                <TableCell>
                  <Badge appearance="tint" color={c.invitation === 'accepted' ? 'success' : c.invitation === 'pending' ? 'warning' : 'informative'}>
                    {INVITATION[c.invitation]}
                  </Badge>
                </TableCell>
                <TableCell>
                  {entries.length === 0 ? (
                    <Caption1>Nothing shared</Caption1>
                  ) : (
                    <TagGroup className={s.chips} aria-label={`Access of ${c.name}`}>
                      {entries.map((e) => (
                        <AccessChip key={e.grant.id} entry={e} detail={lookup.data ? chipDetail(e, lookup.data.cases, lookup.data.clientNames) : e.label} onExpiry={() => expiry.open(e)} />
                      ))}
                    </TagGroup>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </ScrollingTable>
      )}
      {expiry.dialog}
    </section>
  );
}
