import { Body1, Button, Card, Link, Title2, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { ApiError, type PortalMe } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { signOut } from '../shell/auth';
import { useLoad, usePortalApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  card: { maxWidth: '560px', margin: `${tokens.spacingVerticalXXL} auto`, padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

function Explain({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  const s = useStyles();
  return (
    <Card className={s.card} data-testid="portal-explanation">
      <Title2 block as="h1">
        {title}
      </Title2>
      {children}
      {action}
    </Card>
  );
}

/** Why the portal is empty, in words a client understands. */
export function InvitationPending({ me }: { me?: PortalMe }) {
  const t = useStrings().portal;
  return (
    <Explain title={t.notAcceptedTitle}>
      <Body1 as="p">
        {t.acceptInvitationSteps(me?.firmName ?? t.theFirm, me ? me.email : null, (words) => (
          <strong key="accept">{words}</strong>
        ))}
      </Body1>
      <Body1 as="p">{t.noEmail}</Body1>
    </Explain>
  );
}

/** Loads the guest's own status first; nothing else is shown until the invitation is accepted. */
export function PortalGate({ children }: { children: ReactNode }) {
  const t = useStrings().portal;
  const portal = usePortalApi();
  const me = useLoad(() => portal.me(), []);
  if (me.loading && !me.data) return <Loading label={t.opening} />;
  const err = me.error;
  if (err instanceof ApiError && err.code === 'forbidden') {
    if (/invitation/i.test(err.message)) return <InvitationPending />;
    if (/staff|portal guests/i.test(err.message))
      return (
        <Explain title={t.staffTitle} action={<Link href="/tab/firm">{t.staffAction}</Link>}>
          <Body1 as="p">{t.staffBody}</Body1>
        </Explain>
      );
    return (
      <Explain title={t.noAccessTitle} action={<Button onClick={() => void signOut()}>{t.signInAnother}</Button>}>
        <Body1 as="p">{/portal access/i.test(err.message) ? t.accessOff : t.noAccess}</Body1>
      </Explain>
    );
  }
  if (err) return <ErrorBar error={err} onRetry={() => void me.reload()} title={t.couldNotOpen} />;
  if (me.data && me.data.invitation !== 'accepted') return <InvitationPending me={me.data} />;
  return (
    <>
      {me.data && <Body1 as="p">{t.signedInAs(me.data.name, me.data.firmName)}</Body1>}
      {children}
    </>
  );
}
