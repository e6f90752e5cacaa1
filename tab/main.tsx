import { createRoot } from 'react-dom/client';
import { FirmApp } from './firm/FirmApp';
import { PortalApp } from './portal/PortalApp';
import { useLocation } from './shell/router';
import { CaseTabPage } from './staff/CaseTabPage';
import { ConfigPage } from './staff/ConfigPage';

/** One bundle, four entry pages, chosen by path: /tab/portal, /tab/case, /tab/config, /tab/firm. */
function Root() {
  const loc = useLocation();
  if (loc.path.startsWith('/tab/case')) return <CaseTabPage caseId={loc.query.get('caseId')} openAccess={loc.query.get('show') === 'access'} />;
  if (loc.path.startsWith('/tab/config')) return <ConfigPage />;
  if (loc.path.startsWith('/tab/firm')) return <FirmApp path={loc.path} />;
  return <PortalApp path={loc.path} />;
}

createRoot(document.getElementById('root') as HTMLElement).render(<Root />);
