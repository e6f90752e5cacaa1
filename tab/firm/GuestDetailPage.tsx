import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Subtitle2,
  Switch,
  Text,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { MoreHorizontalRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { AccessEntry } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { chipDetail, chipText } from './AccessChip';
import { AccessChips } from './AccessChips';
import { MoveAccessDialog } from './MoveAccessDialog';
import { useFirmLookup } from './useFirmLookup';
import { useExpiryDialog } from '../staff/ExpiryDialog';
import { usePortalOffDialog } from '../staff/PortalOffDialog';
import { InAppLink } from '../components/InAppLink';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/** A chip's menu of further actions: for access to a whole case, moving it to another case. */
function ChipMenu({ entry, onMove }: { entry: AccessEntry; onMove: () => void }) {
  const t = useStrings().firmPages;
  if (entry.grant.scope.kind !== 'case') return null;
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <Button size="small" appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={t.moreActions(chipText(entry))} data-testid="access-chip-menu" />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem onClick={onMove}>{t.moveToCase}</MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

/** One guest: contact details, portal access, invitation, every access chip with remove and move, linked cases. */
export function GuestDetailPage({ contactId }: { contactId: string }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const api = useStaffApi();
  const data = useLoad(async () => {
    const [contact, access] = await Promise.all([api.contact(contactId), api.contactAccess(contactId)]);
    return { contact, access };
  }, [contactId]);
  const lookup = useFirmLookup();
  const [removing, setRemoving] = useState<AccessEntry | null>(null);
  const [moving, setMoving] = useState<AccessEntry | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const changed = (msg: string) => {
    setMessage(msg);
    void data.reload();
  };
  const expiry = useExpiryDialog(changed);
  const remove = useAction(async (e: AccessEntry) => {
    await api.revokeGrant(e.grant.id);
    setRemoving(null);
    setMessage(t.removed(chipText(e)));
    await data.reload();
  });
  const portalOff = usePortalOffDialog((c) => changed(t.portalSwitchedOff(c.name)));
  const turnOn = useAction(async () => {
    await api.setPortalAccess(contactId, true);
    await data.reload();
  });
  if (!data.data) return data.error ? <ErrorBar error={data.error} onRetry={() => void data.reload()} /> : <Loading />;
  const { contact, access } = data.data;
  return (
    <section aria-labelledby="guest-title">
      <InAppLink href="/tab/firm/guests">{t.allGuests}</InAppLink>
      <Title2 block as="h1" id="guest-title">
        {contact.name}
      </Title2>
      <Caption1>
        {contact.email} · {t.kindLabel[contact.kind]}
        {contact.phone ? ` · ${contact.phone}` : ''}
      </Caption1>
      {message && <Notice>{message}</Notice>}
      <ErrorBar error={remove.error ?? turnOn.error ?? lookup.error} />
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          {t.portal}
        </Subtitle2>
        <Switch label={contact.portalAccess ? t.portalAccessOn : t.portalAccessOff} checked={contact.portalAccess} disabled={turnOn.busy || portalOff.asking} onChange={(_e, d) => (d.checked ? void turnOn.run() : portalOff.ask(contact))} />
        <Text>
          {t.invitationLabel}{' '}
          <Badge appearance="tint" color={contact.invitation === 'accepted' ? 'success' : 'warning'}>
            {t.invitation[contact.invitation]}
          </Badge>
        </Text>
        {!contact.portalAccess && <Caption1>{t.withdrewEverything}</Caption1>}
      </Card>
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          {t.access}
        </Subtitle2>
        {access.length === 0 ? (
          <Empty>{t.nothingSharedWith(contact.name)}</Empty>
        ) : (
          <AccessChips contactName={contact.name} entries={access} lookup={lookup.data} onRemove={setRemoving} onExpiry={expiry.open} extra={(e) => <ChipMenu entry={e} onMove={() => setMoving(e)} />} />
        )}
      </Card>
      <Card className={s.card}>
        <Subtitle2 block as="h2">
          {t.linkedCases}
        </Subtitle2>
        {contact.linkedCaseIds.length === 0 && <Body1>{t.notLinked}</Body1>}
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
      {moving && (
        <MoveAccessDialog
          entry={moving}
          contact={contact}
          cases={lookup.data?.caseList ?? []}
          onClose={() => {
            setMoving(null);
            void data.reload();
          }}
          onMoved={(msg) => {
            setMoving(null);
            changed(msg);
          }}
        />
      )}
      {removing && (
        <Dialog open onOpenChange={(_e, d) => !d.open && setRemoving(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t.removeAccessTitle}</DialogTitle>
              <DialogContent>
                <Body1 as="p">{lookup.data ? chipDetail(removing, lookup.data.cases, lookup.data.clientNames) : chipText(removing)}</Body1>
                <Body1 as="p">{t.removeAccessBody}</Body1>
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setRemoving(null)}>{t.cancel}</Button>
                <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run(removing)}>
                  {t.removeAccess}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
