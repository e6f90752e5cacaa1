import { Body1, Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
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
import { ViewsPage } from './ViewsPage';
import { PolicyPage } from './PolicyPage';
import { EN, useStrings } from '../strings';

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

const ADMIN_PAGES = new Set(['audit', 'setup', 'views', 'policy']);

type Page = 'clients' | 'guests' | 'guest' | 'audit' | 'settings' | 'setup' | 'views' | 'policy';
const TITLES: Record<Page, string> = { ...EN.firm.pageTitles, ...EN.views.pageTitles };
/** The page a path ends in ("/tab/firm/views" → views); anything unknown is the clients page. */
const LAST_SEGMENT_PAGES: ReadonlyArray<Page> = ['guests', 'audit', 'settings', 'setup', 'views', 'policy'];

/**
 * Firm pages for staff: /tab/firm/clients, /tab/firm/guests, /tab/firm/guests/:contactId, /tab/firm/audit,
 * /tab/firm/settings (the staff member's own), /tab/firm/setup, /tab/firm/views and /tab/firm/policy (admins). Before set-up, an admin
 * gets the set-up page and everyone else a page saying whom to ask; outside the staff group, why not.
 */
export function FirmApp({ path }: { path: string }) {
  const guest = match('/tab/firm/guests/:contactId', path);
  const page: Page = guest ? 'guest' : (LAST_SEGMENT_PAGES.find((p) => path.endsWith(`/${p}`)) ?? 'clients');
  // Known once GET /me answered (the API context lives inside the shell, so the gate below reports it up).
  const [role, setRole] = useState<'admin' | 'staff' | null>(null);
  const [title, setTitle] = useState<string | null>(null);
  return (
    <AppShell title={title ?? TITLES[page]} nav={role ? <FirmNav current={page === 'guest' ? 'guests' : page} admin={role === 'admin'} /> : undefined}>
      <FirmGate page={page} path={path} contactId={guest?.contactId ?? null} onRole={setRole} onTitle={setTitle} />
    </AppShell>
  );
}

function FirmGate({ page, path, contactId, onRole, onTitle }: { page: Page; path: string; contactId: string | null; onRole: (role: 'admin' | 'staff' | null) => void; onTitle: (title: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().firm.gate;
  const me = useLoad(() => api.me(), []);
  const err = me.error;
  const role = me.data?.role ?? null;
  const blockedTitle = !me.data && err instanceof ApiError ? (err.code === 'not_set_up' ? (err.canSetUp ? t.setUpTitle : t.notSetUpTitle) : err.code === 'not_staff' ? t.notStaffTitle : null) : null;
  useEffect(() => onRole(role), [role]);
  useEffect(() => onTitle(blockedTitle), [blockedTitle]);

  if (!me.data) {
    if (err instanceof ApiError && err.code === 'not_set_up') {
      return err.canSetUp ? <SetupPage onDone={() => void me.reload().then(() => navigate('/tab/firm/clients'))} /> : <AccessProblem title={t.notSetUpHeading} message={plainMessage(err)} />;
    }
    if (err instanceof ApiError && err.code === 'not_staff') {
      return (
        <>
          <AccessProblem title={t.notStaffHeading} message={plainMessage(err)} />
          {err.canSetUp && (
            <Body1>
              {t.adminCanChangeSetUp((words) => (
                <Link key="setup" href="/tab/firm/setup">
                  {words}
                </Link>
              ))}
            </Body1>
          )}
          {err.canSetUp && path.endsWith('/setup') && <SetupPage />}
        </>
      );
    }
    return err ? <ErrorBar error={err} onRetry={() => void me.reload()} /> : <Loading label={t.signingIn} />;
  }

  if (ADMIN_PAGES.has(page) && role !== 'admin') {
    return <AccessProblem title={t.adminsOnlyTitle} message={t.adminsOnlyMessage} />;
  }
  return (
    <>
      {page === 'clients' && <ClientsPage />}
      {page === 'guests' && <GuestsPage />}
      {page === 'guest' && contactId && <GuestDetailPage contactId={contactId} />}
      {page === 'audit' && <AuditPage />}
      {page === 'settings' && <SettingsPage />}
      {page === 'setup' && <SetupPage />}
      {page === 'views' && <ViewsPage />}
      {page === 'policy' && <PolicyPage />}
    </>
  );
}
