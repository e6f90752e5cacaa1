import { Button, FluentProvider, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, portalApi, staffApi } from '../api';
import { canSignOut, getToken, signOut } from './auth';
import { ApiContext, type Apis } from './hooks';
import { initTeams } from './teams';
import { THEMES, useThemeName } from './theme';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2, color: tokens.colorNeutralForeground1 },
  bar: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    flexWrap: 'wrap',
  },
  brand: { fontWeight: tokens.fontWeightSemibold },
  grow: { flexGrow: 1 },
  main: { padding: tokens.spacingHorizontalL, maxWidth: '1200px', margin: '0 auto', boxSizing: 'border-box' },
  skip: {
    position: 'absolute',
    left: '-9999px',
    ':focus': { left: tokens.spacingHorizontalS, top: tokens.spacingVerticalS, zIndex: 10, backgroundColor: tokens.colorNeutralBackground1, padding: tokens.spacingHorizontalS },
  },
});

/** Theme, API client and the page frame every page shares. */
export function AppShell({ title, nav, children }: { title: string; nav?: ReactNode; children: ReactNode }) {
  const s = useStyles();
  const t = useStrings().shell;
  const theme = useThemeName();
  const [hosted, setHosted] = useState(false);
  const [signOutShown, setSignOutShown] = useState(false);
  useEffect(() => {
    void initTeams().then(setHosted);
    void canSignOut().then(setSignOutShown);
  }, []);
  const apis = useMemo<Apis>(() => {
    const client = new ApiClient(getToken);
    return { client, staff: staffApi(client), portal: portalApi(client), hosted };
  }, [hosted]);
  useEffect(() => {
    document.title = t.pageTitle(title);
  }, [t, title]);
  return (
    <FluentProvider theme={THEMES[theme]} data-theme={theme}>
      <ApiContext.Provider value={apis}>
        <div className={s.root}>
          <a href="#main" className={s.skip}>
            {t.skipToContent}
          </a>
          <header className={s.bar}>
            <Text className={s.brand}>{t.brand}</Text>
            {nav}
            <span className={s.grow} />
            {signOutShown && (
              <Button appearance="subtle" size="small" onClick={() => void signOut()}>
                {t.switchAccount}
              </Button>
            )}
          </header>
          <main id="main" className={s.main}>
            {children}
          </main>
        </div>
      </ApiContext.Provider>
    </FluentProvider>
  );
}
