import { AppShell } from '../shell/AppShell';
import { match } from '../shell/router';
import { AuditPage } from './AuditPage';
import { ClientsPage } from './ClientsPage';
import { FirmNav } from './FirmNav';
import { GuestDetailPage } from './GuestDetailPage';
import { GuestsPage } from './GuestsPage';
import { SettingsPage } from './SettingsPage';

/** Firm pages for staff: /tab/firm/clients, /tab/firm/guests, /tab/firm/guests/:contactId, /tab/firm/audit, /tab/firm/settings (the staff member's own). */
export function FirmApp({ path }: { path: string }) {
  const guest = match('/tab/firm/guests/:contactId', path);
  const page = guest ? 'guest' : path.endsWith('/guests') ? 'guests' : path.endsWith('/audit') ? 'audit' : path.endsWith('/settings') ? 'settings' : 'clients';
  const titles = { clients: 'Clients', guests: 'Guests', guest: 'Guest', audit: 'Audit log', settings: 'My settings' } as const;
  return (
    <AppShell title={titles[page]} nav={<FirmNav current={page === 'guest' ? 'guests' : page} />}>
      {page === 'clients' && <ClientsPage />}
      {page === 'guests' && <GuestsPage />}
      {page === 'guest' && guest && <GuestDetailPage contactId={guest.contactId} />}
      {page === 'audit' && <AuditPage />}
      {page === 'settings' && <SettingsPage />}
    </AppShell>
  );
}
