import { Body1, Button, Card, Link, Title2, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { ApiError, type PortalMe } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { signOut } from '../shell/auth';
import { useLoad, usePortalApi } from '../shell/hooks';

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
  return (
    <Explain title="Your invitation is not accepted yet">
      <Body1 as="p">
        {me?.firmName ?? 'The firm'} has invited you{me ? ` (${me.email})` : ''} to its client portal. Before you can see anything, accept the invitation: open the email from Microsoft invitations on behalf of the firm and select{' '}
        <strong>Accept invitation</strong>, then come back here.
      </Body1>
      <Body1 as="p">Cannot find the email? Check your junk folder, or ask your contact at the firm to send it again.</Body1>
    </Explain>
  );
}

/** Loads the guest's own status first; nothing else is shown until the invitation is accepted. */
export function PortalGate({ children }: { children: ReactNode }) {
  const portal = usePortalApi();
  const me = useLoad(() => portal.me(), []);
  if (me.loading && !me.data) return <Loading label="Opening your portal…" />;
  const err = me.error;
  if (err instanceof ApiError && err.code === 'forbidden') {
    if (/invitation/i.test(err.message)) return <InvitationPending />;
    if (/staff|portal guests/i.test(err.message))
      return (
        <Explain title="This is the client portal" action={<Link href="/tab/firm">Open the firm pages instead</Link>}>
          <Body1 as="p">You are signed in as a member of the firm. The portal is for the firm&apos;s clients and guests.</Body1>
        </Explain>
      );
    return (
      <Explain title="No access to the portal" action={<Button onClick={() => void signOut()}>Sign in with another account</Button>}>
        <Body1 as="p">{/portal access/i.test(err.message) ? 'The firm has switched off your portal access. If you think this is a mistake, contact the firm.' : 'This account has no access to the firm’s client portal.'}</Body1>
      </Explain>
    );
  }
  if (err) return <ErrorBar error={err} onRetry={() => void me.reload()} title="We could not open your portal" />;
  if (me.data && me.data.invitation !== 'accepted') return <InvitationPending me={me.data} />;
  return (
    <>
      {me.data && (
        <Body1 as="p">
          Signed in as {me.data.name} · {me.data.firmName}
        </Body1>
      )}
      {children}
    </>
  );
}
