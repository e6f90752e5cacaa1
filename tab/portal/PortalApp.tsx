import { Button } from '@fluentui/react-components';
import { ChatRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { AppShell } from '../shell/AppShell';
import { match, navigate } from '../shell/router';
import { MessageFirmDialog } from './MessageFirmDialog';
import { MyCasesPage } from './MyCasesPage';
import { PortalCasePage } from './PortalCasePage';
import { PortalGate } from './PortalGate';
import { useStrings } from '../strings';
import { ScreenContext, type Screen } from './screen';

/** The guest portal: my cases, one case, and "Message the firm" on every screen. */
export function PortalApp({ path }: { path: string }) {
  const caseMatch = match('/tab/portal/cases/:caseId', path);
  const t = useStrings().portal;
  const [screen, setScreen] = useState<Screen>({ caseId: null, label: t.myCases });
  const [writing, setWriting] = useState(false);
  const screenCtx = useMemo(() => ({ set: setScreen }), []);
  const nav = (
    <>
      <Button appearance="subtle" size="small" onClick={() => navigate('/tab/portal')}>
        {t.myCases}
      </Button>
      <Button appearance="primary" size="small" icon={<ChatRegular />} onClick={() => setWriting(true)}>
        {t.messageTheFirm}
      </Button>
    </>
  );
  return (
    <AppShell title={caseMatch ? t.case : t.myCases} nav={nav}>
      <ScreenContext.Provider value={screenCtx}>
        <PortalGate>
          {caseMatch ? <PortalCasePage caseId={caseMatch.caseId} /> : <MyCasesPage />}
          <MessageFirmDialog open={writing} onClose={() => setWriting(false)} screen={screen} />
        </PortalGate>
      </ScreenContext.Provider>
    </AppShell>
  );
}
