import { AppShell } from '../shell/AppShell';
import { match } from '../shell/router';
import { AuditPage } from './AuditPage';
import { ClientsPage } from './ClientsPage';
import { FirmNav } from './FirmNav';
import { GuestDetailPage } from './GuestDetailPage';
import { GuestsPage } from './GuestsPage';

/** Firm pages for staff: /tab/firm/clients, /tab/firm/guests, /tab/firm/guests/:contactId, /tab/firm/audit. */
export function FirmApp({ path }: { path: string }) {
  const guest = match('/tab/firm/guests/:contactId', path);
  const page = guest ? 'guest' : path.endsWith('/guests') ? 'guests' : path.endsWith('/audit') ? 'audit' : 'clients';
  const titles = { clients: 'Clients', guests: 'Guests', guest: 'Guest', audit: 'Audit log' } as const;
  return (
    <AppShell title={titles[page]} nav={<FirmNav current={page === 'guest' ? 'guests' : page} />}>
      {page === 'clients' && <ClientsPage />}
      {page === 'guests' && <GuestsPage />}
      {page === 'guest' && guest && <GuestDetailPage contactId={guest.contactId} />}
      {page === 'audit' && <AuditPage />}
    </AppShell>
  );
}
