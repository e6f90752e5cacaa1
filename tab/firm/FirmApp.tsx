import { Body1, Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { ApiError, plainMessage } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { AppShell } from '../shell/AppShell';
import { useLoad, useStaffApi } from '../shell/hooks';
import { match, navigate } from '../shell/router';
import { AuditPage } from './AuditPage';
import { ClientsPage } from './ClientsPage';
import { FirmNav } from './FirmNav';
import { GuestDetailPage } from './GuestDetailPage';
import { GuestsPage } from './GuestsPage';
import { SettingsPage } from './SettingsPage';
import { SetupPage } from './SetupPage';

/** Why this person cannot use a page: said in one place, the same way for every case. */
function AccessProblem({ title, message }: { title: string; message: string }) {
  return (
    <MessageBar intent="warning" role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {message}
      </MessageBarBody>
    </MessageBar>
  );
}

const ADMIN_PAGES = new Set(['audit', 'setup']);

/**
 * Firm pages for staff: /tab/firm/clients, /tab/firm/guests, /tab/firm/guests/:contactId, /tab/firm/audit,
 * /tab/firm/settings (the staff member's own) and /tab/firm/setup (admins). Before set-up, an admin
 * gets the set-up page and everyone else a page saying whom to ask; outside the staff group, why not.
 */
export function FirmApp({ path }: { path: string }) {
  const api = useStaffApi();
  const me = useLoad(() => api.me(), []);
  const guest = match('/tab/firm/guests/:contactId', path);
  const page = guest ? 'guest' : path.endsWith('/guests') ? 'guests' : path.endsWith('/audit') ? 'audit' : path.endsWith('/settings') ? 'settings' : path.endsWith('/setup') ? 'setup' : 'clients';
  const titles = { clients: 'Clients', guests: 'Guests', guest: 'Guest', audit: 'Audit log', settings: 'My settings', setup: 'Set up CaseRoom' } as const;

  if (!me.data) {
    const err = me.error;
    if (err instanceof ApiError && err.code === 'not_set_up') {
      return err.canSetUp ? (
        <AppShell title="Set up CaseRoom">
          <SetupPage onDone={() => void me.reload().then(() => navigate('/tab/firm/clients'))} />
        </AppShell>
      ) : (
        <AppShell title="CaseRoom is not set up yet">
          <AccessProblem title="CaseRoom is not set up for your organisation yet" message={plainMessage(err)} />
        </AppShell>
      );
    }
    if (err instanceof ApiError && err.code === 'not_staff') {
      return (
        <AppShell title="Not on CaseRoom's staff">
          <AccessProblem title="You are not on CaseRoom's staff" message={plainMessage(err)} />
          {err.canSetUp && (
            <Body1>
              As an administrator you can still <Link href="/tab/firm/setup">change CaseRoom's set-up</Link>.
            </Body1>
          )}
          {err.canSetUp && path.endsWith('/setup') && <SetupPage />}
        </AppShell>
      );
    }
    return <AppShell title={titles[page]}>{err ? <ErrorBar error={err} onRetry={() => void me.reload()} /> : <Loading label="Signing you in…" />}</AppShell>;
  }

  const admin = me.data.role === 'admin';
  return (
    <AppShell title={titles[page]} nav={<FirmNav current={page === 'guest' ? 'guests' : page} admin={admin} />}>
      {ADMIN_PAGES.has(page) && !admin ? (
        <AccessProblem title="For CaseRoom admins only" message="Only a CaseRoom admin of your firm can open this page. Ask one of them if something here needs changing." />
      ) : (
        <>
          {page === 'clients' && <ClientsPage />}
          {page === 'guests' && <GuestsPage />}
          {page === 'guest' && guest && <GuestDetailPage contactId={guest.contactId} />}
          {page === 'audit' && <AuditPage />}
          {page === 'settings' && <SettingsPage />}
          {page === 'setup' && <SetupPage />}
        </>
      )}
    </AppShell>
  );
}
