import { Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type Item } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { caseLabel, optionsOf, SearchField } from '../components/options';
import { useLoad, useStaffApi } from '../shell/hooks';
import { navigate } from '../shell/router';
import { AppShell } from '../shell/AppShell';
import { AccessPanel } from './AccessPanel';
import { BillingPanel } from './BillingPanel';
import { useCaseData } from './caseData';
import { useLiveReload } from '../shell/live';
import { CaseHeader } from './CaseHeader';
import { CloseCaseDialog } from './CloseCaseDialog';
import { DocumentsPanel } from './DocumentsPanel';
import { ItemsPanel } from './ItemsPanel';
import { MessagesPanel } from './MessagesPanel';
import { PartiesPanel } from './PartiesPanel';
import { ShareDialog } from './ShareDialog';
import { FirmNav } from '../firm/FirmNav';
import { WallDialog } from './WallDialog';
import { useStrings } from '../strings';

type Panel = 'documents' | 'notes' | 'events' | 'billing' | 'parties' | 'messages' | 'access';
const PANEL_ORDER: readonly Panel[] = ['documents', 'notes', 'events', 'billing', 'parties', 'messages', 'access'];

/** Where each kind of item is listed, so a link to an item opens the panel that shows it. */
const PANEL_OF_KIND: Record<Item['kind'], Panel> = { document: 'documents', folder: 'documents', note: 'notes', event: 'events', invoice: 'billing' };

const useStyles = makeStyles({
  tabs: { overflowX: 'auto', margin: `${tokens.spacingVerticalM} 0` },
  focused: { '& [data-focused=true]': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`, outlineOffset: tokens.strokeWidthThick } },
});

/**
 * A card's "Open file" link names one item (…&itemId=): open the panel that lists it, then bring
 * it into view and mark it, once, so later reloads do not pull the page back to it.
 */
function useItemFocus(items: readonly Item[] | undefined, itemId: string | null, setPanel: (p: Panel) => void): { missing: boolean } {
  const done = useRef(false);
  const timer = useRef<number>(undefined);
  // A reload of the case while looking must not stop the look; leaving the page does.
  useEffect(() => () => window.clearInterval(timer.current), []);
  useEffect(() => {
    const item = itemId ? items?.find((i) => i.id === itemId) : undefined;
    if (!item || done.current) return;
    done.current = true;
    setPanel(PANEL_OF_KIND[item.kind]);
    // The panel renders its list after this effect; look for the item until it is there.
    const started = Date.now();
    timer.current = window.setInterval(() => {
      const node = document.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(item.id)}"]`);
      if (!node && Date.now() - started < 10_000) return;
      window.clearInterval(timer.current);
      if (!node) return;
      node.dataset.focused = 'true';
      node.scrollIntoView({ block: 'center' });
      if (!node.hasAttribute('tabindex')) node.tabIndex = -1;
      node.focus({ preventScroll: true });
    }, 100);
  }, [items, itemId, setPanel]);
  return { missing: Boolean(itemId && items && !items.some((i) => i.id === itemId)) };
}

function CaseTab({ caseId, openAccess, focusItemId }: { caseId: string; openAccess: boolean; focusItemId: string | null }) {
  const t = useStrings().staff;
  const PANELS = PANEL_ORDER.map((p): [Panel, string] => [p, t.panel[p]]);
  const s = useStyles();
  const data = useCaseData(caseId);
  useLiveReload('staff', (change) => change.caseId === caseId, data.reload);
  // A card's "and N more" link (…&show=access) opens the Access panel: per guest and item, what is shared and what SharePoint holds.
  const [panel, setPanel] = useState<Panel>(openAccess ? 'access' : 'documents');
  const focus = useItemFocus(data.data?.sharing.items, focusItemId, setPanel);
  const [sharing, setSharing] = useState(false);
  const [closing, setClosing] = useState(false);
  const [restricting, setRestricting] = useState(false);
  const reload = () => void data.reload();
  if (data.error instanceof ApiError && data.error.status === 404) return <Empty>{t.caseGone}</Empty>;
  if (!data.data) return data.error ? <ErrorBar error={data.error} onRetry={reload} /> : <Loading label={t.openingTheCase} />;
  const d = data.data;
  return (
    <>
      <CaseHeader detail={d.detail} access={d.access} onShare={() => setSharing(true)} onCloseOrReopen={() => setClosing(true)} onRestrict={() => setRestricting(true)} />
      <ErrorBar error={data.error} onRetry={reload} />
      {focus.missing && <Notice intent="warning">{t.linkedItemGone}</Notice>}
      <div className={s.tabs}>
        <TabList selectedValue={panel} onTabSelect={(_e, v) => setPanel(v.value as Panel)} aria-label={t.caseSections}>
          {PANELS.map(([value, label]) => (
            <Tab key={value} value={value}>
              {label}
            </Tab>
          ))}
        </TabList>
      </div>
      <div role="tabpanel" aria-label={PANELS.find(([v]) => v === panel)?.[1]} className={s.focused}>
        {panel === 'documents' && <DocumentsPanel caseId={caseId} sharing={d.sharing} onChanged={reload} />}
        {panel === 'notes' && <ItemsPanel kind="note" caseId={caseId} sharing={d.sharing} onChanged={reload} />}
        {panel === 'events' && <ItemsPanel kind="event" caseId={caseId} sharing={d.sharing} onChanged={reload} />}
        {panel === 'billing' && <BillingPanel caseId={caseId} detail={d.detail} sharing={d.sharing} onChanged={reload} />}
        {panel === 'parties' && <PartiesPanel detail={d.detail} onChanged={reload} />}
        {panel === 'messages' && <MessagesPanel caseId={caseId} threads={d.threads} onChanged={reload} />}
        {panel === 'access' && <AccessPanel caseId={caseId} />}
      </div>
      {sharing && <ShareDialog data={d} onClose={() => setSharing(false)} onChanged={reload} />}
      {restricting && <WallDialog detail={d.detail} onClose={() => setRestricting(false)} onChanged={reload} />}
      {closing && <CloseCaseDialog detail={d.detail} onClose={() => setClosing(false)} onChanged={reload} />}
    </>
  );
}

/**
 * /tab/case opened without a case (a bookmark, the firm pages' "Case" link, a browser): rather
 * than a dead end, pick one by number or title; the address then names it, so Back and sharing work.
 */
function CasePicker() {
  const t = useStrings().staff;
  const api = useStaffApi();
  const cases = useLoad(() => api.cases(), []);
  const [query, setQuery] = useState('');
  if (!cases.data) return cases.error ? <ErrorBar error={cases.error} onRetry={() => void cases.reload()} /> : <Loading label={t.findingYourCases} />;
  if (cases.data.length === 0) return <Empty>{t.noCasesYet}</Empty>;
  const matches = cases.data.filter((c) => caseLabel(c).toLowerCase().includes(query.toLowerCase()));
  return (
    <SearchField label={t.openACase} placeholder={t.searchCases} query={query} onQuery={setQuery} onPick={(id) => id && navigate(`/tab/case?caseId=${encodeURIComponent(id)}`)}>
      {optionsOf(matches, (c) => c.id, caseLabel)}
    </SearchField>
  );
}

/** The configurable channel tab's content: /tab/case?caseId=…[&show=access | &itemId=…] */
export function CaseTabPage({ caseId, openAccess = false, focusItemId = null }: { caseId: string | null; openAccess?: boolean; focusItemId?: string | null }) {
  const t = useStrings().staff;
  return (
    <AppShell title={t.case} nav={<FirmNav current="case" />}>
      {caseId ? <CaseTab caseId={caseId} openAccess={openAccess} focusItemId={focusItemId} /> : <CasePicker />}
    </AppShell>
  );
}
