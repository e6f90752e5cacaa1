import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { FirmApp } from './firm/FirmApp';
import { PortalApp } from './portal/PortalApp';
import { completeSignInRedirect } from './shell/auth';
import { deepLinkTarget } from './shell/deep-link';
import { setReaderLocale } from './shell/locale';
import { navigate, useLocation, useNothingHiddenAfterMoving } from './shell/router';
import { detectReaderLocale, teamsSubPageId } from './shell/teams';
import { CaseTabPage } from './staff/CaseTabPage';
import { useStrings } from './strings';
import { ConfigPage } from './staff/ConfigPage';

/** One bundle, four entry pages, chosen by path: /tab/portal, /tab/case, /tab/config, /tab/firm. */
function Root() {
  const loc = useLocation();
  useNothingHiddenAfterMoving(loc);
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

/** The identity provider answered the sign-in with an error (or the answer could not be redeemed). */
function SignInFailed({ message }: { message: string }) {
  const t = useStrings().shell;
  return (
    <main style={{ padding: 24 }}>
      <h1 style={{ fontSize: 20 }}>{t.signInFailed}</h1>
      <p>{message}</p>
      <a href={window.location.pathname}>{t.tryAgain}</a>
    </main>
  );
}

const root = createRoot(document.getElementById('root') as HTMLElement);
// Outside Teams, a page reached from the sign-in redirect first lets MSAL take the answer.
// Dates, numbers and words follow the reader's locale, known before the first render.
Promise.all([completeSignInRedirect(), detectReaderLocale().then(setReaderLocale)]).then(
  () => root.render(<Root />),
  (err: unknown) => root.render(<SignInFailed message={err instanceof Error ? err.message : String(err)} />),
);
