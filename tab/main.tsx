import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { FirmApp } from './firm/FirmApp';
import { PortalApp } from './portal/PortalApp';
import { deepLinkTarget } from './shell/deep-link';
import { navigate, useLocation } from './shell/router';
import { teamsSubPageId } from './shell/teams';
import { CaseTabPage } from './staff/CaseTabPage';
import { ConfigPage } from './staff/ConfigPage';

/** One bundle, four entry pages, chosen by path: /tab/portal, /tab/case, /tab/config, /tab/firm. */
function Root() {
  const loc = useLocation();
  useEffect(() => {
    // Once, on the address the tab was opened with: a deep link may name a case, or an item in it.
    void teamsSubPageId().then((subPageId) => {
      const to = deepLinkTarget(loc.path, loc.query, subPageId);
      if (to) navigate(to, { replace: true });
    });
  }, []);
  if (loc.path.startsWith('/tab/case')) return <CaseTabPage caseId={loc.query.get('caseId')} openAccess={loc.query.get('show') === 'access'} focusItemId={loc.query.get('itemId')} />;
  if (loc.path.startsWith('/tab/config')) return <ConfigPage />;
  if (loc.path.startsWith('/tab/firm')) return <FirmApp path={loc.path} />;
  return <PortalApp path={loc.path} />;
}

createRoot(document.getElementById('root') as HTMLElement).render(<Root />);
