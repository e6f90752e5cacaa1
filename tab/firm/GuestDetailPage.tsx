import { Badge, Body1, Button, Caption1, Card, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Subtitle2, Switch, TagGroup, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { AccessEntry } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { AccessChip, chipDetail, chipText } from './AccessChip';
import { useFirmLookup } from './useFirmLookup';
import { useExpiryDialog } from '../staff/ExpiryDialog';
import { usePortalOffDialog } from '../staff/PortalOffDialog';
import { InAppLink } from '../components/InAppLink';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL },
  chips: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/** One guest: contact details, portal access, invitation, every access chip with remove, linked cases. */
export function GuestDetailPage({ contactId }: { contactId: string }) {
  const s = useStyles();
  const api = useStaffApi();
  const data = useLoad(async () => {
    const [contact, access] = await Promise.all([api.contact(contactId), api.contactAccess(contactId)]);
    return { contact, access };
  }, [contactId]);
  const lookup = useFirmLookup();
  const [removing, setRemoving] = useState<AccessEntry | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const expiry = useExpiryDialog((msg) => {
    setMessage(msg);
    void data.reload();
  });
  const remove = useAction(async (e: AccessEntry) => {
    await api.revokeGrant(e.grant.id);
    setRemoving(null);
    setMessage(`Removed: ${chipText(e)}.`);
    await data.reload();
  });
  const portalOff = usePortalOffDialog((c) => {
    setMessage(`Portal access switched off for ${c.name}.`);
    void data.reload();
  });
  const turnOn = useAction(async () => {
    await api.setPortalAccess(contactId, true);
    await data.reload();
  });
  if (!data.data) return data.error ? <ErrorBar error={data.error} onRetry={() => void data.reload()} /> : <Loading />;
  const { contact, access } = data.data;
  return (
    <section aria-labelledby="guest-title">
      <InAppLink href="/tab/firm/guests">← All guests</InAppLink>
      <Title2 block as="h1" id="guest-title">
        {contact.name}
      </Title2>
      <Caption1>
        {contact.email} · {contact.kind}
        {contact.phone ? ` · ${contact.phone}` : ''}
      </Caption1>
      {message && <Notice>{message}</Notice>}
      <ErrorBar error={remove.error ?? turnOn.error ?? lookup.error} />
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          Portal
        </Subtitle2>
        <Switch
          label={contact.portalAccess ? 'Portal access on' : 'Portal access off'}
          checked={contact.portalAccess}
          disabled={turnOn.busy || portalOff.asking}
          onChange={(_e, d) => (d.checked ? void turnOn.run() : portalOff.ask(contact))}
        />
        <Text>
          Invitation:{' '}
          <Badge appearance="tint" color={contact.invitation === 'accepted' ? 'success' : 'warning'}>
            {contact.invitation}
          </Badge>
        </Text>
        {!contact.portalAccess && <Caption1>Turning portal access off withdrew everything shared with them.</Caption1>}
      </Card>
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          Access
        </Subtitle2>
        {access.length === 0 ? (
          <Empty>Nothing is shared with {contact.name}.</Empty>
        ) : (
          <TagGroup className={s.chips} aria-label={`Access of ${contact.name}`}>
            {access.map((e) => (
              <AccessChip key={e.grant.id} entry={e} detail={lookup.data ? chipDetail(e, lookup.data.cases, lookup.data.clientNames) : e.label} onRemove={() => setRemoving(e)} onExpiry={() => expiry.open(e)} />
            ))}
          </TagGroup>
        )}
      </Card>
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          Linked cases
        </Subtitle2>
        {contact.linkedCaseIds.length === 0 && <Body1>Not linked to any case.</Body1>}
        <ul className={s.list}>
          {contact.linkedCaseIds.map((id) => {
            const c = lookup.data?.cases.get(id);
            return (
              <li key={id}>
                <InAppLink href={`/tab/case?caseId=${id}`}>{c ? `${c.number} · ${c.title}` : id}</InAppLink>
              </li>
            );
          })}
        </ul>
      </Card>
      {expiry.dialog}
      {portalOff.dialog}
      {removing && (
        <Dialog open onOpenChange={(_e, d) => !d.open && setRemoving(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>Remove access?</DialogTitle>
              <DialogContent>
                <Body1 as="p">{lookup.data ? chipDetail(removing, lookup.data.cases, lookup.data.clientNames) : chipText(removing)}</Body1>
                <Body1 as="p">This access ends now and SharePoint permissions are withdrawn.</Body1>
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setRemoving(null)}>Cancel</Button>
                <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run(removing)}>
                  Remove access
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
